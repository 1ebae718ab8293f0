"""Training readiness: who is trained against the requirement map, who is not yet (with the days left to their
region's go-live), who missed a session and needs a make-up, and the training evidence of the wave gate.

Who needs and who completed which course is defined in planner/training/progress.py, which also keeps each
person's progress. A person is *trained* when every course they need is completed. Every function here answers
in a fixed number of queries, however many people there are.
"""
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, event, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Department, Programme, Region
from planner.rollout import evidence
from planner.rollout.models import Wave, WaveRegion
from planner.training.models import Course, Enrolment, EnrolmentStatus, MarkStatus, SessionStatus, TrainingSession
from planner.training.progress import completed_pairs, needed_pairs, person_kinds, person_misses, person_progress

#: the most no-shows a page lists (the count above it says how many there are)
NO_SHOW_LIMIT = 200


# --- the figures -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Completion:
    """One row of a readiness table: how many people of a group need training and how many are trained."""

    label: str
    needing: int
    trained: int
    #: the group's id (region, department) or key (lower-case job role); None for "no region" and the like
    key: int | str | None = None

    @property
    def untrained(self) -> int:
        return self.needing - self.trained

    @property
    def percent(self) -> float | None:
        """Share trained, 0-100; None when nobody here needs training."""
        return self.trained * 100 / self.needing if self.needing else None


@dataclass(frozen=True)
class Readiness:
    by_region: list[Completion]
    by_department: list[Completion]
    by_role: list[Completion]
    total: Completion
    #: (region id, department id, role key, people): every person of the programme counted per kind, those who
    #: need no course too; read in the same pass, for ``training.queries.need_counts``
    kinds: tuple[tuple[int | None, int | None, str, int], ...] = ()


def readiness(programme: Programme) -> Readiness:
    """Completion per region (every region, even with nobody to train), per department and per job role (roles
    matched without regard to case, as requirements are). One read of the kept kinds (people alike in region,
    department and role, with their progress summed: ``progress.person_kinds``), summed here; kept on the
    database session until it writes (see ``_forget``), so the pages, the health check and the wave gate of one
    request share it."""
    return _cached_readiness(programme.id)


def _cached_readiness(programme_id: int) -> Readiness:
    _forget_if_unflushed()
    cache = db.session.info.setdefault(_READINESS_KEY, {})
    if programme_id not in cache:
        figures = _readiness(programme_id)
        db.session.info.setdefault(_READINESS_KEY, {})[programme_id] = figures  # autoflush may have dropped it
        return figures
    return cache[programme_id]


def _readiness(programme_id: int) -> Readiness:
    kinds = person_kinds(programme_id)
    groups = db.session.execute(  # the kept kinds, from their covering index
        select(kinds.c.region_id, kinds.c.department_id, kinds.c.job_role_key, kinds.c.people,
               case((kinds.c.needing > 0, kinds.c.job_role)), kinds.c.needing, kinds.c.trained)).all()
    regions, departments, roles, role_labels = {}, {}, {}, {}
    for region_id, department_id, key, _people, label, needing, done in groups:
        if not needing:  # a kind nobody of which needs a course: counted in ``kinds`` only
            continue
        for figures, group in ((regions, region_id), (departments, department_id), (roles, key)):
            figures[group] = _add(figures.get(group), needing, done or 0)
        if label and (key not in role_labels or label < role_labels[key]):
            role_labels[key] = label

    by_region = [Completion(name, *regions.get(region_id, (0, 0)), key=region_id)
                 for region_id, name in db.session.execute(
                     select(Region.id, Region.name).where(Region.programme_id == programme_id).order_by(Region.name))]
    if None in regions:
        by_region.append(Completion(_("No region"), *regions[None]))

    names = {department_id: name for department_id, name in db.session.execute(
        select(Department.id, Department.name).where(Department.programme_id == programme_id))}
    by_department = [Completion(names[key] if key is not None else _("No department"), *departments[key], key=key)
                     for key in sorted(departments, key=lambda key: (key is None, names.get(key, "")))]

    by_role = [Completion(role_labels.get(key) or _("No job role"), *roles[key], key=key)
               for key in sorted(roles, key=lambda key: (key == "", key or ""))]

    total = Completion(_("All regions"), sum(row.needing for row in by_region), sum(row.trained for row in by_region))
    kinds = tuple((region_id, department_id, key or "", people)
                  for region_id, department_id, key, people, *_figures in groups)
    return Readiness(by_region, by_department, by_role, total, kinds)


