from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from planner.core.forms import VersionedForm, as_choices, optional_id_field
from planner.lifecycle.models import GateOutcome, GoalKind, StageStatus
from planner.lifecycle.template import STAGES
from planner.people.picker import PersonField

STATUS_LABELS = {StageStatus.NOT_STARTED: _l("Not started"), StageStatus.IN_PROGRESS: _l("In progress"),
                 StageStatus.LATE: _l("Late"), StageStatus.CLOSED: _l("Closed")}
OUTCOME_LABELS = {GateOutcome.PASSED: _l("Passed"), GateOutcome.NOT_PASSED: _l("Not passed")}
GOAL_KIND_LABELS = {GoalKind.COMPANY: _l("Company goal"), GoalKind.SYSTEM: _l("System goal")}

#: what Numeric(14, 2) holds
_LARGEST_AMOUNT = Decimal("999999999999.99")


def _to_cents(value):
    """Round to cents; a number too large to round is left as it is for ``_amount`` to refuse."""
    if not isinstance(value, Decimal) or not value.is_finite() or abs(value) > _LARGEST_AMOUNT:
        return value
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _amount(form, field):
    """A finite number the database column can hold (Decimal parses "NaN" and "Infinity")."""
    if field.data is None:
        return
    if not field.data.is_finite() or abs(field.data) > _LARGEST_AMOUNT:
        raise StopValidation(_l("Enter a number up to 999,999,999,999.99."))


def amount_field(label) -> DecimalField:
    return DecimalField(label, places=None, filters=[_to_cents], validators=[Optional(), _amount])


class StageForm(VersionedForm):
    owner_id = PersonField(_l("Owner"))
    goals = TextAreaField(_l("Goals of this stage"), validators=[InputRequired(), Length(max=5000)])
    expertise_needed = TextAreaField(_l("Expertise needed (consultants)"), validators=[Length(max=5000)])
    planned_start = DateField(_l("Planned start"), validators=[Optional()])
    planned_finish = DateField(_l("Planned finish"), validators=[Optional()])
    actual_start = DateField(_l("Actual start"), validators=[Optional()])
    actual_finish = DateField(_l("Actual finish"), validators=[Optional()])


class DeliverableForm(FlaskForm):
    title = StringField(_l("New deliverable"), validators=[InputRequired(), Length(max=300)])


class DeliverableDoneForm(FlaskForm):
    #: the state the button asks for ("1" done, "0" not done), so a double submit changes nothing
    done = HiddenField(validators=[InputRequired(), AnyOf(["1", "0"])])


class CriterionForm(FlaskForm):
    text = StringField(_l("New gate criterion"), validators=[InputRequired(), Length(max=500)])


class CloseStageForm(FlaskForm):
    override_reason = TextAreaField(_l("Override reason (only when the gate is not met)"),
                                    validators=[Length(max=5000)])
    override_approver_id = PersonField(_l("Override approved by"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GateReviewForm(FlaskForm):
    met = MultiCheckboxField(_l("Criteria met"), coerce=int)
    reviewed_on = DateField(_l("Reviewed on"), validators=[InputRequired()])
    approved_by_id = PersonField(_l("Approved by"))
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)])


def due_stage_choices():
    return as_choices([("", _l("No stage"))] + [(spec["number"], f'{spec["number"]}. {spec["name"]}')
                                                 for spec in STAGES])


class GoalForm(VersionedForm):
    kind = SelectField(_l("Kind"), choices=as_choices(GOAL_KIND_LABELS.items()), validators=[InputRequired()])
    title = StringField(_l("Goal"), validators=[InputRequired(), Length(max=300)])
    serves_id = optional_id_field(_l("Serves company goal"))
    unit = StringField(_l("Unit"), validators=[Length(max=40)])
    baseline = amount_field(_l("Baseline"))
    target = amount_field(_l("Target"))
    actual = amount_field(_l("Actual"))
    due_stage_number = optional_id_field(_l("Due by stage"))
