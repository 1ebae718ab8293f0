"""Programme, region, department and membership services, and the audit log they write."""
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.auth.models import User
from planner.core.errors import DomainError, StaleEditError
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.people.models import Person
from planner.programmes import services
from planner.programmes.models import Department, Membership, Programme, Region


def _events(object_type, object_id):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == object_type,
                                                       AuditEvent.object_id == object_id)
                              .order_by(AuditEvent.id)).all()


def test_create_update_delete_are_audited_with_field_changes(app):
    with app.app_context():
        programme = services.create_programme(name="Audit me", system_name="Helix", start_date=date(2026, 1, 5),
                                              home_time_zone="Europe/Berlin")
        region = services.create_region(programme, name="North", tier="key", time_zone="Europe/Oslo",
                                        headcount=40, site_notes="")
        db.session.flush()
        services.update_region(region, expected_version=region.version, name="North", tier="pilot",
                               time_zone="Europe/Oslo", headcount=45, site_notes="")
        region_id = region.id
        services.delete_region(region)
        created, updated, deleted = _events("Region", region_id)
        assert created.action == "create" and created.changes["tier"] == [None, "key"]
        assert created.programme_id == programme.id
        assert updated.changes == {"tier": ["key", "pilot"], "headcount": [40, 45]}
        assert deleted.action == "delete" and deleted.changes["name"] == ["North", None]
        assert created.actor_label == "system"  # no request: CLI or test


def test_update_without_changes_logs_nothing(app):
    with app.app_context():
        programme = services.create_programme(name="Quiet", system_name="Helix", start_date=date(2026, 1, 5),
                                              home_time_zone="UTC")
        department = services.create_department(programme, name="Sales", is_it=False)
        db.session.flush()
        services.update_department(department, expected_version=department.version, name="Sales", is_it=False)
        assert len(_events("Department", department.id)) == 1


def test_stale_edit_is_refused(app):
    with app.app_context():
        programme = services.create_programme(name="Stale", system_name="Helix", start_date=date(2026, 1, 5),
                                              home_time_zone="UTC")
        region = services.create_region(programme, name="West", tier="standard", time_zone="UTC", headcount=1,
                                        site_notes="")
        db.session.flush()
        old_version = region.version
        services.update_region(region, expected_version=old_version, name="West", tier="standard",
                               time_zone="UTC", headcount=2, site_notes="")
        db.session.flush()
        with pytest.raises(StaleEditError):
            services.update_region(region, expected_version=old_version, name="West", tier="standard",
                                   time_zone="UTC", headcount=3, site_notes="")


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", "EST5EDT;DROP"])
def test_time_zones_must_be_iana_names(app, zone):
    with app.app_context():
        with pytest.raises(DomainError) as error:
            services.create_programme(name="Zones", system_name="Helix", start_date=date(2026, 1, 5),
                                      home_time_zone=zone)
        assert error.value.field == "home_time_zone"


def test_names_unique_within_a_programme_only(app):
    with app.app_context():
        first = services.create_programme(name="One", system_name="Helix", start_date=date(2026, 1, 5),
                                          home_time_zone="UTC")
        second = services.create_programme(name="Two", system_name="Helix", start_date=date(2026, 1, 5),
                                           home_time_zone="UTC")
        services.create_region(first, name="Pacific", tier="key", time_zone="UTC", headcount=1, site_notes="")
        services.create_region(second, name="Pacific", tier="key", time_zone="UTC", headcount=1, site_notes="")
        with pytest.raises(DomainError) as error:
            services.create_region(first, name=" pacific ", tier="key", time_zone="UTC", headcount=1,
                                   site_notes="")
        assert error.value.field == "name"
        with pytest.raises(DomainError):
            services.create_programme(name="One", system_name="X", start_date=date(2026, 1, 5),
                                      home_time_zone="UTC")


def test_deleting_a_programme_removes_its_contents_but_keeps_history(app, factories):
    programme = factories.programme("Doomed", regions=["HQ"], departments=["Sales"])
    person = factories.person(programme)
    user = factories.user()
    factories.grant(user, programme, "viewer")
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        services.update_programme(target, expected_version=target.version, name=target.name,
                                  system_name=target.system_name, start_date=target.start_date,
                                  home_time_zone=target.home_time_zone, description="",
                                  sponsor_id=person.id)
        db.session.commit()
        services.delete_programme(db.session.get(Programme, programme.id))
        db.session.commit()
        for model in (Region, Department, Person, Membership):
            assert db.session.scalar(select(func.count()).select_from(model).where(
                model.programme_id == programme.id)) == 0
        assert db.session.get(User, user.id) is not None
        history = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.programme_id == programme.id))
        assert history >= 5


