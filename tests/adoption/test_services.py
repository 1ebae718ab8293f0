"""Recording weekly adoption figures: weeks normalised to Monday, one figure per region and week (the latest
count wins), counts checked by the service and by the database, and super-user nominations audited."""
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from planner.adoption import services
from planner.adoption.models import AdoptionFigure, AdoptionSource
from planner.core.errors import DomainError, StaleEditError
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Programme
from tests.adoption.helpers import TODAY, build, record


@pytest.mark.parametrize("text, monday", [
    ("2026-10-07", date(2026, 10, 5)), ("2026-10-05", date(2026, 10, 5)), ("2026-10-11", date(2026, 10, 5)),
    ("2026-W41", date(2026, 10, 5)), ("2026w41", date(2026, 10, 5)), (" 2026-W01 ", date(2025, 12, 29)),
])
def test_weeks_are_read_as_their_monday(text, monday):
    assert services.parse_week(text) == monday


@pytest.mark.parametrize("text", ["", "next week", "2026-W54", "2026-13-01", "41"])
def test_a_week_that_is_not_one_is_refused_on_the_week_field(text):
    with pytest.raises(DomainError) as error:
        services.parse_week(text)
    assert error.value.field == "week"


def test_recording_the_same_region_and_week_again_replaces_the_figure(app, factories):
    world = build(app, factories)
    first = record(app, world, "North", date(2026, 10, 7), 30, 100)
    second = record(app, world, "North", date(2026, 10, 9), 45, 100, source="csv")
    assert first == second
    with app.app_context():
        figure = db.session.get(AdoptionFigure, first)
        assert (figure.week, figure.active_users, figure.licensed_users, figure.source) == (
            date(2026, 10, 5), 45, 100, AdoptionSource.CSV)
        assert figure.percent == 45.0
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "AdoptionFigure",
                                                                     AuditEvent.object_id == first)
                                     .order_by(AuditEvent.id)).all()
        assert actions == ["create", "update"]


@pytest.mark.parametrize("values, field", [
    ({"active_users": 101, "licensed_users": 100}, "active_users"),
    ({"active_users": -1, "licensed_users": 100}, "active_users"),
    ({"active_users": 0, "licensed_users": 0}, "licensed_users"),
    ({"active_users": 0, "licensed_users": None}, "licensed_users"),
    ({"active_users": None, "licensed_users": 5}, "active_users"),
    ({"active_users": 1, "licensed_users": 2_000_000}, "licensed_users"),
    ({"week": date(2026, 10, 19)}, "week"),
    ({"week": "soon"}, "week"),
    ({"week": None}, "week"),
    ({"region_id": None}, "region_id"),
])
def test_bad_figures_are_refused_on_their_field_and_nothing_is_written(app, factories, values, field):
    world = build(app, factories)
    arguments = {"region_id": world.regions["North"], "week": TODAY, "active_users": 10, "licensed_users": 20,
                 **values}
    with app.app_context():
        programme = db.session.get(Programme, world.programme.id)
        with pytest.raises(DomainError) as error:
            services.record_figure(programme, today=TODAY, **arguments)
        assert error.value.field == field
        assert db.session.scalar(select(AdoptionFigure.id)) is None
        db.session.rollback()


def test_this_week_may_be_recorded_but_not_next_week(app, factories):
    world = build(app, factories)
    assert record(app, world, "North", date(2026, 10, 18), 1, 2)  # Sunday of this week
    with pytest.raises(DomainError):
        record(app, world, "North", date(2026, 10, 19), 1, 2)


def test_a_region_of_another_programme_is_refused(app, factories):
    world, other = build(app, factories), build(app, factories, waves=False)
    with app.app_context():
        with pytest.raises(DomainError) as error:
            services.record_figure(db.session.get(Programme, world.programme.id), region_id=other.regions["North"],
                                   week=TODAY, active_users=1, licensed_users=2, today=TODAY)
        assert error.value.field == "region_id"


