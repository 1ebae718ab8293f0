"""The wave gate reads adoption from the weekly figures: for each region, its latest COMPLETED week since its
go-live, of the last two completed weeks; active over licensed summed over the previous wave's regions, and "no
data" (the gate not met) unless every one of them has such a figure; one registered source answers training
too, and the gate pages keep a fixed number of queries however many waves there are."""
from datetime import date

import pytest

from planner.adoption import evidence as adoption_evidence
from planner.adoption import services
from planner.extensions import db
from planner.programmes import services as programme_services
from planner.programmes.models import Programme, Region
from planner.rollout import evidence
from planner.rollout import services as rollout_services
from planner.rollout.gate import CheckState, evaluate_gates
from planner.training import readiness
from tests.adoption.helpers import TODAY, build, record
from tests.conftest import count_queries


def go_live(app, world, **days: date) -> None:
    """Set regions' go-live days (``North=date(...)``)."""
    with app.app_context():
        for name, day in days.items():
            db.session.get(Region, world.regions[name]).live_on = day
        db.session.commit()


@pytest.fixture
def installed(monkeypatch):
    """The sources registered as create_app does; the previous source comes back after the test."""
    monkeypatch.setattr(evidence, "_source", evidence.NoEvidenceYet())
    readiness.install()
    adoption_evidence.install()
    assert isinstance(evidence.evidence(), adoption_evidence.GateEvidence)


def test_create_app_registers_the_combined_source(app):
    source = evidence.evidence()
    assert isinstance(source, adoption_evidence.GateEvidence)
    assert isinstance(source.training, readiness.TrainingEvidence)


def test_adoption_is_the_latest_completed_week_since_go_live_of_every_region(app, factories, installed, today_is):
    today_is(TODAY)  # Wednesday 2026-10-14: the completed weeks that count start on 09-28 and 10-05
    world = build(app, factories)
    go_live(app, world, North=date(2026, 9, 16), South=date(2026, 10, 1))  # Mondays 09-14 and 09-28
    record(app, world, "North", date(2026, 9, 21), 95, 100)  # three completed weeks ago: too old
    record(app, world, "North", date(2026, 9, 28), 90, 100)  # an older week does not count
    record(app, world, "North", date(2026, 10, 5), 30, 100)
    record(app, world, "South", date(2026, 9, 21), 50, 50)  # before its go-live week (a test run)
    record(app, world, "South", date(2026, 10, 12), 50, 50)  # this week is not over
    record(app, world, "East", date(2026, 10, 5), 10, 10)  # East is not live: no adoption
    with app.app_context():
        source = evidence.evidence()
        assert source.adoption_pct([world.regions["North"]]) == 30.0
        assert source.adoption_pct([world.regions["South"]]) is None
        assert source.adoption_pct([world.regions["North"], world.regions["South"]]) is None  # South counts
        assert source.adoption_pct([world.regions["East"]]) is None
        assert source.adoption_pct([]) is None
        assert source.training_completion_pct([world.regions["North"]]) is None  # no courses: delegated
    record(app, world, "South", date(2026, 9, 28), 40, 50)  # its go-live week, completed
    with app.app_context():
        source = evidence.evidence()
        assert source.adoption_pct([world.regions["South"]]) == 80.0
        assert source.adoption_pct([world.regions["North"], world.regions["South"]]) == pytest.approx(70 * 100 / 150)
        assert source.adoption_pct([world.regions["North"], world.regions["East"]]) is None


def test_figures_grow_stale_and_the_next_day_is_read_again(app, factories, installed, today_is):
    today_is(TODAY)
    world = build(app, factories)
    go_live(app, world, North=date(2026, 9, 1))
    record(app, world, "North", date(2026, 9, 28), 70, 100)
    with app.app_context():
        source = evidence.evidence()
        assert source.adoption_pct([world.regions["North"]]) == 70.0
        today_is(date(2026, 10, 19))  # a Monday: the completed weeks that count are now 10-05 and 10-12
        assert source.adoption_pct([world.regions["North"]]) is None
        today_is(date(2026, 10, 18))  # Sunday: the week of 10-12 is not over, 09-28 still counts
        assert source.adoption_pct([world.regions["North"]]) == 70.0