def test_sponsor_must_belong_to_the_programme(app, factories):
    programme = factories.programme("Sponsored")
    other = factories.programme("Elsewhere")
    outsider = factories.person(other)
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        with pytest.raises(DomainError) as error:
            services.update_programme(target, expected_version=None, name=target.name,
                                      system_name=target.system_name, start_date=target.start_date,
                                      home_time_zone=target.home_time_zone, description="",
                                      sponsor_id=outsider.id)
        assert error.value.field == "sponsor_id"


def test_sponsor_cannot_be_deleted_while_sponsoring(app, factories):
    from planner.people import services as people_services

    programme = factories.programme("Keep sponsor")
    sponsor = factories.person(programme)
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        services.update_programme(target, expected_version=None, name=target.name,
                                  system_name=target.system_name, start_date=target.start_date,
                                  home_time_zone=target.home_time_zone, description="", sponsor_id=sponsor.id)
        with pytest.raises(DomainError):
            people_services.delete_person(db.session.get(Person, sponsor.id))


def test_audit_records_the_acting_user_in_a_request(client, app, login_as, make_programme):
    from tests.conftest import form_post

    programme = make_programme()
    pm = login_as("project_manager", programme)
    form_post(client, f"/programmes/{programme.id}/departments/new", {"name": "Field Service"})
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "Department")
                                  .order_by(AuditEvent.id.desc()))
        assert event.actor_user_id == pm.id and event.actor_label == pm.email
    page = client.get(f"/programmes/{programme.id}/audit").get_data(as_text=True)
    assert "Field Service" in page and pm.email in page


@pytest.mark.parametrize("blank", ["", "   ", "\x1f\x1e", "\t\x1c\n"])
def test_names_empty_after_stripping_are_refused(app, blank):
    with app.app_context():
        for field in ("name", "system_name"):
            values = {"name": "Named", "system_name": "Helix", field: blank}
            with pytest.raises(DomainError) as refused:
                services.create_programme(start_date=date(2026, 1, 5), home_time_zone="Europe/Berlin", **values)
            assert refused.value.field == field
        programme = services.create_programme(name="Blank checks", system_name="Helix", start_date=date(2026, 1, 5),
                                              home_time_zone="Europe/Berlin")
        db.session.flush()
        with pytest.raises(DomainError) as refused:
            services.update_programme(programme, expected_version=None, name=blank, system_name="Helix",
                                      start_date=date(2026, 1, 5), home_time_zone="Europe/Berlin", description="",
                                      sponsor_id=None)
        assert refused.value.field == "name"
        region_values = {"tier": "key", "time_zone": "Europe/Oslo", "headcount": 1, "site_notes": ""}
        with pytest.raises(DomainError) as refused:
            services.create_region(programme, name=blank, **region_values)
        assert refused.value.field == "name"
        region = services.create_region(programme, name="North", **region_values)
        db.session.flush()
        with pytest.raises(DomainError) as refused:
            services.update_region(region, expected_version=None, name=blank, **region_values)
        assert refused.value.field == "name"
        with pytest.raises(DomainError) as refused:
            services.create_department(programme, name=blank, is_it=False)
        assert refused.value.field == "name"
        assert db.session.get(Region, region.id).name == "North"


def test_the_audit_log_is_read_newest_first_from_its_index_a_page_at_a_time(client, app, login_as, make_programme,
                                                                             monkeypatch):
    from sqlalchemy import text

    from planner.core import audit

    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 3)
    programme = make_programme()
    login_as("project_manager", programme)
    with app.app_context():
        for number in range(5):
            services.create_department(db.session.get(Programme, programme.id), name=f"Department {number}",
                                       is_it=False)
        db.session.commit()
        newest = db.session.scalars(select(AuditEvent.object_label).where(AuditEvent.programme_id == programme.id)
                                    .order_by(AuditEvent.id.desc())).all()
        if db.engine.dialect.name == "sqlite":  # the page comes in index order: the log is never sorted whole
            sql = str(audit.programme_events(programme.id).limit(3).compile(
                db.engine, compile_kwargs={"literal_binds": True}))
            plan = " ".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "ix_audit_event_programme_time" in plan and "TEMP B-TREE" not in plan, plan
    first, second = (client.get(f"/programmes/{programme.id}/audit?page={page}").get_data(as_text=True)
                     for page in (1, 2))
    assert newest[0] in first and "Department 4" in first and "Department 1" not in first
    assert "Department 1" in second
