"""Read helpers of the dashboards: each answers for every row at once, so a dashboard keeps the same number of
queries however much data the programme holds. "Coming" means not yet started, by the UTC instant."""
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from planner.changes.models import ChangeRequest, ChangeStatus
from planner.committee.models import (
    ActionItem, ActionStatus, AgendaItem, Answer, Meeting, MeetingInvitee, MeetingOccurrence, MeetingStatus,
    OccurrenceAnswer,
)
from planner.extensions import db
from planner.lifecycle.models import GateReview
from planner.people.models import Person
from planner.rollout.models import Wave
from planner.training import session_queries
from planner.training.models import AttendanceMark, Enrolment, EnrolmentStatus, SessionStatus, TrainingSession


def _coming_occurrences(programme_id: int, now: datetime) -> Select:
    """Occurrences of the programme's scheduled meetings that have not started and are not cancelled, soonest
    first, with the meeting and its committee loaded."""
    return (select(MeetingOccurrence).join(MeetingOccurrence.meeting)
            .where(MeetingOccurrence.programme_id == programme_id, MeetingOccurrence.is_cancelled.is_(False),
                   MeetingOccurrence.starts_at >= now, Meeting.status == MeetingStatus.SCHEDULED)
            .options(contains_eager(MeetingOccurrence.meeting).joinedload(Meeting.committee))
            .order_by(MeetingOccurrence.starts_at, MeetingOccurrence.id))


# --- project manager --------------------------------------------------------------------------------------

def meetings_lacking_agenda(programme_id: int, now: datetime, days: int = 30, limit: int = 10
                            ) -> list[MeetingOccurrence]:
    """Coming meetings in the next ``days`` days whose agenda is not published yet, soonest first."""
    return list(db.session.scalars(
        _coming_occurrences(programme_id, now)
        .where(MeetingOccurrence.starts_at < now + timedelta(days=days),
               MeetingOccurrence.agenda_published_revision.is_(None)).limit(limit)))


def overdue_actions(programme_id: int, today: date, limit: int = 10) -> tuple[list[ActionItem], int]:
    """The open actions past their due day (longest overdue first, owners loaded), at most ``limit``, and how
    many there are."""
    overdue = and_(ActionItem.programme_id == programme_id, ActionItem.status == ActionStatus.OPEN,
                   ActionItem.due_on < today)
    actions = list(db.session.scalars(select(ActionItem).where(overdue).options(joinedload(ActionItem.owner))
                                      .order_by(ActionItem.due_on, ActionItem.id).limit(limit)))
    return actions, db.session.scalar(select(func.count(ActionItem.id)).where(overdue)) or 0


def coming_waves(programme_id: int, today: date, days: int = 60) -> list[Wave]:
    """Waves not live yet whose planned go-live falls within the next ``days`` days (today included) or has
    passed (late: they have not gone live), soonest first, so the late ones lead; with their regions loaded."""
    return list(db.session.scalars(
        select(Wave).where(Wave.programme_id == programme_id, Wave.actual_go_live.is_(None),
                           Wave.planned_go_live <= today + timedelta(days=days))
        .options(joinedload(Wave.regions)).order_by(Wave.planned_go_live, Wave.position, Wave.id)).unique())


# --- committee member -------------------------------------------------------------------------------------

def my_coming_occurrences(programme_id: int, person_id: int, now: datetime, limit: int = 50
                          ) -> list[tuple[MeetingOccurrence, MeetingInvitee, Answer]]:
    """Coming meetings ``person_id`` is invited to (and not taken off), soonest first, each with their invite
    record and their answer: the one for that occurrence if given, else the one for the series."""
    rows = db.session.execute(
        _coming_occurrences(programme_id, now)
        .add_columns(MeetingInvitee, OccurrenceAnswer.answer)
        .join(MeetingInvitee, and_(MeetingInvitee.meeting_id == Meeting.id, MeetingInvitee.person_id == person_id,
                                   MeetingInvitee.removed_at.is_(None)))
        .outerjoin(OccurrenceAnswer, and_(OccurrenceAnswer.invitee_id == MeetingInvitee.id,
                                          OccurrenceAnswer.occurrence_id == MeetingOccurrence.id))
        .limit(limit)).all()
    return [(occurrence, invitee, own_answer or invitee.answer) for occurrence, invitee, own_answer in rows]


def my_open_actions(programme_id: int, person_id: int, limit: int = 20) -> list[ActionItem]:
    """``person_id``'s open actions, soonest due first (so the overdue ones come first), with the meeting that
    agreed each loaded."""
    return list(db.session.scalars(
        select(ActionItem).where(ActionItem.programme_id == programme_id, ActionItem.owner_id == person_id,
                                 ActionItem.status == ActionStatus.OPEN)
        .options(joinedload(ActionItem.occurrence).joinedload(MeetingOccurrence.meeting))
        .order_by(ActionItem.due_on, ActionItem.id).limit(limit)))


