"""Building an exports world through the real services: one record (at least) in every register."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from planner.committee import services as committee_services
from planner.committee.models import MeetingOccurrence
from planner.extensions import db
from planner.lifecycle import services as lifecycle_services
from planner.programmes.models import Programme, Region
from planner.risks import services as risk_services
from planner.rollout import services as rollout_services
from planner.training import services as training_services
from planner.training import sessions
from tests.committee.helpers import held_occurrence

#: the clock of these tests
NOW = datetime(2026, 9, 18, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
OWNER = "Olga Owner"


@dataclass
class World:
    programme_id: int
    programme_name: str
    north_id: int
    owner_id: int
    occurrence_id: int
    milestone_id: int


def build_world(app, factories, name: str = "Zürich CRM rollout") -> World:
    """A programme with two regions, a person owning a risk and an action, a pilot wave gone live, two milestones
    (one reached, one late), a dated stage, a decision taken in a meeting, and a course the owner completed."""
    programme = factories.programme(name, regions=["North", "South"])
    with app.app_context():
        north = db.session.scalar(select(Region).where(Region.programme_id == programme.id, Region.name == "North"))
        north_id = north.id
    owner = factories.person(programme, OWNER, region_id=north_id, email="olga@example.com")
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        north = db.session.get(Region, north_id)
        stage = lifecycle_services.stages_of(target.id)[0]
        lifecycle_services.update_stage(stage, expected_version=None, goals="", expertise_needed="", owner_id=None,
                                        planned_start=date(2026, 3, 2), planned_finish=date(2026, 4, 30),
                                        actual_start=date(2026, 3, 2), actual_finish=None)
        kickoff = rollout_services.create_milestone(target, name="Kickoff", kind="kickoff",
                                                    planned_on=date(2026, 3, 2), actual_on=date(2026, 3, 2))
        rollout_services.create_milestone(target, name="Process sign-off", kind="process_sign_off",
                                          planned_on=date(2026, 8, 3), actual_on=None)
        rollout_services.create_wave(target, name="Pilot", kind="pilot", position=1,
                                     planned_go_live=date(2026, 9, 7), trial_days=10, region_ids=[north_id])
        db.session.flush()
        occurrence = held_occurrence(target, date(2026, 9, 15))
        decision = committee_services.record_decision(
            target, text="Go ahead with the pilot", decided_by="Steering committee", recorded_by_id=None,
            occurrence=occurrence, milestone_id=kickoff.id)
        db.session.flush()
        rollout_services.mark_region_live(target, north, live_on=date(2026, 9, 7), today=TODAY,
                                          decision_id=decision.id)
        risk_services.create_risk(target, title="Key users too busy", category="training", likelihood=4, impact=5,
                                  owner_id=owner.id, mitigation="Book their time.", trigger="",
                                  next_review_on=date(2026, 9, 1), status="open")
        committee_services.add_action(target, title="Book the trainers", owner_id=owner.id,
                                      due_on=date(2026, 9, 10), occurrence=occurrence)
        course = training_services.create_course(target, title="CRM basics", description="", duration_minutes=120,
                                                 format="classroom", material_links="")
        db.session.flush()
        training_services.add_requirement(course, job_role="", department_id=None)
        session = sessions.create_session(target, course_id=course.id, region_id=north_id, trainer_id=None,
                                          start_on=date(2026, 9, 2), start_time=time(10, 0), duration_minutes=120,
                                          location="Room 1", online_url="", capacity=20)
        sessions.enrol_person(session, owner.id)
        sessions.mark_attendance(session, person_id=owner.id, status="present", note="", marked_by_id=None,
                                 now=session.starts_at)
        world = World(target.id, target.name, north_id, owner.id, occurrence.id, kickoff.id)
        db.session.commit()
        return world


def add_rows(app, world: World, count: int, prefix: str = "Extra") -> None:
    """``count`` more risks, decisions and actions (owned by the world's person, taken in its meeting, linked to
    its milestone: each row has what could cost a query of its own), through the services."""
    with app.app_context():
        target = db.session.get(Programme, world.programme_id)
        occurrence = db.session.get(MeetingOccurrence, world.occurrence_id)
        for number in range(count):
            risk_services.create_risk(target, title=f"{prefix} risk {number}", category="scope", likelihood=2,
                                      impact=3, owner_id=world.owner_id, mitigation="", trigger="",
                                      next_review_on=None, status="open")
            committee_services.record_decision(target, text=f"{prefix} decision {number}", recorded_by_id=None,
                                               occurrence=occurrence, milestone_id=world.milestone_id)
            committee_services.add_action(target, title=f"{prefix} action {number}", owner_id=world.owner_id,
                                          due_on=date(2026, 10, 1), occurrence=occurrence)
        db.session.commit()
