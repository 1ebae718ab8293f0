"""The demo's training: courses and requirements, the pilot region trained before its go-live, the first
key region half-way (with no-shows), and one session cancelled for business reasons.

Invitations of the past are recorded as sent without writing outbox rows, so loading the demo sends no
mail (as for the committee)."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from planner.auth.models import User
from planner.core import clock
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Department, Programme, Region
from planner.rollout.calendar import programme_calendar
from planner.training import queries, services
from planner.training import sessions as session_services
from planner.training.models import (
    AttendanceMark, CancelReason, Course, Enrolment, EnrolmentStatus, MarkStatus, SessionStatus, TrainingSession,
)
from planner.training.session_queries import go_live_by_region


def load_training(programme: Programme, spec: dict) -> int:
    """Create the courses and sessions once; returns 1 when created, else 0."""
    if db.session.scalar(select(Course.id).where(Course.programme_id == programme.id)):
        return 0
    departments = {d.name: d.id for d in db.session.scalars(select(Department).where(
        Department.programme_id == programme.id))}
    courses = []
    for course_spec in spec["courses"]:
        course = services.create_course(
            programme, title=course_spec["title"], description=course_spec["description"],
            duration_minutes=course_spec["duration_minutes"], format=course_spec["format"],
            material_links=course_spec["material_links"])
        for requirement in course_spec["requirements"]:
            services.add_requirement(course, job_role=requirement.get("job_role", ""),
                                     department_id=departments.get(requirement.get("department")))
        courses.append(course)
    db.session.flush()
    trainer = db.session.scalar(select(User).where(User.email == spec["trainer_email"]))
    regions = {r.name: r for r in db.session.scalars(select(Region).where(Region.programme_id == programme.id))}
    go_lives = go_live_by_region(programme.id)
    pilot, key = regions[spec["pilot_region"]], regions[spec["key_region"]]
    now = clock.now()
    for course in courses:
        _train_region(programme, course, pilot, go_lives[pilot.id], trainer, spec, share_done=1.0, now=now,
                      late_every=spec["pilot_late_every"], no_show_every=0)
        _train_region(programme, course, key, go_lives[key.id], trainer, spec, share_done=spec["key_share_done"],
                      now=now, late_every=0, no_show_every=spec["key_no_show_every"])
    _cancel_one(programme, key, spec)
    db.session.flush()
    return 1


def _train_region(programme, course, region, go_live, trainer, spec, *, share_done: float, now: datetime,
                  late_every: int, no_show_every: int) -> None:
    """Sessions of ``capacity`` for everyone in the region who needs the course: the first ``share_done`` of
    them held in the past (marked), the rest upcoming, ending a week before go-live."""
    people = db.session.scalars(queries.people_needing(course).where(Person.region_id == region.id)
                                .order_by(Person.full_name)).all()
    capacity = spec["capacity"]
    groups = [people[i:i + capacity] for i in range(0, len(people), capacity)]
    done = round(len(groups) * share_done)
    calendar = programme_calendar(programme, region.id)
    local_today = now.astimezone(region_zone(region)).date()
    past_day = calendar.previous_working_day(min(local_today - timedelta(days=1), go_live - timedelta(days=8)))
    future_day = calendar.add_working_days(go_live, -(programme.training_min_lead_days + 2))
    for index, group in enumerate(groups):
        is_past = index < done
        if is_past:
            day = calendar.add_working_days(past_day, -(done - 1 - index) - 10 * courses_offset(course))
        else:
            day = calendar.add_working_days(future_day, -(len(groups) - 1 - index) - 3 * courses_offset(course))
        session = session_services.create_session(
            programme, course_id=course.id, region_id=region.id, trainer_id=trainer.id if trainer else None,
            start_on=day, start_time=time(9 + 2 * (courses_offset(course) % 3), 0), duration_minutes=None,
            location=f"{region.name}, training room", online_url="", capacity=capacity)
        for person in group:
            db.session.add(Enrolment(session_id=session.id, person_id=person.id, status=EnrolmentStatus.ENROLLED,
                                     last_sequence_sent=0, last_method_sent="REQUEST"))
        session.status = SessionStatus.SCHEDULED
        if trainer is not None:
            session.trainer_email_sent, session.trainer_sequence_sent = trainer.email.lower(), 0
            session.trainer_method_sent = "REQUEST"
        if is_past:
            for position, person in enumerate(group, start=1):
                status = MarkStatus.PRESENT
                if no_show_every and position % no_show_every == 0:
                    status = MarkStatus.ABSENT
                elif late_every and position % late_every == 0:
                    status = MarkStatus.LATE
                db.session.add(AttendanceMark(session_id=session.id, person_id=person.id, status=status,
                                              marked_by_id=trainer.id if trainer else None,
                                              marked_at=session.ends_at, source="trainer"))
            session.roster_completed_at = session.ends_at
        db.session.flush()


def courses_offset(course) -> int:
    """Spread the courses of one region over different days and hours."""
    return course.id % 4


def region_zone(region) -> ZoneInfo:
    return ZoneInfo(region.time_zone)


def _cancel_one(programme, region, spec) -> None:
    """The last upcoming session of the key region is cancelled for business reasons."""
    session = db.session.scalar(select(TrainingSession).where(
        TrainingSession.region_id == region.id, TrainingSession.starts_at > clock.now(),
        TrainingSession.status == SessionStatus.SCHEDULED).order_by(TrainingSession.starts_at.desc()).limit(1))
    if session is None:
        return
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = CancelReason(spec["cancelled"]["reason"])
    session.cancel_note = spec["cancelled"]["note"]
    session.sequence += 1
    for enrolment in session.enrolments:
        enrolment.last_method_sent, enrolment.last_sequence_sent = "CANCEL", session.sequence
    if session.trainer_email_sent:
        session.trainer_method_sent, session.trainer_sequence_sent = "CANCEL", session.sequence
