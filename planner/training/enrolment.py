"""Enrolment beyond one seat: auto-enrolling the people of a region who need the course, the waitlist that
promotes when a seat frees, moving a person to another session of the course, and cancelling a session (its
people go onto the waitlist of the course's next session in the region, or are flagged as left without one).

Seats are taken and given up through ``sessions.enrol_person`` and ``sessions.remove_enrolment``, so the calendar
invitations follow every change. Services flush and never commit.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import aliased, joinedload

from planner.core import audit, clock
from planner.core.errors import DomainError, StaleEditError, check_version
from planner.extensions import db
from planner.people.models import Person
from planner.training import invitations, sessions
from planner.training.models import (
    AttendanceMark, CancelReason, Enrolment, EnrolmentStatus, MarkStatus, SessionStatus, TrainingSession,
)
from planner.training.queries import required_person_ids

#: a person holding a seat or waiting for one
LIVE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
#: marks that mean the person took the course
ATTENDED = (MarkStatus.PRESENT, MarkStatus.LATE)
#: the longest cancellation note kept
NOTE_LENGTH = 2000
#: how many other sessions the move select offers
MOVE_TARGETS_SHOWN = 50


def _check_open(session: TrainingSession) -> None:
    if session.status is SessionStatus.CANCELLED:
        raise DomainError(_("This session is cancelled."))
    if session.ends_at <= clock.now():
        raise DomainError(_("This session is over."))


def _booked_person_ids(course_id: int) -> Select:
    """Ids of the people holding a seat or a waitlist place in a session of the course that is not cancelled."""
    return (select(Enrolment.person_id).join(TrainingSession, TrainingSession.id == Enrolment.session_id)
            .where(TrainingSession.course_id == course_id, TrainingSession.status != SessionStatus.CANCELLED,
                   Enrolment.status.in_(LIVE)))


def _attended_person_ids(course_id: int) -> Select:
    """Ids of the people marked present or late in a session of the course: they took it."""
    return (select(AttendanceMark.person_id).join(TrainingSession, TrainingSession.id == AttendanceMark.session_id)
            .where(TrainingSession.course_id == course_id, AttendanceMark.status.in_(ATTENDED)))


def people_to_auto_enrol(session: TrainingSession) -> list[int]:
    """Ids, by name, of the people of the session's region who need its course, have not taken it, and are not
    enrolled or waitlisted in any session of it that is not cancelled. One query."""
    course_id = session.course_id
    query = (required_person_ids(session.course)
             .where(Person.region_id == session.region_id, Person.id.not_in(_booked_person_ids(course_id)),
                    Person.id.not_in(_attended_person_ids(course_id)))
             .order_by(Person.full_name, Person.id))
    return list(db.session.scalars(query))


# --- the waitlist ----------------------------------------------------------------------------------------

def add_to_waitlist(session: TrainingSession, person_id: int | None) -> Enrolment:
    """Put a person of the programme at the end of the session's waitlist (whether or not seats are free: the
    caller decides; ``promote_from_waitlist`` fills free seats)."""
    if session.status is SessionStatus.CANCELLED:
        raise DomainError(_("This session is cancelled."))
    person = db.session.get(Person, person_id) if person_id else None
    if person is None or person.programme_id != session.programme_id:
        raise DomainError(_("Choose a person of this programme."), field="person_id")
    sessions.lock_seats(session)
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.session_id == session.id,
                                                          Enrolment.person_id == person.id))
    if enrolment is not None and enrolment.status is EnrolmentStatus.ENROLLED:
        raise DomainError(_("%(name)s already has a seat in this session.", name=person.full_name),
                          field="person_id")
    if enrolment is not None and enrolment.status is EnrolmentStatus.WAITLISTED:
        raise DomainError(_("%(name)s is already on the waitlist.", name=person.full_name), field="person_id")
    last = db.session.scalar(select(func.max(Enrolment.waitlist_position)).where(Enrolment.session_id == session.id))
    values = {"status": EnrolmentStatus.WAITLISTED, "waitlist_position": (last or 0) + 1}
    if enrolment is None:
        enrolment = Enrolment(session_id=session.id, person_id=person.id, **values)
        db.session.add(enrolment)
        audit.record_create(enrolment)
    else:
        audit.record_update(enrolment, audit.apply_changes(enrolment, values))
    return enrolment


def promote_from_waitlist(session: TrainingSession) -> list[Enrolment]:
    """Give the free seats of the session to the people first on its waitlist; returns who got one. Nothing
    happens in a cancelled session."""
    if session.status is SessionStatus.CANCELLED:
        return []
    sessions.lock_seats(session)
    free = session.capacity - sessions.enrolled_count(session.id)
    if free <= 0:
        return []
    waiting = list(db.session.scalars(
        select(Enrolment).where(Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.WAITLISTED)
        .order_by(Enrolment.waitlist_position, Enrolment.id).limit(free)))
    return [sessions.enrol_person(session, enrolment.person_id) for enrolment in waiting]


def remove_person(enrolment: Enrolment) -> list[Enrolment]:
    """Take a person off a session (or its waitlist); a freed seat goes to the first person waiting. Returns who
    was promoted."""
    had_seat = enrolment.status is EnrolmentStatus.ENROLLED
    sessions.remove_enrolment(enrolment)
    return promote_from_waitlist(enrolment.session) if had_seat else []


# --- auto-enrolment and moving -------------------------------------------------------------------------

def auto_enrol(session: TrainingSession) -> tuple[list[Enrolment], list[Enrolment]]:
    """Enrol the people of the session's region who still need its course (``people_to_auto_enrol``) up to its
    capacity, after anyone already waiting; the rest go onto the waitlist. Returns (enrolled, waitlisted)."""
    _check_open(session)
    promote_from_waitlist(session)
    person_ids = people_to_auto_enrol(session)
    free = max(0, session.capacity - sessions.enrolled_count(session.id))
    enrolled = [sessions.enrol_person(session, person_id) for person_id in person_ids[:free]]
    waitlisted = [add_to_waitlist(session, person_id) for person_id in person_ids[free:]]
    return enrolled, waitlisted


def move_person(enrolment: Enrolment, to_session_id: int | None) -> Enrolment:
    """Move a person to another session of the same course: a seat there when one is free, else its waitlist.
    Their old seat goes to the first person waiting there. Returns the enrolment in the new session."""
    if enrolment.status is EnrolmentStatus.REMOVED:
        raise DomainError(_("This person is no longer enrolled."))
    source = enrolment.session
    target = db.session.get(TrainingSession, to_session_id) if to_session_id else None
    if (target is None or target.id == source.id or target.programme_id != source.programme_id
            or target.course_id != source.course_id):
        raise DomainError(_("Choose another session of the same course."), field="to_session_id")
    if target.status is SessionStatus.CANCELLED:
        raise DomainError(_("That session is cancelled. Choose another one."), field="to_session_id")
    if target.ends_at <= clock.now():
        raise DomainError(_("That session is over. Choose another one."), field="to_session_id")
    there = db.session.scalar(select(Enrolment.status).where(Enrolment.session_id == target.id,
                                                             Enrolment.person_id == enrolment.person_id))
    if there in LIVE:
        raise DomainError(_("%(name)s is already in that session.", name=enrolment.person.full_name),
                          field="to_session_id")
    had_seat = enrolment.status is EnrolmentStatus.ENROLLED
    for locked in sorted((source, target), key=lambda each: each.id):  # one order: opposite moves cannot deadlock
        sessions.lock_seats(locked)
    sessions.remove_enrolment(enrolment)
    if sessions.enrolled_count(target.id) < target.capacity:
        moved = sessions.enrol_person(target, enrolment.person_id)
    else:
        moved = add_to_waitlist(target, enrolment.person_id)
    if had_seat:
        promote_from_waitlist(source)
    return moved


# --- cancelling a session ------------------------------------------------------------------------------

@dataclass
class CancelOutcome:
    """What cancelling a session did with its people."""

    #: the session whose waitlist took them, if there is one
    next_session: TrainingSession | None = None
    #: their enrolments there (waitlisted, or promoted to a free seat)
    moved: list[Enrolment] = field(default_factory=list)
    #: their enrolments in the cancelled session, for the people left without a session
    flagged: list[Enrolment] = field(default_factory=list)


def next_session_for(session: TrainingSession) -> TrainingSession | None:
    """The earliest upcoming session of the same course in the same region that is not cancelled."""
    return db.session.scalar(select(TrainingSession).where(
        TrainingSession.course_id == session.course_id, TrainingSession.region_id == session.region_id,
        TrainingSession.status != SessionStatus.CANCELLED, TrainingSession.id != session.id,
        TrainingSession.starts_at > clock.now()).order_by(TrainingSession.starts_at, TrainingSession.id).limit(1))


def cancel_session(session: TrainingSession, *, reason: str | CancelReason | None, note: str | None,
                   expected_version: int | None = None) -> CancelOutcome:
    """Cancel a session for a reason (business priority ones reach the committee pack). Everyone enrolled or
    waiting goes onto the waitlist of the course's next session in the region (free seats there are then given
    in waitlist order); without such a session they are flagged. Everyone invited gets the cancellation."""
    try:
        reason = CancelReason(reason)
    except ValueError:
        raise DomainError(_("Choose why the session is cancelled."), field="reason") from None
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise DomainError(_("Keep the note under 2000 characters."), field="note")
    # the session and the one its people move to are locked first, in one order (id), and read again: two
    # sessions cancelled at once, each the other's next, cannot deadlock, and a change made meanwhile is seen
    next_session = next_session_for(session)
    for locked in sorted({session, next_session} - {None}, key=lambda each: each.id):
        sessions.lock_seats(locked)
    check_version(session, expected_version)
    if session.status is SessionStatus.CANCELLED:
        raise DomainError(_("This session is already cancelled."))
    if session.ends_at <= clock.now():
        raise DomainError(_("This session is over; it can no longer be cancelled."))
    if next_session_for(session) != next_session:  # cancelled, moved or added meanwhile: choose again
        raise StaleEditError()
    values = {"status": SessionStatus.CANCELLED, "cancel_reason": reason, "cancel_note": note}
    if session.status is SessionStatus.SCHEDULED:  # a cancellation carries a higher SEQUENCE (CALENDAR.md)
        values["sequence"] = session.sequence + 1
    audit.record_update(session, audit.apply_changes(session, values))

    outcome = CancelOutcome(next_session=next_session)
    affected = db.session.scalars(
        select(Enrolment).where(Enrolment.session_id == session.id, Enrolment.status.in_(LIVE))
        .options(joinedload(Enrolment.person))
        .order_by(case((Enrolment.status == EnrolmentStatus.ENROLLED, 0), else_=1), Enrolment.waitlist_position,
                  Enrolment.id)).all()
    booked = set(db.session.scalars(_booked_person_ids(session.course_id)))
    for enrolment in affected:
        if enrolment.person_id in booked:
            continue  # already has another session of the course
        if outcome.next_session is None:
            outcome.flagged.append(enrolment)
        else:
            outcome.moved.append(add_to_waitlist(outcome.next_session, enrolment.person_id))
    if outcome.next_session is not None:
        promote_from_waitlist(outcome.next_session)
    invitations.flush_and_send(session)
    return outcome


# --- reads for the session page and the committee pack ---------------------------------------------------

@dataclass
class EnrolmentPanel:
    """What the session page shows besides the enrolled people."""

    waitlist: list[Enrolment]
    #: (session id, label) of the sessions a person can be moved to
    move_targets: list[tuple[int, str]]
    #: after cancellation: people of the session who have no other session of the course
    left_without: list[Enrolment]


def waitlist_of(session_id: int) -> list[Enrolment]:
    """The session's waitlist in order, with the people loaded."""
    return list(db.session.scalars(
        select(Enrolment).where(Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.WAITLISTED)
        .options(joinedload(Enrolment.person)).order_by(Enrolment.waitlist_position, Enrolment.id)))


