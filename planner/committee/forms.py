"""Forms of the committee pages, and the words the pages use for the committee's enums."""
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from planner.committee.models import (
    ActionStatus,
    Answer,
    AttendanceStatus,
    CommitteeRole,
    Meeting,
    MeetingStatus,
    OccurrenceStatus,
    Recurrence,
)
from planner.committee.models.meetings import WEEKDAY_CODES
from planner.committee.scheduling import MeetingPlan
from planner.core.forms import TimeZoneField, VersionedForm, as_choices, optional_id_field
from planner.people.picker import PersonField
from planner.rollout.forms import CheckboxesField, InlineForm

ROLE_LABELS = {
    CommitteeRole.EXECUTIVE_SPONSOR: _l("Executive sponsor"), CommitteeRole.CHAIR: _l("Chair"),
    CommitteeRole.PROJECT_MANAGER: _l("Project manager"),
    CommitteeRole.DEPARTMENT_REPRESENTATIVE: _l("Department representative"),
    CommitteeRole.VENDOR_OR_CONSULTANT: _l("Vendor or consultant"), CommitteeRole.SECRETARY: _l("Secretary"),
}
ICS_ROLE_LABELS = {"CHAIR": _l("Chair"), "REQ-PARTICIPANT": _l("Required"), "OPT-PARTICIPANT": _l("Optional")}
RECURRENCE_LABELS = {
    Recurrence.NONE: _l("Does not repeat"), Recurrence.DAILY: _l("Daily"),
    Recurrence.WEEKLY: _l("Weekly, on the chosen days"), Recurrence.MONTHLY_BY_DATE: _l("Monthly, on the same date"),
    Recurrence.MONTHLY_BY_WEEKDAY: _l("Monthly, on the same weekday (e.g. the 2nd Tuesday)"),
}
WEEKDAY_LABELS = dict(zip(WEEKDAY_CODES, (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"),
                                          _l("Friday"), _l("Saturday"), _l("Sunday"))))
MONTHLY_WEEK_LABELS = {1: _l("first"), 2: _l("second"), 3: _l("third"), 4: _l("fourth"), -1: _l("last")}
ENDS_LABELS = {"never": _l("Never"), "on": _l("On a date"), "after": _l("After a number of meetings")}
MEETING_STATUS_LABELS = {MeetingStatus.DRAFT: _l("Draft"), MeetingStatus.SCHEDULED: _l("Scheduled"),
                         MeetingStatus.CANCELLED: _l("Cancelled")}
OCCURRENCE_STATUS_LABELS = {OccurrenceStatus.SCHEDULED: _l("Scheduled"), OccurrenceStatus.HELD: _l("Held"),
                            OccurrenceStatus.MINUTED: _l("Minuted")}
ANSWER_LABELS = {Answer.NEEDS_ACTION: _l("No answer yet"), Answer.ACCEPTED: _l("Accepted"),
                 Answer.TENTATIVE: _l("Tentative"), Answer.DECLINED: _l("Declined")}
ATTENDANCE_LABELS = {AttendanceStatus.PRESENT: _l("Present"), AttendanceStatus.ABSENT: _l("Absent"),
                     AttendanceStatus.DELEGATE: _l("Sent a delegate")}
ACTION_STATUS_LABELS = {ActionStatus.OPEN: _l("Open"), ActionStatus.DONE: _l("Done"),
                        ActionStatus.DROPPED: _l("Dropped")}
DELIVERY_LABELS = {"pending": _l("Waiting to be sent"), "sending": _l("Sending"), "sent": _l("Sent"),
                   "failed": _l("Failed")}


def repeat_in_words(meeting: Meeting) -> str:
    """The meeting's repeat rule as a sentence: "Every 2 weeks on Monday, Thursday, 10 times"."""
    if not meeting.is_recurring:
        return _("Does not repeat")
    interval = meeting.recurrence_interval
    if meeting.recurrence is Recurrence.DAILY:
        rule = _("Every day") if interval == 1 else _("Every %(num)d days", num=interval)
    elif meeting.recurrence is Recurrence.WEEKLY:
        days = ", ".join(str(WEEKDAY_LABELS[code]) for code in meeting.weekday_codes())
        rule = (_("Every week on %(days)s", days=days) if interval == 1
                else _("Every %(num)d weeks on %(days)s", num=interval, days=days))
    else:
        if meeting.recurrence is Recurrence.MONTHLY_BY_DATE:
            day = _("day %(day)d", day=meeting.local_start.day)
        else:
            day = _("the %(nth)s %(weekday)s", nth=MONTHLY_WEEK_LABELS.get(meeting.recurrence_week or 1),
                    weekday=WEEKDAY_LABELS[WEEKDAY_CODES[meeting.local_start.weekday()]])
        rule = (_("Every month on %(day)s", day=day) if interval == 1
                else _("Every %(num)d months on %(day)s", num=interval, day=day))
    if meeting.recurrence_until is not None:
        return _("%(rule)s, until %(day)s", rule=rule, day=meeting.recurrence_until.isoformat())
    if meeting.recurrence_count:
        return _("%(rule)s, %(num)d times", rule=rule, num=meeting.recurrence_count)
    return rule


