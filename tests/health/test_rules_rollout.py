"""The rollout rules: everything at once, a wave before the trial ends, a go-live in a freeze window, a stage gate
overdue. Each fires on the failure, stays quiet once it is fixed, and escalates where it has a threshold."""
from datetime import date, timedelta

from sqlalchemy import select

from planner.extensions import db
from planner.health.findings import Severity
from planner.lifecycle import services as lifecycle_services
from planner.lifecycle.models import Stage
from planner.programmes.models import Programme
from planner.rollout import services as rollout_services
from planner.rollout.models import FreezeWindow, Wave
from tests.health.rules_helpers_b import assert_links_build, findings, only, set_threshold

#: a Monday
TODAY = date(2026, 11, 16)


def _programme(app, factories, regions=("Hamburg", "Boston", "Lyon")):
    programme = factories.programme(regions=list(regions))
    with app.app_context():
        ids = {region.name: region.id for region in db.session.get(Programme, programme.id).regions}
    return programme.id, ids


def _wave(app, programme_id, name, region_ids, planned_go_live, position, trial_days=10) -> int:
    with app.app_context():
        wave = rollout_services.create_wave(db.session.get(Programme, programme_id), name=name, kind="standard",
                                            position=position, planned_go_live=planned_go_live,
                                            trial_days=trial_days, region_ids=list(region_ids))
        db.session.commit()
        return wave.id


# --- everything at once ----------------------------------------------------------------------------------------

def test_all_regions_in_one_wave_is_high(app, factories):
    programme_id, regions = _programme(app, factories)
    wave_id = _wave(app, programme_id, "Big bang", regions.values(), date(2026, 12, 1), 1)
    finding = only(app, programme_id, "everything_at_once", TODAY)
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH, f"wave:{wave_id}", 3)
    assert "All 3 regions" in finding.title
    assert f"/waves/{wave_id}" in assert_links_build(app, finding)[0]


def test_a_pilot_of_one_region_first_is_phased(app, factories):
    programme_id, regions = _programme(app, factories)
    _wave(app, programme_id, "Pilot", [regions["Hamburg"]], date(2026, 12, 1), 1)
    _wave(app, programme_id, "Rest", [regions["Boston"], regions["Lyon"]], date(2027, 2, 1), 2)
    assert findings(app, programme_id, "everything_at_once", TODAY) == []


def test_a_first_wave_larger_than_the_threshold_fires_until_the_threshold_allows_it(app, factories):
    programme_id, regions = _programme(app, factories)
    first = _wave(app, programme_id, "Pilot", [regions["Hamburg"], regions["Boston"]], date(2026, 12, 1), 1)
    _wave(app, programme_id, "Rest", [regions["Lyon"]], date(2027, 2, 1), 2)
    finding = only(app, programme_id, "everything_at_once", TODAY)
    assert (finding.subject, finding.measure) == (f"wave:{first}", 2)
    set_threshold(app, programme_id, "pilot_max_regions", 2)
    assert findings(app, programme_id, "everything_at_once", TODAY) == []


def test_an_unplanned_or_single_region_programme_is_not_due(app, factories):
    programme_id, regions = _programme(app, factories)
    assert findings(app, programme_id, "everything_at_once", TODAY) == []
    single_id, single = _programme(app, factories, regions=("Solo",))
    _wave(app, single_id, "Only", single.values(), date(2026, 12, 1), 1)
    assert findings(app, single_id, "everything_at_once", TODAY) == []


# --- a wave before the trial ends ------------------------------------------------------------------------------

def test_a_wave_going_live_inside_the_previous_trial_is_high_with_the_overlap(app, factories):
    programme_id, regions = _programme(app, factories)
    pilot = _wave(app, programme_id, "Pilot", [regions["Hamburg"]], date(2026, 12, 1), 1, trial_days=10)
    key = _wave(app, programme_id, "Key", [regions["Boston"]], date(2026, 12, 8), 2)
    finding = only(app, programme_id, "wave_before_trial_ends", TODAY)
    # ten working days from Tuesday 1 December: the trial is over on Tuesday 15 December
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH, f"wave:{key}", 7)
    assert "7 days" in finding.title and "2026-12-14" in finding.advice
    urls = assert_links_build(app, finding)
    assert any(f"/waves/{pilot}" in url for url in urls) and any(url.endswith("/plan") for url in urls)


