"""Who needs which course, who completed it, and each person's progress, kept in ``training_progress``; the
people counted per kind with their progress summed, kept in ``training_kind``; the seats missed and not made up
since, kept in ``training_miss``; the enrolments of each session, counted in ``enrolment_count``.

A person *needs* a course when one of its requirements matches them (planner/training/queries.py). A need is
*completed* by an attendance mark present or late in a session of that course that is not cancelled.

Readiness (planner/training/readiness.py) sums, for every person of a programme, how many courses they need
and how many of those they completed. Worked out from the requirements and the marks, that is a pass over
every person and mark of the programme (0.2 s at 20,000 people on SQLite) on every dashboard, so the answer is
kept in the table ``training_progress``, one row per person who needs a course. The pages then sum those rows
per region, department and job role; people alike in all three (a *kind*) need the same courses, so their
count and how many of them are trained are kept too, in ``training_kind`` (1,500 rows for 20,000 people).
The readiness page's no-shows are seats *missed*: enrolled, then marked absent or left unmarked on a completed
roster, in a course not completed in any session; found among every enrolment (90,000 at scale 10), they are
kept too, in ``training_miss``, with their session's times (whether it has ended is asked when they are read).
The API's list of a programme's enrolments gives their total, counted among all of them on each request (97,000
at scale 10); so the enrolments are counted per session in ``enrolment_count``, and the total is a sum of 2,000
rows.
This module keeps all four right:

- every write that can change someone's progress or kind is noted as it reaches the database, from the
  session's flushes and from the insert, update and delete statements run through it (``_note_flush``,
  ``_note_statement``): a person's role or department, a mark, or a seat taken, given up or moved notes that
  person; a person added, removed or moved to another region, department or role spelling notes their
  regions' kinds; a seat taken or given up, or an enrolment moved, notes its sessions (their counts); a
  session's roster completed or its times moved notes its seats' people (their misses); a person about to be
  deleted notes the sessions they are enrolled in (their enrolments go with them: ``_note_before_flush``); a
  requirement, a deleted course, department or region (whose sessions go with it), or a session cancelled,
  moved to another course or deleted notes the whole programme; a statement whose rows cannot be told notes
  every programme; a person deleted takes their rows with them, and a session deleted its count (foreign
  keys);
- when the session commits, the noted people, sessions and programmes are worked out again from the source
  rows, then the kinds of the regions they are in, in the same transaction (``_refresh_at_commit``), so the
  kept rows agree with every committed state; on PostgreSQL two commits reworking the same programme take turns
  (``_lock``);
- until then, a read in the same transaction after a noted write works progress, kinds, misses and counts out
  from the source rows instead (``person_progress``, ``person_kinds``, ``person_misses``, ``enrolment_total``),
  so a page never shows figures from before its own changes.

The test suite checks after every test that the kept rows of all four tables equal the worked-out ones
(tests/conftest.py).
"""
from collections import defaultdict
from itertools import chain

from sqlalchemy import (
    Delete, Insert, Select, Update, and_, case, delete, event, exists, func, insert, inspect, or_, select,
)
from sqlalchemy.orm import Session, aliased

from planner.core import locks
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Department, Programme, Region
from planner.training.models import (
    AttendanceMark, Course, CourseRequirement, Enrolment, EnrolmentCount, EnrolmentStatus, MarkStatus,
    SessionStatus, TrainingKind, TrainingMiss, TrainingProgress, TrainingSession,
)
from planner.training.queries import person_meets_requirement

