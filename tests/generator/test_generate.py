"""The generator: counts scale with N, the same seed gives the same data, and the data is realistic."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.programmes.models import Programme, Region, RegionTier
from planner.risks.models import Risk, RiskScoreChange
from planner.rollout.models import Wave, WaveRegion
from planner.training.models import AttendanceMark, Enrolment, TrainingSession
from tests.generator.helpers import NOW, generate


@pytest.fixture(autouse=True)
def _pinned(now_is):
    now_is(NOW)


def test_counts_scale_with_n(app):
    small = generate(app, scale=0.02, seed=1, name="Small")["counts"]
    large = generate(app, scale=0.06, seed=1, name="Large")["counts"]
    assert small["people"] == 40 and large["people"] == 120
    for label in ("enrolments", "attendance marks", "communication log", "risks"):
        assert large[label] > small[label], label
    assert 1.5 <= large["attendance marks"] / small["attendance marks"] <= 6
    assert large["risks"] == 6 and large["communication log"] >= 18


def test_same_seed_same_data_and_another_seed_differs(app):
    first = generate(app, seed=11, name="First")
    second = generate(app, seed=11, name="Second")
    other = generate(app, seed=12, name="Other")
    assert first["digest"] == second["digest"]
    assert other["digest"] != first["digest"]


def test_other_programmes_are_left_alone(app, make_programme):
    with app.app_context():
        existing = make_programme(name="Untouched")
        db.session.commit()
        existing_id, version = existing.id, existing.version
    result = generate(app)
    with app.app_context():
        assert db.session.get(Programme, existing_id).version == version
        assert db.session.scalar(select(func.count(Region.id)).where(Region.programme_id == existing_id)) == 0
        assert result["programme_id"] != existing_id


def test_a_taken_name_is_refused_and_nothing_is_written(app):
    from planner.core.errors import DomainError
    from planner.generator.run import generate_programme

    generate(app, name="Taken")
    with app.app_context():
        before = db.session.scalar(select(func.count(Programme.id)))
        with pytest.raises(DomainError):
            generate_programme(scale=0.02, seed=1, today=NOW.date(), name="Taken")
        db.session.rollback()
        assert db.session.scalar(select(func.count(Programme.id))) == before


def test_structure_is_realistic(app):
    programme_id = generate(app, scale=0.05)["programme_id"]
    with app.app_context():
        waves = db.session.scalars(select(Wave).where(Wave.programme_id == programme_id)
                                   .order_by(Wave.position)).all()
        pilot = waves[0]
        assert [region.tier for region in pilot.regions] == [RegionTier.PILOT]
        assert pilot.planned_go_live == min(wave.planned_go_live for wave in waves)
        region_ids = set(db.session.scalars(select(Region.id).where(Region.programme_id == programme_id)))
        in_waves = db.session.scalars(select(WaveRegion.region_id).join(Wave).where(
            Wave.programme_id == programme_id)).all()
        assert sorted(in_waves) == sorted(region_ids)  # every region in exactly one wave
        zones = set(db.session.scalars(select(Region.time_zone).where(Region.programme_id == programme_id)))
        assert len(zones) == len(region_ids)
        live = db.session.scalars(select(Region).where(Region.programme_id == programme_id,
                                                       Region.live_on.is_not(None))).all()
        assert live and len(live) < len(region_ids)  # mid-rollout
        go_live = {region.id: wave.planned_go_live for wave in waves for region in wave.regions}
        sessions = db.session.scalars(select(TrainingSession).where(
            TrainingSession.programme_id == programme_id)).all()
        before = sum(session.local_start.date() < go_live[session.region_id] for session in sessions)
        assert before >= 0.9 * len(sessions)
        assert all(session.uid.startswith(f"training-session-{session.id}@") for session in sessions)
        unenrolled_marks = db.session.scalar(
            select(func.count(AttendanceMark.id)).join(TrainingSession, TrainingSession.id == AttendanceMark.session_id)
            .outerjoin(Enrolment, (Enrolment.session_id == AttendanceMark.session_id)
                       & (Enrolment.person_id == AttendanceMark.person_id))
            .where(TrainingSession.programme_id == programme_id, Enrolment.id.is_(None)))
        assert unenrolled_marks == 0
        marks_in_future = db.session.scalar(
            select(func.count(AttendanceMark.id)).join(TrainingSession, TrainingSession.id == AttendanceMark.session_id)
            .where(TrainingSession.programme_id == programme_id, TrainingSession.ends_at > NOW))
        assert marks_in_future == 0
        levels = db.session.execute(select(Risk.likelihood, Risk.impact).where(Risk.programme_id == programme_id)
                                    ).all() + db.session.execute(
            select(RiskScoreChange.likelihood, RiskScoreChange.impact).join(Risk)
            .where(Risk.programme_id == programme_id)).all()
        assert levels and all(1 <= value <= 5 for row in levels for value in row)
        assert max(session.starts_at for session in sessions) > NOW - timedelta(days=1) or len(live) == len(region_ids)