def _add(figures: tuple[int, int] | None, needing: int, trained: int) -> tuple[int, int]:
    return (needing, trained) if figures is None else (figures[0] + needing, figures[1] + trained)


# --- people still untrained --------------------------------------------------------------------------------

def go_live_column():
    """SQL form of ``session_queries.go_live_by_region``: the day the region went live, else its wave's planned
    go-live (needs Region, WaveRegion and Wave joined)."""
    return func.coalesce(Region.live_on, Wave.planned_go_live)


def untrained_people(programme_id: int, region_id: int | None = None, *,
                     among: list[int] | None = None) -> Select:
    """People who need training and have not completed all of it, soonest go-live first (regions without a
    go-live last), then by name; their region and department loaded. ``among``: only the people of these
    regions (``regions_first_to_go_live``), which hold the first rows."""
    progress = person_progress(programme_id)
    go_live = go_live_column()
    query = (select(Person).join(progress, progress.c.person_id == Person.id)
             .outerjoin(Region, Region.id == Person.region_id)
             .outerjoin(WaveRegion, WaveRegion.region_id == Region.id).outerjoin(Wave, Wave.id == WaveRegion.wave_id)
             .where(progress.c.completed < progress.c.needed)
             .options(contains_eager(Person.region), joinedload(Person.department))
             .order_by(case((go_live.is_(None), 1), else_=0), go_live, Person.full_name, Person.id))
    if region_id is not None:
        query = query.where(Person.region_id == region_id)
    if among is not None:
        query = query.where(Person.region_id.in_(among))
    return query


def regions_first_to_go_live(figures: Readiness, go_lives: dict[int, date], rows: int) -> list[int] | None:
    """The regions whose untrained people ``untrained_people`` lists first, through the go-live day that holds
    its first ``rows`` people (counted in ``figures``): a page drawn from them alone equals the page drawn from
    everyone, and its sort reads a few regions' people, not the programme's (10,000 untrained at scale 10).
    None when the rows reach the people without a go-live: all of them are needed then."""
    by_day: dict[date, list[Completion]] = {}
    for row in figures.by_region:
        if row.key is not None and row.key in go_lives:
            by_day.setdefault(go_lives[row.key], []).append(row)
    regions, counted = [], 0
    for day in sorted(by_day):
        regions += [row.key for row in by_day[day]]
        counted += sum(row.untrained for row in by_day[day])
        if counted >= rows:
            return regions
    return None


def missing_courses(programme_id: int, person_ids: list[int]) -> dict[int, list[str]]:
    """{person id: titles of the courses they still need}, for a page of people in one query."""
    if not person_ids:
        return {}
    needed = needed_pairs(programme_id).where(Person.id.in_(person_ids)).subquery("needed")
    completed = completed_pairs(programme_id, person_ids).subquery("completed")
    missing: dict[int, list[str]] = {person_id: [] for person_id in person_ids}
    for person_id, title in db.session.execute(
            select(needed.c.person_id, Course.title).join(Course, Course.id == needed.c.course_id)
            .outerjoin(completed, and_(completed.c.person_id == needed.c.person_id,
                                       completed.c.course_id == needed.c.course_id))
            .where(completed.c.course_id.is_(None)).order_by(Course.title, Course.id)):
        missing[person_id].append(title)
    return missing


def days_to_go(go_live: date | None, today: date) -> int | None:
    """Calendar days from today to a go-live (negative once it has passed)."""
    return None if go_live is None else (go_live - today).days


