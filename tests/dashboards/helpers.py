"""Building dashboard worlds through the real services: a programme with a project manager, two committee
members, two trainers and a viewer, and ``add_data`` to fill it with meetings, actions, sessions, risks, waves
and change requests at any scale. The health check runs a stand-in rule (``fake_rules``), so no test depends
on which real rules exist (see conftest.py)."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from planner.changes import services as change_services
from planner.committee import scheduling
from planner.committee import services as committee_services
from planner.extensions import db
from planner.health.findings import Evidence, Finding, Severity
from planner.programmes import services as programme_services
from planner.programmes.models import Programme
from planner.risks import services as risk_services
from planner.rollout import services as rollout_services
from planner.training import sessions as session_services
from planner.training.models import Course
from tests.committee.helpers import committee_of
from tests.conftest import log_in

#: a Tuesday, 09:00 in Berlin (the programme's home zone)
NOW = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)
TODAY = NOW.date()
#: names that must never reach a viewer
MEMBER_NAME, OTHER_MEMBER_NAME = "Maria Member", "Otto Other"


@dataclass
class World:
    programme_id: int
    region_id: int
    course_id: int
    member_person_id: int
    other_person_id: int
    trainee_id: int
    pm: object
    member: object
    other_member: object
    trainer: object
    other_trainer: object
    viewer: object

    @property
    def url(self) -> str:
        return f"/programmes/{self.programme_id}/dashboard"


def build_world(app, factories) -> World:
    """The programme, its people and accounts; the two members sit on the committee."""
    programme = factories.programme(regions=[{"name": "Nordic", "tier": "pilot"}])
    with app.app_context():
        region_id = db.session.get(Programme, programme.id).regions[0].id
    member_person = factories.person(programme, MEMBER_NAME, email="maria@example.com")
    other_person = factories.person(programme, OTHER_MEMBER_NAME, email="otto@example.com")
    trainee = factories.person(programme, "Tina Trainee", region_id=region_id)
    member = factories.user(person_id=member_person.id)
    other_member = factories.user(person_id=other_person.id)
    for user in (member, other_member):
        factories.grant(user, programme, "committee_member")
    with app.test_request_context():
        committee = committee_of(programme.id)
        for person in (member_person, other_person):
            committee_services.add_member(committee, person_id=person.id, role="department_representative",
                                          starts_on=date(2026, 1, 1))
        course = Course(programme_id=programme.id, title="Helix CRM basics", duration_minutes=60)
        db.session.add(course)
        db.session.commit()
        course_id = course.id
    return World(programme.id, region_id, course_id, member_person.id, other_person.id, trainee.id,
                 pm=factories.user_with_role("project_manager", programme), member=member, other_member=other_member,
                 trainer=factories.user_with_role("trainer", programme),
                 other_trainer=factories.user_with_role("trainer", programme),
                 viewer=factories.user_with_role("viewer", programme))


def client_for(app, user):
    client = app.test_client()
    log_in(client, user.email)
    return client


# --- data -----------------------------------------------------------------------------------------------------

def schedule_meeting(programme, title: str, start: datetime):
    """A one-off meeting (Berlin wall time), scheduled: the committee's members are invited."""
    meeting = scheduling.schedule_meeting(
        committee_of(programme.id), scheduling.MeetingPlan(title=title, local_start=start,
                                                            time_zone="Europe/Berlin"),
        organiser_id=None, send_now=True)
    return meeting.occurrences[0]


def make_session(programme, world: World, start: datetime, *, trainer_id: int | None = None, people=()):
    """A scheduled session of the world's course in its region (Berlin wall time), with ``people`` enrolled."""
    session = session_services.create_session(
        programme, course_id=world.course_id, region_id=world.region_id,
        trainer_id=world.trainer.id if trainer_id is None else trainer_id, start_on=start.date(),
        start_time=start.time(), duration_minutes=60, location="Room 1", online_url="", capacity=40)
    session_services.schedule_session(session)
    for person_id in people:
        session_services.enrol_person(session, person_id)
    return session


def assessed_change(programme, title: str):
    change = change_services.submit_change(
        programme, submitted_by_id=None, title=title, kind="other", description="Needed.", requester_id=None,
        requested_on=date(2026, 10, 1), schedule_days=0, cost=None, risks="", plan_item_key="", new_start=None,
        new_duration=None)
    change_services.assess_change(change, expected_version=None, assessment="Checked.", schedule_days=0,
                                  cost=None, risks="", assessed_by_id=None)
    return change


def add_data(app, world: World, count: int, *, offset: int = 0) -> None:
    """``count`` more of everything the dashboards list: coming meetings without an agenda (each with an
    assessed change request on it), overdue actions of the member, the trainer's sessions later this week and
    ended sessions with unmarked people, risks, and waves going live in the coming weeks."""
    with app.test_request_context():
        programme = db.session.get(Programme, world.programme_id)
        for n in range(offset, offset + count):
            occurrence = schedule_meeting(programme, f"Steering {n}",
                                          datetime.combine(TODAY + timedelta(days=1 + n % 25), time(8 + n // 25, 0)))
            change = assessed_change(programme, f"Change {n}")
            committee_services.add_agenda_item(occurrence, title=f"Decide change {n}", change_request_id=change.id)
            committee_services.add_action(programme, title=f"Overdue task {n}", owner_id=world.member_person_id,
                                          due_on=TODAY - timedelta(days=1 + n))
            make_session(programme, world, datetime.combine(TODAY + timedelta(days=1 + n % 4), time(7 + n // 4, 0)))
            make_session(programme, world, datetime.combine(TODAY - timedelta(days=2 + n), time(10, 0)),
                         people=[world.trainee_id])
            risk_services.create_risk(programme, title=f"Risk {n}", category="training", likelihood=1 + n % 5,
                                      impact=3, owner_id=world.other_person_id, mitigation="Watch it.",
                                      trigger="", next_review_on=None, status="open", description="")
            region = programme_services.create_region(programme, name=f"Region {n}", tier="standard",
                                                      time_zone="Europe/Berlin", headcount=5, site_notes="")
            rollout_services.create_wave(programme, name=f"Wave {n}", kind="standard", position=10 + n,
                                         planned_go_live=TODAY + timedelta(days=5 + n), trial_days=10,
                                         region_ids=[region.id])
        db.session.commit()


# --- the health check's stand-in rule ------------------------------------------------------------------------

def finding(n: int, severity: Severity) -> Finding:
    return Finding(rule="dashboard_test", subject=f"thing:{n}", severity=severity, title=f"Finding number {n}",
                   advice="Do something.", evidence=(Evidence(label=OTHER_MEMBER_NAME, is_personal=True),))
