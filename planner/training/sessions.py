"""Use-cases of training sessions: planning one (no trainer in two places at once), enrolling people by hand,
and the trainer's roster (attendance marks, upserted so two trainers marking at once lose nothing).

Calendar invitations for sessions come later: they will reuse the committee's invitation machinery.
"""
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from planner.core import audit, clock
from planner.core.errors import DomainError, StaleEditError, check_version
from planner.core.wall_time import instant_of_wall_time
from planner.core.permissions import Permission, Role, can
from planner.extensions import db
from planner.training import invitations
from planner.people.models import Person
from planner.programmes.models import Membership, Programme, Region
from planner.training.models import (
    AttendanceMark, Course, Enrolment, EnrolmentStatus, MarkStatus, SessionStatus, TrainingSession,
)

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
#: a trainer may open the roster this long before the start (people arrive early) ...
MARKING_OPENS_BEFORE = timedelta(minutes=30)
#: ... and correct it this long after the end
MARKING_CLOSES_AFTER = timedelta(days=7)
#: changing one of these on a scheduled session makes earlier invitations stale (iCalendar SEQUENCE)
SCHEDULE_FIELDS = ("time_zone", "local_start", "duration_minutes", "location", "online_url")


def may_mark(programme: Programme, session: TrainingSession) -> bool:
    """Whether the current user may take this session's attendance: project managers and admins mark any session
    of the programme, a trainer only the sessions they give. The roster page and the JSON API both ask this."""
    if can(Permission.TRAINING_MANAGE, programme):
        return True
    return can(Permission.ATTENDANCE_MARK, programme) and session.trainer_id == current_user.id


def session_uid(session_id: int) -> str:
    """The iCalendar UID of a session, made once and never changed."""
    from planner.committee.scheduling import uid_host

    return f"training-session-{session_id}@{uid_host()}"


def _check_trainer(programme_id: int, trainer_id: int | None) -> None:
    if trainer_id is None:
        return
    holds_role = db.session.scalar(select(Membership.id).where(
        Membership.programme_id == programme_id, Membership.user_id == trainer_id,
        Membership.role == Role.TRAINER).limit(1))
    if holds_role is None:
        raise DomainError(_("Choose a trainer of this programme."), field="trainer_id")


def _check_trainer_free(trainer_id: int | None, starts_at: datetime, ends_at: datetime,
                        session_id: int | None) -> None:
    """No trainer in two places at once: any other live session of theirs, in any programme, that overlaps."""
    if trainer_id is None:
        return
    query = select(TrainingSession).where(
        TrainingSession.trainer_id == trainer_id, TrainingSession.status != SessionStatus.CANCELLED,
        TrainingSession.starts_at < ends_at, TrainingSession.ends_at > starts_at)
    if session_id is not None:
        query = query.where(TrainingSession.id != session_id)
    clash = db.session.scalars(query.order_by(TrainingSession.starts_at).limit(1)).first()
    if clash is not None:
        raise DomainError(_("The trainer gives another session at that time (%(start)s %(zone)s). "
                            "Choose another time or trainer.",
                            start=clash.local_start.strftime("%Y-%m-%d %H:%M"), zone=clash.time_zone),
                          field="trainer_id")


