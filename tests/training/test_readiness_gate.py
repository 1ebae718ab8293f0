"""The wave gate reads training completion from readiness.TrainingEvidence: the share of the previous wave's people
who need training and are trained, "no data" when nobody there needs a course, a fixed number of queries however
many waves there are, and figures that follow new marks within the same database session."""
from datetime import date

import pytest

from planner.extensions import db
from planner.programmes import services as programme_services
from planner.programmes.models import Programme
from planner.rollout import evidence
from planner.rollout import services as rollout_services
from planner.rollout.gate import CheckState, evaluate_gates
from planner.training import readiness, sessions
from planner.training.models import TrainingSession
from tests.conftest import count_queries
from tests.training.test_readiness_helpers import NOW, build


@pytest.fixture
def installed(monkeypatch):
    """TrainingEvidence registered as create_app will do; the previous source comes back after the test."""
    monkeypatch.setattr(evidence, "_source", evidence.NoEvidenceYet())
    readiness.install()
    assert isinstance(evidence.evidence(), readiness.TrainingEvidence)


def test_training_completion_of_regions(app, factories, installed):
    w = build(app, factories)
    with app.app_context():
        source = evidence.evidence()
        assert source.training_completion_pct([w.regions["North"]]) == 75.0
        assert source.training_completion_pct([w.regions["South"]]) == pytest.approx(100 / 3)
        assert source.training_completion_pct([w.regions["North"], w.regions["South"]]) == pytest.approx(400 / 7)
        assert source.training_completion_pct([]) is None
        assert source.adoption_pct([w.regions["North"]]) is None
        empty = programme_services.create_region(db.session.get(Programme, w.programme.id), name="Empty",
                                                 tier="standard", time_zone="UTC", headcount=0, site_notes="")
        db.session.flush()
        assert source.training_completion_pct([empty.id]) is None
        db.session.rollback()


def test_the_key_waves_gate_reads_the_pilots_training(app, factories, installed):
    w = build(app, factories)
    with app.app_context():
        programme = db.session.get(Programme, w.programme.id)
        gates = evaluate_gates(programme, NOW.date())
    training = [gate.checks[2] for gate in gates.values() if gate.previous is not None]
    assert [(check.state, check.detail) for check in training] == [
        (CheckState.UNMET, "75% (needs at least 90%).")]


def test_a_programme_without_courses_still_has_no_data(app, factories, installed):
    programme = factories.programme(regions=["HQ", "North"])
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        regions = {region.name: region.id for region in target.regions}
        factories.person(programme, region_id=regions["HQ"])
        rollout_services.create_wave(target, name="Pilot", kind="pilot", position=1, planned_go_live=None,
                                     trial_days=5, region_ids=[regions["HQ"]])
        rollout_services.create_wave(target, name="Next", kind="key", position=2, planned_go_live=None,
                                     trial_days=5, region_ids=[regions["North"]])
        gates = evaluate_gates(target, date(2026, 10, 1))
        db.session.rollback()
    check = [gate.checks[2] for gate in gates.values() if gate.previous is not None][0]
    assert check.state is CheckState.NO_DATA
    assert check.detail == "No data recorded yet (needs at least 90%)."


def test_figures_follow_new_marks_in_the_same_session(app, factories, installed):
    w = build(app, factories)
    with app.app_context():
        source = evidence.evidence()
        assert source.training_completion_pct([w.regions["South"]]) == pytest.approx(100 / 3)
        s2 = db.session.get(TrainingSession, w.sessions["S2"])
        sessions.mark_attendance(s2, person_id=w.people["Fay"], status="present", note="", marked_by_id=None,
                                 now=s2.starts_at)
        assert source.training_completion_pct([w.regions["South"]]) == pytest.approx(200 / 3)
        db.session.rollback()
        assert source.training_completion_pct([w.regions["South"]]) == pytest.approx(100 / 3)


def _add_waves(app, w, start: int, n: int) -> None:
    with app.app_context():
        programme = db.session.get(Programme, w.programme.id)
        for i in range(start, start + n):
            region = programme_services.create_region(programme, name=f"Extra {i}", tier="standard",
                                                      time_zone="UTC", headcount=1, site_notes="")
            db.session.flush()
            rollout_services.create_wave(programme, name=f"Wave {i}", kind="standard", position=10 + i,
                                         planned_go_live=None, trial_days=5, region_ids=[region.id])
        db.session.commit()


def test_the_gate_asks_a_fixed_number_of_queries_however_many_waves(app, factories, installed):
    w = build(app, factories)

    def count() -> int:
        with app.app_context():
            programme = db.session.get(Programme, w.programme.id)
            with count_queries(app) as statements:
                evaluate_gates(programme, NOW.date())
            return len(statements)

    few = count()
    _add_waves(app, w, 0, 6)
    assert count() == few