def test_a_wave_after_the_trial_is_fine(app, factories):
    programme_id, regions = _programme(app, factories)
    _wave(app, programme_id, "Pilot", [regions["Hamburg"]], date(2026, 12, 1), 1, trial_days=10)
    _wave(app, programme_id, "Key", [regions["Boston"]], date(2026, 12, 15), 2)
    assert findings(app, programme_id, "wave_before_trial_ends", TODAY) == []


def test_the_trial_counts_from_the_day_the_pilot_really_went_live(app, factories, today_is):
    programme_id, regions = _programme(app, factories)
    _wave(app, programme_id, "Pilot", [regions["Hamburg"]], date(2026, 11, 2), 1, trial_days=10)
    key = _wave(app, programme_id, "Key", [regions["Boston"]], date(2026, 11, 17), 2)
    assert findings(app, programme_id, "wave_before_trial_ends", TODAY) == []
    today_is(date(2026, 11, 9))
    with app.app_context():  # the pilot went live a week late: its trial now ends on 23 November
        programme = db.session.get(Programme, programme_id)
        region = next(region for region in programme.regions if region.name == "Hamburg")
        rollout_services.mark_region_live(programme, region, live_on=date(2026, 11, 9), today=date(2026, 11, 9))
        db.session.commit()
    finding = only(app, programme_id, "wave_before_trial_ends", TODAY)
    assert (finding.subject, finding.measure) == (f"wave:{key}", 6)


# --- a go-live in a freeze window ------------------------------------------------------------------------------

def _freeze(app, programme_id, start, end, name="Year-end close"):
    with app.app_context():
        rollout_services.add_freeze_window(db.session.get(Programme, programme_id), name=name, start_on=start,
                                           end_on=end)
        db.session.commit()


def test_a_freeze_added_over_a_planned_go_live_is_high(app, factories):
    programme_id, regions = _programme(app, factories)
    wave_id = _wave(app, programme_id, "Key", [regions["Boston"], regions["Lyon"]], date(2026, 12, 29), 1)
    _freeze(app, programme_id, date(2026, 12, 20), date(2027, 1, 5))
    finding = only(app, programme_id, "go_live_in_freeze", TODAY)
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH, f"wave:{wave_id}", 2)
    assert "Year-end close" in finding.title and "2027-01-05" in finding.advice
    urls = assert_links_build(app, finding)
    assert any(url.endswith("/calendar") for url in urls)


def test_a_go_live_outside_every_freeze_is_fine(app, factories):
    programme_id, regions = _programme(app, factories)
    wave_id = _wave(app, programme_id, "Key", [regions["Boston"]], date(2026, 12, 29), 1)
    _freeze(app, programme_id, date(2026, 12, 20), date(2027, 1, 5))
    with app.app_context():  # re-planned after the freeze
        wave = db.session.get(Wave, wave_id)
        wave.planned_go_live = date(2027, 1, 6)
        db.session.commit()
    assert findings(app, programme_id, "go_live_in_freeze", TODAY) == []


def test_a_past_go_live_in_a_freeze_is_no_longer_flagged(app, factories):
    programme_id, regions = _programme(app, factories)
    _wave(app, programme_id, "Key", [regions["Boston"]], date(2026, 12, 29), 1)
    with app.app_context():
        db.session.add(FreezeWindow(programme_id=programme_id, name="Close", start_on=date(2026, 12, 20),
                                    end_on=date(2027, 1, 5)))
        db.session.commit()
    assert findings(app, programme_id, "go_live_in_freeze", date(2027, 1, 10)) == []


# --- a stage gate overdue --------------------------------------------------------------------------------------

