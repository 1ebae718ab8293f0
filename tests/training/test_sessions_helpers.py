"""Shared set-up of the session and roster tests (no tests here): a programme with a region in Berlin, a course,
a trainer, and sessions made through the services."""
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from planner.extensions import db
from planner.programmes.models import Programme
from planner.training import sessions as services
from planner.training.models import Course, TrainingSession

UTC = timezone.utc
#: a Tuesday morning in Berlin (UTC+1 in November)
NOW = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)


@dataclass
class Setup:
    programme: object
    region: object
    course_id: int
    trainer: object


def make_course(app, programme, title: str = "Helix CRM for sales", duration_minutes: int = 120) -> int:
    with app.app_context():
        course = Course(programme_id=programme.id, title=title, duration_minutes=duration_minutes)
        db.session.add(course)
        db.session.commit()
        return course.id


def setup(app, factories, *, time_zone: str = "Europe/Berlin") -> Setup:
    programme = factories.programme()
    region = factories.region(programme, time_zone=time_zone)
    trainer = factories.user_with_role("trainer", programme)
    return Setup(programme, region, make_course(app, programme), trainer)


def make_session(app, s: Setup, *, day: date = date(2026, 11, 10), at: time = time(10, 0), trainer_id=-1,
                 capacity: int = 12, duration_minutes: int | None = None, region_id: int | None = None,
                 schedule: bool = False, people=()) -> int:
    """A session made through the service (trainer: the setup's unless given), optionally scheduled and with
    ``people`` (ids) enrolled; returns its id."""
    with app.app_context():
        programme = db.session.get(Programme, s.programme.id)
        session = services.create_session(
            programme, course_id=s.course_id, region_id=region_id or s.region.id,
            trainer_id=s.trainer.id if trainer_id == -1 else trainer_id, start_on=day, start_time=at,
            duration_minutes=duration_minutes, location="Room 2", online_url="", capacity=capacity)
        if schedule:
            services.schedule_session(session)
        for person_id in people:
            services.enrol_person(session, person_id)
        db.session.commit()
        return session.id


def load_session(app, session_id: int) -> TrainingSession:
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        db.session.expunge(session)
        return session


def make_people(factories, s: Setup, n: int) -> list[int]:
    return [factories.person(s.programme, region_id=s.region.id).id for _ in range(n)]
