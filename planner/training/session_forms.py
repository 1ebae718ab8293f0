"""Forms of the session pages and the roster, and the words the pages use for session enums."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from planner.core.forms import VersionedForm, as_choices, optional_id_field
from planner.people.picker import PersonField
from planner.training.models import MarkStatus, SessionStatus

SESSION_STATUS_LABELS = {SessionStatus.PROPOSED: _l("Proposed"), SessionStatus.SCHEDULED: _l("Scheduled"),
                         SessionStatus.CANCELLED: _l("Cancelled")}
MARK_LABELS = {MarkStatus.PRESENT: _l("Present"), MarkStatus.LATE: _l("Late"), MarkStatus.EXCUSED: _l("Excused"),
               MarkStatus.ABSENT: _l("Absent")}
WINDOW_LABELS = {"after_go_live": _l("After go-live"), "too_late": _l("Too close to go-live"),
                 "too_early": _l("Too early before go-live")}
WHEN_LABELS = {"upcoming": _l("Upcoming"), "past": _l("Past"), "all": _l("All")}


class SessionForm(VersionedForm):
    """A session's course, region, trainer, time (in the region's zone), place and capacity."""

    course_id = optional_id_field(_l("Course"))
    region_id = optional_id_field(_l("Region"))
    trainer_id = optional_id_field(_l("Trainer"))
    start_on = DateField(_l("Day"), validators=[InputRequired()])
    start_time = TimeField(_l("Starts at (the region's local time)"), validators=[InputRequired()])
    duration_minutes = IntegerField(_l("Length in minutes (empty: the course's)"),
                                    validators=[Optional(), NumberRange(min=5, max=2880)])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=300)])
    online_url = StringField(_l("Online link"), validators=[Optional(), Length(max=500)])
    capacity = IntegerField(_l("Seats"), default=12, validators=[InputRequired(), NumberRange(min=1, max=1000)])

    def values(self) -> dict:
        """The submitted fields, as ``sessions.create_session`` and ``update_session`` take them."""
        return dict(course_id=self.course_id.data, region_id=self.region_id.data, trainer_id=self.trainer_id.data,
                    start_on=self.start_on.data, start_time=self.start_time.data,
                    duration_minutes=self.duration_minutes.data, location=self.location.data or "",
                    online_url=self.online_url.data or "", capacity=self.capacity.data)


class EnrolForm(FlaskForm):
    person_id = PersonField(_l("Person"))


class MarkForm(FlaskForm):
    """One tap on the roster: the trainee, the mark (the button pressed) and the note."""

    person_id = IntegerField(_l("Trainee"), validators=[InputRequired()])
    status = SelectField(_l("Mark"), choices=as_choices(MARK_LABELS.items()), validators=[InputRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])