# --- no-shows ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NoShow:
    """Someone who missed a session and has not completed its course elsewhere: they need a make-up session."""

    person_id: int
    full_name: str
    region_id: int | None
    region: str | None
    course_id: int
    course_title: str
    session_id: int
    local_start: datetime
    time_zone: str
    #: ABSENT, or None when left unmarked on a completed roster
    mark: MarkStatus | None
    #: already enrolled or waitlisted in a later session of the course
    has_make_up: bool


@dataclass(frozen=True)
class NoShows:
    """The first no-shows, latest missed session first, and how many there are in all."""

    shown: list[NoShow]
    total: int


def no_shows(programme_id: int, now: datetime, region_id: int | None = None, *,
             limit: int = NO_SHOW_LIMIT) -> NoShows:
    """Who needs a make-up session: one entry per person and course (their latest missed session among those
    ended by ``now``), latest first, then by name; the first ``limit`` of them and how many there are.

    From the kept misses (progress.person_misses): the entries are counted in the index, and the first are
    found by reading the misses latest first until ``limit`` people and courses are seen (a miss of a pair
    seen already is an earlier one), not by ranking every miss of the programme. Only those are named and
    looked up for a booked make-up."""
    misses = person_misses(programme_id)
    chosen = [misses.c.ends_at < now]
    if region_id is not None:
        chosen.append(misses.c.person_id.in_(select(Person.id).where(Person.region_id == region_id)))
    total = db.session.scalar(select(func.count()).select_from(
        select(misses.c.person_id, misses.c.course_id).where(*chosen).distinct().subquery()))
    latest: dict[tuple[int, int], tuple[int, datetime, MarkStatus | None]] = {}
    if total:
        rows = db.session.execute(
            select(misses.c.person_id, misses.c.course_id, misses.c.session_id, misses.c.starts_at, misses.c.mark)
            .where(*chosen).order_by(misses.c.starts_at.desc(), misses.c.session_id.desc())
            .execution_options(yield_per=limit))
        last_session = None
        for person_id, course_id, session_id, starts_at, mark in rows:
            # past the limit, the rest of the last session's misses still count: its people are ordered by name
            if len(latest) >= limit and session_id != last_session:
                break
            if (person_id, course_id) not in latest:
                latest[person_id, course_id] = session_id, starts_at, mark
                last_session = session_id
        rows.close()
    shown = _named(latest, now)
    return NoShows(shown[:limit], total or 0)


def _named(latest: dict[tuple[int, int], tuple[int, datetime, MarkStatus | None]], now: datetime) -> list[NoShow]:
    """The entries of these (person, course): session, its start, mark; with the person's name and region, the
    course's title and the session's local start, latest first, then by name; in three queries (the people, the
    sessions, their booked make-ups), however many entries."""
    if not latest:
        return []
    person_ids = sorted({person_id for person_id, _course_id in latest})
    session_ids = sorted({session_id for session_id, _starts_at, _mark in latest.values()})
    people = {row.id: row for row in db.session.execute(
        select(Person.id, Person.full_name, Person.region_id, Region.name)
        .outerjoin(Region, Region.id == Person.region_id).where(Person.id.in_(person_ids)))}
    sessions = {row.id: row for row in db.session.execute(
        select(TrainingSession.id, TrainingSession.local_start, TrainingSession.time_zone, Course.title)
        .join(Course, Course.id == TrainingSession.course_id).where(TrainingSession.id.in_(session_ids)))}
    booked = _booked_make_ups(set(person_ids), now)
    entries = sorted(latest.items(), key=lambda item: (-item[1][1].timestamp(), -item[1][0],
                                                        people[item[0][0]].full_name, item[0][0]))
    return [NoShow(person_id, people[person_id].full_name, people[person_id].region_id, people[person_id].name,
                   course_id, sessions[session_id].title, session_id, sessions[session_id].local_start,
                   sessions[session_id].time_zone, mark,
                   has_make_up=any(booked_course == course_id and booked_session != session_id
                                   for booked_course, booked_session in booked.get(person_id, ())))
            for (person_id, course_id), (session_id, _starts_at, mark) in entries]


