from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from planner.core.forms import VersionedForm, as_choices, optional_id_field
from planner.rollout.models import MilestoneKind, Severity, WaveKind

WAVE_KIND_LABELS = {WaveKind.PILOT: _l("Pilot"), WaveKind.KEY: _l("Key regions"),
                    WaveKind.STANDARD: _l("Standard"), WaveKind.CUSTOM: _l("Custom")}
SEVERITY_LABELS = {Severity.CRITICAL: _l("Critical"), Severity.HIGH: _l("High"), Severity.MEDIUM: _l("Medium"),
                   Severity.LOW: _l("Low")}
MILESTONE_KIND_LABELS = {
    MilestoneKind.KICKOFF: _l("Kickoff"), MilestoneKind.PROCESS_SIGN_OFF: _l("Process sign-off"),
    MilestoneKind.VENDOR_SELECTED: _l("Vendor selected"), MilestoneKind.PILOT_GO_LIVE: _l("Pilot go-live"),
    MilestoneKind.TRIAL_END: _l("Trial period ends"), MilestoneKind.WAVE_GO_LIVE: _l("Wave go-live"),
    MilestoneKind.REVIEW: _l("Review"), MilestoneKind.OTHER: _l("Other"),
}
#: ISO weekday number -> name
WEEKDAY_LABELS = {1: _l("Monday"), 2: _l("Tuesday"), 3: _l("Wednesday"), 4: _l("Thursday"), 5: _l("Friday"),
                  6: _l("Saturday"), 7: _l("Sunday")}
#: the largest wave position the database's integer column holds (the API's bound too)
MAX_POSITION = 2**31 - 1
#: the longest trial period, working days (the API's bound too)
MAX_TRIAL_DAYS = 2000


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes: easier on a phone than a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InlineForm(FlaskForm):
    """A small form that shares a page with others, told apart by a prefix (``region12-live_on``).

    CSRFProtect checks every POST for the page's ``csrf_token`` field; the template renders that
    field itself, so the prefix does not rename it.
    """

    class Meta:
        csrf = False


class WaveForm(VersionedForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=as_choices(WAVE_KIND_LABELS.items()))
    #: a trial of at most 2000 working days (about eight years) keeps the plan's date arithmetic in range
    position = IntegerField(_l("Position in the rollout"), default=1,
                            validators=[InputRequired(), NumberRange(min=0, max=MAX_POSITION)])
    planned_go_live = DateField(_l("Planned go-live"), validators=[Optional()])
    trial_days = IntegerField(_l("Trial period (working days)"), default=20,
                              validators=[InputRequired(), NumberRange(min=0, max=MAX_TRIAL_DAYS)])
    region_ids = CheckboxesField(_l("Regions"), coerce=int)


class MarkLiveForm(InlineForm):
    live_on = DateField(_l("Live on"), validators=[InputRequired()])
    decision_id = optional_id_field(_l("Committee decision overriding the gate"))


class DefectForm(FlaskForm):
    region_id = SelectField(_l("Region"), coerce=int)
    title = StringField(_l("What is wrong"), validators=[InputRequired(), Length(max=300)])
    severity = SelectField(_l("Severity"), choices=as_choices(SEVERITY_LABELS.items()), default="medium")
    opened_on = DateField(_l("Found on"), validators=[InputRequired()])


class CalendarRulesForm(VersionedForm):
    working_weekdays = CheckboxesField(_l("Working weekdays"), coerce=int,
                                       choices=as_choices(WEEKDAY_LABELS.items()))
    gate_max_severe_defects = IntegerField(_l("Open critical or high defects allowed in the previous wave"),
                                           validators=[InputRequired(), NumberRange(min=0)])
    gate_min_training_pct = IntegerField(_l("Training completion needed in the previous wave (%)"),
                                         validators=[InputRequired(), NumberRange(min=0, max=100)])
    gate_min_adoption_pct = IntegerField(_l("Adoption needed in the previous wave (%)"),
                                         validators=[InputRequired(), NumberRange(min=0, max=100)])


class HolidayForm(InlineForm):
    day = DateField(_l("Day"), validators=[InputRequired()])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    region_id = optional_id_field(_l("Where"))


class FreezeWindowForm(InlineForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    start_on = DateField(_l("First day"), validators=[InputRequired()])
    end_on = DateField(_l("Last day"), validators=[InputRequired()])


class MilestoneForm(VersionedForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=as_choices(MILESTONE_KIND_LABELS.items()), default="other")
    planned_on = DateField(_l("Planned on"), validators=[InputRequired()])
    actual_on = DateField(_l("Reached on"), validators=[Optional()])


class DependencyForm(FlaskForm):
    predecessor_key = SelectField(_l("This item must finish"))
    successor_key = SelectField(_l("before this item starts"))
    lag_days = IntegerField(_l("Lag (working days)"), default=0, validators=[InputRequired(), NumberRange(min=0)])
