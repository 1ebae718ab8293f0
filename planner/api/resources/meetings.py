"""Committee meetings for calendars: a meeting is one calendar object (one-off or recurring) and each of its
occurrences carries its own status and agenda. Scheduling, changing, sending and cancelling go through
planner/committee/scheduling, as on the meeting pages, so the invitations, updates and cancellations reach every
attendee through the outbox exactly as there.

    GET/POST   /programmes/<id>/meetings                      list, schedule (a draft, or sent at once)
    GET/PATCH  /programmes/<id>/meetings/<item_id>            read, change the series (updates are sent)
    POST       /programmes/<id>/meetings/<item_id>/schedule   a draft -> scheduled: the invitations go out
    POST       /programmes/<id>/meetings/<item_id>/cancel     cancel the whole meeting: cancellations go out
    GET        /programmes/<id>/meetings/<item_id>/occurrences  its occurrences (start, status, agenda published)

The pages cancel a meeting and never delete one, so the API has no DELETE either.
"""
import re
from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from flask_login import current_user
from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from planner.api.framework import PAGE_PARAMETERS, Resource, operation, page_model, paginated, parse_body
from planner.api.schemas import Day, InputModel, Name, OutputModel, Text, TimeZone, partial
from planner.committee import queries, scheduling
from planner.committee.models import Meeting, MeetingOccurrence, MeetingStatus, OccurrenceStatus, Recurrence
from planner.core.permissions import Permission
from planner.extensions import db

UTC = ZoneInfo("UTC")
#: a wall time without offset, read in the meeting's time zone
_LOCAL_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$"
_LOCAL_SCHEMA = {"type": "string", "pattern": _LOCAL_PATTERN, "examples": ["2026-09-08T10:00:00"],
                 "description": "A local wall time without offset (YYYY-MM-DDTHH:MM[:SS]), in the meeting's zone."}


def _wall_time(text: object) -> datetime:
    message = "Give a local day and time without offset, such as 2026-09-08T10:00."
    if not isinstance(text, str) or not re.fullmatch(_LOCAL_PATTERN, text):
        raise ValueError(message)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(message) from None


#: in a request: a local wall time (no offset); the schedule checks its year
LocalStart = Annotated[datetime, BeforeValidator(_wall_time), WithJsonSchema(_LOCAL_SCHEMA)]
#: in a response: a local wall time (no offset)
LocalTime = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(timespec="seconds"), return_type=str),
                      WithJsonSchema(_LOCAL_SCHEMA)]
Minutes = Annotated[int, Field(ge=5, le=1440, description="Length in minutes, 5 to 1440.")]
Interval = Annotated[int, Field(ge=1, le=52, description="Repeat every 1 to 52 days, weeks or months.")]
Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
MonthlyWeek = Literal[1, 2, 3, 4, -1]
Count = Annotated[int, Field(ge=1, le=500, description="The series ends after this many meetings.")]


class MeetingOut(OutputModel):
    id: int
    programme_id: int
    committee_id: int
    title: str
    description: str
    #: the organiser's IANA zone: ``local_start`` and the repeat rule are in it
    time_zone: str
    #: wall time of the first meeting in ``time_zone``
    local_start: LocalTime
    #: the same instant in UTC
    starts_at: datetime
    duration_minutes: int
    location: str
    online_url: str
    recurrence: Recurrence
    interval: int
    weekdays: list[str]
    monthly_week: int | None
    until: date | None
    count: int | None
    #: draft (nothing sent), scheduled (invitations sent) or cancelled
    status: MeetingStatus
    #: the iCalendar SEQUENCE of the series
    sequence: int
    version: int
    created_at: datetime
    updated_at: datetime


class OccurrenceOut(OutputModel):
    """One occurrence of a meeting, as a calendar shows it."""

    id: int
    meeting_id: int
    title: str
    time_zone: str
    #: wall time in ``time_zone`` (differs from ``original_start`` when this occurrence was moved)
    local_start: LocalTime
    original_start: LocalTime
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    location: str
    is_cancelled: bool
    #: scheduled, held or minuted
    status: OccurrenceStatus
    agenda_published: bool
    agenda_published_at: datetime | None
    #: published, but edited since
    agenda_is_stale: bool
    version: int


class MeetingFields(InputModel):
    """A committee meeting: the first meeting's local wall time (no offset: it is in ``time_zone``), its length and
    place, and how it repeats. A weekly meeting's first day must be one of its ``weekdays``; a monthly-by-weekday
    one's must fall in its ``monthly_week`` (-1: the last). A series ends on ``until`` or after ``count`` meetings
    (not both), or never."""

    title: Name(200)
    local_start: LocalStart
    time_zone: TimeZone
    duration_minutes: Minutes = 60
    description: Text(5000) = ""
    location: Text(300) = ""
    #: https:// or http://
    online_url: Text(500) = ""
    recurrence: Recurrence = Recurrence.NONE
    interval: Interval = 1
    weekdays: Annotated[list[Weekday], Field(max_length=7)] = []
    monthly_week: MonthlyWeek | None = None
    until: Day | None = None
    count: Count | None = None