#: the marks that complete a course
COMPLETING_MARKS = (MarkStatus.PRESENT, MarkStatus.LATE)
#: people worked out again per statement: keeps the ``IN`` lists short on every database
_CHUNK = 500
_NOTED_KEY = "training_progress_noted"
#: what progress is worked out from: a write to one of these is noted
_SOURCE_MODELS = (Person, AttendanceMark, CourseRequirement, Course, TrainingSession, Department, Enrolment)
_SOURCE_TABLES = frozenset(model.__tablename__ for model in _SOURCE_MODELS)
#: source tables whose inserted rows name the one person they change (an upserted mark, a seat)
_PERSON_ROW_TABLES = frozenset((AttendanceMark.__tablename__, Enrolment.__tablename__))
#: a person's fields that place them in a kind (the role's spelling labels it)
_KIND_FIELDS = ("region_id", "department_id", "job_role_key", "job_role")
#: the columns of ``training_kind`` that kinds are worked out into, in the order ``kinds_of`` selects them
_KIND_COLUMNS = ("programme_id", "region_id", "department_id", "job_role_key", "job_role", "people", "needing",
                 "trained")
#: the columns of ``training_miss``, in the order ``missed`` selects them
MISS_COLUMNS = ("enrolment_id", "person_id", "programme_id", "course_id", "session_id", "starts_at", "ends_at",
                "mark")
#: a session's fields that decide whether its seats were missed, and when
_MISS_SESSION_FIELDS = ("roster_completed_at", "starts_at", "ends_at")
#: an enrolment's fields that decide whether it holds a seat, and whose
_MISS_ENROLMENT_FIELDS = ("status", "session_id", "person_id")
#: the columns of ``enrolment_count``, in the order ``counted`` selects them
COUNT_COLUMNS = ("session_id", "programme_id", "enrolments")


# --- the definitions: needs and completions ----------------------------------------------------------------

def needed_pairs(programme_id) -> Select:
    """(person_id, programme_id, course_id) of every course a person of the programme needs, once each.
    ``programme_id`` may be a number or an SQL expression."""
    return _needed(Person.programme_id == programme_id)


def _needed(people) -> Select:
    return (select(Person.id.label("person_id"), Person.programme_id.label("programme_id"),
                   CourseRequirement.course_id.label("course_id"))
            .join(CourseRequirement, and_(CourseRequirement.programme_id == Person.programme_id,
                                          person_meets_requirement()))
            .where(people).distinct())


def completed_pairs(programme_id, person_ids: list[int] | None = None) -> Select:
    """(person_id, course_id, completed_on) of every course a person of the programme completed, with the local
    start of the first session that completed it. ``person_ids``: only these people of the programme, read from
    their own marks (a page of people costs the same whatever the programme's size; a person is marked only in
    their programme's sessions)."""
    marks = (TrainingSession.programme_id == programme_id if person_ids is None
             else AttendanceMark.person_id.in_(person_ids))
    return (select(AttendanceMark.person_id.label("person_id"), TrainingSession.course_id.label("course_id"),
                   func.min(TrainingSession.local_start).label("completed_on"))
            .join(TrainingSession, TrainingSession.id == AttendanceMark.session_id)
            .where(marks, TrainingSession.status != SessionStatus.CANCELLED,
                   AttendanceMark.status.in_(COMPLETING_MARKS))
            .group_by(AttendanceMark.person_id, TrainingSession.course_id))


def worked_out(*, programme_id: int | None = None, person_ids: list[int] | None = None) -> Select:
    """(person_id, programme_id, needed, completed) from the source rows, for the people of one programme or
    the given people (of any programme); only people who need a course."""
    people = Person.programme_id == programme_id if person_ids is None else Person.id.in_(person_ids)
    marks = (TrainingSession.programme_id == programme_id if person_ids is None
             else AttendanceMark.person_id.in_(person_ids))
    needed = _needed(people).subquery("needed")
    completed = (select(AttendanceMark.person_id.label("person_id"), TrainingSession.course_id.label("course_id"))
                 .join(TrainingSession, TrainingSession.id == AttendanceMark.session_id)
                 .where(marks, TrainingSession.status != SessionStatus.CANCELLED,
                        AttendanceMark.status.in_(COMPLETING_MARKS))
                 .distinct().subquery("completed"))
    return (select(needed.c.person_id, needed.c.programme_id, func.count(needed.c.course_id).label("needed"),
                   func.count(completed.c.course_id).label("completed"))
            .select_from(needed)
            .outerjoin(completed, and_(completed.c.person_id == needed.c.person_id,
                                       completed.c.course_id == needed.c.course_id))
            .group_by(needed.c.person_id, needed.c.programme_id))