def _booked_make_ups(person_ids: set[int], now: datetime) -> dict[int, list[tuple[int, int]]]:
    """{person id: (course id, session id) of each seat or waitlist place they hold in a session not yet over
    and not cancelled}."""
    booked: dict[int, list[tuple[int, int]]] = {}
    if not person_ids:
        return booked
    for person_id, course_id, session_id in db.session.execute(
            select(Enrolment.person_id, TrainingSession.course_id, TrainingSession.id)
            .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
            .where(Enrolment.person_id.in_(sorted(person_ids)), TrainingSession.status != SessionStatus.CANCELLED,
                   TrainingSession.ends_at >= now,
                   Enrolment.status.in_((EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)))):
        booked.setdefault(person_id, []).append((course_id, session_id))
    return booked


# --- the wave gate's evidence -------------------------------------------------------------------------------

_READINESS_KEY = "training_readiness"


def completion_by_region(region_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{region id: (people needing training, trained)} for every region of the programme of ``region_ids``."""
    _forget_if_unflushed()
    for figures in db.session.info.get(_READINESS_KEY, {}).values():  # the gate asks once per wave: no query
        by_region = _figures_by_region(figures)
        if all(region_id in by_region for region_id in region_ids):
            return by_region
    programme_id = db.session.scalar(select(Region.programme_id).where(Region.id.in_(region_ids)).limit(1))
    return {} if programme_id is None else _figures_by_region(_cached_readiness(programme_id))


def _figures_by_region(figures: Readiness) -> dict[int, tuple[int, int]]:
    return {row.key: (row.needing, row.trained) for row in figures.by_region if row.key is not None}


def _forget_if_unflushed() -> None:
    """Pending changes are flushed by the next query: figures kept from before them are stale already."""
    if db.session.new or db.session.dirty or db.session.deleted:
        _forget(db.session)


def _forget(session, *args) -> None:
    session.info.pop(_READINESS_KEY, None)


def _forget_when_the_transaction_ends(session, transaction) -> None:
    """The session's own transaction ended (commit or rollback): others' commits may show from now on. A
    savepoint released inside it changes nothing this session has not flushed (and forgotten) already."""
    if transaction.parent is None:
        _forget(session)


def _forget_on_write(state) -> None:
    """Any statement but a SELECT run through the session (an upserted mark is one) may change the figures."""
    if not state.is_select:
        _forget(state.session)


class TrainingEvidence:
    """The wave gate's training evidence (planner/rollout/evidence.py); adoption comes with the adoption area.

    The gate asks once per wave; the figures of all the programme's regions come from ``readiness``, read at
    the first question and kept on the database session until it writes anything (a flush, a DML statement),
    commits or rolls back: the gate pages keep a fixed number of queries however many waves there are.
    """

    def training_completion_pct(self, region_ids: list[int]) -> float | None:
        """Share (0-100) of the people of these regions who need training and are trained; None when nobody
        there needs any course."""
        if not region_ids:
            return None
        figures = completion_by_region(list(region_ids))
        needing = sum(figures.get(region_id, (0, 0))[0] for region_id in region_ids)
        trained = sum(figures.get(region_id, (0, 0))[1] for region_id in region_ids)
        return trained * 100 / needing if needing else None

    def adoption_pct(self, region_ids: list[int]) -> float | None:
        """Training only: the source create_app registers, planner.adoption.evidence.GateEvidence, delegates
        training here and answers adoption from the weekly figures."""
        return None


def install() -> None:
    """Make training the source of the wave gate's training evidence (called from create_app, which then lets
    planner.adoption.evidence.install() register the source that adds adoption and delegates training here)."""
    for name, forget in (("after_flush", _forget), ("after_transaction_end", _forget_when_the_transaction_ends),
                         ("after_soft_rollback", _forget), ("do_orm_execute", _forget_on_write)):
        if not event.contains(Session, name, forget):
            event.listen(Session, name, forget)
    evidence.register_source(TrainingEvidence())
