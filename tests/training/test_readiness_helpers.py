"""Shared set-up of the readiness tests (no tests here): a small hand-made programme whose figures are worked out
by hand below.

Two regions (North, South, both in Berlin's zone), two departments (Sales, Service), three job roles, two courses:
"CRM basics" for everyone and "Leading with CRM" for team leads (the requirement says "team lead"; people spell it
"Team Lead" and "Team lead"). North's wave goes live on 2026-12-01, South's on 2027-01-15.

person  region  department  role                  needs          completed                        state
Ana     North   Sales       Sales representative  basics         basics (S1 present)              trained
Ben     North   Sales       Team Lead             basics, leads  basics (S1 late), leads (S3)     trained
Cai     North   Service     Service agent         basics         basics (S5; absent in S1)        trained
Hal     North   Sales       Sales representative  basics         -                                no-show (1)
Dee     South   Service     Service agent         basics         basics (S2)                      trained
Eve     South   Sales       Team lead             basics, leads  -                                no-show (2)
Fay     South   Service     Sales representative  basics         - (present in S4, cancelled)     untrained
Gus     -       Service     Service agent         basics         -                                untrained

(1) unmarked on S1's completed roster; (2) absent in S2, make-up booked in S6. Fay is not a no-show: S2's
roster is still open.

Figures: North 3/4 trained, South 1/3, no region 0/1; Sales 2/4, Service 2/4; Sales representative 1/3,
Service agent 2/3, team lead 1/2; all 4/8.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from planner.extensions import db
from planner.programmes.models import Programme, Region
from planner.rollout import services as rollout_services
from planner.training import sessions
from planner.training.models import Course, CourseRequirement, SessionStatus, TrainingSession

UTC = timezone.utc
#: the moment the readiness is looked at: after S1-S5, before S6
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


@dataclass
class World:
    programme: object
    regions: dict[str, int] = field(default_factory=dict)
    departments: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    courses: dict[str, int] = field(default_factory=dict)
    sessions: dict[str, int] = field(default_factory=dict)


PEOPLE = [
    # name, region, department, role
    ("Ana", "North", "Sales", "Sales representative"),
    ("Ben", "North", "Sales", "Team Lead"),
    ("Cai", "North", "Service", "Service agent"),
    ("Hal", "North", "Sales", "Sales representative"),
    ("Dee", "South", "Service", "Service agent"),
    ("Eve", "South", "Sales", "Team lead"),
    ("Fay", "South", "Service", "Sales representative"),
    ("Gus", None, "Service", "Service agent"),
]


def _session(programme, w: World, name: str, course: str, region: str, day: date) -> TrainingSession:
    session = sessions.create_session(programme, course_id=w.courses[course], region_id=w.regions[region],
                                      trainer_id=None, start_on=day, start_time=time(10, 0), duration_minutes=120,
                                      location="Room 1", online_url="", capacity=20)
    w.sessions[name] = session.id
    return session


def _during(session: TrainingSession) -> datetime:
    return session.starts_at


def _mark(session, w: World, person: str, status: str) -> None:
    sessions.mark_attendance(session, person_id=w.people[person], status=status, note="", marked_by_id=None,
                             now=_during(session))


def build(app, factories) -> World:
    """The programme of the module docstring, made through the services; returns the ids."""
    programme = factories.programme(regions=["North", "South"], departments=["Sales", "Service"])
    w = World(programme)
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        for region in db.session.scalars(db.select(Region).where(Region.programme_id == programme.id)):
            w.regions[region.name] = region.id
        w.departments = {department.name: department.id for department in target.departments}
    for name, region, department, role in PEOPLE:
        w.people[name] = factories.person(programme, full_name=name, email=f"{name.lower()}@example.com",
                                          region_id=w.regions.get(region), department_id=w.departments[department],
                                          job_role=role).id
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        rollout_services.create_wave(target, name="Pilot", kind="pilot", position=1,
                                     planned_go_live=date(2026, 12, 1), trial_days=10,
                                     region_ids=[w.regions["North"]])
        rollout_services.create_wave(target, name="Key", kind="key", position=2,
                                     planned_go_live=date(2027, 1, 15), trial_days=10,
                                     region_ids=[w.regions["South"]])
        basics = Course(programme_id=programme.id, title="CRM basics", duration_minutes=120)
        leads = Course(programme_id=programme.id, title="Leading with CRM", duration_minutes=120)
        db.session.add_all([basics, leads])
        db.session.flush()
        w.courses = {"basics": basics.id, "leads": leads.id}
        db.session.add_all([CourseRequirement(programme_id=programme.id, course_id=basics.id, job_role="",
                                              department_id=None),
                            CourseRequirement(programme_id=programme.id, course_id=leads.id, job_role="team lead",
                                              department_id=None)])
        db.session.flush()

        s1 = _session(target, w, "S1", "basics", "North", date(2026, 11, 10))
        for person in ("Ana", "Ben", "Cai"):
            sessions.enrol_person(s1, w.people[person])
        _mark(s1, w, "Ana", "present")
        _mark(s1, w, "Ben", "late")
        _mark(s1, w, "Cai", "absent")
        sessions.complete_roster(s1, now=_during(s1))
        sessions.enrol_person(s1, w.people["Hal"])  # added after the roster was completed, never marked

        s2 = _session(target, w, "S2", "basics", "South", date(2026, 11, 11))
        for person in ("Dee", "Eve", "Fay"):
            sessions.enrol_person(s2, w.people[person])
        _mark(s2, w, "Dee", "present")
        _mark(s2, w, "Eve", "absent")  # Fay is left unmarked and the roster open: not a no-show yet

        s3 = _session(target, w, "S3", "leads", "North", date(2026, 11, 12))
        sessions.enrol_person(s3, w.people["Ben"])
        _mark(s3, w, "Ben", "present")

        s4 = _session(target, w, "S4", "basics", "South", date(2026, 11, 9))
        sessions.enrol_person(s4, w.people["Fay"])
        _mark(s4, w, "Fay", "present")
        s4.status = SessionStatus.CANCELLED  # cancelled afterwards: its marks complete nothing

        s5 = _session(target, w, "S5", "basics", "North", date(2026, 11, 13))
        sessions.enrol_person(s5, w.people["Cai"])
        _mark(s5, w, "Cai", "present")

        s6 = _session(target, w, "S6", "basics", "South", date(2026, 11, 30))
        sessions.enrol_person(s6, w.people["Eve"])
        db.session.commit()
    return w