def test_figures_follow_a_new_record_in_the_same_session(app, factories, installed, today_is):
    today_is(TODAY)
    world = build(app, factories)
    go_live(app, world, North=date(2026, 9, 28))
    record(app, world, "North", date(2026, 10, 5), 30, 100)
    with app.app_context():
        source = evidence.evidence()
        assert source.adoption_pct([world.regions["North"]]) == 30.0
        services.record_figure(db.session.get(Programme, world.programme.id), region_id=world.regions["North"],
                               week=date(2026, 10, 7), active_users=70, licensed_users=100, today=TODAY)
        assert source.adoption_pct([world.regions["North"]]) == 70.0
        db.session.rollback()
        assert source.adoption_pct([world.regions["North"]]) == 30.0


def _adoption_checks(app, world) -> dict[str, tuple[CheckState, str]]:
    with app.app_context():
        gates = evaluate_gates(db.session.get(Programme, world.programme.id), TODAY)
        return {gate.wave.name: (gate.checks[3].state, gate.checks[3].detail)
                for gate in gates.values() if gate.previous is not None}


def test_the_gate_passes_and_fails_on_adoption(app, factories, installed, today_is):
    today_is(TODAY)
    world = build(app, factories)
    go_live(app, world, North=date(2026, 9, 28))
    assert _adoption_checks(app, world)["Key"] == (CheckState.NO_DATA, "No data recorded yet (needs at least 60%).")
    record(app, world, "North", date(2026, 10, 12), 90, 100)  # this week, not over: still no data
    assert _adoption_checks(app, world)["Key"][0] is CheckState.NO_DATA
    record(app, world, "North", date(2026, 9, 28), 59, 100)
    assert _adoption_checks(app, world)["Key"] == (CheckState.UNMET, "59% (needs at least 60%).")
    record(app, world, "North", date(2026, 10, 5), 60, 100)
    checks = _adoption_checks(app, world)
    assert checks["Key"] == (CheckState.MET, "60% (needs at least 60%).")
    assert checks["Rest"][0] is CheckState.NO_DATA  # its previous wave (South) has no figures


def test_the_waves_page_shows_the_adoption_check(app, client, factories, login_as, installed, today_is):
    today_is(TODAY)
    world = build(app, factories)
    go_live(app, world, North=date(2026, 9, 28))
    record(app, world, "North", date(2026, 10, 5), 45, 100)
    login_as("viewer", world.programme)
    page = client.get(f"/programmes/{world.programme.id}/waves").get_data(as_text=True)
    assert "45% (needs at least 60%)." in page


def _add_waves(app, world, start: int, count: int) -> None:
    with app.app_context():
        programme = db.session.get(Programme, world.programme.id)
        for index in range(start, start + count):
            region = programme_services.create_region(programme, name=f"Extra {index}", tier="standard",
                                                      time_zone="UTC", headcount=1, site_notes="")
            db.session.flush()
            rollout_services.create_wave(programme, name=f"Wave {index}", kind="standard", position=10 + index,
                                         planned_go_live=None, trial_days=5, region_ids=[region.id])
            region.live_on = date(2026, 9, 28)
            db.session.flush()
            services.record_figure(programme, region_id=region.id, week=date(2026, 10, 5), active_users=1,
                                   licensed_users=2, today=TODAY)
        db.session.commit()


def test_the_gate_and_the_waves_page_ask_a_fixed_number_of_queries(app, client, factories, login_as, installed,
                                                                    today_is):
    today_is(TODAY)
    world = build(app, factories)
    go_live(app, world, North=date(2026, 9, 28))
    record(app, world, "North", date(2026, 10, 5), 45, 100)
    login_as("project_manager", world.programme)
    url = f"/programmes/{world.programme.id}/waves"

    def gate_queries() -> int:
        with app.app_context():
            programme = db.session.get(Programme, world.programme.id)
            with count_queries(app) as statements:
                evaluate_gates(programme, TODAY)
            return len(statements)

    def page_queries() -> int:
        with count_queries(app) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    few_gate, few_page = gate_queries(), page_queries()
    _add_waves(app, world, 0, 8)
    assert gate_queries() == few_gate
    assert page_queries() == few_page