#: the sessions and marks that complete a missed seat's course, aliased once (aliased on every call, they cost
#: each mark's commit 2 ms of its 8 at scale 10)
_OTHER_SESSION, _COMPLETING_MARK = aliased(TrainingSession, name="other"), aliased(AttendanceMark, name="done")


def missed(*, programme_id: int | None = None, person_ids: list[int] | None = None) -> Select:
    """(enrolment_id, person_id, programme_id, course_id, session_id, starts_at, ends_at, mark) of every seat
    missed in a session of one programme, or by the given people: enrolled in a session that is not cancelled,
    then marked absent, or left unmarked on a completed roster, in a course the person has not completed in
    any session (not cancelled) since or before. Whether the session has ended is not asked: readers ask it.

    The missed seats are found first, and only they are checked against the person's other marks."""
    seats = (TrainingSession.programme_id == programme_id if person_ids is None
             else Enrolment.person_id.in_(person_ids))
    other, done = _OTHER_SESSION, _COMPLETING_MARK
    completed_elsewhere = exists(select(done.id).join(other, other.id == done.session_id).where(
        done.person_id == Enrolment.person_id, other.course_id == TrainingSession.course_id,
        other.status != SessionStatus.CANCELLED, done.status.in_(COMPLETING_MARKS)))
    return (select(Enrolment.id.label("enrolment_id"), Enrolment.person_id, TrainingSession.programme_id,
                   TrainingSession.course_id, TrainingSession.id.label("session_id"), TrainingSession.starts_at,
                   TrainingSession.ends_at, AttendanceMark.status.label("mark"))
            .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
            .outerjoin(AttendanceMark, and_(AttendanceMark.session_id == Enrolment.session_id,
                                            AttendanceMark.person_id == Enrolment.person_id))
            .where(seats, Enrolment.status == EnrolmentStatus.ENROLLED,
                   TrainingSession.status != SessionStatus.CANCELLED,
                   or_(AttendanceMark.status == MarkStatus.ABSENT,
                       and_(AttendanceMark.id.is_(None), TrainingSession.roster_completed_at.is_not(None))),
                   ~completed_elsewhere))


def counted(*, programme_id: int | None = None, session_ids: list[int] | None = None) -> Select:
    """(session_id, programme_id, enrolments) of every session of one programme, or of the given sessions, that
    has an enrolment: how many, whatever their status."""
    sessions = (TrainingSession.programme_id == programme_id if session_ids is None
                else Enrolment.session_id.in_(session_ids))
    return (select(Enrolment.session_id, TrainingSession.programme_id, func.count(Enrolment.id).label("enrolments"))
            .join(TrainingSession, TrainingSession.id == Enrolment.session_id).where(sessions)
            .group_by(Enrolment.session_id, TrainingSession.programme_id))


def person_progress(programme_id: int):
    """A subquery: (person_id, needed, completed) for every person of the programme who needs a course; the
    kept rows, or worked out from the source rows while this transaction has writes not yet reflected in
    them."""
    if pending(db.session):
        rows = worked_out(programme_id=programme_id).subquery("worked_out")
        return select(rows.c.person_id, rows.c.needed, rows.c.completed).subquery("progress")
    return (select(TrainingProgress.person_id, TrainingProgress.needed, TrainingProgress.completed)
            .where(TrainingProgress.programme_id == programme_id).subquery("progress"))


