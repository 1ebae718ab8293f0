"""The first resources: programmes, regions, stages and risks through the API, with the pages' services."""
import pytest
from sqlalchemy import func, select

from planner.core.models import AuditEvent
from planner.extensions import db
from planner.lifecycle.models import Stage
from planner.risks import services as risk_services
from planner.risks.models import Risk, RiskScoreChange
from tests.api.helpers import API, assert_error, programme_url
from tests.conftest import count_queries


@pytest.fixture
def world(app, make_programme, factories, api_client_for):
    """A programme with two regions and a person, another programme, and a project manager's client."""
    programme = make_programme(regions=["Nordic", "Iberia"])
    other = make_programme(regions=["Elsewhere"])
    person = factories.person(programme, "Olga Owner")
    client, headers, _user = api_client_for("project_manager", programme)
    return {"programme": programme, "other": other, "person": person, "client": client, "headers": headers}


def _ids(app, model, programme):
    with app.app_context():
        return db.session.scalars(select(model.id).where(model.programme_id == programme.id)
                                  .order_by(model.id)).all()


def _risk(app, programme, title="Sponsor leaves", **values):
    from planner.programmes.models import Programme

    with app.app_context():
        risk = risk_services.create_risk(db.session.get(Programme, programme.id), title=title, category="sponsorship",
                                         likelihood=values.get("likelihood", 3), impact=values.get("impact", 4))
        db.session.commit()
        return risk.id


# --- regions -------------------------------------------------------------------------------

def test_regions_list_is_paginated(world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    first = client.get(programme_url(programme, "regions") + "?per_page=1", headers=headers).get_json()
    assert first["total"] == 2 and first["page"] == 1 and first["per_page"] == 1
    assert [region["name"] for region in first["items"]] == ["Iberia"]
    second = client.get(first["next"], headers=headers).get_json()
    assert [region["name"] for region in second["items"]] == ["Nordic"] and second["next"] is None
    for bad in ("page=0", "page=abc", "per_page=201", "page=100001", "per_page=-1", "page=%C2%B2"):
        assert_error(client.get(programme_url(programme, "regions") + "?" + bad, headers=headers), 400)


def test_regions_create_read_update_delete(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    created = client.post(programme_url(programme, "regions"), headers=headers,
                          json={"name": "Benelux", "tier": "pilot", "time_zone": "Europe/Brussels", "headcount": 40})
    assert created.status_code == 201, created.get_json()
    region = created.get_json()
    assert created.headers["Location"].endswith(programme_url(programme, "regions", region["id"]))
    assert (region["tier"], region["headcount"], region["version"]) == ("pilot", 40, 1)
    assert client.get(created.headers["Location"], headers=headers).get_json() == region
    changed = client.patch(created.headers["Location"], headers=headers, json={"headcount": 45, "version": 1})
    assert changed.status_code == 200
    assert (changed.get_json()["headcount"], changed.get_json()["name"], changed.get_json()["version"]) == \
        (45, "Benelux", 2)
    assert_error(client.patch(created.headers["Location"], headers=headers, json={"headcount": 50, "version": 1}),
                 409)
    assert client.delete(created.headers["Location"], headers=headers).status_code == 204
    assert_error(client.get(created.headers["Location"], headers=headers), 404)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "Region",
                                                                     AuditEvent.object_id == region["id"])
                                     .order_by(AuditEvent.id)).all()
    assert actions == ["create", "update", "delete"]  # the services' audit, as on the pages