def _plan_stage(app, programme_id, number, finish) -> int:
    with app.app_context():
        stage = db.session.scalar(select(Stage).where(Stage.programme_id == programme_id, Stage.number == number))
        lifecycle_services.update_stage(stage, expected_version=None, goals=stage.goals,
                                        expertise_needed=stage.expertise_needed, owner_id=None,
                                        planned_start=finish - timedelta(days=60), planned_finish=finish,
                                        actual_start=None, actual_finish=None)
        db.session.commit()
        return stage.id


def test_a_stage_overdue_past_the_threshold_is_medium_then_high(app, factories):
    programme_id, _regions = _programme(app, factories)
    stage_id = _plan_stage(app, programme_id, 1, TODAY - timedelta(days=20))
    finding = only(app, programme_id, "stage_gate_overdue", TODAY)
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, f"stage:{stage_id}", 2)
    assert "20 days" in finding.title
    assert f"/stages/{stage_id}" in assert_links_build(app, finding)[0]
    escalated = only(app, programme_id, "stage_gate_overdue", TODAY + timedelta(days=30))
    assert (escalated.severity, escalated.measure) == (Severity.HIGH, 7)


def test_a_stage_within_the_threshold_or_with_its_gate_passed_is_fine(app, factories):
    programme_id, _regions = _programme(app, factories)
    _plan_stage(app, programme_id, 2, TODAY - timedelta(days=10))
    stage_id = _plan_stage(app, programme_id, 1, TODAY - timedelta(days=20))
    assert len(findings(app, programme_id, "stage_gate_overdue", TODAY)) == 1
    with app.app_context():
        stage = db.session.get(Stage, stage_id)
        lifecycle_services.record_gate_review(stage, met_criterion_ids={c.id for c in stage.criteria},
                                              reviewed_on=TODAY, approved_by_id=None, notes="",
                                              recorded_by_id=None)
        db.session.commit()
    assert findings(app, programme_id, "stage_gate_overdue", TODAY) == []


def test_the_rollout_rules_keep_a_flat_query_count(app, factories):
    from planner.health.engine import run_health_check
    from tests.conftest import count_queries

    counts = []
    for size in (3, 30):
        programme_id, regions = _programme(app, factories, regions=[f"Region {n}" for n in range(size)])
        ids = list(regions.values())
        _wave(app, programme_id, "Pilot", ids[:2], date(2026, 12, 1), 1)
        for number, region_id in enumerate(ids[2:], start=2):
            _wave(app, programme_id, f"Wave {number}", [region_id], date(2026, 12, 2) + timedelta(days=number),
                  number)
        _freeze(app, programme_id, date(2026, 12, 3), date(2026, 12, 5))
        for number in range(1, 7):
            _plan_stage(app, programme_id, number, TODAY - timedelta(days=20 + number))
        with app.app_context():
            programme = db.session.get(Programme, programme_id)
            with count_queries(app) as statements:
                report = run_health_check(programme, TODAY, rule_keys=(
                    "everything_at_once", "wave_before_trial_ends", "go_live_in_freeze", "stage_gate_overdue"))
            assert {finding.rule for finding in report.open} == {
                "everything_at_once", "wave_before_trial_ends", "go_live_in_freeze", "stage_gate_overdue"}
            counts.append(len(statements))
    assert counts[0] == counts[1]


def test_a_brand_new_programme_raises_none_of_these_rules(app, factories):
    """Nothing here is due before there is a plan, people, training, figures or risks."""
    programme_id, _regions = _programme(app, factories)
    keys = ("everything_at_once", "wave_before_trial_ends", "go_live_in_freeze", "stage_gate_overdue",
            "people_without_training_requirement", "training_too_early", "training_after_go_live",
            "training_cancelled_for_business", "training_incomplete_before_go_live", "no_internal_expert",
            "readiness_barrier", "low_adoption_after_go_live", "risk_without_owner_or_mitigation",
            "high_risk_review_overdue")
    from planner.health.rules import RULES

    assert set(keys) <= set(RULES)
    for key in keys:
        assert findings(app, programme_id, key, TODAY) == [], key