class MeetingCreate(MeetingFields):
    """A committee meeting, saved as a draft (nothing is sent) or, with ``send_now``, scheduled at once: the
    committee's members are invited through the outbox."""

    send_now: bool = False


class CancelMeeting(InputModel):
    """Why the meeting is cancelled (for the record; the cancellations go to everyone invited)."""

    reason: Text(2000) = ""


#: fields of the out model that are the repeat rule as the form gives it, not columns
_FROM_PLAN = ("interval", "weekdays", "monthly_week", "until", "count", "starts_at")


class Meetings(Resource):
    name = "meetings"
    title = "meeting"
    model = Meeting
    out = MeetingOut
    create_schema = MeetingCreate
    update_schema = partial(MeetingFields, "MeetingUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.MEETINGS_MANAGE
    operations = ("list", "read", "create", "update")

    def collection(self, programme):
        return queries.meetings_of(programme.id)

    def create(self, programme, values):
        send_now = values.pop("send_now")
        return scheduling.schedule_meeting(queries.committee_of(programme.id), scheduling.MeetingPlan(**values),
                                           organiser_id=current_user.id, send_now=send_now)

    def update(self, meeting, values, expected_version):
        scheduling.update_meeting(meeting, scheduling.MeetingPlan(**values), expected_version=expected_version)

    def current_values(self, meeting):
        plan = scheduling.plan_of(meeting)
        return {name: getattr(plan, name) for name in MeetingFields.model_fields}

    def serialize(self, meeting):
        plan = scheduling.plan_of(meeting)
        return MeetingOut.model_validate({
            **{name: getattr(meeting, name) for name in MeetingOut.model_fields if name not in _FROM_PLAN},
            **{name: getattr(plan, name) for name in _FROM_PLAN if name != "starts_at"},
            "starts_at": meeting.aware(meeting.local_start).astimezone(UTC)}).model_dump(mode="json")


def serialize_occurrence(occurrence: MeetingOccurrence) -> dict:
    meeting = occurrence.meeting
    return OccurrenceOut.model_validate({
        **{name: getattr(occurrence, name) for name in (
            "id", "meeting_id", "local_start", "original_start", "starts_at", "duration_minutes", "is_cancelled",
            "status", "agenda_published_at", "agenda_is_stale", "version")},
        "title": meeting.title, "time_zone": meeting.time_zone,
        "ends_at": occurrence.starts_at + occurrence.duration,
        "location": occurrence.location if occurrence.location is not None else meeting.location,
        "agenda_published": occurrence.has_published_agenda}).model_dump(mode="json")


resource = Meetings()
ITEM = "/programmes/<int:programme_id>/meetings/<int:item_id>"


@operation(f"{ITEM}/schedule", "POST", endpoint="meetings_schedule", tag="meetings", response=MeetingOut,
           summary="Schedule a draft meeting: the invitations go to everyone invited (422 if it is not a draft "
                   "or nobody would be invited)", errors=(409, 422))
def schedule_meeting(programme_id: int, item_id: int):
    meeting = resource.load_item("update", programme_id=programme_id, item_id=item_id)
    scheduling.publish_meeting(meeting)
    db.session.flush()
    return resource.serialize(meeting)


@operation(f"{ITEM}/cancel", "POST", endpoint="meetings_cancel", tag="meetings", body=CancelMeeting,
           response=MeetingOut, errors=(400, 409, 413, 422),
           summary="Cancel a meeting (the whole series): a scheduled one sends everyone a cancellation. Meetings "
                   "are cancelled, never deleted.")
def cancel_meeting(programme_id: int, item_id: int):
    meeting = resource.load_item("update", programme_id=programme_id, item_id=item_id)
    reason = parse_body(CancelMeeting).reason
    scheduling.cancel_meeting(meeting, reason=reason)
    db.session.flush()
    return resource.serialize(meeting)


@operation(f"{ITEM}/occurrences", "GET", endpoint="meetings_occurrences", tag="meetings",
           response=page_model(OccurrenceOut), query=PAGE_PARAMETERS, errors=(400,),
           summary="List a meeting's occurrences in time order: start, status, whether the agenda is published")
def list_occurrences(programme_id: int, item_id: int):
    meeting = resource.load_item("read", programme_id=programme_id, item_id=item_id)
    return paginated(queries.occurrences_of_meeting(meeting.id), serialize_occurrence)
