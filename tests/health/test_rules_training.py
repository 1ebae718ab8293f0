"""The training rules: people without a required course, training too early or after go-live, training cancelled
for business, too few trained shortly before go-live."""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest

from planner.extensions import db
from planner.training.models import TrainingSession
from planner.training.session_queries import window_flags
from planner.health.findings import Severity
from planner.programmes.models import Programme, Region
from planner.rollout import services as rollout_services
from planner.training import enrolment, sessions
from planner.training import services as training_services
from tests.health.rules_helpers_b import assert_links_build, findings, only, set_threshold

#: North's wave goes live on Tuesday 15 December, South's on 1 March
NORTH_GO_LIVE = date(2026, 12, 15)
SOUTH_GO_LIVE = date(2027, 3, 1)


@dataclass
class World:
    programme_id: int
    regions: dict[str, int]
    course_id: int
    people: dict[str, int] = field(default_factory=dict)


def build(app, factories, *, roles=("Sales representative", "Sales representative"), requirement="") -> World:
    """Regions North and South in two waves, a course "CRM basics" required of ``requirement`` (empty: everyone)
    and people in North with ``roles``."""
    programme = factories.programme(regions=["North", "South"])
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        regions = {region.name: region.id for region in target.regions}
        rollout_services.create_wave(target, name="Pilot", kind="pilot", position=1, planned_go_live=NORTH_GO_LIVE,
                                     trial_days=10, region_ids=[regions["North"]])
        rollout_services.create_wave(target, name="Rest", kind="standard", position=2,
                                     planned_go_live=SOUTH_GO_LIVE, trial_days=10, region_ids=[regions["South"]])
        course = training_services.create_course(target, title="CRM basics", description="", duration_minutes=120,
                                                 format="classroom", material_links="")
        db.session.flush()
        training_services.add_requirement(course, job_role=requirement, department_id=None)
        db.session.commit()
        world = World(programme.id, regions, course.id)
    for number, role in enumerate(roles):
        world.people[f"p{number}"] = factories.person(programme, f"North person {number}", job_role=role,
                                                      region_id=regions["North"]).id
    return world


def session_on(app, w: World, day: date, region: str = "North", people=()) -> int:
    with app.app_context():
        session = sessions.create_session(db.session.get(Programme, w.programme_id), course_id=w.course_id,
                                          region_id=w.regions[region], trainer_id=None, start_on=day,
                                          start_time=time(10, 0), duration_minutes=120, location="Room 1",
                                          online_url="", capacity=20)
        for person in people:
            sessions.enrol_person(session, w.people[person])
        db.session.commit()
        return session.id


def attend(app, w: World, session_id: int, *people: str) -> None:
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        for person in people:
            sessions.mark_attendance(session, person_id=w.people[person], status="present", note="",
                                     marked_by_id=None, now=session.starts_at)
        db.session.commit()


# --- people without a required course --------------------------------------------------------------------------

def test_people_no_requirement_matches_are_counted_empty_job_role_included(app, factories):
    w = build(app, factories, roles=("Sales representative", "Sales representative", "Service agent", ""),
              requirement="Sales representative")
    finding = only(app, w.programme_id, "people_without_training_requirement", date(2026, 10, 1))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH, "programme", 2)
    assert "2 of 4 people" in finding.title
    personal = [evidence for evidence in finding.evidence if evidence.is_personal]
    assert sorted(evidence.label for evidence in personal) == ["North person 2", "North person 3"]
    assert "North person" not in finding.title
    assert any(url.endswith("/training/requirements") for url in assert_links_build(app, finding))


def test_a_share_under_the_threshold_is_medium(app, factories):
    w = build(app, factories, roles=("Sales representative", "Sales representative", "Service agent", ""),
              requirement="Sales representative")
    set_threshold(app, w.programme_id, "untrained_role_percent", 60)
    assert only(app, w.programme_id, "people_without_training_requirement", date(2026, 10, 1)).severity \
        is Severity.MEDIUM


def test_a_requirement_for_everyone_leaves_nobody_out(app, factories):
    w = build(app, factories, roles=("Sales representative", "Service agent", ""), requirement="")
    assert findings(app, w.programme_id, "people_without_training_requirement", date(2026, 10, 1)) == []


# --- training too early ----------------------------------------------------------------------------------------

