"""Reading the planner's HTML as a browser would, for the locustfile: the forms of a page with the values a
browser would submit (hidden inputs such as ``csrf_token`` and ``version``, text inputs, the selected option
of each select, textareas, checked boxes), and the links on it. Standard library only."""
from html.parser import HTMLParser


class Form:
    """One ``<form>``: its action, method, submitted fields and the options of each select."""

    def __init__(self, action: str, method: str):
        self.action = action
        self.method = method.lower()
        self.fields: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}

    def values(self, **changes) -> dict[str, str]:
        """The fields a browser would post, with ``changes`` applied (as strings)."""
        return {**self.fields, **{name: str(value) for name, value in changes.items()}}


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value if value is not None else "" for name, value in attrs}
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "form":
            self._form = Form(attributes.get("action", ""), attributes.get("method", "get"))
            self.forms.append(self._form)
        elif self._form is None or "name" not in attributes and tag != "option":
            return
        elif tag == "input":
            kind = attributes.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self._form.fields[attributes["name"]] = attributes.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = attributes["name"], None, False
            self._form.options[self._select] = []
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            self._form.options[self._select].append(value)
            if self._select_first is None:
                self._select_first = value
            if "selected" in attributes:
                self._form.fields[self._select] = value
                self._select_chosen = True
        elif tag == "textarea":
            self._textarea, self._text = attributes["name"], []

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            if not self._select_chosen and self._form is not None:
                self._form.fields[self._select] = self._select_first or ""
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form.fields[self._textarea] = "".join(self._text).removeprefix("\n")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


class Page:
    """A parsed page: its forms and links."""

    def __init__(self, html: str):
        parser = _PageParser()
        parser.feed(html)
        parser.close()
        self.forms = parser.forms
        self.links = parser.links

    def form(self, action_ends_with: str) -> Form | None:
        """The first form whose action ends with ``action_ends_with`` ("" finds a form posting to its own page)."""
        for form in self.forms:
            if form.action.endswith(action_ends_with) if action_ends_with else form.action == "":
                return form
        return None

    def forms_to(self, action_ends_with: str) -> list[Form]:
        return [form for form in self.forms if form.action.endswith(action_ends_with)]

    def csrf_token(self) -> str | None:
        for form in self.forms:
            if form.fields.get("csrf_token"):
                return form.fields["csrf_token"]
        return None