def _values(programme: Programme, *, course_id: int | None, region_id: int | None, trainer_id: int | None,
            start_on: date | None, start_time: time | None, duration_minutes: int | None, location: str,
            online_url: str, capacity: int | None) -> dict:
    """Check a session's fields and turn them into column values, or raise a DomainError naming the field."""
    course = db.session.get(Course, course_id) if course_id else None
    if course is None or course.programme_id != programme.id:
        raise DomainError(_("Choose a course of this programme."), field="course_id")
    region = db.session.get(Region, region_id) if region_id else None
    if region is None or region.programme_id != programme.id:
        raise DomainError(_("Choose a region of this programme."), field="region_id")
    if start_on is None or start_time is None:
        raise DomainError(_("Give the day and time of the session."), field="start_on")
    if not EARLIEST_YEAR <= start_on.year <= LATEST_YEAR:
        raise DomainError(_("Choose a day between %(first)s and %(last)s.", first=EARLIEST_YEAR, last=LATEST_YEAR),
                          field="start_on")
    duration = duration_minutes or course.duration_minutes
    if not 5 <= duration <= 2880:
        raise DomainError(_("A session lasts between 5 minutes and 48 hours."), field="duration_minutes")
    if capacity is None or not 1 <= capacity <= 1000:
        raise DomainError(_("Capacity is between 1 and 1000 people."), field="capacity")
    online_url = (online_url or "").strip()
    if online_url and (urlsplit(online_url).scheme not in ("http", "https") or not urlsplit(online_url).netloc):
        raise DomainError(_("The online link must start with https:// (or http://)."), field="online_url")
    location = " ".join((location or "").split())
    if len(location) > 300:
        raise DomainError(_("Keep the location under 300 characters."), field="location")
    _check_trainer(programme.id, trainer_id)
    local_start = datetime.combine(start_on, start_time).replace(second=0, microsecond=0)
    starts_at = instant_of_wall_time(local_start, region.time_zone, "start_time")
    ends_at = starts_at + timedelta(minutes=duration)
    return {"course_id": course.id, "region_id": region.id, "trainer_id": trainer_id,
            "time_zone": region.time_zone, "local_start": local_start, "duration_minutes": duration,
            "starts_at": starts_at, "ends_at": ends_at, "location": location, "online_url": online_url,
            "capacity": capacity}


def create_session(programme: Programme, **fields) -> TrainingSession:
    """Plan a session as PROPOSED (nothing is sent), in the region's time zone.

    ``fields``: course_id, region_id, trainer_id, start_on, start_time, duration_minutes (empty: the course's),
    location, online_url, capacity.
    """
    values = _values(programme, **fields)
    _check_trainer_free(values["trainer_id"], values["starts_at"], values["ends_at"], None)
    session = TrainingSession(programme_id=programme.id, uid="pending", status=SessionStatus.PROPOSED, sequence=0,
                              **values)
    db.session.add(session)
    db.session.flush()
    session.uid = session_uid(session.id)
    audit.record_create(session)
    return session


def update_session(session: TrainingSession, *, expected_version: int | None, **fields) -> None:
    """Change a session; a scheduled session whose time or place changes gets a higher SEQUENCE, so the
    invitations sent later replace the earlier ones."""
    check_version(session, expected_version)
    if session.status is SessionStatus.CANCELLED:
        raise DomainError(_("This session is cancelled and can no longer be changed."))
    values = _values(db.session.get(Programme, session.programme_id), **fields)
    _check_trainer_free(values["trainer_id"], values["starts_at"], values["ends_at"], session.id)
    _check_people_stay_valid(session, values)
    moved = any(getattr(session, key) != values[key] for key in SCHEDULE_FIELDS)
    changes = audit.apply_changes(session, values)
    if moved and session.status is SessionStatus.SCHEDULED:
        changes.update(audit.apply_changes(session, {"sequence": session.sequence + 1}))
    audit.record_update(session, changes)
    invitations.flush_and_send(session)


def _check_people_stay_valid(session: TrainingSession, values: dict) -> None:
    """Course and region are fixed once people are enrolled or marked (their marks count for that course), and
    the capacity cannot drop below the seats taken."""
    taken = enrolled_count(session.id)
    has_people = taken or db.session.scalar(select(func.count(Enrolment.id)).where(
        Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.WAITLISTED)) or db.session.scalar(
        select(func.count(AttendanceMark.id)).where(AttendanceMark.session_id == session.id))
    if has_people and values["course_id"] != session.course_id:
        raise DomainError(_("People are enrolled in this session: its course stays. Plan a new session instead."),
                          field="course_id")
    if has_people and values["region_id"] != session.region_id:
        raise DomainError(_("People are enrolled in this session: its region stays. Plan a new session instead."),
                          field="region_id")
    if values["capacity"] < taken:
        raise DomainError(_("%(taken)d people hold a seat: the capacity cannot be lower.", taken=taken),
                          field="capacity")


