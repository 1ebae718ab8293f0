"""Training sessions: list, read, plan (create) and change them through planner/training, as on the session pages,
plus the two actions the pages offer instead of a delete: scheduling a proposed session (the trainer and everyone
enrolled are invited) and cancelling one for a reason (its people go onto the next session's waitlist).

A session is never deleted (its roster and attendance are the training record): there is no DELETE.
"""
from datetime import datetime, time
from typing import Annotated

from flask_babel import gettext as _
from pydantic import AfterValidator, Field, PlainSerializer, WithJsonSchema

from planner.api.framework import Resource, operation, parse_body
from planner.api.resources.courses import Minutes
from planner.api.schemas import Day, Id, InputModel, OutputModel, Text, partial
from planner.core import clock
from planner.core.permissions import Permission
from planner.extensions import db
from planner.programmes.loading import load_in_programme
from planner.training import enrolment, sessions
from planner.training import session_queries as queries
from planner.training.models import CancelReason, SessionStatus, TrainingSession

Seats = Annotated[int, Field(ge=1, le=1000)]


def _local(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError(_("Give the local time without a zone or offset: the region's time zone applies."))
    return value


#: a wall-clock time (HH:MM) in the region's time zone; documented as a pattern, since the "time" format of JSON
#: Schema (RFC 3339) demands an offset
LocalTime = Annotated[time, AfterValidator(_local), WithJsonSchema({
    "type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
    "description": "The local time (HH:MM) in the region's time zone, without an offset."})]
#: a wall time in the session's zone, without an offset (not an RFC 3339 date-time)
LocalDateTime = Annotated[datetime, PlainSerializer(lambda value: value.strftime("%Y-%m-%dT%H:%M"), return_type=str),
                          WithJsonSchema({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$",
                                          "description": "The local start (YYYY-MM-DDTHH:MM) in time_zone."})]


class SessionOut(OutputModel):
    id: int
    programme_id: int
    course_id: int
    region_id: int
    #: the trainer's user account, if one is chosen
    trainer_id: int | None
    #: the region's IANA zone when the session was planned; local_start is a wall time in it
    time_zone: str
    local_start: LocalDateTime
    duration_minutes: int
    starts_at: datetime
    ends_at: datetime
    location: str
    online_url: str
    capacity: int
    status: SessionStatus
    cancel_reason: CancelReason | None
    cancel_note: str
    #: the iCalendar SEQUENCE of its invitations
    sequence: int
    roster_completed_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class SessionCreate(InputModel):
    """A session of a course in a region, at a local time in the region's zone; it starts as proposed (nothing is
    sent until it is scheduled)."""

    course_id: Id
    region_id: Id
    #: a user holding the trainer role in the programme
    trainer_id: Id | None = None
    start_on: Day
    start_time: LocalTime
    #: empty: the course's duration
    duration_minutes: Minutes | None = None
    location: Text(300) = ""
    online_url: Text(500) = Field(default="", description="An http(s) address for online sessions.")
    capacity: Seats = 12


class SessionCancel(InputModel):
    """Why the session is cancelled (business priority reaches the committee pack) and a note."""

    reason: CancelReason
    note: Text(2000) = ""
    version: Id | None = Field(default=None, description="The version you read; a newer one on the server gives 409.")


class Sessions(Resource):
    name = "sessions"
    title = "training session"
    model = TrainingSession
    out = SessionOut
    create_schema = SessionCreate
    update_schema = partial(SessionCreate, "SessionUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.TRAINING_MANAGE
    operations = ("list", "read", "create", "update")

    def collection(self, programme):
        return queries.sessions_of(programme.id, now=clock.now(), when="all")

    def create(self, programme, values):
        return sessions.create_session(programme, **values)

    def update(self, session, values, expected_version):
        # as the edit page: seats a larger capacity frees go to the people waiting
        enrolment.update_session(session, expected_version=expected_version, **values)

    def current_values(self, session):
        values = {name: getattr(session, name) for name in SessionCreate.model_fields
                  if name not in ("start_on", "start_time")}
        return {**values, "start_on": session.local_start.date(), "start_time": session.local_start.time()}


resource = Sessions()

_ITEM = "/programmes/<int:programme_id>/sessions/<int:item_id>"


def load_session(programme_id: int, session_id: int, permission: Permission) -> TrainingSession:
    """The session in the URL for ``permission``; another programme's is a 404."""
    return load_in_programme(TrainingSession, programme_id, session_id, permission)[1]


@operation(f"{_ITEM}/schedule", "POST", endpoint="sessions_schedule", tag="sessions", response=SessionOut,
           summary="Schedule a proposed training session: the trainer and everyone enrolled are invited",
           errors=(409, 422))
def schedule_session(programme_id: int, item_id: int):
    session = load_session(programme_id, item_id, Permission.TRAINING_MANAGE)
    sessions.schedule_session(session)
    db.session.flush()
    return resource.serialize(session)


@operation(f"{_ITEM}/cancel", "POST", endpoint="sessions_cancel", tag="sessions", body=SessionCancel,
           response=SessionOut, errors=(400, 409, 413, 422),
           summary="Cancel a training session for a reason (sessions are cancelled, never deleted): its people go "
                   "onto the waitlist of the course's next session in the region, everyone invited is told")
def cancel_session(programme_id: int, item_id: int):
    session = load_session(programme_id, item_id, Permission.TRAINING_MANAGE)
    values = parse_body(SessionCancel)
    enrolment.cancel_session(session, reason=values.reason, note=values.note, expected_version=values.version)
    db.session.flush()
    return resource.serialize(session)