def test_the_database_refuses_more_active_than_licensed_users(app, factories):
    world = build(app, factories)
    with app.app_context():
        db.session.add(AdoptionFigure(programme_id=world.programme.id, region_id=world.regions["North"],
                                      week=date(2026, 10, 5), active_users=5, licensed_users=4))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_the_database_refuses_two_figures_for_one_region_and_week(app, factories):
    world = build(app, factories)
    record(app, world, "North", TODAY, 1, 2)
    with app.app_context():
        db.session.add(AdoptionFigure(programme_id=world.programme.id, region_id=world.regions["North"],
                                      week=date(2026, 10, 12), active_users=1, licensed_users=4))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_update_checks_the_version_and_the_counts(app, factories):
    world = build(app, factories)
    figure_id = record(app, world, "North", TODAY, 10, 20, source="csv")
    with app.app_context():
        figure = db.session.get(AdoptionFigure, figure_id)
        with pytest.raises(StaleEditError):
            services.update_figure(figure, expected_version=figure.version + 1, active_users=1, licensed_users=2)
        with pytest.raises(DomainError) as error:
            services.update_figure(figure, expected_version=figure.version, active_users=3, licensed_users=2)
        assert error.value.field == "active_users"
        changes = services.update_figure(figure, expected_version=figure.version, active_users=12,
                                         licensed_users=20)
        assert changes == {"active_users": [10, 12], "source": ["csv", "entered"]}
        services.delete_figure(figure)
        assert db.session.get(AdoptionFigure, figure_id) is None
        db.session.rollback()


def test_super_users_are_nominated_and_removed_with_an_audit_entry(app, factories):
    world = build(app, factories)
    person = factories.person(world.programme, region_id=world.regions["North"])
    nowhere = factories.person(world.programme)
    with app.app_context():
        programme = db.session.get(Programme, world.programme.id)
        target = db.session.get(Person, person.id)
        assert services.set_super_user(programme, target, True, region_id=world.regions["North"]) is True
        assert services.set_super_user(programme, target, True) is False  # nothing to change, nothing logged
        assert target.is_super_user
        with pytest.raises(DomainError) as error:
            services.set_super_user(programme, target, True, region_id=world.regions["South"])
        assert error.value.field == "person_id"
        with pytest.raises(DomainError):
            services.set_super_user(programme, db.session.get(Person, nowhere.id), True)
        assert services.set_super_user(programme, target, False) is True
        changes = db.session.scalars(select(AuditEvent.changes).where(AuditEvent.object_type == "Person",
                                                                      AuditEvent.object_id == person.id,
                                                                      AuditEvent.action == "update")
                                     .order_by(AuditEvent.id)).all()
        assert changes == [{"is_super_user": [False, True]}, {"is_super_user": [True, False]}]
        db.session.rollback()


def test_a_person_of_another_programme_cannot_be_nominated(app, factories):
    world, other = build(app, factories), build(app, factories, waves=False)
    stranger = factories.person(other.programme, region_id=other.regions["North"])
    with app.app_context():
        with pytest.raises(DomainError):
            services.set_super_user(db.session.get(Programme, world.programme.id),
                                    db.session.get(Person, stranger.id), True)


def test_a_figure_recorded_at_the_same_moment_elsewhere_is_updated_not_a_crash(app, factories, monkeypatch):
    world = build(app, factories)
    first = record(app, world, "North", TODAY, 10, 20)
    real = services._figure_of
    calls = []

    def unseen_once(region_id, week):
        calls.append(week)
        return None if len(calls) == 1 else real(region_id, week)  # the other request's row is not seen yet

    monkeypatch.setattr(services, "_figure_of", unseen_once)
    second = record(app, world, "North", TODAY, 15, 20)
    assert second == first and len(calls) == 2
    with app.app_context():
        assert db.session.get(AdoptionFigure, first).active_users == 15


def test_a_week_more_than_a_year_before_the_programme_is_refused(app, factories):
    # the programme starts on Monday 2026-03-02: the first week that may be recorded starts on 2025-02-24
    world = build(app, factories)
    with app.app_context():
        programme = db.session.get(Programme, world.programme.id)
        for week in (date(2025, 2, 23), date(1, 1, 1)):
            with pytest.raises(DomainError) as error:
                services.record_figure(programme, region_id=world.regions["North"], week=week, active_users=1,
                                       licensed_users=2, today=TODAY)
            assert error.value.field == "week" and "2025-02-24" in error.value.message
        figure = services.record_figure(programme, region_id=world.regions["North"], week=date(2025, 3, 2),
                                        active_users=1, licensed_users=2, today=TODAY)
        assert figure.week == date(2025, 2, 24)