# --- the committee and its members ----------------------------------------------------------------

class CommitteeSettingsForm(VersionedForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    quorum_percent = IntegerField(_l("Quorum (% of serving members present)"),
                                  validators=[InputRequired(), NumberRange(min=1, max=100)])
    quorum_needs_chair = BooleanField(_l("Quorum also needs the chair or the executive sponsor"))
    agenda_notice_days = IntegerField(_l("Agenda notice (working days before the meeting)"),
                                      validators=[InputRequired(), NumberRange(min=0, max=30)])


class MemberForm(FlaskForm):
    person_id = PersonField(_l("Person"))
    role = SelectField(_l("Role"), choices=as_choices(ROLE_LABELS.items()),
                       default=CommitteeRole.DEPARTMENT_REPRESENTATIVE.value)
    starts_on = DateField(_l("On the committee from"), validators=[InputRequired()])


class LeavingForm(VersionedForm):
    ends_on = DateField(_l("Last day on the committee"), validators=[InputRequired()])
    reason = TextAreaField(_l("Why they leave"), validators=[Optional(), Length(max=2000)])


class MemberRoleForm(VersionedForm):
    role = SelectField(_l("Role"), choices=as_choices(ROLE_LABELS.items()))


# --- meetings -------------------------------------------------------------------------------------

class MeetingForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    start_on = DateField(_l("Day (of the first meeting)"), validators=[InputRequired()])
    start_time = TimeField(_l("Starts at"), validators=[InputRequired()])
    time_zone = TimeZoneField(_l("Time zone"))
    duration_minutes = IntegerField(_l("Length (minutes)"), default=60,
                                    validators=[InputRequired(), NumberRange(min=5, max=1440)])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=300)])
    online_url = StringField(_l("Online meeting link"), validators=[Optional(), Length(max=500)])
    recurrence = RadioField(_l("Repeats"), choices=as_choices(RECURRENCE_LABELS.items()),
                            default=Recurrence.NONE.value)
    interval = IntegerField(_l("Every (days, weeks or months)"), default=1,
                            validators=[Optional(), NumberRange(min=1, max=52)])
    weekdays = CheckboxesField(_l("On these days (weekly)"), choices=as_choices(WEEKDAY_LABELS.items()))
    monthly_week = SelectField(
        _l("Which weekday of the month (monthly by weekday)"),
        choices=as_choices([("", _l("The same as the first meeting"))] + list(MONTHLY_WEEK_LABELS.items())),
        coerce=lambda value: int(value) if value not in (None, "", "None") else None)
    ends = RadioField(_l("Ends"), choices=as_choices(ENDS_LABELS.items()), default="never")
    until = DateField(_l("Last day of the series"), validators=[Optional()])
    count = IntegerField(_l("Number of meetings"), validators=[Optional(), NumberRange(min=1, max=500)])
    save_draft = SubmitField(_l("Save as draft"))
    send_now = SubmitField(_l("Schedule and send invitations"))

    def validate(self, extra_validators=None) -> bool:
        """Besides each field: an end date or a count when the series is to end by one."""
        valid = super().validate(extra_validators)
        if self.recurrence.data != Recurrence.NONE.value:
            if self.ends.data == "on" and self.until.data is None and not self.until.errors:
                self.until.errors = [*self.until.errors, _("Give the last day of the series.")]
                valid = False
            if self.ends.data == "after" and not self.count.data and not self.count.errors:
                self.count.errors = [*self.count.errors, _("Give the number of meetings.")]
                valid = False
        return valid

    def to_plan(self) -> MeetingPlan:
        """The submitted schedule, for ``scheduling.schedule_meeting`` and ``update_meeting``."""
        recurring = self.recurrence.data != Recurrence.NONE.value
        return MeetingPlan(
            title=self.title.data, local_start=datetime.combine(self.start_on.data, self.start_time.data),
            time_zone=self.time_zone.data, duration_minutes=self.duration_minutes.data,
            description=self.description.data or "", location=self.location.data or "",
            online_url=self.online_url.data or "", recurrence=Recurrence(self.recurrence.data),
            interval=self.interval.data or 1, weekdays=list(self.weekdays.data or []),
            monthly_week=self.monthly_week.data,
            until=self.until.data if recurring and self.ends.data == "on" else None,
            count=self.count.data if recurring and self.ends.data == "after" else None)

    @staticmethod
    def values_of(plan: MeetingPlan) -> dict:
        """The form's starting values for a meeting's current plan (``scheduling.plan_of``)."""
        ends = "on" if plan.until else "after" if plan.count else "never"
        return dict(title=plan.title, description=plan.description, start_on=plan.local_start.date(),
                    start_time=plan.local_start.time(), time_zone=plan.time_zone,
                    duration_minutes=plan.duration_minutes, location=plan.location, online_url=plan.online_url,
                    recurrence=Recurrence(plan.recurrence).value, interval=plan.interval, weekdays=plan.weekdays,
                    monthly_week=plan.monthly_week, ends=ends, until=plan.until, count=plan.count)


