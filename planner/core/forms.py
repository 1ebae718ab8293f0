"""Form pieces shared by every area."""
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import InputRequired

from planner.core.errors import DomainError


class VersionedForm(FlaskForm):
    """An edit form carrying the record's version, so a stale save is caught."""

    version = HiddenField()

    def expected_version(self) -> int:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return -1


def as_choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


_TIME_ZONES: list[SelectChoice] = []


def time_zone_choices() -> list[SelectChoice]:
    if not _TIME_ZONES:
        _TIME_ZONES.extend(SelectChoice(name) for name in sorted(available_timezones())
                           if "/" in name or name == "UTC")
    return _TIME_ZONES


class TimeZoneField(SelectField):
    """An IANA time zone name picked from the zones Python knows."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators or [InputRequired()], choices=time_zone_choices, **kwargs)


def optional_id_field(label) -> SelectField:
    """A select whose empty choice means "none"; values are ids (choices set by the view)."""
    return SelectField(label, coerce=lambda value: int(value) if value not in (None, "", "None") else None,
                       validate_choice=True)


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's refusal next to the field it concerns, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)

