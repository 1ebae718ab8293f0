"""Forms of the communication pages, and the words the pages use for purposes, channels and states."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from planner.comms.flags import OccurrenceState
from planner.comms.gaps import NoticeState
from planner.comms.models import CommsChannel, CommsPurpose
from planner.core.forms import VersionedForm, as_choices, optional_id_field
from planner.people.picker import PersonField
from planner.rollout.forms import CheckboxesField

PURPOSE_LABELS = {
    CommsPurpose.VISION_KICKOFF: _l("Vision and kickoff"), CommsPurpose.STATUS_UPDATE: _l("Status update"),
    CommsPurpose.GO_LIVE_NOTICE: _l("Go-live notice"), CommsPurpose.TRAINING_CALL: _l("Training call"),
    CommsPurpose.PROCESS_CHANGE: _l("Process change explained"), CommsPurpose.OTHER: _l("Other"),
}
CHANNEL_LABELS = {
    CommsChannel.EMAIL: _l("Email"), CommsChannel.MEETING: _l("Meeting"), CommsChannel.INTRANET: _l("Intranet"),
    CommsChannel.TOWN_HALL: _l("Town hall"), CommsChannel.OTHER: _l("Other"),
}
STATE_LABELS = {
    OccurrenceState.DONE: _l("Done"), OccurrenceState.PLANNED: _l("Planned"), OccurrenceState.DUE: _l("Due"),
    OccurrenceState.OVERDUE: _l("Overdue"), OccurrenceState.MISSED: _l("Missed"),
}
NOTICE_LABELS = {
    NoticeState.IN_TIME: _l("Sent in time"), NoticeState.LATE: _l("Sent late"),
    NoticeState.PLANNED: _l("Planned only"), NoticeState.PLANNED_LATE: _l("Planned too late"),
    NoticeState.MISSING: _l("Missing"),
}



class AudienceForm(VersionedForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    is_everyone = BooleanField(_l("Everyone in the programme"))
    region_ids = CheckboxesField(_l("Regions"), coerce=int, validate_choice=False)
    department_ids = CheckboxesField(_l("Departments"), coerce=int, validate_choice=False)
    job_roles = TextAreaField(_l("Job roles, one per line"), validators=[Optional(), Length(max=10000)])
    person_ids = CheckboxesField(_l("People listed by name"), coerce=int, validate_choice=False)


class ItemForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    purpose = SelectField(_l("Purpose"), choices=as_choices(PURPOSE_LABELS.items()))
    audience_id = optional_id_field(_l("Audience"))
    channel = SelectField(_l("Channel"), choices=as_choices(CHANNEL_LABELS.items()))
    owner_id = PersonField(_l("Owner"))
    planned_on = DateField(_l("Date (first date when it repeats)"), validators=[InputRequired()])
    recurrence = StringField(_l("Repeat rule (RRULE), empty when it happens once"),
                             validators=[Optional(), Length(max=500)])
    region_id = optional_id_field(_l("Region announced (go-live notices)"))
    message = TextAreaField(_l("Message or notes"), validators=[Optional(), Length(max=20000)])


class SendForm(FlaskForm):
    occurrence_on = SelectField(_l("Date of the plan it fulfils"), validators=[InputRequired()])
    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=300)])
    body = TextAreaField(_l("Message"), validators=[InputRequired(), Length(max=50000)])


class HeldForm(FlaskForm):
    item_id = optional_id_field(_l("Plan item (optional)"))
    occurrence_on = DateField(_l("Date of the plan item it fulfils"), validators=[Optional()])
    held_on = DateField(_l("Held or published on"), validators=[InputRequired()])
    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=300)])
    audience_id = optional_id_field(_l("Audience (without a plan item)"))
    purpose = SelectField(_l("Purpose (without a plan item)"), choices=as_choices(PURPOSE_LABELS.items()))
    channel = SelectField(_l("Channel (without a plan item)"), choices=as_choices(
        (key, label) for key, label in CHANNEL_LABELS.items() if key != CommsChannel.EMAIL))
    region_id = optional_id_field(_l("Region announced (go-live notices without a plan item)"))
    recipients_count = IntegerField(_l("People reached"), default=0,
                                    validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=20000)])


class NoticeDaysForm(VersionedForm):
    go_live_notice_days = IntegerField(_l("Go-live notice, working days before go-live"),
                                       validators=[InputRequired(), NumberRange(min=0, max=60)])


class NewStatusUpdateForm(FlaskForm):
    audience_id = optional_id_field(_l("Audience"))


class StatusUpdateForm(VersionedForm):
    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=300)])
    body = TextAreaField(_l("Message"), validators=[InputRequired(), Length(max=50000)])


class SendStatusUpdateForm(VersionedForm):
    pass
