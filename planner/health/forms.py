"""Forms of the health check: acknowledging a finding, and the programme's thresholds (one field per threshold
of the registered rules, so that form is built when needed)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from planner.health.findings import Severity
from planner.health.services import REASON_MAX

SEVERITY_LABELS = {Severity.HIGH: _l("High"), Severity.MEDIUM: _l("Medium"), Severity.LOW: _l("Low")}


class AcknowledgeForm(FlaskForm):
    """Which finding (its rule and subject, from the page) and why it can wait."""

    rule = HiddenField(validators=[InputRequired(), Length(max=60)])
    subject = HiddenField(validators=[InputRequired(), Length(max=120)])
    reason = TextAreaField(_l("Why it can wait"), validators=[InputRequired(), Length(max=REASON_MAX)])


def thresholds_form(thresholds, values: dict[str, int]) -> FlaskForm:
    """A form with one whole-number field per threshold, named by its key, holding ``values``.

    The field's name is the threshold's key, so a service's refusal (DomainError with ``field=key``) lands on it.
    """
    fields = {}
    for threshold in thresholds:
        if hasattr(FlaskForm, threshold.key):
            raise ValueError(f"Health threshold key {threshold.key!r} clashes with a form attribute")
        message = _("Choose a whole number between %(minimum)d and %(maximum)d.", minimum=threshold.minimum,
                    maximum=threshold.maximum)
        fields[threshold.key] = IntegerField(
            threshold.label, validators=[InputRequired(message), NumberRange(threshold.minimum, threshold.maximum,
                                                                             message)])
    form_class = type("ThresholdsForm", (FlaskForm,), fields)
    return form_class(data=values)  # a POST's values replace these (Flask-WTF reads the request's form)