def test_regions_validation_errors_name_their_fields(world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    url = programme_url(programme, "regions")
    assert_error(client.post(url, headers=headers, json={"name": "  ", "time_zone": "Mars/Base", "headcount": -1}),
                 422, "name", "time_zone", "headcount")
    assert_error(client.post(url, headers=headers, json={"name": "Nordic", "time_zone": "Europe/Oslo"}), 422, "name")
    assert_error(client.post(url, headers=headers, json={"name": "X", "time_zone": "UTC", "programme_id": 99}),
                 422, "programme_id")
    assert_error(client.post(url, headers=headers, json={"name": "X\u0000", "time_zone": "UTC"}), 422, "name")
    assert_error(client.post(url, headers=headers, data="name=X", content_type="application/x-www-form-urlencoded"),
                 400)
    assert_error(client.post(url, headers=headers, data='{"name": "X"', content_type="application/json"), 400)
    assert_error(client.post(url, headers=headers, json=["not", "an", "object"]), 422)


def test_regions_viewer_reads_not_writes_and_other_programmes_are_404(app, world, api_client_for):
    programme, other = world["programme"], world["other"]
    client, headers, _user = api_client_for("viewer", programme)
    region_id = _ids(app, __import__("planner.programmes.models", fromlist=["Region"]).Region, programme)[0]
    assert client.get(programme_url(programme, "regions", region_id), headers=headers).status_code == 200
    assert_error(client.patch(programme_url(programme, "regions", region_id), headers=headers,
                              json={"headcount": 1}), 403)
    assert_error(client.delete(programme_url(programme, "regions", region_id), headers=headers), 403)
    assert_error(client.post(programme_url(programme, "regions"), headers=headers,
                             json={"name": "New", "time_zone": "UTC"}), 403)
    assert_error(client.get(programme_url(other, "regions"), headers=headers), 404)
    # a project manager naming their programme in the URL and another programme's region: 404
    pm_client, pm_headers = world["client"], world["headers"]
    from planner.programmes.models import Region

    foreign = _ids(app, Region, other)[0]
    assert_error(pm_client.patch(programme_url(programme, "regions", foreign), headers=pm_headers,
                                 json={"headcount": 1}), 404)
    assert_error(pm_client.delete(programme_url(other, "regions", foreign), headers=pm_headers), 404)


# --- risks ---------------------------------------------------------------------------------

def test_risks_crud_with_links_through_the_service(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    from planner.programmes.models import Region

    region_ids = _ids(app, Region, programme)
    stage_id = _ids(app, Stage, programme)[0]
    created = client.post(programme_url(programme, "risks"), headers=headers, json={
        "title": "Key user leaves", "category": "training", "likelihood": 2, "impact": 5,
        "owner_id": world["person"].id, "region_ids": region_ids, "stage_ids": [stage_id],
        "next_review_on": "2026-10-01"})
    assert created.status_code == 201, created.get_json()
    risk = created.get_json()
    assert (risk["reference"], risk["score"], sorted(risk["region_ids"]), risk["stage_ids"]) == \
        ("R-001", 10, sorted(region_ids), [stage_id])
    url = created.headers["Location"]
    changed = client.patch(url, headers=headers, json={"likelihood": 4, "version": risk["version"]}).get_json()
    assert (changed["score"], changed["title"], sorted(changed["region_ids"])) == (20, "Key user leaves",
                                                                                 sorted(region_ids))
    with app.app_context():  # the service wrote the score history, as the edit page does
        assert db.session.scalar(select(func.count()).select_from(RiskScoreChange)
                                 .where(RiskScoreChange.risk_id == risk["id"])) == 2
    assert client.patch(url, headers=headers, json={"owner_id": None}).get_json()["owner_id"] is None
    assert_error(client.patch(url, headers=headers, json={"title": "Stale", "version": 1}), 409)
    assert client.delete(url, headers=headers).status_code == 204
    with app.app_context():
        assert db.session.get(Risk, risk["id"]) is None


def test_risks_refusals_are_422_at_their_field(app, world):
    client, headers, programme, other = world["client"], world["headers"], world["programme"], world["other"]
    from planner.programmes.models import Region

    url = programme_url(programme, "risks")
    base = {"title": "T", "category": "scope", "likelihood": 3, "impact": 3}
    assert_error(client.post(url, headers=headers, json={**base, "likelihood": 6, "category": "weather"}), 422,
                 "likelihood", "category")
    assert_error(client.post(url, headers=headers, json={**base, "region_ids": _ids(app, Region, other)}), 422,
                 "region_ids")
    assert_error(client.post(url, headers=headers, json={**base, "number": 7}), 422, "number")
    assert_error(client.post(url, headers=headers, json={"title": "T"}), 422, "category", "likelihood", "impact")
    risk_id = _risk(app, programme)
    assert_error(client.patch(programme_url(programme, "risks", risk_id), headers=headers, json={"title": None}), 422,
                 "title")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Risk)) == 1  # nothing half-written


def test_risks_committee_member_reads_but_may_not_write(app, world, api_client_for):
    programme = world["programme"]
    risk_id = _risk(app, programme)
    client, headers, _user = api_client_for("committee_member", programme)
    assert client.get(programme_url(programme, "risks"), headers=headers).get_json()["total"] == 1
    assert_error(client.patch(programme_url(programme, "risks", risk_id), headers=headers, json={"impact": 1}), 403)
    assert_error(client.delete(programme_url(programme, "risks", risk_id), headers=headers), 403)
    stranger, stranger_headers, _user = api_client_for("none", programme)
    assert_error(stranger.get(programme_url(programme, "risks", risk_id), headers=stranger_headers), 404)


