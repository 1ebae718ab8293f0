"""Choosing one person of a programme in a form, whatever the programme's size.

A programme of a few dozen people gets an ordinary select. Above ``SELECT_LIMIT`` people the page would carry
every one of them as an option (20,000 people: 1.7 MB and a second of rendering), so the field becomes a search
box instead: suggestions come from the people lookup (``people.lookup_people``) as one types, and a hidden input
carries the chosen person's id. Without JavaScript one types an email address (or a name nobody else in the
programme has) and the server finds the person. Either way the server decides: the person must belong to the
programme, or the form is refused with a message next to the field and nothing is written.
"""
from flask import g, get_template_attribute, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import Select, case, func, or_, select
from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from planner.core.routing import MAX_ID
from planner.extensions import db
from planner.people.models import Person
from planner.people.queries import name_or_email_contains

#: a programme with more people than this gets a search box instead of a select
SELECT_LIMIT = 200
#: the most suggestions one lookup answers with
LOOKUP_LIMIT = 20
#: the suffix of the search box's name: ``owner_id`` carries the id, ``owner_id-search`` what was typed
SEARCH_SUFFIX = "-search"


def person_label(full_name: str, email: str | None) -> str:
    """How a person is named in pick lists and suggestions: "Name <email>"."""
    return f"{full_name} <{email}>" if email else full_name


def people_matching(programme_id: int, text: str) -> Select:
    """(id, full_name, email) of the programme's people whose name or email contains ``text`` (any case),
    those whose name or email starts with it first, then by name."""
    needle = text.strip().lower()
    name, email = func.lower(Person.full_name), func.lower(Person.email)
    starts = or_(name.startswith(needle, autoescape=True), email.startswith(needle, autoescape=True))
    return (select(Person.id, Person.full_name, Person.email)
            .where(Person.programme_id == programme_id, name_or_email_contains(needle))
            .order_by(case((starts, 0), else_=1), Person.full_name, Person.id))


def _small_list(programme_id: int, exclude_ids: tuple[int, ...], among: Select | None) -> list[tuple[int, str]] | None:
    """The programme's people (only those ``among`` names, when given; those in ``exclude_ids`` left out) as
    (id, label) by name when there are at most ``SELECT_LIMIT`` of them; None when there are more. One query that
    stops reading after ``SELECT_LIMIT + 1`` rows, read once per request however many fields on the page ask."""
    cache = g.setdefault("person_picker_lists", {}) if has_request_context() else {}
    key = (programme_id, exclude_ids,
           None if among is None else str(among.compile(compile_kwargs={"literal_binds": True})))
    if key not in cache:
        query = select(Person.id, Person.full_name, Person.email).where(Person.programme_id == programme_id)
        if exclude_ids:
            query = query.where(Person.id.not_in(exclude_ids))
        if among is not None:
            query = query.where(Person.id.in_(among))
        rows = db.session.execute(query.limit(SELECT_LIMIT + 1)).all()
        cache[key] = None if len(rows) > SELECT_LIMIT else [
            (pid, person_label(name, email))
            for pid, name, email in sorted(rows, key=lambda row: (row.full_name, row.id))]
    return cache[key]


class PersonPickerWidget:
    """Draws the field through the ``person_picker`` macro of ``_person_picker.html``."""

    def __call__(self, field: "PersonField", **kwargs) -> Markup:
        macro = get_template_attribute("_person_picker.html", "person_picker")
        return Markup(macro(field, kwargs))