def move_targets(session: TrainingSession) -> list[tuple[int, str]]:
    """(id, label) of the other sessions of the course a person can be moved to: not cancelled, not over,
    soonest first; the label gives the local time, the region and the seats taken. Two queries."""
    from planner.training.session_queries import enrolled_counts

    targets = list(db.session.scalars(
        select(TrainingSession).where(
            TrainingSession.course_id == session.course_id, TrainingSession.id != session.id,
            TrainingSession.status != SessionStatus.CANCELLED, TrainingSession.ends_at > clock.now())
        .options(joinedload(TrainingSession.region))
        .order_by(TrainingSession.starts_at, TrainingSession.id).limit(MOVE_TARGETS_SHOWN)))
    counts = enrolled_counts([target.id for target in targets])
    return [(target.id, _("%(when)s, %(region)s (%(taken)d / %(capacity)d)",
                          when=target.local_start.strftime("%a %Y-%m-%d %H:%M"), region=target.region.name,
                          taken=counts.get(target.id, 0), capacity=target.capacity))
            for target in targets]


def left_without_session(session_id: int) -> list[Enrolment]:
    """Enrolments (seat or waitlist) of a cancelled session whose person holds no place in another session of the
    course that is not cancelled, by name. One query."""
    other, other_session = aliased(Enrolment), aliased(TrainingSession)
    this_session = select(TrainingSession.course_id).where(TrainingSession.id == session_id).scalar_subquery()
    placed_elsewhere = exists(
        select(other.id).join(other_session, other_session.id == other.session_id)
        .where(other.person_id == Enrolment.person_id, other.status.in_(LIVE), other_session.id != session_id,
               other_session.course_id == this_session, other_session.status != SessionStatus.CANCELLED))
    return list(db.session.scalars(
        select(Enrolment).join(Person, Person.id == Enrolment.person_id)
        .where(Enrolment.session_id == session_id, Enrolment.status.in_(LIVE), ~placed_elsewhere)
        .options(joinedload(Enrolment.person)).order_by(Person.full_name, Person.id)))


