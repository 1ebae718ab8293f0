"""The adoption rules: no internal expert, readiness barriers before go-live, low or unmeasured adoption after it."""
from datetime import date

from planner.adoption import services as adoption_services
from planner.extensions import db
from planner.health.findings import Severity
from planner.people.models import Person
from planner.programmes.models import Programme, Region
from planner.rollout import services as rollout_services
from planner.surveys import services as survey_services
from planner.surveys.models import SurveyRound
from tests.health.rules_helpers_b import assert_links_build, findings, only, set_threshold
from tests.surveys.helpers import make_round, make_world, scores

#: a Wednesday; its week starts on Monday 2026-10-12
TODAY = date(2026, 10, 14)


def _programme(app, factories):
    programme = factories.programme(regions=["North", "South"], departments=["Sales", "IT"])
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        regions = {region.name: region.id for region in target.regions}
        departments = {department.name: department.id for department in target.departments}
    return programme, regions, departments


def _waves(app, programme_id, plan: dict[int, date]) -> None:
    """One wave per region id, in the order given, going live on the day given."""
    with app.app_context():
        target = db.session.get(Programme, programme_id)
        for position, (region_id, day) in enumerate(plan.items(), start=1):
            rollout_services.create_wave(target, name=f"Wave {position}", kind="standard", position=position,
                                         planned_go_live=day, trial_days=5, region_ids=[region_id])
        db.session.commit()


def _nominate(app, programme_id, person_id) -> None:
    with app.app_context():
        adoption_services.set_super_user(db.session.get(Programme, programme_id), db.session.get(Person, person_id),
                                         True)
        db.session.commit()


# --- no internal expert ----------------------------------------------------------------------------------------

def test_a_region_going_live_soon_without_a_super_user_is_high(app, factories):
    programme, regions, departments = _programme(app, factories)
    _waves(app, programme.id, {regions["North"]: date(2026, 10, 30), regions["South"]: date(2027, 1, 15)})
    it_person = factories.person(programme, "Ivo IT", region_id=regions["South"], department_id=departments["IT"])
    _nominate(app, programme.id, it_person.id)
    result = {finding.subject: finding for finding in findings(app, programme.id, "no_internal_expert", TODAY)}
    north, south = result[f"region:{regions['North']}"], result[f"region:{regions['South']}"]
    assert (north.severity, north.measure) == (Severity.HIGH, 2)
    assert (south.severity, south.measure) == (Severity.MEDIUM, 1)
    assert "only in IT" in south.title and "Ivo" not in south.title
    assert assert_links_build(app, north)[0].endswith("/super-users")


def test_a_business_super_user_settles_it_and_unplanned_regions_are_not_due(app, factories):
    programme, regions, departments = _programme(app, factories)
    _waves(app, programme.id, {regions["North"]: date(2026, 10, 30)})  # South has no go-live yet
    seller = factories.person(programme, "Sue Seller", region_id=regions["North"],
                              department_id=departments["Sales"])
    assert len(findings(app, programme.id, "no_internal_expert", TODAY)) == 1
    _nominate(app, programme.id, seller.id)
    assert findings(app, programme.id, "no_internal_expert", TODAY) == []


def test_the_go_live_window_threshold_sets_when_it_becomes_high(app, factories):
    programme, regions, _departments = _programme(app, factories)
    _waves(app, programme.id, {regions["North"]: date(2026, 11, 30)})
    assert only(app, programme.id, "no_internal_expert", TODAY).severity is Severity.MEDIUM
    set_threshold(app, programme.id, "super_user_go_live_days", 60)
    assert only(app, programme.id, "no_internal_expert", TODAY).severity is Severity.HIGH


# --- readiness barriers ----------------------------------------------------------------------------------------

def _answered_round(app, world, today_is, region: str, answer: dict) -> int:
    today_is(date(2026, 11, 2))
    survey_id = make_round(app, world)
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        for _ in range(3):
            survey_services.enter_paper_response(survey, region_id=world.regions[region], scores=answer,
                                                 entered_by_id=None)
        db.session.commit()
    return survey_id


def test_a_barrier_in_a_region_going_live_soon_is_high(app, factories, today_is):
    world = make_world(app, factories)
    _waves(app, world.programme.id, {world.regions["Hamburg"]: date(2026, 12, 10)})
    survey_id = _answered_round(app, world, today_is, "Hamburg", scores(d=2, ab=3))
    finding = only(app, world.programme.id, "readiness_barrier", date(2026, 11, 16))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH,
                                                                    f"region:{world.regions['Hamburg']}", 2)
    assert "desire, ability" in finding.title and "24 days" in finding.title
    assert f"/surveys/{survey_id}" in assert_links_build(app, finding)[0]