class ReasonForm(VersionedForm):
    """Cancelling a meeting or one occurrence: the reason goes to the record."""

    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=2000)])


class GuestForm(InlineForm):
    person_id = PersonField(_l("Person"))
    is_optional = BooleanField(_l("Optional attendee"))


# --- one occurrence: its agenda, attendance, minutes, decisions, actions --------------------------

class MoveOccurrenceForm(VersionedForm):
    start_on = DateField(_l("New day"), validators=[InputRequired()])
    start_time = TimeField(_l("Starts at"), validators=[InputRequired()])
    duration_minutes = IntegerField(_l("Length (minutes)"),
                                    validators=[InputRequired(), NumberRange(min=5, max=1440)])
    location = StringField(_l("Location (empty: as the series)"), validators=[Optional(), Length(max=300)])


class AgendaItemForm(VersionedForm):
    title = StringField(_l("Item"), validators=[InputRequired(), Length(max=300)])
    presenter_id = PersonField(_l("Presenter"))
    minutes_allotted = IntegerField(_l("Minutes"), default=10,
                                    validators=[InputRequired(), NumberRange(min=1, max=600)])
    milestone_id = optional_id_field(_l("Milestone"))
    gate_review_id = optional_id_field(_l("Gate review"))
    change_request_id = optional_id_field(_l("Change request"))
    risk_id = optional_id_field(_l("Risk"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

    class Meta:
        csrf = False


class AgendaMoveForm(InlineForm):
    step = IntegerField(validators=[InputRequired(), NumberRange(min=-1, max=1)])


class MinutesForm(VersionedForm):
    minutes = TextAreaField(_l("Minutes"), validators=[InputRequired(), Length(max=50000)])

    class Meta:
        csrf = False


class MeetingDecisionForm(InlineForm):
    text = TextAreaField(_l("What was decided"), validators=[InputRequired(), Length(max=5000)])
    milestone_id = optional_id_field(_l("Milestone"))
    gate_review_id = optional_id_field(_l("Gate review"))
    agenda_item_id = optional_id_field(_l("Agenda item"))


class MeetingActionForm(InlineForm):
    title = StringField(_l("What is to be done"), validators=[InputRequired(), Length(max=300)])
    owner_id = PersonField(_l("Owner"))
    due_on = DateField(_l("Due on"), validators=[InputRequired()])


def attendance_form(person_ids: list[int], formdata=None, data: dict | None = None) -> FlaskForm:
    """One radio group (present / absent / delegate) and a delegate name per invited person."""

    class AttendanceForm(InlineForm):
        pass

    for person_id in person_ids:
        setattr(AttendanceForm, f"status_{person_id}", RadioField(
            choices=as_choices(ATTENDANCE_LABELS.items()), validators=[Optional()]))
        setattr(AttendanceForm, f"delegate_{person_id}", StringField(_l("Delegate"), validators=[Length(max=200)]))
    form = AttendanceForm(formdata=formdata, prefix="attendance-", data=data or {})
    form.person_ids = person_ids
    return form


# --- actions ----------------------------------------------------------------------------------------

class ActionForm(VersionedForm):
    title = StringField(_l("What is to be done"), validators=[InputRequired(), Length(max=300)])
    owner_id = PersonField(_l("Owner"))
    due_on = DateField(_l("Due on"), validators=[InputRequired()])
    status = SelectField(_l("Status"), choices=as_choices(ACTION_STATUS_LABELS.items()))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class DecisionForm(FlaskForm):
    text = TextAreaField(_l("What was decided"), validators=[InputRequired(), Length(max=5000)])
    decided_on = DateField(_l("Decided on"), validators=[InputRequired()])
    decided_by = StringField(_l("Decided by"), validators=[InputRequired(), Length(max=300)])

