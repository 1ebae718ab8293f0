"""Read helpers of the session pages: Select statements with what each row shows loaded, and small loaders that
answer for many rows at once, so a page's query count does not grow with its rows."""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from planner.auth.models import User
from planner.core.permissions import Role
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Membership, Programme, Region
from planner.rollout.calendar import weekdays_from_iso
from planner.rollout.models import Holiday, Wave, WaveRegion
from planner.scheduling.calendar import WorkingCalendar
from planner.training.models import (
    AttendanceMark, Course, Enrolment, EnrolmentStatus, SessionStatus, TrainingSession,
)

#: the list's time filter
WHEN_CHOICES = ("upcoming", "past", "all")


def sessions_of(programme_id: int, *, now: datetime, region_id: int | None = None, course_id: int | None = None,
                when: str = "upcoming") -> Select:
    """The programme's sessions (upcoming: not yet ended, soonest first; past: latest first), with course,
    region and trainer loaded."""
    query = (select(TrainingSession).where(TrainingSession.programme_id == programme_id)
             .options(joinedload(TrainingSession.course), joinedload(TrainingSession.region),
                      joinedload(TrainingSession.trainer)))
    if region_id:
        query = query.where(TrainingSession.region_id == region_id)
    if course_id:
        query = query.where(TrainingSession.course_id == course_id)
    if when == "upcoming":
        return query.where(TrainingSession.ends_at >= now).order_by(TrainingSession.starts_at, TrainingSession.id)
    if when == "past":
        query = query.where(TrainingSession.ends_at < now)
    return query.order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc())


def enrolled_count_column():
    """Seats taken in the outer query's session, as a column: for lists whose rows may be none, where
    ``enrolled_counts`` would skip its query and the page's statement count would depend on the data."""
    return (select(func.count(Enrolment.id)).where(Enrolment.session_id == TrainingSession.id,
                                                   Enrolment.status == EnrolmentStatus.ENROLLED)
            .correlate(TrainingSession).scalar_subquery().label("enrolled"))


def enrolled_counts(session_ids: list[int]) -> dict[int, int]:
    """Seats taken per session, for many sessions in one query."""
    if not session_ids:
        return {}
    rows = db.session.execute(select(Enrolment.session_id, func.count(Enrolment.id)).where(
        Enrolment.session_id.in_(session_ids), Enrolment.status == EnrolmentStatus.ENROLLED)
        .group_by(Enrolment.session_id))
    return {session_id: count for session_id, count in rows}


def go_live_by_region(programme_id: int) -> dict[int, date]:
    """Each region's go-live: the day it went live (a fact) when known, else its wave's planned go-live.
    Regions with neither are left out."""
    rows = db.session.execute(
        select(Region.id, Region.live_on, Wave.planned_go_live).where(Region.programme_id == programme_id)
        .outerjoin(WaveRegion, WaveRegion.region_id == Region.id).outerjoin(Wave, Wave.id == WaveRegion.wave_id))
    return {region_id: live_on or planned for region_id, live_on, planned in rows if live_on or planned}


def region_calendars(programme: Programme, region_ids) -> dict[int, WorkingCalendar]:
    """The working calendar of each region (programme-wide holidays plus its own), from one query; the same
    days as ``planner.rollout.calendar.programme_calendar(programme, region_id)``."""
    region_ids = set(region_ids)
    if not region_ids:
        return {}
    rows = db.session.execute(select(Holiday.day, Holiday.region_id).where(
        Holiday.programme_id == programme.id,
        Holiday.region_id.is_(None) | Holiday.region_id.in_(region_ids)))
    shared: set[date] = set()
    own: dict[int, set[date]] = {region_id: set() for region_id in region_ids}
    for day, region_id in rows:
        (shared if region_id is None else own[region_id]).add(day)
    weekdays = weekdays_from_iso(programme.working_weekdays)
    return {region_id: WorkingCalendar(working_weekdays=weekdays, holidays=frozenset(shared | days))
            for region_id, days in own.items()}


class SessionTimes(NamedTuple):
    """When a session is and what it trains, without the rest of it: what ``window_flags`` and the health
    check's training rules read, for thousands of sessions at once."""

    id: int
    region_id: int
    course_id: int
    status: SessionStatus
    local_start: datetime
    #: ``TrainingSession.local_end``
    local_end: datetime


def planned_session_times(programme_id: int, region_ids) -> list[SessionTimes]:
    """The sessions (not cancelled) of these regions of the programme, by start, in one query."""
    rows = db.session.execute(
        select(TrainingSession.id, TrainingSession.region_id, TrainingSession.course_id, TrainingSession.status,
               TrainingSession.local_start, TrainingSession.duration_minutes)
        .where(TrainingSession.programme_id == programme_id, TrainingSession.status != SessionStatus.CANCELLED,
               TrainingSession.region_id.in_(list(region_ids)))
        .order_by(TrainingSession.starts_at, TrainingSession.id))
    return [SessionTimes(session_id, region_id, course_id, status, local_start,
                         local_start + timedelta(minutes=minutes))
            for session_id, region_id, course_id, status, local_start, minutes in rows]


