"""The session planner: how many sessions each region still needs of each course, placed on working days inside
the region's training window (as late as the window allows, DOMAIN.md: keep the gap between training and first use
short), each with a trainer who is free then, trainers taken in turn.

``plan_sessions`` is pure (no database, no Flask) and unit-tested alone; ``gather_planning_input`` reads what it
needs from the database in a fixed number of queries, and ``save_proposals`` creates the proposals as PROPOSED
sessions through ``sessions.create_session``, so the trainer-overlap check applies once more.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from math import ceil

from sqlalchemy import and_, distinct, exists, func, select
from sqlalchemy.orm import joinedload

from planner.core.wall_time import wall_time_instant
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Programme, Region
from planner.scheduling.calendar import WorkingCalendar
from planner.training import session_queries, sessions
from planner.training.models import (
    AttendanceMark, Course, CourseFormat, CourseRequirement, Enrolment, EnrolmentStatus, MarkStatus, SessionStatus,
    TrainingSession,
)
from planner.training.progress import person_progress
from planner.training.queries import requirement_matches

DEFAULT_CAPACITY = 12
DEFAULT_START_TIME = time(9, 0)


@dataclass(frozen=True)
class Need:
    """How many people of a region still need a course (not enrolled, waitlisted nor trained)."""

    region_id: int
    course_id: int
    people: int
    duration_minutes: int


@dataclass(frozen=True)
class RegionWindow:
    """A region's go-live, its working days and zone, which fix the days its training may take place."""

    region_id: int
    go_live: date
    time_zone: str
    calendar: WorkingCalendar


@dataclass(frozen=True)
class Proposal:
    """One session the planner proposes: local wall time in the region's zone, and the same instants in UTC."""

    region_id: int
    course_id: int
    trainer_id: int
    day: date
    start_time: time
    duration_minutes: int
    capacity: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Problem:
    """Sessions the planner could not place. ``reason``: "no_trainer" (nobody free on any day of the window) or
    "window_passed" (no day of the window is left)."""

    region_id: int
    course_id: int
    sessions: int
    reason: str


@dataclass
class Plan:
    proposals: list[Proposal] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def window_days(window: RegionWindow, *, min_lead_days: int, max_lead_days: int, earliest: date) -> list[date]:
    """The working days on which a session may end and still be inside the window (between ``max_lead_days`` and
    ``min_lead_days`` working days before go-live, as ``session_queries.window_flags`` counts), from ``earliest``
    on, latest first."""
    calendar = window.calendar
    last = calendar.add_working_days(window.go_live, -min_lead_days)
    first = max(calendar.add_working_days(window.go_live, -max_lead_days), calendar.next_working_day(earliest))
    if last < first:
        return []
    days = calendar.days_at(calendar.day_index(first), calendar.day_index(last))
    return list(reversed(days))


def _instants(day: date, start_time: time, zone_name: str, duration_minutes: int) -> tuple[datetime, datetime] | None:
    """The UTC start and end of a local wall time; None when the time does not exist that day (clocks change)."""
    start = wall_time_instant(datetime.combine(day, start_time), zone_name)
    return None if start is None else (start, start + timedelta(minutes=duration_minutes))