class PersonField(Field):
    """One person of the programme, or nobody. ``data`` is the person's id or None.

    The view calls ``offer(programme_id, ...)`` before validating or drawing the form. Whether a person is
    required, or free to take on the role, stays the service's rule.
    """

    widget = PersonPickerWidget()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.programme_id: int | None = None
        self._offered = False
        self.empty_label = ""
        self.exclude_ids: tuple[int, ...] = ()
        self.among: Select | None = None
        #: what was typed in the search box (None: the form came from a select, or was not posted)
        self.typed: str | None = None
        self._raw_id: str | None = None
        self._current: tuple[int, str] | None = None

    def offer(self, programme_id: int | None, *, empty_label: str = "", exclude_ids=(),
              among: Select | None = None) -> "PersonField":
        """Whose people the field offers, the words for "nobody", who is left out of the select (the members
        already seated, the people already invited) and, for a list's filter, a Select of the only ids the select
        lists (the owners of the programme's risks). Any person of the programme is accepted all the same.
        ``programme_id`` None: a programme not created yet, which has nobody to choose."""
        self._offered = True
        self.programme_id = programme_id
        self.empty_label = empty_label
        self.exclude_ids = tuple(sorted(exclude_ids))
        self.among = among
        return self

    # --- reading the request -------------------------------------------------------------------------

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if formdata is not None and self.name + SEARCH_SUFFIX in formdata:
            self.typed = (formdata.get(self.name + SEARCH_SUFFIX) or "").strip()

    def process_data(self, value):
        self.data = value if isinstance(value, int) else None

    def process_formdata(self, valuelist):
        self._raw_id = (valuelist[0] or "").strip() if valuelist else ""
        self.data = None

    def pre_validate(self, form):
        if not self._offered:
            raise RuntimeError(f"{self.name}: call offer(programme_id) before validating")
        if self._raw_id is None and self.typed is None:
            return  # nothing of the field was sent: nobody
        person_id = self._posted_id()
        person = db.session.get(Person, person_id) if person_id else None
        if person_id is not None and (person is None or person.programme_id != self.programme_id):
            raise ValidationError(_("Choose a person of this programme."))
        if self.typed is None:  # the select
            self.data = person_id
        elif person is not None and self.typed.lower() in (
                person_label(person.full_name, person.email).lower(), person.email.lower(), person.full_name.lower()):
            self.data = person.id  # the id stands while the search box still names that person
        elif self.typed:
            self.data = self._resolve_typed(self.typed)

    def _posted_id(self) -> int | None:
        if not self._raw_id or self._raw_id == "None":
            return None
        if not self._raw_id.isdigit() or not 1 <= int(self._raw_id) <= MAX_ID:
            raise ValidationError(_("Choose a person of this programme."))
        return int(self._raw_id)

    def _resolve_typed(self, text: str) -> int:
        """The person of this programme that typed text names: an email address (alone, or in "Name <email>"),
        or a name only one person of the programme has."""
        email = text.rsplit("<", 1)[1].rstrip(">").strip() if text.endswith(">") and "<" in text else text
        if "@" in email:
            person_id = db.session.scalar(select(Person.id).where(
                Person.programme_id == self.programme_id, Person.email == email.lower()))
            if person_id is None:
                raise ValidationError(_("Nobody in this programme has the email address %(email)s.", email=email))
            return person_id
        ids = db.session.scalars(select(Person.id).where(
            Person.programme_id == self.programme_id, func.lower(Person.full_name) == text.lower()).limit(2)).all()
        if not ids:
            raise ValidationError(_("Nobody in this programme is called %(name)s. Type their email address.",
                                    name=text))
        if len(ids) > 1:
            raise ValidationError(_("Several people are called %(name)s. Type the email address of the one you mean.",
                               name=text))
        return ids[0]

    # --- drawing it ----------------------------------------------------------------------------------

    def choices(self) -> list[tuple[int, str]] | None:
        """(id, label) for a select, the current person included; None when the field is a search box."""
        if self.programme_id is None:
            return []
        listed = _small_list(self.programme_id, self.exclude_ids, self.among)
        if listed is None:
            return None
        current = self.current()
        if current is not None and all(pid != current[0] for pid, _label in listed):
            listed = [current, *listed]
        return listed

    def current(self) -> tuple[int, str] | None:
        """(id, label) of the person the field holds, or None."""
        if self.data is None:
            return None
        if self._current is None or self._current[0] != self.data:
            person = db.session.get(Person, self.data)
            if person is None or person.programme_id != self.programme_id:
                return None
            self._current = (person.id, person_label(person.full_name, person.email))
        return self._current

    def search_text(self) -> str:
        """What the search box shows: what was typed when the form comes back refused, else the current person."""
        if self.typed is not None and self.errors:
            return self.typed
        current = self.current()
        return current[1] if current else ""

    def lookup_url(self) -> str:
        return url_for("people.lookup_people", programme_id=self.programme_id)

    @property
    def search_name(self) -> str:
        return self.name + SEARCH_SUFFIX

    placeholder = _l("Type a name or an email address")
