"""Read helpers of the dashboards: each answers for every row at once, so a dashboard keeps the same number of
queries however much data the programme holds. "Coming" means not yet started, by the UTC instant."""
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from planner.changes.models import ChangeRequest, ChangeStatus
from planner.committee.models import (
    ActionItem, ActionStatus, AgendaItem, Answer, Meeting, MeetingInvitee, MeetingOccurrence, MeetingStatus,
    OccurrenceAnswer,
)
from planner.extensions import db
from planner.rollout.models import Wave
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
    """Waves not live yet whose planned go-live falls within the next ``days`` days (today included), soonest
    first, with their regions loaded."""
    return list(db.session.scalars(
        select(Wave).where(Wave.programme_id == programme_id, Wave.actual_go_live.is_(None),
                           Wave.planned_go_live >= today, Wave.planned_go_live <= today + timedelta(days=days))
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


def changes_awaiting(programme_id: int, person_id: int, now: datetime, limit: int = 20
                     ) -> list[tuple[ChangeRequest, MeetingOccurrence]]:
    """Assessed change requests (waiting for the committee's decision) on the agenda of a coming meeting
    ``person_id`` is invited to, with the first such meeting; soonest meeting first."""
    rows = db.session.execute(
        select(ChangeRequest, MeetingOccurrence)
        .join(AgendaItem, AgendaItem.change_request_id == ChangeRequest.id)
        .join(MeetingOccurrence, MeetingOccurrence.id == AgendaItem.occurrence_id)
        .join(Meeting, Meeting.id == MeetingOccurrence.meeting_id)
        .join(MeetingInvitee, and_(MeetingInvitee.meeting_id == Meeting.id, MeetingInvitee.person_id == person_id,
                                   MeetingInvitee.removed_at.is_(None)))
        .where(ChangeRequest.programme_id == programme_id, ChangeRequest.status == ChangeStatus.ASSESSED,
               MeetingOccurrence.is_cancelled.is_(False), MeetingOccurrence.starts_at >= now,
               Meeting.status == MeetingStatus.SCHEDULED)
        .options(contains_eager(MeetingOccurrence.meeting))
        .order_by(MeetingOccurrence.starts_at, ChangeRequest.number).limit(limit * 4)).all()
    seen: dict[int, tuple[ChangeRequest, MeetingOccurrence]] = {}
    for change, occurrence in rows:
        seen.setdefault(change.id, (change, occurrence))
    return list(seen.values())[:limit]


# --- trainer ----------------------------------------------------------------------------------------------

def trainer_sessions(programme_id: int, user_id: int, now: datetime) -> list[TrainingSession]:
    """The trainer's sessions in this programme, not cancelled, from a day ago to eight days ahead (the page
    keeps today and the rest of this week, in each session's own zone), with course and region loaded."""
    return list(db.session.scalars(
        select(TrainingSession).where(
            TrainingSession.programme_id == programme_id, TrainingSession.trainer_id == user_id,
            TrainingSession.status != SessionStatus.CANCELLED,
            TrainingSession.ends_at >= now - timedelta(days=1), TrainingSession.starts_at < now + timedelta(days=8))
        .options(joinedload(TrainingSession.course), joinedload(TrainingSession.region))
        .order_by(TrainingSession.starts_at, TrainingSession.id)))


def _unmarked_filter():
    """Enrolled people of the outer query's session who have no attendance mark yet."""
    mark = aliased(AttendanceMark)
    return and_(Enrolment.session_id == TrainingSession.id, Enrolment.status == EnrolmentStatus.ENROLLED,
                ~exists(select(mark.id).where(mark.session_id == Enrolment.session_id,
                                              mark.person_id == Enrolment.person_id)))


def rosters_to_complete(programme_id: int, user_id: int, now: datetime, limit: int = 50
                        ) -> list[tuple[TrainingSession, int]]:
    """The trainer's scheduled sessions in this programme that have ended, whose roster is not completed and
    that still have enrolled people without a mark; latest first, each with how many are unmarked."""
    unmarked = (select(func.count(Enrolment.id)).where(_unmarked_filter())
                .correlate(TrainingSession).scalar_subquery())
    rows = db.session.execute(
        select(TrainingSession, unmarked.label("unmarked")).where(
            TrainingSession.programme_id == programme_id, TrainingSession.trainer_id == user_id,
            TrainingSession.status == SessionStatus.SCHEDULED, TrainingSession.ends_at < now,
            TrainingSession.roster_completed_at.is_(None), unmarked > 0)
        .options(joinedload(TrainingSession.course), joinedload(TrainingSession.region))
        .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc()).limit(limit)).all()
    return [(session, count) for session, count in rows]