def test_training_ending_long_before_go_live_is_medium_with_the_lead(app, factories):
    w = build(app, factories)
    session_on(app, w, date(2026, 10, 5))
    last = session_on(app, w, date(2026, 10, 20))
    session_on(app, w, date(2026, 10, 30), region="South")  # South is far off: not this rule's concern
    finding = only(app, w.programme_id, "training_too_early", date(2026, 10, 1))
    with app.app_context():
        programme = db.session.get(Programme, w.programme_id)
        session = db.session.get(TrainingSession, last)
        lead = window_flags(programme, [session])[last].lead_days
        assert lead > programme.training_max_lead_days  # the programme's one training window (20 working days)
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, f"region:{w.regions['North']}",
                                                                    lead)
    assert f"{lead} working days" in finding.title
    assert f"/sessions/{last}" in assert_links_build(app, finding)[0]


def test_training_close_to_go_live_is_fine(app, factories):
    w = build(app, factories)
    session_on(app, w, date(2026, 10, 20))
    session_on(app, w, date(2026, 12, 1))  # the last session is two weeks before go-live
    assert findings(app, w.programme_id, "training_too_early", date(2026, 10, 1)) == []


def test_a_longer_training_window_lets_early_training_pass(app, factories):
    w = build(app, factories)
    session_on(app, w, date(2026, 10, 20))
    with app.app_context():
        db.session.get(Programme, w.programme_id).training_max_lead_days = 60
        db.session.commit()
    assert findings(app, w.programme_id, "training_too_early", date(2026, 10, 1)) == []


# --- training after go-live ------------------------------------------------------------------------------------

def test_sessions_after_a_planned_go_live_are_high(app, factories):
    w = build(app, factories)
    session_on(app, w, date(2026, 12, 1))
    late = session_on(app, w, date(2026, 12, 16))
    finding = only(app, w.programme_id, "training_after_go_live", date(2026, 11, 1))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH, f"region:{w.regions['North']}", 1)
    assert f"/sessions/{late}" in assert_links_build(app, finding)[0]


def test_sessions_before_go_live_are_fine(app, factories):
    w = build(app, factories)
    session_on(app, w, date(2026, 12, 10))
    assert findings(app, w.programme_id, "training_after_go_live", date(2026, 11, 1)) == []


def _go_live(app, w: World, region: str, day: date) -> None:
    with app.app_context():
        programme = db.session.get(Programme, w.programme_id)
        rollout_services.mark_region_live(programme, db.session.get(Region, w.regions[region]), live_on=day,
                                          today=day)
        db.session.commit()


def test_a_live_region_with_people_untrained_is_high_until_they_are_trained(app, factories):
    w = build(app, factories)
    session_id = session_on(app, w, date(2026, 12, 8), people=("p0", "p1"))
    attend(app, w, session_id, "p0")
    _go_live(app, w, "North", NORTH_GO_LIVE)
    finding = only(app, w.programme_id, "training_after_go_live", date(2026, 12, 20))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH,
                                                                    f"region:{w.regions['North']}:untrained", 1)
    assert assert_links_build(app, finding)[0].endswith("/training/readiness")
    attend(app, w, session_id, "p1")
    assert findings(app, w.programme_id, "training_after_go_live", date(2026, 12, 20)) == []


# --- training cancelled for business ---------------------------------------------------------------------------

CANCELLED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _cancel(app, session_id: int, reason: str = "business_priority", at: datetime = CANCELLED_AT) -> None:
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        enrolment.cancel_session(session, reason=reason, note="Quarter-end push")
        db.session.flush()
        session.updated_at = at  # when it was cancelled, as the committee pack reads it
        db.session.commit()


@pytest.fixture
def pinned(now_is):
    now_is(CANCELLED_AT)


def test_one_business_cancellation_is_medium(app, factories, pinned):
    w = build(app, factories)
    session_id = session_on(app, w, date(2026, 12, 1))
    session_on(app, w, date(2026, 12, 3), people=("p0",))
    _cancel(app, session_id)
    finding = only(app, w.programme_id, "training_cancelled_for_business", date(2026, 11, 24))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, "programme", 1)
    assert f"/sessions/{session_id}" in assert_links_build(app, finding)[0]


def test_more_than_two_cancellations_are_high(app, factories, pinned):
    w = build(app, factories)
    for day in (1, 2, 3):
        _cancel(app, session_on(app, w, date(2027, 2, day), region="South"))
    finding = only(app, w.programme_id, "training_cancelled_for_business", date(2026, 11, 24))
    assert (finding.severity, finding.measure) == (Severity.HIGH, 3)


