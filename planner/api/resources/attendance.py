"""Attendance of a training session, as on the trainer's roster page: the marks (one per person and session,
upserted, so two trainers marking at once lose nothing), "everyone else present", and completing the roster.

Only those who may mark the session see or change its marks, as on the roster: project managers and admins for
any session of the programme, a trainer only for the sessions they give (403 for the others). Marks are taken from
30 minutes before the start to 7 days after the end (422 outside that window). The pages offer no way to clear a
mark, so neither does the API: a mark is changed by marking again.
"""
from datetime import datetime

from flask import abort
from flask_login import current_user
from pydantic import BaseModel
from sqlalchemy import select

from planner.api.framework import PAGE_PARAMETERS, operation, page_model, paginated, parse_body
from planner.api.resources.sessions import SessionOut
from planner.api.resources.sessions import resource as sessions_resource
from planner.api.schemas import Id, InputModel, OutputModel, Text
from planner.core.permissions import Permission
from planner.extensions import db
from planner.programmes.loading import load_in_programme
from planner.training import sessions
from planner.training.models import AttendanceMark, MarkStatus, TrainingSession


class MarkOut(OutputModel):
    id: int
    session_id: int
    person_id: int
    status: MarkStatus
    note: str
    #: the user who marked; null for a self check-in
    marked_by_id: int | None
    marked_at: datetime
    #: "trainer" or "self" (self check-in)
    source: str


class MarkIn(InputModel):
    """What the trainer saw for one enrolled trainee; marking again replaces the earlier mark."""

    person_id: Id
    status: MarkStatus
    note: Text(2000) = ""


class MarkedCount(BaseModel):
    """How many people were marked present."""

    marked: int


_ROSTER = "/programmes/<int:programme_id>/sessions/<int:item_id>/attendance"


def _load_for_marking(programme_id: int, session_id: int) -> TrainingSession:
    """The session, if the user may mark it: training managers any session, a trainer only their own (the roster
    page's rule)."""
    programme, session = load_in_programme(TrainingSession, programme_id, session_id, Permission.ATTENDANCE_MARK)
    if not sessions.may_mark(programme, session):
        abort(403)
    return session


def _serialize(mark: AttendanceMark) -> dict:
    return MarkOut.model_validate(mark).model_dump(mode="json")


@operation(_ROSTER, "GET", endpoint="attendance_list", tag="attendance", response=page_model(MarkOut),
           query=PAGE_PARAMETERS, errors=(400,),
           summary="List a session's attendance marks (for those who may mark it)")
def list_marks(programme_id: int, item_id: int):
    session = _load_for_marking(programme_id, item_id)
    return paginated(select(AttendanceMark).where(AttendanceMark.session_id == session.id)
                     .order_by(AttendanceMark.person_id, AttendanceMark.id), _serialize)


@operation(_ROSTER, "POST", endpoint="attendance_mark", tag="attendance", body=MarkIn, response=MarkOut,
           errors=(400, 409, 413, 422),
           summary="Mark one enrolled trainee present, late, excused or absent (an upsert: marking again replaces "
                   "the mark; a mark cannot be cleared, as on the roster page)")
def mark(programme_id: int, item_id: int):
    session = _load_for_marking(programme_id, item_id)
    values = parse_body(MarkIn)
    saved = sessions.mark_attendance(session, person_id=values.person_id, status=values.status, note=values.note,
                                     marked_by_id=current_user.id)
    db.session.flush()
    return _serialize(saved)


@operation(f"{_ROSTER}/all-present", "POST", endpoint="attendance_all_present", tag="attendance",
           response=MarkedCount, errors=(409, 422),
           summary="Mark every enrolled trainee not yet marked as present (marks already taken stay)")
def mark_all_present(programme_id: int, item_id: int):
    session = _load_for_marking(programme_id, item_id)
    marked = sessions.mark_all_present(session, marked_by_id=current_user.id)
    db.session.flush()
    return {"marked": marked}


@operation(f"{_ROSTER}/complete", "POST", endpoint="attendance_complete", tag="attendance", response=SessionOut,
           errors=(409, 422),
           summary="Complete the roster once every enrolled trainee is marked; answers the session")
def complete_roster(programme_id: int, item_id: int):
    session = _load_for_marking(programme_id, item_id)
    sessions.complete_roster(session)
    db.session.flush()
    return sessions_resource.serialize(session)