def schedule_session(session: TrainingSession) -> None:
    """Confirm a proposed session (PROPOSED -> SCHEDULED): the trainer and everyone enrolled are invited."""
    if session.status is not SessionStatus.PROPOSED:
        raise DomainError(_("Only a proposed session can be scheduled."))
    changes = audit.apply_changes(session, {"status": SessionStatus.SCHEDULED})
    audit.record_update(session, changes)
    invitations.flush_and_send(session)


# --- enrolment ---------------------------------------------------------------------------------------------

def lock_seats(session: TrainingSession) -> None:
    """Serialise seat-taking on one session (PostgreSQL row lock; SQLite writers are serialised already), and
    read it again: a cancellation or capacity change committed while waiting for the lock is seen."""
    # the row must be fetched for the ORM to refresh the object from it (a result left unread refreshes nothing)
    if db.session.execute(select(TrainingSession).where(TrainingSession.id == session.id).with_for_update()
                          .execution_options(populate_existing=True)).scalar_one_or_none() is None:
        raise StaleEditError()  # deleted meanwhile (with its programme)


def enrolled_count(session_id: int) -> int:
    """How many seats of a session are taken."""
    return db.session.scalar(select(func.count(Enrolment.id)).where(
        Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.ENROLLED)) or 0


def enrol_person(session: TrainingSession, person_id: int | None) -> Enrolment:
    """Give a person of the programme a seat in the session; refused when the session is full or cancelled."""
    if session.status is SessionStatus.CANCELLED:
        raise DomainError(_("This session is cancelled."))
    person = db.session.get(Person, person_id) if person_id else None
    if person is None or person.programme_id != session.programme_id:
        raise DomainError(_("Choose a person of this programme."), field="person_id")
    lock_seats(session)
    if session.status is SessionStatus.CANCELLED:
        raise DomainError(_("This session is cancelled."))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.session_id == session.id,
                                                          Enrolment.person_id == person.id))
    if enrolment is not None and enrolment.status is EnrolmentStatus.ENROLLED:
        raise DomainError(_("%(name)s is already enrolled.", name=person.full_name), field="person_id")
    if enrolled_count(session.id) >= session.capacity:
        raise DomainError(_("The session is full (%(capacity)d seats).", capacity=session.capacity),
                          field="person_id")
    if enrolment is None:
        enrolment = Enrolment(session_id=session.id, person_id=person.id, status=EnrolmentStatus.ENROLLED)
        db.session.add(enrolment)
        audit.record_create(enrolment)
    else:
        changes = audit.apply_changes(enrolment, {"status": EnrolmentStatus.ENROLLED, "waitlist_position": None})
        audit.record_update(enrolment, changes)
    invitations.flush_and_send(session)
    return enrolment


def remove_enrolment(enrolment: Enrolment) -> None:
    """Take a person off a session; the row stays (REMOVED) so their calendar can later get the cancellation."""
    if enrolment.status is EnrolmentStatus.REMOVED:
        raise DomainError(_("This person is no longer enrolled."))
    changes = audit.apply_changes(enrolment, {"status": EnrolmentStatus.REMOVED, "waitlist_position": None})
    audit.record_update(enrolment, changes)
    invitations.flush_and_send(enrolment.session)


# --- attendance ----------------------------------------------------------------------------------------------

def check_marking_open(session: TrainingSession, now: datetime | None = None) -> None:
    """Marks are taken from shortly before the start to a week after the end, and never on a cancelled session."""
    if session.status is SessionStatus.CANCELLED:
        raise DomainError(_("This session is cancelled."))
    now = now or clock.now()
    if now < session.starts_at - MARKING_OPENS_BEFORE:
        raise DomainError(_("Attendance can be taken from 30 minutes before the session starts."))
    if now > session.ends_at + MARKING_CLOSES_AFTER:
        raise DomainError(_("Attendance can be changed until 7 days after the session; this one is closed."))