def test_no_barrier_or_a_distant_go_live_is_fine(app, factories, today_is):
    world = make_world(app, factories)
    _waves(app, world.programme.id, {world.regions["Hamburg"]: date(2027, 3, 1)})
    _answered_round(app, world, today_is, "Hamburg", scores(d=2))
    assert findings(app, world.programme.id, "readiness_barrier", date(2026, 11, 16)) == []
    set_threshold(app, world.programme.id, "barrier_go_live_days", 120)
    assert len(findings(app, world.programme.id, "readiness_barrier", date(2026, 11, 16))) == 1

    confident = make_world(app, factories)
    _waves(app, confident.programme.id, {confident.regions["Hamburg"]: date(2026, 12, 10)})
    _answered_round(app, confident, today_is, "Hamburg", scores())
    assert findings(app, confident.programme.id, "readiness_barrier", date(2026, 11, 16)) == []


# --- low adoption after go-live --------------------------------------------------------------------------------

def _live(app, factories, live_on=date(2026, 9, 14)):
    programme, regions, _departments = _programme(app, factories)
    _waves(app, programme.id, {regions["North"]: live_on, regions["South"]: date(2027, 1, 15)})
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        rollout_services.mark_region_live(target, db.session.get(Region, regions["North"]), live_on=live_on,
                                          today=live_on)
        db.session.commit()
    return programme, regions


def _figure(app, programme, region_id, week, active, licensed=100) -> None:
    with app.app_context():
        adoption_services.record_figure(db.session.get(Programme, programme.id), region_id=region_id, week=week,
                                        active_users=active, licensed_users=licensed, today=TODAY)
        db.session.commit()


def test_adoption_below_the_gate_minimum_is_medium_and_below_half_high(app, factories):
    programme, regions = _live(app, factories)
    _figure(app, programme, regions["North"], date(2026, 10, 5), 40)
    finding = only(app, programme.id, "low_adoption_after_go_live", TODAY)
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, f"region:{regions['North']}",
                                                                    20)
    assert "40%" in finding.title
    assert assert_links_build(app, finding)[0].endswith("/adoption")
    _figure(app, programme, regions["North"], date(2026, 10, 5), 20)
    worse = only(app, programme.id, "low_adoption_after_go_live", TODAY)
    assert (worse.severity, worse.measure) == (Severity.HIGH, 40)


def test_adoption_at_the_gate_minimum_is_fine(app, factories):
    programme, regions = _live(app, factories)
    _figure(app, programme, regions["North"], date(2026, 10, 5), 60)
    assert findings(app, programme.id, "low_adoption_after_go_live", TODAY) == []


def test_a_live_region_without_figures_since_go_live_is_medium(app, factories):
    programme, regions = _live(app, factories)
    _figure(app, programme, regions["North"], date(2026, 9, 7), 90)  # before go-live: does not count
    finding = only(app, programme.id, "low_adoption_after_go_live", TODAY)
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM,
                                                                    f"region:{regions['North']}:figures", 4)
    assert "4 weeks" in finding.title
    set_threshold(app, programme.id, "adoption_figures_missing_weeks", 5)
    assert findings(app, programme.id, "low_adoption_after_go_live", TODAY) == []


def test_a_region_just_live_is_not_yet_due_for_figures(app, factories):
    programme, _regions = _live(app, factories, live_on=date(2026, 10, 6))
    assert findings(app, programme.id, "low_adoption_after_go_live", TODAY) == []


def test_the_adoption_rules_keep_a_flat_query_count(app, factories, today_is):
    from planner.health.engine import run_health_check
    from tests.conftest import count_queries

    counts = []
    for size in (1, 10):
        world = make_world(app, factories, per_region=3 * size)
        _waves(app, world.programme.id, {world.regions["Hamburg"]: date(2026, 12, 10)})
        _answered_round(app, world, today_is, "Hamburg", scores(d=2))
        with app.app_context():
            programme = db.session.get(Programme, world.programme.id)
            with count_queries(app) as statements:
                report = run_health_check(programme, date(2026, 11, 16), rule_keys=(
                    "no_internal_expert", "readiness_barrier", "low_adoption_after_go_live"))
            assert {finding.rule for finding in report.open} == {"no_internal_expert", "readiness_barrier"}
            counts.append(len(statements))
    assert counts[0] == counts[1]