def _is_free(busy: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    return all(not (busy_start < end and busy_end > start) for busy_start, busy_end in busy)


def _next_free(trainer_ids: list[int], busy: dict, turn: int, start: datetime, end: datetime) -> int | None:
    """The index of the first trainer free from start to end, counting from ``turn`` round the list."""
    for offset in range(len(trainer_ids)):
        index = (turn + offset) % len(trainer_ids)
        if _is_free(busy[trainer_ids[index]], start, end):
            return index
    return None


def plan_sessions(needs: list[Need], windows: dict[int, RegionWindow], trainer_ids: list[int],
                  busy: dict[int, list[tuple[datetime, datetime]]], *, capacity: int = DEFAULT_CAPACITY,
                  start_time: time = DEFAULT_START_TIME, min_lead_days: int, max_lead_days: int,
                  earliest: date) -> Plan:
    """Propose ceil(people / capacity) sessions per need on the latest free days of its region's window.

    ``busy``: each trainer's existing sessions as UTC (start, end) pairs; proposals are added to it as they are
    made, so no trainer is proposed twice at once. Trainers are taken in turn (the one after the last chosen goes
    first), so the work is shared. Regions with the earliest go-live are planned first. Needs whose region has no
    window, and needs of nobody, are skipped. Nothing is ever proposed before ``earliest`` (a day, in every zone).
    """
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    plan = Plan()
    busy = {trainer_id: list(busy.get(trainer_id, ())) for trainer_id in trainer_ids}
    turn = 0
    ordered = sorted((need for need in needs if need.people > 0 and need.region_id in windows),
                     key=lambda need: (windows[need.region_id].go_live, need.region_id, need.course_id))
    for need in ordered:
        window = windows[need.region_id]
        wanted = ceil(need.people / capacity)
        days = window_days(window, min_lead_days=min_lead_days, max_lead_days=max_lead_days, earliest=earliest)
        if not days:
            plan.problems.append(Problem(need.region_id, need.course_id, wanted, "window_passed"))
            continue
        placed = 0
        for day in days:
            instants = _instants(day, start_time, window.time_zone, need.duration_minutes)
            if instants is None:
                continue
            start, end = instants
            while placed < wanted:
                trainer_index = _next_free(trainer_ids, busy, turn, start, end)
                if trainer_index is None:
                    break
                trainer_id = trainer_ids[trainer_index]
                busy[trainer_id].append((start, end))
                plan.proposals.append(Proposal(need.region_id, need.course_id, trainer_id, day, start_time,
                                               need.duration_minutes, capacity, start, end))
                placed += 1
                turn = trainer_index + 1
            if placed == wanted:
                break
        if placed < wanted:
            plan.problems.append(Problem(need.region_id, need.course_id, wanted - placed, "no_trainer"))
    plan.proposals.sort(key=lambda proposal: (proposal.starts_at, proposal.region_id, proposal.course_id))
    return plan


# --- reading what the planner needs, and saving what it proposes --------------------------------------------

def free_seats(programme_id: int, region_ids, now: datetime) -> dict[tuple[int, int], int]:
    """{(region id, course id): seats still free in the region's live sessions of the course not yet ended}, so
    sessions already proposed or scheduled are not proposed again. One query."""
    taken = (select(func.count(Enrolment.id)).where(Enrolment.session_id == TrainingSession.id,
                                                    Enrolment.status == EnrolmentStatus.ENROLLED)
             .correlate(TrainingSession).scalar_subquery())
    seats: dict[tuple[int, int], int] = {}
    for region_id, course_id, capacity, enrolled in db.session.execute(
            select(TrainingSession.region_id, TrainingSession.course_id, TrainingSession.capacity, taken)
            .where(TrainingSession.programme_id == programme_id, TrainingSession.region_id.in_(list(region_ids)),
                   TrainingSession.status != SessionStatus.CANCELLED, TrainingSession.ends_at >= now)):
        seats[(region_id, course_id)] = seats.get((region_id, course_id), 0) + max(0, capacity - enrolled)
    return seats


def count_needs(programme_id: int, region_ids, now: datetime | None = None) -> list[Need]:
    """For each region given and each course given in sessions (not self-paced): how many of the region's people
    need it and are neither enrolled nor waitlisted in a live session of it, nor marked present or late in one;
    with ``now``, less the seats still free in the region's upcoming sessions of the course. Two queries.

    Only people whose kept progress says they still miss a course are looked at (who completed every course
    they need is neither counted nor checked course by course): 20,000 people at scale 10 took 1 s on SQLite,
    10,000 of them untrained 0.16 s."""
    region_ids = list(region_ids)
    if not region_ids:
        return []
    taken = exists(select(Enrolment.id).join(TrainingSession, TrainingSession.id == Enrolment.session_id).where(
        Enrolment.person_id == Person.id, TrainingSession.course_id == Course.id,
        TrainingSession.status != SessionStatus.CANCELLED,
        Enrolment.status.in_((EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED))))
    trained = exists(select(AttendanceMark.id).join(TrainingSession, TrainingSession.id == AttendanceMark.session_id)
                     .where(AttendanceMark.person_id == Person.id, TrainingSession.course_id == Course.id,
                            AttendanceMark.status.in_((MarkStatus.PRESENT, MarkStatus.LATE))))
    progress = person_progress(programme_id)
    rows = db.session.execute(
        select(Person.region_id, Course.id, Course.duration_minutes, func.count(distinct(Person.id)))
        .select_from(progress)
        .join(Person, Person.id == progress.c.person_id)
        .join(CourseRequirement, and_(CourseRequirement.programme_id == Person.programme_id,
                                      requirement_matches(Person.job_role_key, Person.department_id)))
        .join(Course, Course.id == CourseRequirement.course_id)
        .where(progress.c.completed < progress.c.needed,
               Course.programme_id == programme_id, Course.format != CourseFormat.SELF_PACED,
               Person.region_id.in_(region_ids), ~taken, ~trained)
        .group_by(Person.region_id, Course.id, Course.duration_minutes))
    seats = free_seats(programme_id, region_ids, now) if now is not None else {}
    return [Need(region_id, course_id, people - seats.get((region_id, course_id), 0), duration)
            for region_id, course_id, duration, people in rows if people > seats.get((region_id, course_id), 0)]


def region_windows(programme: Programme) -> dict[int, RegionWindow]:
    """Each region with a go-live: its go-live, zone and working calendar (three queries)."""
    go_lives = session_queries.go_live_by_region(programme.id)
    if not go_lives:
        return {}
    calendars = session_queries.region_calendars(programme, go_lives)
    zones = dict(db.session.execute(select(Region.id, Region.time_zone).where(Region.id.in_(list(go_lives)))).all())
    return {region_id: RegionWindow(region_id, go_live, zones[region_id], calendars[region_id])
            for region_id, go_live in go_lives.items()}


def trainers_busy(trainer_ids: list[int], *, since: datetime, until: datetime) -> dict[int, list]:
    """The trainers' live sessions (in any programme) between two instants, as UTC (start, end) pairs."""
    busy: dict[int, list] = {trainer_id: [] for trainer_id in trainer_ids}
    if not trainer_ids:
        return busy
    rows = db.session.execute(select(TrainingSession.trainer_id, TrainingSession.starts_at, TrainingSession.ends_at)
                              .where(TrainingSession.trainer_id.in_(trainer_ids),
                                     TrainingSession.status != SessionStatus.CANCELLED,
                                     TrainingSession.ends_at > since, TrainingSession.starts_at < until))
    for trainer_id, start, end in rows:
        busy[trainer_id].append((start, end))
    return busy


def propose_sessions(programme: Programme, *, now: datetime, capacity: int = DEFAULT_CAPACITY,
                     start_time: time = DEFAULT_START_TIME) -> Plan:
    """The planner's proposals for the programme as it stands (read only; nothing is written). Sessions start
    from tomorrow (UTC) on."""
    windows = region_windows(programme)
    needs = count_needs(programme.id, windows, now)
    trainer_ids = [trainer_id for trainer_id, _email in session_queries.trainer_choices(programme.id)]
    latest = max((window.go_live for window in windows.values()), default=now.date())
    busy = trainers_busy(trainer_ids, since=now,
                         until=datetime.combine(latest + timedelta(days=2), time(), tzinfo=timezone.utc))
    return plan_sessions(needs, windows, trainer_ids, busy, capacity=capacity, start_time=start_time,
                         min_lead_days=programme.training_min_lead_days,
                         max_lead_days=programme.training_max_lead_days, earliest=now.date() + timedelta(days=1))


def save_proposals(programme: Programme, proposals: list[Proposal]) -> list[TrainingSession]:
    """Create the proposals as PROPOSED sessions (nothing is sent); a trainer who became busy meanwhile refuses
    the whole lot (DomainError), so nothing half-planned is kept."""
    return [sessions.create_session(programme, course_id=proposal.course_id, region_id=proposal.region_id,
                                    trainer_id=proposal.trainer_id, start_on=proposal.day,
                                    start_time=proposal.start_time, duration_minutes=proposal.duration_minutes,
                                    location="", online_url="", capacity=proposal.capacity)
            for proposal in proposals]


@dataclass(frozen=True)
class Reschedule:
    """A live session outside its region's window (after a go-live moved), with the window it should be in."""

    session: TrainingSession
    flag: session_queries.WindowFlag
    #: the first and last day the session may end on
    window_first: date
    window_last: date


def sessions_to_reschedule(programme: Programme, *, now: datetime, limit: int = 200) -> list[Reschedule]:
    """Live sessions not yet ended whose window flag says they are outside the training window (typically after a
    re-plan moved the go-live), soonest first, with their region's current go-live and the window they belong in.
    At most ``limit`` upcoming sessions are looked at; a fixed number of queries."""
    candidates = list(db.session.scalars(
        select(TrainingSession).where(TrainingSession.programme_id == programme.id,
                                      TrainingSession.status != SessionStatus.CANCELLED,
                                      TrainingSession.ends_at >= now)
        .options(joinedload(TrainingSession.course), joinedload(TrainingSession.region),
                 joinedload(TrainingSession.trainer))
        .order_by(TrainingSession.starts_at, TrainingSession.id).limit(limit)))
    flags = session_queries.window_flags(programme, candidates)
    if not flags:
        return []
    calendars = session_queries.region_calendars(programme, {s.region_id for s in candidates if s.id in flags})
    result = []
    for session in candidates:
        flag = flags.get(session.id)
        if flag is None:
            continue
        calendar = calendars[session.region_id]
        result.append(Reschedule(session, flag,
                                 calendar.add_working_days(flag.go_live, -programme.training_max_lead_days),
                                 calendar.add_working_days(flag.go_live, -programme.training_min_lead_days)))
    return result