def test_people_left_without_a_session_before_a_near_go_live_make_it_high(app, factories, pinned):
    w = build(app, factories)
    session_id = session_on(app, w, date(2026, 12, 1), people=("p0", "p1"))
    _cancel(app, session_id)
    finding = only(app, w.programme_id, "training_cancelled_for_business", date(2026, 11, 24))
    assert (finding.severity, finding.measure) == (Severity.HIGH, 1)
    assert "2 people" in finding.title


def test_other_reasons_and_old_cancellations_do_not_count(app, factories, pinned):
    w = build(app, factories)
    _cancel(app, session_on(app, w, date(2026, 12, 1)), reason="trainer_unavailable")
    _cancel(app, session_on(app, w, date(2026, 12, 2)), at=CANCELLED_AT - timedelta(days=90))
    assert findings(app, w.programme_id, "training_cancelled_for_business", date(2026, 11, 24)) == []


# --- too few trained shortly before go-live --------------------------------------------------------------------

def test_a_region_going_live_soon_with_too_few_trained_is_high(app, factories):
    w = build(app, factories, roles=("Sales representative",) * 3)
    session_id = session_on(app, w, date(2026, 12, 1), people=("p0", "p1", "p2"))
    attend(app, w, session_id, "p0")
    finding = only(app, w.programme_id, "training_incomplete_before_go_live", date(2026, 12, 5))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH, f"region:{w.regions['North']}", 2)
    assert "33%" in finding.title
    assert_links_build(app, finding)
    # three weeks out it is not yet due; a wider window catches it
    assert findings(app, w.programme_id, "training_incomplete_before_go_live", date(2026, 11, 24)) == []
    set_threshold(app, w.programme_id, "training_check_days", 30)
    assert len(findings(app, w.programme_id, "training_incomplete_before_go_live", date(2026, 11, 24))) == 1


def test_a_region_trained_enough_is_fine(app, factories):
    w = build(app, factories, roles=("Sales representative",) * 3)
    session_id = session_on(app, w, date(2026, 12, 1), people=("p0", "p1", "p2"))
    attend(app, w, session_id, "p0", "p1")
    assert len(findings(app, w.programme_id, "training_incomplete_before_go_live", date(2026, 12, 5))) == 1
    set_threshold(app, w.programme_id, "training_min_completion_percent", 60)
    assert findings(app, w.programme_id, "training_incomplete_before_go_live", date(2026, 12, 5)) == []


def test_a_region_fully_trained_is_fine(app, factories):
    w = build(app, factories, roles=("Sales representative",) * 2)
    session_id = session_on(app, w, date(2026, 12, 1), people=("p0", "p1"))
    attend(app, w, session_id, "p0", "p1")
    assert findings(app, w.programme_id, "training_incomplete_before_go_live", date(2026, 12, 5)) == []


# --- a flat number of queries ----------------------------------------------------------------------------------

TRAINING_RULES = ("people_without_training_requirement", "training_too_early", "training_after_go_live",
                  "training_cancelled_for_business", "training_incomplete_before_go_live")


def _queries(app, w: World, today: date) -> int:
    from planner.health.engine import run_health_check
    from tests.conftest import count_queries

    with app.app_context():
        programme = db.session.get(Programme, w.programme_id)
        with count_queries(app) as statements:
            report = run_health_check(programme, today, rule_keys=TRAINING_RULES)
        assert report.open
        return len(statements)


def test_the_training_rules_keep_a_flat_query_count(app, factories, pinned):
    small = build(app, factories, roles=("Sales representative", "Service agent", ""),
                  requirement="Sales representative")
    large = build(app, factories, roles=("Sales representative", "Service agent", "") * 10,
                  requirement="Sales representative")
    for w, count in ((small, 1), (large, 10)):
        for day in range(count):
            session_on(app, w, date(2026, 10, 1) + timedelta(days=day))
            session_on(app, w, date(2026, 12, 16) + timedelta(days=day), people=("p0",))
            _cancel(app, session_on(app, w, date(2026, 12, 1) + timedelta(days=day)))
    assert _queries(app, small, date(2026, 12, 5)) == _queries(app, large, date(2026, 12, 5))
