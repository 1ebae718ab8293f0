"""Enrolments: who holds a seat (or a waitlist place) in which training session, through planner/training as on the
session page: enrolling a person by hand, taking them off (the record stays as "removed" so their calendar gets the
cancellation, and the seat goes to the first person waiting), moving them to another session of the course, and
auto-enrolling the people of the session's region who still need the course.

Enrolments carry ids only (no names), as the session page shows viewers "a trainee"; reading them is for every role
of the programme. There is no PATCH: the pages change an enrolment only by the actions above.
"""
from datetime import datetime

from flask_babel import gettext as _
from pydantic import BaseModel
from sqlalchemy import case, select

from planner.api.framework import PAGE_PARAMETERS, Resource, operation, paginated, parse_body
from planner.api.resources.sessions import load_session
from planner.api.schemas import Id, InputModel, OutputModel
from planner.core.errors import DomainError
from planner.core.permissions import Permission
from planner.extensions import db
from planner.programmes.loading import load_in_programme
from planner.training import enrolment as enrolment_services
from planner.training import progress, sessions
from planner.training.models import Enrolment, EnrolmentStatus, TrainingSession


class EnrolmentOut(OutputModel):
    id: int
    session_id: int
    #: the person (names are on the people resource, for roles that may see them)
    person_id: int
    status: EnrolmentStatus
    #: place on the session's waitlist (lower first); null when not waiting
    waitlist_position: int | None
    created_at: datetime
    updated_at: datetime


class EnrolmentCreate(InputModel):
    """A seat for a person of the programme in a session; refused when the session is full or cancelled."""

    session_id: Id
    person_id: Id


class EnrolmentMove(InputModel):
    """Another session of the same course: a seat there when one is free, else its waitlist."""

    to_session_id: Id


class SessionEnrolmentPage(BaseModel):
    """One page of a session's enrolments: seats first, then the waitlist in order, then people taken off."""

    items: list[EnrolmentOut]
    page: int
    per_page: int
    total: int
    next: str | None


class AutoEnrolOut(BaseModel):
    """Who auto-enrolment gave a seat, and who it put on the waitlist."""

    enrolled: list[EnrolmentOut]
    waitlisted: list[EnrolmentOut]


class Enrolments(Resource):
    name = "enrolments"
    title = "enrolment"
    model = Enrolment
    out = EnrolmentOut
    create_schema = EnrolmentCreate
    read = Permission.PROGRAMME_VIEW
    write = Permission.TRAINING_MANAGE
    #: delete (taking a person off) is added below with a summary that says what it does
    operations = ("list", "read", "create")

    def collection(self, programme):
        # ordered by the session's id (the same as the enrolment's session_id): SQLite reads them in the order of
        # the indexes the join walks, with no sort of the programme's every enrolment
        return (select(Enrolment).join(TrainingSession, TrainingSession.id == Enrolment.session_id)
                .where(TrainingSession.programme_id == programme.id)
                .order_by(TrainingSession.id, Enrolment.id))

    def total(self, programme):
        return progress.enrolment_total(programme.id)

    def create(self, programme, values):
        session = db.session.get(TrainingSession, values["session_id"])
        if session is None or session.programme_id != programme.id:
            raise DomainError(_("Choose a session of this programme."), field="session_id")
        return sessions.enrol_person(session, values["person_id"])

    def item_path(self, enrolment):
        return {"programme_id": enrolment.session.programme_id, "item_id": enrolment.id}


resource = Enrolments()

_ITEM = "/programmes/<int:programme_id>/enrolments/<int:item_id>"


def _load(programme_id: int, enrolment_id: int) -> Enrolment:
    return load_in_programme(Enrolment, programme_id, enrolment_id, Permission.TRAINING_MANAGE)[1]


@operation(_ITEM, "DELETE", endpoint="enrolments_delete", tag="enrolments", status=204, errors=(409, 422),
           summary="Take a person off a session: the enrolment stays with status removed (their calendar gets the "
                   "cancellation) and a freed seat goes to the first person waiting")
def remove_enrolment(programme_id: int, item_id: int):
    enrolment_services.remove_person(_load(programme_id, item_id))
    db.session.flush()
    return "", 204


@operation(f"{_ITEM}/move", "POST", endpoint="enrolments_move", tag="enrolments", body=EnrolmentMove,
           response=EnrolmentOut, errors=(400, 409, 413, 422),
           summary="Move a person to another session of the same course (a seat when free, else its waitlist); "
                   "answers the enrolment in the new session")
def move_enrolment(programme_id: int, item_id: int):
    enrolment = _load(programme_id, item_id)
    moved = enrolment_services.move_person(enrolment, parse_body(EnrolmentMove).to_session_id)
    db.session.flush()
    return resource.serialize(moved)


_SESSION = "/programmes/<int:programme_id>/sessions/<int:item_id>"


@operation(f"{_SESSION}/enrolments", "GET", endpoint="sessions_enrolments", tag="enrolments",
           response=SessionEnrolmentPage, query=PAGE_PARAMETERS, errors=(400,),
           summary="List a session's enrolments: seats, then the waitlist in order, then people taken off")
def list_session_enrolments(programme_id: int, item_id: int):
    session = load_session(programme_id, item_id, Permission.PROGRAMME_VIEW)
    order = case({EnrolmentStatus.ENROLLED: 0, EnrolmentStatus.WAITLISTED: 1}, value=Enrolment.status, else_=2)
    return paginated(select(Enrolment).where(Enrolment.session_id == session.id)
                     .order_by(order, Enrolment.waitlist_position, Enrolment.id), resource.serialize)


@operation(f"{_SESSION}/auto-enrol", "POST", endpoint="sessions_auto_enrol", tag="enrolments",
           response=AutoEnrolOut, errors=(409, 422),
           summary="Enrol the people of the session's region who still need its course, up to its capacity; the "
                   "rest go onto the waitlist")
def auto_enrol(programme_id: int, item_id: int):
    session = load_session(programme_id, item_id, Permission.TRAINING_MANAGE)
    enrolled, waitlisted = enrolment_services.auto_enrol(session)
    db.session.flush()
    return {"enrolled": [resource.serialize(each) for each in enrolled],
            "waitlisted": [resource.serialize(each) for each in waitlisted]}