def test_risks_list_keeps_a_flat_query_count(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    from planner.programmes.models import Programme, Region

    def add(count):
        with app.app_context():
            target = db.session.get(Programme, programme.id)
            regions = db.session.scalars(select(Region.id).where(Region.programme_id == programme.id)).all()
            for n in range(count):
                risk_services.create_risk(target, title=f"Risk {n}", category="scope", likelihood=2, impact=2,
                                          region_ids=regions, owner_id=world["person"].id)
            db.session.commit()

    def queries_of_list():
        with count_queries(app) as statements:
            body = client.get(programme_url(programme, "risks") + "?per_page=200", headers=headers).get_json()
        return len(statements), body["total"]

    client.get(f"{API}/me", headers=headers)  # the token's last use is written now, not during the counts
    add(3)
    few, total = queries_of_list()
    add(27)
    many, total_many = queries_of_list()
    assert (total, total_many) == (3, 30)
    assert few == many, (few, many)


# --- stages --------------------------------------------------------------------------------

def test_stages_read_and_update_only(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    listed = client.get(programme_url(programme, "stages"), headers=headers).get_json()
    assert [stage["number"] for stage in listed["items"]] == [1, 2, 3, 4, 5, 6]
    stage = listed["items"][0]
    url = programme_url(programme, "stages", stage["id"])
    changed = client.patch(url, headers=headers, json={
        "owner_id": world["person"].id, "planned_start": "2026-03-02", "planned_finish": "2026-04-30",
        "version": stage["version"]})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["owner_id"], changed.get_json()["goals"]) == (world["person"].id, stage["goals"])
    assert_error(client.patch(url, headers=headers, json={"planned_finish": "2026-01-01"}), 422, "planned_finish")
    assert_error(client.patch(url, headers=headers, json={"owner_id": 999999}), 422, "owner_id")
    assert_error(client.patch(url, headers=headers, json={"closed_at": "2026-01-01T00:00:00Z"}), 422, "closed_at")
    assert_error(client.patch(url, headers=headers, json={"goals": "x", "version": stage["version"]}), 409)
    assert client.delete(url, headers=headers).status_code == 405
    assert client.post(programme_url(programme, "stages"), headers=headers, json={}).status_code == 405


# --- programmes ----------------------------------------------------------------------------

def test_programmes_list_only_the_users_and_admin_creates(app, world, api_client_for):
    client, headers, programme, other = world["client"], world["headers"], world["programme"], world["other"]
    listed = client.get(f"{API}/programmes", headers=headers).get_json()
    assert [item["id"] for item in listed["items"]] == [programme.id]
    assert_error(client.get(f"{API}/programmes/{other.id}", headers=headers), 404)
    new = {"name": "Phase two", "system_name": "Helix CRM", "start_date": "2027-01-04",
           "home_time_zone": "Europe/Berlin"}
    assert_error(client.post(f"{API}/programmes", headers=headers, json=new), 403)
    admin, admin_headers, _user = api_client_for("admin")
    created = admin.post(f"{API}/programmes", headers=admin_headers, json=new)
    assert created.status_code == 201, created.get_json()
    with app.app_context():  # the service gave it its stages, as the page does
        assert db.session.scalar(select(func.count()).select_from(Stage)
                                 .where(Stage.programme_id == created.get_json()["id"])) == 6
    assert_error(admin.post(f"{API}/programmes", headers=admin_headers, json=new), 422, "name")
    assert_error(admin.post(f"{API}/programmes", headers=admin_headers,
                            json={**new, "name": "Far", "start_date": "9999-12-31"}), 422, "start_date")


def test_programmes_update_by_pm_delete_by_admin_only(app, world, api_client_for):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    url = f"{API}/programmes/{programme.id}"
    body = client.get(url, headers=headers).get_json()
    changed = client.patch(url, headers=headers, json={"sponsor_id": world["person"].id, "version": body["version"]})
    assert changed.status_code == 200 and changed.get_json()["sponsor_id"] == world["person"].id
    assert changed.get_json()["name"] == body["name"]
    assert_error(client.patch(url, headers=headers, json={"sponsor_id": 2_000_000}), 422, "sponsor_id")
    assert_error(client.patch(url, headers=headers, json={"name": "Renamed", "version": body["version"]}), 409)
    assert_error(client.delete(url, headers=headers), 403)
    admin, admin_headers, _user = api_client_for("admin")
    assert admin.delete(url, headers=admin_headers).status_code == 204
    assert_error(client.get(url, headers=headers), 404)


def test_a_non_ascii_duplicate_name_is_a_422_on_every_database(app, world):
    """programmes.services compares names case-folded in Python (SQL lower() folds only ASCII on SQLite): the
    second "Örebro" is refused at its field on both databases, and nothing is written."""
    client, headers, programme = world["client"], world["headers"], world["programme"]
    url = programme_url(programme, "regions")
    assert client.post(url, headers=headers, json={"name": "Örebro", "time_zone": "Europe/Stockholm"}).status_code == 201
    again = client.post(url, headers=headers, json={"name": "Örebro", "time_zone": "Europe/Stockholm"})
    assert_error(again, 422, "name")
    from planner.programmes.models import Region

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Region).where(Region.name == "Örebro")) == 1