def mark_upsert(dialect: str, values: dict):
    """The statement that inserts a mark, or overwrites the one of the same (session, person): one statement,
    so concurrent markers never hit the unique key and the last tap wins."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(AttendanceMark).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["session_id", "person_id"],
        set_={key: statement.excluded[key] for key in ("status", "note", "marked_by_id", "marked_at", "source")},
    ).returning(AttendanceMark.id)
    return statement


def mark_insert_if_absent(dialect: str, values: dict):
    """The statement that inserts a mark unless the (session, person) already has one; returns its id or nothing."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(AttendanceMark).values(**values)
            .on_conflict_do_nothing(index_elements=["session_id", "person_id"]).returning(AttendanceMark.id))


def upsert_mark(values: dict) -> int:
    return db.session.execute(mark_upsert(db.session.get_bind().dialect.name, values)).scalar_one()


def mark_attendance(session: TrainingSession, *, person_id: int | None, status: str | MarkStatus,
                    note: str | None, marked_by_id: int | None, now: datetime | None = None) -> AttendanceMark:
    """Record what the trainer saw for one enrolled trainee (present, late, excused or absent) and a note."""
    check_marking_open(session, now)
    try:
        status = MarkStatus(status)
    except ValueError:
        raise DomainError(_("Choose present, late, excused or absent."), field="status") from None
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError(_("Keep the note under 2000 characters."), field="note")
    enrolled = person_id is not None and db.session.scalar(select(Enrolment.id).where(
        Enrolment.session_id == session.id, Enrolment.person_id == person_id,
        Enrolment.status == EnrolmentStatus.ENROLLED))
    if not enrolled:
        raise DomainError(_("Only people enrolled in this session can be marked."), field="person_id")
    before = db.session.execute(select(AttendanceMark.status, AttendanceMark.note).where(
        AttendanceMark.session_id == session.id, AttendanceMark.person_id == person_id)).first()
    mark_id = upsert_mark({"session_id": session.id, "person_id": person_id, "status": status, "note": note,
                            "marked_by_id": marked_by_id, "marked_at": now or clock.now(), "source": "trainer"})
    mark = db.session.get(AttendanceMark, mark_id, populate_existing=True)
    if before is None:
        audit.record_create(mark)
    else:
        changes = {key: [str(old), str(getattr(mark, key))]
                   for key, old in zip(("status", "note"), before) if old != getattr(mark, key)}
        audit.record_update(mark, changes)
    return mark


def mark_all_present(session: TrainingSession, *, marked_by_id: int | None, now: datetime | None = None) -> int:
    """Mark every enrolled trainee not yet marked as present (marks already taken stay); returns how many."""
    check_marking_open(session, now)
    unmarked = db.session.scalars(select(Enrolment.person_id).where(
        Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.ENROLLED,
        ~select(AttendanceMark.id).where(AttendanceMark.session_id == session.id,
                                         AttendanceMark.person_id == Enrolment.person_id).exists())
        .order_by(Enrolment.person_id)).all()  # one order for every marker: concurrent row locks cannot deadlock
    dialect = db.session.get_bind().dialect.name
    added = 0
    for person_id in unmarked:
        # insert only: a mark another trainer took since the list was read stays as they set it
        statement = mark_insert_if_absent(dialect, {
            "session_id": session.id, "person_id": person_id, "status": MarkStatus.PRESENT, "note": "",
            "marked_by_id": marked_by_id, "marked_at": now or clock.now(), "source": "trainer"})
        mark_id = db.session.execute(statement).scalar()
        if mark_id is not None:
            audit.record_create(db.session.get(AttendanceMark, mark_id))
            added += 1
    return added


def complete_roster(session: TrainingSession, now: datetime | None = None) -> None:
    """Close the roster once every enrolled trainee is marked; the session then counts towards readiness."""
    check_marking_open(session, now)
    unmarked = db.session.scalar(select(func.count(Enrolment.id)).where(
        Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.ENROLLED,
        ~select(AttendanceMark.id).where(AttendanceMark.session_id == session.id,
                                         AttendanceMark.person_id == Enrolment.person_id).exists()))
    if unmarked:
        raise DomainError(_("Mark everyone first: %(count)d enrolled people have no mark yet.", count=unmarked))
    changes = audit.apply_changes(session, {"roster_completed_at": now or clock.now()})
    audit.record_update(session, changes)