def person_of_programme(programme_id: int, person_id: int | None) -> int | None:
    """``person_id`` when that person belongs to the programme, else None: an account linked to another
    programme's person has nothing of its own here."""
    if person_id is None:
        return None
    return db.session.scalar(select(Person.id).where(Person.id == person_id, Person.programme_id == programme_id))


def decisions_awaiting(programme_id: int, person_id: int, now: datetime, limit: int = 20
                       ) -> list[tuple[AgendaItem, MeetingOccurrence]]:
    """Agenda items of coming meetings ``person_id`` is invited to that ask the committee to decide: an assessed
    change request, a gate review or a risk. Soonest meeting first, with what each item links loaded; a request,
    review or risk on several agendas comes once, at its first meeting."""
    rows = db.session.execute(
        select(AgendaItem, MeetingOccurrence)
        .join(MeetingOccurrence, MeetingOccurrence.id == AgendaItem.occurrence_id)
        .join(Meeting, Meeting.id == MeetingOccurrence.meeting_id)
        .join(MeetingInvitee, and_(MeetingInvitee.meeting_id == Meeting.id, MeetingInvitee.person_id == person_id,
                                   MeetingInvitee.removed_at.is_(None)))
        .outerjoin(ChangeRequest, ChangeRequest.id == AgendaItem.change_request_id)
        .where(MeetingOccurrence.programme_id == programme_id, MeetingOccurrence.is_cancelled.is_(False),
               MeetingOccurrence.starts_at >= now, Meeting.status == MeetingStatus.SCHEDULED,
               or_(ChangeRequest.status == ChangeStatus.ASSESSED, AgendaItem.gate_review_id.is_not(None),
                   AgendaItem.risk_id.is_not(None)))
        .options(contains_eager(MeetingOccurrence.meeting), contains_eager(AgendaItem.change_request),
                 joinedload(AgendaItem.gate_review).joinedload(GateReview.stage))
        .order_by(MeetingOccurrence.starts_at, MeetingOccurrence.id, AgendaItem.position, AgendaItem.id)
        .limit(limit * 4)).all()
    seen: dict[tuple, tuple[AgendaItem, MeetingOccurrence]] = {}
    for item, occurrence in rows:
        seen.setdefault(decision_subject(item), (item, occurrence))
    return list(seen.values())[:limit]


def decision_subject(item: AgendaItem) -> tuple[str, int]:
    """What an agenda item asks the committee to decide: ("change", id), ("gate_review", id) or ("risk", id),
    an assessed change request first."""
    if item.change_request is not None and item.change_request.status is ChangeStatus.ASSESSED:
        return ("change", item.change_request_id)
    if item.gate_review_id is not None:
        return ("gate_review", item.gate_review_id)
    return ("risk", item.risk_id)


# --- trainer: the training area's own queries, kept to this programme and to the sessions really given -----

def trainer_sessions(programme_id: int, user_id: int, now: datetime) -> list[tuple[TrainingSession, int]]:
    """The trainer's scheduled sessions in this programme (not proposals, not cancelled) from a day ago to eight
    days ahead, with course and region loaded (``sessions_of_trainer`` of the training pages), each with its
    seats taken, in the same statement."""
    rows = db.session.execute(session_queries.sessions_of_trainer(user_id, now).add_columns(
        session_queries.enrolled_count_column()).where(
        TrainingSession.programme_id == programme_id, TrainingSession.status == SessionStatus.SCHEDULED))
    return [(session, enrolled) for session, enrolled in rows]


def _unmarked_filter():
    """Enrolled people of the outer query's session who have no attendance mark yet."""
    mark = aliased(AttendanceMark)
    return and_(Enrolment.session_id == TrainingSession.id, Enrolment.status == EnrolmentStatus.ENROLLED,
                ~exists(select(mark.id).where(mark.session_id == Enrolment.session_id,
                                              mark.person_id == Enrolment.person_id)))


def rosters_to_complete(programme_id: int, user_id: int, now: datetime, limit: int = 50
                        ) -> list[tuple[TrainingSession, int]]:
    """The trainer's open rosters in this programme (``open_rosters_of_trainer``: scheduled, ended, not
    completed) that still have enrolled people without a mark; latest first, each with how many are unmarked."""
    unmarked = (select(func.count(Enrolment.id)).where(_unmarked_filter())
                .correlate(TrainingSession).scalar_subquery())
    rows = db.session.execute(
        session_queries.open_rosters_of_trainer(user_id, now).add_columns(unmarked.label("unmarked"))
        .where(TrainingSession.programme_id == programme_id, unmarked > 0).limit(limit)).all()
    return [(session, count) for session, count in rows]
