"""``flask demo``: the demo programme loads on a fresh database, once, and its logins work.

Each test builds its own app on a fresh database (a SQLite file, or a PostgreSQL database created
for the test when TEST_DATABASE_URL is set): the command commits, so it cannot share the
rolled-back test database.
"""
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from planner.auth.models import User
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Membership, Programme, Region
from tests.conftest import csrf_token_from, log_in

DEFAULT_PASSWORD = "rollout-demo-2026"
DEMO_ROLES = {
    "admin@example.com": "admin",
    "pm@example.com": "project_manager",
    "chair@example.com": "committee_member",
    "member@example.com": "committee_member",
    "trainer@example.com": "trainer",
    "viewer@example.com": "viewer",
}


@pytest.fixture(autouse=True)
def _rolled_back():
    """These tests own their database: no shared session rolled back around them."""
    yield


def _row_counts(app) -> dict[str, int]:
    with app.app_context():
        tables = [table.name for table in db.metadata.sorted_tables] + ["alembic_version"]
        counts = {name: db.session.execute(text(f"SELECT count(*) FROM {name}")).scalar() for name in tables}
        db.session.rollback()
    return counts


def _run_demo(app) -> str:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def _has_southern_summer_time(zone_name: str) -> bool:
    zone = ZoneInfo(zone_name)
    january, july = datetime(2026, 1, 15, 12, tzinfo=zone), datetime(2026, 7, 15, 12, tzinfo=zone)
    return january.utcoffset() > july.utcoffset()


def test_demo_loads_the_programme(make_fresh_app):
    app = make_fresh_app()
    output = _run_demo(app)

    with app.app_context():
        programme = db.session.scalars(select(Programme)).one()
        regions = db.session.scalars(select(Region).where(Region.programme_id == programme.id)).all()
        assert len(regions) == 7
        assert Counter(region.tier.value for region in regions) == {"pilot": 1, "key": 2, "standard": 4}
        zones = {region.time_zone for region in regions}
        assert len(zones) >= 3
        assert "Australia/Sydney" in zones and _has_southern_summer_time("Australia/Sydney")

        people = db.session.scalar(select(func.count(Person.id)).where(Person.programme_id == programme.id))
        assert 280 <= people <= 320
        assert programme.sponsor is not None and programme.sponsor.programme_id == programme.id

        users = {user.email: user for user in db.session.scalars(select(User))}
        assert set(users) == set(DEMO_ROLES)
        assert {email for email, user in users.items() if user.is_admin} == {"admin@example.com"}
        roles = {(membership.user.email, membership.role.value)
                 for membership in db.session.scalars(select(Membership))}
        assert roles == {(email, role) for email, role in DEMO_ROLES.items() if role != "admin"}
        assert all(membership.programme_id == programme.id for membership in db.session.scalars(select(Membership)))
        programme_name = programme.name
        db.session.rollback()

    assert programme_name in output
    assert DEFAULT_PASSWORD in output
    for email, role in DEMO_ROLES.items():
        assert any(email in line and role in line for line in output.splitlines()), f"{email} not listed"


def test_demo_twice_changes_nothing(make_fresh_app):
    app = make_fresh_app()
    _run_demo(app)
    first = _row_counts(app)
    with app.app_context():
        versions = db.session.execute(text("SELECT sum(version) FROM programme")).scalar()
        db.session.rollback()
    assert first["person"] > 0 and first["audit_event"] > 0

    output = _run_demo(app)
    assert _row_counts(app) == first
    assert "nothing new" in output
    with app.app_context():
        assert db.session.execute(text("SELECT sum(version) FROM programme")).scalar() == versions
        db.session.rollback()


def test_every_demo_user_logs_in_and_sees_the_programme(make_fresh_app):
    app = make_fresh_app()
    _run_demo(app)
    with app.app_context():
        programme_name = db.session.scalars(select(Programme.name)).one()
        db.session.rollback()

    for email in DEMO_ROLES:
        client = app.test_client()
        log_in(client, email, DEFAULT_PASSWORD)
        response = client.get("/")
        assert response.status_code == 200, email
        assert programme_name in response.get_data(as_text=True), email


def test_demo_password_comes_from_planner_demo_password(make_fresh_app, monkeypatch):
    monkeypatch.setenv("PLANNER_DEMO_PASSWORD", "lantern-tulip-4821-quay")
    app = make_fresh_app()
    assert app.config["DEMO_PASSWORD"] == "lantern-tulip-4821-quay"
    output = _run_demo(app)
    assert "lantern-tulip-4821-quay" in output
    assert DEFAULT_PASSWORD not in output

    client = app.test_client()
    page = client.get("/login")
    refused = client.post("/login", data={"email": "pm@example.com", "password": DEFAULT_PASSWORD,
                                          "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert refused.status_code == 401
    log_in(client, "pm@example.com", "lantern-tulip-4821-quay")
    assert client.get("/").status_code == 200


def test_demo_training_pilot_trained_key_region_half_way_and_one_business_cancellation(make_fresh_app):
    from planner.training.models import AttendanceMark, CancelReason, Enrolment, MarkStatus, TrainingSession

    app = make_fresh_app()
    _run_demo(app)
    with app.app_context():
        def marks_in(region_name):
            return Counter(db.session.scalars(
                select(AttendanceMark.status).join(TrainingSession, TrainingSession.id == AttendanceMark.session_id)
                .join(Region, Region.id == TrainingSession.region_id).where(Region.name == region_name)))

        def seats_in(region_name):
            return db.session.scalar(select(func.count(Enrolment.id))
                                     .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
                                     .join(Region, Region.id == TrainingSession.region_id)
                                     .where(Region.name == region_name, TrainingSession.status == "scheduled"))

        pilot = marks_in("Headquarters Hamburg")
        assert MarkStatus.ABSENT not in pilot and sum(pilot.values()) == seats_in("Headquarters Hamburg")
        key = marks_in("North America East")
        assert key[MarkStatus.ABSENT] > 0  # no-shows who need a make-up session
        assert 0.3 < sum(key.values()) / seats_in("North America East") < 0.7  # half-way
        cancelled = db.session.scalars(select(TrainingSession).where(TrainingSession.status == "cancelled")).all()
        assert [s.cancel_reason for s in cancelled] == [CancelReason.BUSINESS_PRIORITY]