def kinds_of(progress, *people) -> Select:
    """(programme_id, region_id, department_id, job_role_key, job_role, people, needing, trained) of every kind
    of the people selected by ``people`` (conditions on Person), with the progress rows of ``progress`` (a
    subquery of person_id, needed, completed): the rows ``training_kind`` keeps."""
    return (select(Person.programme_id, Person.region_id, Person.department_id, Person.job_role_key,
                   func.min(Person.job_role).label("job_role"), func.count(Person.id).label("people"),
                   func.count(progress.c.person_id).label("needing"),
                   func.coalesce(func.sum(case((progress.c.completed >= progress.c.needed, 1), else_=0)), 0)
                   .label("trained"))
            .outerjoin(progress, progress.c.person_id == Person.id).where(*people)
            .group_by(Person.programme_id, Person.job_role_key, Person.department_id, Person.region_id))


def person_kinds(programme_id: int):
    """A subquery: (region_id, department_id, job_role_key, job_role, people, needing, trained) of every kind of
    person of the programme: the kept rows, or worked out from the source rows while this transaction has
    writes not yet reflected in them."""
    if pending(db.session):
        rows = kinds_of(person_progress(programme_id), Person.programme_id == programme_id).subquery("worked_out")
        return select(*(rows.c[name] for name in _KIND_COLUMNS[1:])).subquery("kinds")
    return (select(*(getattr(TrainingKind, name) for name in _KIND_COLUMNS[1:]))
            .where(TrainingKind.programme_id == programme_id).subquery("kinds"))


def person_misses(programme_id: int):
    """A subquery: (person_id, course_id, session_id, starts_at, ends_at, mark) of every missed seat of the
    programme (``missed``): the kept rows, or worked out from the source rows while this transaction has writes
    not yet reflected in them."""
    if pending(db.session):
        rows = missed(programme_id=programme_id).subquery("worked_out")
        return select(*(rows.c[name] for name in MISS_COLUMNS[1:] if name != "programme_id")).subquery("misses")
    return (select(*(getattr(TrainingMiss, name) for name in MISS_COLUMNS[1:] if name != "programme_id"))
            .where(TrainingMiss.programme_id == programme_id).subquery("misses"))


def enrolment_total(programme_id: int) -> int:
    """How many enrolments the programme's sessions have, whatever their status: the kept counts summed, or
    counted from the enrolments while this transaction has writes not yet reflected in them. One query."""
    if pending(db.session):
        return db.session.scalar(select(func.count(Enrolment.id))
                                 .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
                                 .where(TrainingSession.programme_id == programme_id))
    return db.session.scalar(select(func.coalesce(func.sum(EnrolmentCount.enrolments), 0))
                             .where(EnrolmentCount.programme_id == programme_id))


# --- keeping the tables in step -----------------------------------------------------------------------------

class _Noted:
    """What the session's writes may have changed since its transaction began."""

    def __init__(self):
        self.people: set[int] = set()
        self.programmes: set[int] = set()
        #: sessions whose enrolled people's misses to work out again (their roster completed, or times moved)
        self.sessions: set[int] = set()
        #: sessions whose enrolments to count again (a seat taken or given up, an enrolment moved, its person
        #: deleted)
        self.counted_sessions: set[int] = set()
        self.everything = False
        #: (programme id, region id or None) whose kinds to count again (besides the noted people's regions)
        self.regions: set[tuple[int, int | None]] = set()
        #: programmes whose kinds to count again, every region (besides the noted programmes)
        self.kind_programmes: set[int] = set()

    def __bool__(self) -> bool:
        return bool(self.people or self.programmes or self.sessions or self.everything or self.regions
                    or self.kind_programmes or self.counted_sessions)


def _noted(session) -> _Noted:
    return session.info.setdefault(_NOTED_KEY, _Noted())


def pending(session) -> bool:
    """The session has writes, flushed or not, that the kept rows do not reflect yet."""
    if session.info.get(_NOTED_KEY):
        return True
    return any(isinstance(instance, _SOURCE_MODELS)
               for instance in chain(session.new, session.dirty, session.deleted))