@dataclass(frozen=True)
class WindowFlag:
    """Why a session falls outside its region's training window."""

    #: "after_go_live", "too_late" (fewer than the minimum working days before go-live) or "too_early"
    reason: str
    go_live: date
    #: working days from the session's last day to go-live (negative when after it)
    lead_days: int


def window_flags(programme: Programme, sessions, go_lives: Mapping[int, date] | None = None) -> dict[int, WindowFlag]:
    """Sessions (not cancelled) outside their region's training window, by id: ending after go-live, fewer than
    ``training_min_lead_days`` or more than ``training_max_lead_days`` working days before it (DOMAIN.md: keep the
    gap between training and first use short). A region without a go-live flags nothing. ``sessions`` may be
    ``TrainingSession``s or their ``SessionTimes``; ``go_lives`` is ``go_live_by_region``'s answer when the caller
    has it already."""
    sessions = [session for session in sessions if session.status is not SessionStatus.CANCELLED]
    if go_lives is None:
        go_lives = go_live_by_region(programme.id) if sessions else {}
    calendars = region_calendars(programme, {s.region_id for s in sessions if s.region_id in go_lives})
    flags = {}
    for session in sessions:
        go_live = go_lives.get(session.region_id)
        if go_live is None:
            continue
        last_day = session.local_end.date()
        lead = calendars[session.region_id].working_days_between(last_day, go_live)
        if last_day >= go_live:
            flags[session.id] = WindowFlag("after_go_live", go_live, lead)
        elif lead < programme.training_min_lead_days:
            flags[session.id] = WindowFlag("too_late", go_live, lead)
        elif lead > programme.training_max_lead_days:
            flags[session.id] = WindowFlag("too_early", go_live, lead)
    return flags


def session_detail(session_id: int) -> TrainingSession | None:
    """One session with its course, region and trainer loaded."""
    return db.session.scalar(select(TrainingSession).where(TrainingSession.id == session_id).options(
        joinedload(TrainingSession.course), joinedload(TrainingSession.region), joinedload(TrainingSession.trainer)))


def enrolments_of(session_id: int, statuses=(EnrolmentStatus.ENROLLED,)) -> list[Enrolment]:
    """A session's enrolments in the given states, with the person loaded, by name."""
    return list(db.session.scalars(
        select(Enrolment).join(Person, Person.id == Enrolment.person_id)
        .where(Enrolment.session_id == session_id, Enrolment.status.in_(statuses))
        .options(joinedload(Enrolment.person)).order_by(Person.full_name, Person.id)))


def marks_of(session_id: int) -> dict[int, AttendanceMark]:
    """The session's attendance marks by person id."""
    return {mark.person_id: mark for mark in db.session.scalars(
        select(AttendanceMark).where(AttendanceMark.session_id == session_id))}


def trainer_choices(programme_id: int) -> list[tuple[int, str]]:
    """(user id, email) of the users holding the trainer role in the programme."""
    rows = db.session.execute(select(User.id, User.email).join(Membership, Membership.user_id == User.id).where(
        Membership.programme_id == programme_id, Membership.role == Role.TRAINER).order_by(User.email))
    return [(row.id, row.email) for row in rows]


def course_choices(programme_id: int) -> list[tuple[int, str]]:
    return [(row.id, row.title) for row in db.session.execute(
        select(Course.id, Course.title).where(Course.programme_id == programme_id).order_by(Course.title))]


def region_choices(programme_id: int) -> list[tuple[int, str]]:
    return [(row.id, row.name) for row in db.session.execute(
        select(Region.id, Region.name).where(Region.programme_id == programme_id).order_by(Region.name))]


def sessions_of_trainer(user_id: int, now: datetime) -> Select:
    """A trainer's live sessions from a day ago to eight days ahead (the page keeps today and this week, in each
    session's own zone), with course and region loaded."""
    return (select(TrainingSession).where(
        TrainingSession.trainer_id == user_id, TrainingSession.status != SessionStatus.CANCELLED,
        TrainingSession.ends_at >= now - timedelta(days=1), TrainingSession.starts_at < now + timedelta(days=8))
        .options(joinedload(TrainingSession.course), joinedload(TrainingSession.region))
        .order_by(TrainingSession.starts_at, TrainingSession.id))


def open_rosters_of_trainer(user_id: int, now: datetime) -> Select:
    """A trainer's scheduled sessions that have ended and whose roster is not completed, latest first."""
    return (select(TrainingSession).where(
        TrainingSession.trainer_id == user_id, TrainingSession.status == SessionStatus.SCHEDULED,
        TrainingSession.ends_at < now, TrainingSession.roster_completed_at.is_(None))
        .options(joinedload(TrainingSession.course), joinedload(TrainingSession.region))
        .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc()))
