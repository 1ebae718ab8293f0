"""Forms of the change request pages. Choices that depend on the programme are set by the views."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from planner.changes.models import ChangeKind, ChangeStatus
from planner.core.forms import VersionedForm, as_choices, optional_id_field
from planner.people.picker import PersonField
from planner.lifecycle.forms import amount_field
from planner.rollout.forms import CheckboxesField

KIND_LABELS = {ChangeKind.SCOPE: _l("Scope"), ChangeKind.SCHEDULE: _l("Schedule"),
               ChangeKind.PROCESS: _l("Process"), ChangeKind.OTHER: _l("Other")}
STATUS_LABELS = {ChangeStatus.SUBMITTED: _l("Submitted"), ChangeStatus.ASSESSED: _l("Assessed"),
                 ChangeStatus.APPROVED: _l("Approved"), ChangeStatus.REJECTED: _l("Rejected"),
                 ChangeStatus.IMPLEMENTED: _l("Implemented")}


class ChangeForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(_l("Kind of change"), choices=as_choices(KIND_LABELS.items()), validators=[InputRequired()])
    description = TextAreaField(_l("What should change, and why"), validators=[Optional(), Length(max=10000)])
    requester_id = PersonField(_l("Requested by"))
    requested_on = DateField(_l("Requested on"), validators=[InputRequired()])
    schedule_days = IntegerField(_l("Schedule impact (working days)"), default=0,
                                 validators=[Optional(), NumberRange(min=-1000, max=1000)])
    cost = amount_field(_l("Cost"))
    region_ids = CheckboxesField(_l("Affected regions"), coerce=int)
    stage_ids = CheckboxesField(_l("Affected stages"), coerce=int)
    risks = TextAreaField(_l("Risks"), validators=[Optional(), Length(max=10000)])
    plan_item_key = SelectField(_l("Plan item it moves (schedule changes)"), validators=[Optional()])
    new_start = DateField(_l("New start"), validators=[Optional()])
    new_duration = IntegerField(_l("New duration (working days)"),
                                validators=[Optional(), NumberRange(min=0, max=2000)])

    def values(self) -> dict:
        return {"title": self.title.data, "kind": self.kind.data, "description": self.description.data or "",
                "requester_id": self.requester_id.data, "requested_on": self.requested_on.data,
                "schedule_days": self.schedule_days.data, "cost": self.cost.data, "risks": self.risks.data or "",
                "plan_item_key": self.plan_item_key.data or "", "new_start": self.new_start.data,
                "new_duration": self.new_duration.data, "region_ids": self.region_ids.data or [],
                "stage_ids": self.stage_ids.data or []}


class AssessForm(VersionedForm):
    assessment = TextAreaField(_l("Assessment"), validators=[InputRequired(), Length(max=10000)])
    schedule_days = IntegerField(_l("Schedule impact (working days)"), default=0,
                                 validators=[Optional(), NumberRange(min=-1000, max=1000)])
    cost = amount_field(_l("Cost"))
    risks = TextAreaField(_l("Risks"), validators=[Optional(), Length(max=10000)])


class DecideForm(VersionedForm):
    outcome = RadioField(_l("The committee"), choices=as_choices([("approve", _l("approved it")),
                                                                 ("reject", _l("rejected it"))]),
                         validators=[InputRequired()])
    decision_id = optional_id_field(_l("Decision already on the record"))
    occurrence_id = optional_id_field(_l("Or: the meeting in which it was decided"))
    text = TextAreaField(_l("What was decided (a new decision; empty: a standard wording)"),
                         validators=[Optional(), Length(max=5000)])


class ImplementForm(VersionedForm):
    #: the button posts the version it was shown with; nothing else to fill in
    version = HiddenField(validators=[InputRequired()])


class RejectForm(VersionedForm):
    reason = TextAreaField(_l("Why it is turned down"), validators=[InputRequired(), Length(max=5000)])


class FilterForm(FlaskForm):
    """The list's filters, read from the query string."""

    status = SelectField(_l("Status"), choices=as_choices([("", _l("Any status"))] + list(STATUS_LABELS.items())),
                         validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=as_choices([("", _l("Any kind"))] + list(KIND_LABELS.items())),
                       validators=[Optional()])

    class Meta:
        csrf = False