def _changed(instance, *names: str) -> bool:
    attributes = inspect(instance).attrs
    return any(attributes[name].history.has_changes() for name in names)


def _note_flush(session, _flush_context) -> None:
    """After a flush (the lists and attribute histories still show what it wrote): note what it may change."""
    noted = _noted(session)
    for instance in chain(session.new, session.dirty, session.deleted):
        if isinstance(instance, Person):
            if instance in session.new or _changed(instance, "job_role_key", "department_id"):
                noted.people.add(instance.id)
            if instance in session.new or instance in session.deleted or _changed(instance, *_KIND_FIELDS):
                _note_kinds_of(noted, instance, new=instance in session.new)
        elif isinstance(instance, Region) and instance in session.deleted:
            noted.programmes.add(instance.programme_id)  # its sessions and their marks go, its people stay
        elif isinstance(instance, AttendanceMark):
            noted.people.update(inspect(instance).attrs.person_id.history.sum())
            noted.people.add(instance.person_id)
        elif isinstance(instance, CourseRequirement):
            noted.programmes.add(instance.programme_id)
        elif isinstance(instance, TrainingSession):
            if instance in session.deleted or _changed(instance, "status", "course_id"):
                noted.programmes.add(instance.programme_id)
            elif instance not in session.new and _changed(instance, *_MISS_SESSION_FIELDS):
                noted.sessions.add(instance.id)
        elif isinstance(instance, Enrolment):
            if instance in session.new or instance in session.deleted or _changed(instance, *_MISS_ENROLMENT_FIELDS):
                noted.people.update(inspect(instance).attrs.person_id.history.sum())
                noted.people.add(instance.person_id)
            if instance in session.new or instance in session.deleted or _changed(instance, "session_id"):
                noted.counted_sessions.update(inspect(instance).attrs.session_id.history.sum())
                noted.counted_sessions.add(instance.session_id)
        elif isinstance(instance, (Course, Department)) and instance in session.deleted:
            noted.programmes.add(instance.programme_id)
    noted.people.discard(None)
    noted.counted_sessions.discard(None)
    if not noted:
        session.info.pop(_NOTED_KEY, None)


def _note_before_flush(session, _flush_context, _instances) -> None:
    """Before a flush deletes people: note the sessions they are enrolled in, whose counts lose their enrolments
    (the foreign keys delete them, so after the flush nothing says where they were). One query, for the flushes
    that delete someone."""
    people = [instance.id for instance in session.deleted if isinstance(instance, Person)]
    if people:
        _noted(session).counted_sessions.update(_chunked(
            session, people, lambda chunk: select(Enrolment.session_id).where(Enrolment.person_id.in_(chunk))))


def _note_kinds_of(noted: _Noted, person: Person, *, new: bool) -> None:
    """Note the kinds a person added, removed or changed was in and is in: their programme's regions before and
    after (the whole programme where the flush left them unknown)."""
    state = inspect(person)
    programme_id = state.dict.get("programme_id")
    regions = set(state.attrs.region_id.history.sum())
    if "region_id" in state.dict or new:  # a new person's region is None unless set
        regions.add(state.dict.get("region_id"))
    if programme_id is None:
        noted.everything = True
    elif not regions:
        noted.kind_programmes.add(programme_id)
    else:
        noted.regions.update((programme_id, region_id) for region_id in regions)