def enrolment_panel(session: TrainingSession, can_manage: bool) -> EnrolmentPanel:
    """The waitlist, the move choices (for those who manage training) and, for a cancelled session, the people
    left without a session. A fixed number of queries, however many people."""
    cancelled = session.status is SessionStatus.CANCELLED
    return EnrolmentPanel(
        waitlist=[] if cancelled else waitlist_of(session.id),
        move_targets=move_targets(session) if can_manage and not cancelled else [],
        left_without=left_without_session(session.id) if cancelled else [])


def business_cancellations(programme_id: int, since: datetime | None, until: datetime) -> list[TrainingSession]:
    """Sessions cancelled for business priority after ``since`` (ever, when None) up to ``until``, by when they
    were cancelled, with course and region loaded. One query."""
    query = (select(TrainingSession).where(
        TrainingSession.programme_id == programme_id, TrainingSession.status == SessionStatus.CANCELLED,
        TrainingSession.cancel_reason == CancelReason.BUSINESS_PRIORITY, TrainingSession.updated_at <= until)
        .options(joinedload(TrainingSession.course), joinedload(TrainingSession.region))
        .order_by(TrainingSession.updated_at, TrainingSession.id))
    if since is not None:
        query = query.where(TrainingSession.updated_at > since)
    return list(db.session.scalars(query))


def update_session(session: TrainingSession, *, expected_version: int | None, **fields) -> None:
    """Change a session (``sessions.update_session``); seats a larger capacity frees go to the people waiting."""
    sessions.update_session(session, expected_version=expected_version, **fields)
    promote_from_waitlist(session)
