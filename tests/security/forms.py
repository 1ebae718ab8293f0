"""The POST forms of the rendered pages, read the way a browser would submit them.

``forms_in(html, page_url)`` finds every ``<form method="post">`` with its action and its fields (inputs, selects,
text areas, named submit buttons); ``Form.submission()`` is what pressing its first submit button sends, with
empty required-looking fields filled with something plausible so that as many forms as possible are accepted.
"""
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea" or "button"
    value: str = ""
    checked: bool = False
    #: a select's option values, the selected ones first
    options: list[str] = field(default_factory=list)
    required: bool = False


@dataclass
class Form:
    action: str
    enctype: str
    fields: list[Field] = field(default_factory=list)

    @property
    def names(self) -> set[str]:
        return {each.name for each in self.fields}

    def submission(self, fill: dict[str, str]) -> dict[str, str | list[str]]:
        """The fields a browser sends; empty ones filled from ``fill`` (by input kind), file inputs left out."""
        data: dict[str, list[str]] = {}
        button_sent = False
        for each in self.fields:
            if each.kind in ("file", "image", "reset"):
                continue
            if each.kind in ("button", "submit"):
                if not button_sent and each.name:
                    data.setdefault(each.name, []).append(each.value)
                button_sent = True
                continue
            if each.kind in ("checkbox", "radio"):
                if each.checked:
                    data.setdefault(each.name, []).append(each.value or "on")
                continue
            if each.kind == "select":
                chosen = next((option for option in each.options if option), each.options[0] if each.options else "")
                data.setdefault(each.name, []).append(each.value if each.value else chosen)
                continue
            value = each.value
            if not value and each.kind not in ("hidden", "password"):
                value = fill.get(each.kind, fill["text"])
            data.setdefault(each.name, []).append(value)
        # a radio group with nothing checked: the first choice, as a person would pick one
        for each in self.fields:
            if each.kind == "radio" and each.name not in data:
                data[each.name] = [each.value]
        return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._selected: list[str] = []
        self._option_value: str | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            if attributes.get("method", "get").lower() == "post":
                action = urljoin(self.page_url, attributes.get("action") or self.page_url)
                self._form = Form(action, attributes.get("enctype", "application/x-www-form-urlencoded"))
                self.forms.append(self._form)
            else:
                self._form = None
            return
        if self._form is None or "disabled" in attributes:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            self._form.fields.append(Field(name, attributes.get("type", "text").lower(), attributes.get("value", ""),
                                           "checked" in attributes, required="required" in attributes))
        elif tag == "button" and name and attributes.get("type", "submit").lower() == "submit":
            self._form.fields.append(Field(name, "button", attributes.get("value", "")))
        elif tag == "button" and attributes.get("type", "submit").lower() == "submit":
            self._form.fields.append(Field("", "button"))
        elif tag == "select" and name:
            self._select = Field(name, "select", required="required" in attributes)
            self._selected = []
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option_value = attributes.get("value")
            if "selected" in attributes and self._option_value is not None:
                self._selected.append(self._option_value)
            if self._option_value is not None:
                self._select.options.append(self._option_value)
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea", required="required" in attributes)
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            self._select.value = self._selected[0] if self._selected else ""
            self._select = None
        elif tag == "option":
            self._option_value = None
        elif tag == "textarea":
            self._textarea = None


def forms_in(html: str, page_url: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