def _note_statement(state) -> None:
    """An insert, update or delete run through the session on a source table: note the people an inserted mark
    names (the attendance upserts) and the sessions inserted seats name, the programmes inserted rows name (bulk
    loads), else every programme."""
    statement = state.statement
    if not isinstance(statement, (Insert, Update, Delete)) or statement.table.name not in _SOURCE_TABLES:
        return
    if state.parameters:  # the rows come as parameters (a bulk insert)
        rows = state.parameters if isinstance(state.parameters, list) else [state.parameters]
    else:  # the values are in the statement (an upserted mark)
        rows = [statement.compile(dialect=state.session.get_bind().dialect).params]
    noted = _noted(state.session)
    seats = statement.table.name == Enrolment.__tablename__
    if isinstance(statement, Insert) and statement.table.name in _PERSON_ROW_TABLES \
            and all(row.get("person_id") and (row.get("session_id") or not seats) for row in rows):
        noted.people.update(row["person_id"] for row in rows)
        if seats:
            noted.counted_sessions.update(row["session_id"] for row in rows)
    elif isinstance(statement, Insert) and all(row.get("programme_id") for row in rows):
        noted.programmes.update(row["programme_id"] for row in rows)
    else:
        noted.everything = True


def _refresh_at_commit(session) -> None:
    """Before the session's own transaction commits: flush the last writes, then work out again what they
    noted. A savepoint's commit waits for its transaction's."""
    if session.in_nested_transaction():
        return
    session.flush()
    noted = session.info.pop(_NOTED_KEY, None)
    if noted:
        refresh(session, noted)


def refresh(session, noted: _Noted) -> None:
    """Replace the kept rows of the noted programmes and people with ones worked out from the source rows, then
    the kinds of the noted regions and of the regions the noted people are in; the misses of the people seated
    in the noted sessions; and the enrolments of the noted programmes and sessions, counted."""
    programmes = (session.scalars(select(Programme.id)).all() if noted.everything else sorted(noted.programmes))
    people = sorted(noted.people)
    seated = _chunked(session, sorted(noted.sessions),
                      lambda chunk: select(Enrolment.person_id).where(Enrolment.session_id.in_(chunk)))
    counted_sessions = sorted(noted.counted_sessions)
    _lock(session, [*programmes, *noted.kind_programmes, *(programme_id for programme_id, _ in noted.regions)],
          sorted(set(people) | seated), counted_sessions)
    for programme_id in programmes:
        session.execute(delete(TrainingProgress).where(TrainingProgress.programme_id == programme_id))
        session.execute(insert(TrainingProgress).from_select(
            ["person_id", "programme_id", "needed", "completed"], worked_out(programme_id=programme_id)))
        session.execute(delete(TrainingMiss).where(TrainingMiss.programme_id == programme_id))
        session.execute(insert(TrainingMiss).from_select(MISS_COLUMNS, missed(programme_id=programme_id)))
        session.execute(delete(EnrolmentCount).where(EnrolmentCount.programme_id == programme_id))
        session.execute(insert(EnrolmentCount).from_select(COUNT_COLUMNS, counted(programme_id=programme_id)))
    for chunk in _chunks(people):
        session.execute(delete(TrainingProgress).where(TrainingProgress.person_id.in_(chunk)))
        session.execute(insert(TrainingProgress).from_select(
            ["person_id", "programme_id", "needed", "completed"], worked_out(person_ids=chunk)))
    for chunk in _chunks(sorted(set(people) | seated)):
        session.execute(delete(TrainingMiss).where(TrainingMiss.person_id.in_(chunk)))
        session.execute(insert(TrainingMiss).from_select(MISS_COLUMNS, missed(person_ids=chunk)))
    _refresh_kinds(session, set(programmes) | noted.kind_programmes, noted.regions, people)
    for chunk in _chunks(counted_sessions):
        session.execute(delete(EnrolmentCount).where(EnrolmentCount.session_id.in_(chunk)))
        session.execute(insert(EnrolmentCount).from_select(COUNT_COLUMNS, counted(session_ids=chunk)))


def _chunks(ids: list) -> list[list]:
    """``ids`` in slices short enough for an ``IN`` list on every database."""
    return [ids[start:start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


def _chunked(session, ids: list[int], query) -> set:
    """What ``query(chunk)`` selects, for every chunk of ``ids``."""
    found = set()
    for chunk in _chunks(ids):
        found.update(session.scalars(query(chunk)))
    return found


def _refresh_kinds(session, programmes: set[int], regions: set[tuple[int, int | None]], people: list[int]) -> None:
    """Count the kinds of these programmes again, and of these regions and the regions these people are in,
    from the people and their kept progress (already reworked)."""
    regions = set(regions)
    for chunk in _chunks(people):
        regions.update(map(tuple, session.execute(
            select(Person.programme_id, Person.region_id).where(Person.id.in_(chunk)).distinct())))
    kept = select(TrainingProgress.person_id, TrainingProgress.needed, TrainingProgress.completed).subquery()
    for programme_id in sorted(programmes):
        session.execute(delete(TrainingKind).where(TrainingKind.programme_id == programme_id))
        session.execute(insert(TrainingKind).from_select(_KIND_COLUMNS,
                                                         kinds_of(kept, Person.programme_id == programme_id)))
    by_programme: dict[int, set[int | None]] = defaultdict(set)
    for programme_id, region_id in regions:
        if programme_id not in programmes:
            by_programme[programme_id].add(region_id)
    for programme_id, region_ids in sorted(by_programme.items()):
        ids = sorted(region_id for region_id in region_ids if region_id is not None)
        chunks = _chunks(ids)
        if None in region_ids:
            chunks.append(None)
        for chunk in chunks:
            session.execute(delete(TrainingKind).where(TrainingKind.programme_id == programme_id,
                                                       _in_regions(TrainingKind.region_id, chunk)))
            session.execute(insert(TrainingKind).from_select(_KIND_COLUMNS, kinds_of(
                kept, Person.programme_id == programme_id, _in_regions(Person.region_id, chunk))))


def _in_regions(column, region_ids: list[int] | None):
    """``column`` is one of ``region_ids``, or NULL when they are None (the people without a region)."""
    return column.is_(None) if region_ids is None else column.in_(region_ids)


def _lock(session, programmes: list[int], people: list[int], sessions: list[int] = ()) -> None:
    """Wait until no other transaction is reworking rows of these programmes or of these people's or sessions'
    programmes, then hold them until this one ends (``core.locks``). Without it, two commits reworking one
    person (or one session's count) at once fail or lose a mark on PostgreSQL: the second one's delete waits on
    the first one's, finds the row gone and the new one not yet visible, and its insert then hits the first
    one's new row. The later one waits, so its statements see what the earlier one committed."""
    if session.get_bind().dialect.name != "postgresql":
        return
    programme_ids = set(programmes) | _chunked(
        session, people, lambda chunk: select(Person.programme_id).where(Person.id.in_(chunk)).distinct())
    programme_ids |= _chunked(session, list(sessions), lambda chunk: select(TrainingSession.programme_id)
                              .where(TrainingSession.id.in_(chunk)).distinct())
    locks.hold(session, locks.TRAINING_PROGRESS, programme_ids)


def rebuild(programme_id: int) -> None:
    """Work out every person of the programme again, and count its sessions' enrolments, now: after its rows
    were changed outside the app (plain SQL), where no write was noted. The caller commits."""
    noted = _Noted()
    noted.programmes.add(programme_id)
    refresh(db.session, noted)


def _forget_when_the_transaction_ends(session, transaction) -> None:
    """The session's own transaction ended: committed (already worked out) or rolled back (nothing to do)."""
    if transaction.parent is None:
        session.info.pop(_NOTED_KEY, None)


def install() -> None:
    """Keep the four tables in step with every session's writes (called from create_app)."""
    for name, listener in (("before_flush", _note_before_flush), ("after_flush", _note_flush),
                           ("before_commit", _refresh_at_commit),
                           ("after_transaction_end", _forget_when_the_transaction_ends)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    if not event.contains(Session, "do_orm_execute", _note_statement):
        event.listen(Session, "do_orm_execute", _note_statement)
