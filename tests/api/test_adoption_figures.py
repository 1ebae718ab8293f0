"""Adoption figures through the API: the entry page's services, recorded with the source "api"."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from planner.adoption import services
from planner.adoption.models import AdoptionFigure
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.programmes.models import Programme, Region
from tests.api.helpers import API, assert_error, programme_url
from tests.conftest import count_queries

TODAY = date(2026, 11, 24)


@pytest.fixture
def world(app, make_programme, factories, api_client_for, today_is):
    today_is(TODAY)
    programme = make_programme(regions=["Nordic", "Iberia"])
    other = make_programme(regions=["Elsewhere"])
    client, headers, user = api_client_for("project_manager", programme)
    return {"programme": programme, "other": other, "client": client, "headers": headers, "user": user,
            "regions": _region_ids(app, programme), "other_regions": _region_ids(app, other)}


def _region_ids(app, programme) -> list[int]:
    with app.app_context():
        return db.session.scalars(select(Region.id).where(Region.programme_id == programme.id)
                                  .order_by(Region.name)).all()  # Iberia, Nordic / Elsewhere


def _figure(app, programme, region_id, week, active=5, licensed=10) -> int:
    with app.app_context():
        figure = services.record_figure(db.session.get(Programme, programme.id), region_id=region_id, week=week,
                                        active_users=active, licensed_users=licensed, today=TODAY)
        db.session.commit()
        return figure.id


def test_list_is_paginated_newest_week_first(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    iberia, nordic = world["regions"]
    older = _figure(app, programme, iberia, date(2026, 11, 2))
    newer = _figure(app, programme, nordic, date(2026, 11, 16), active=8)
    _figure(app, world["other"], world["other_regions"][0], date(2026, 11, 16))
    first = client.get(programme_url(programme, "adoption_figures") + "?per_page=1", headers=headers).get_json()
    assert (first["total"], [item["id"] for item in first["items"]]) == (2, [newer])
    assert first["items"][0]["percent"] == 80.0 and first["items"][0]["source"] == "entered"
    second = client.get(first["next"], headers=headers).get_json()
    assert [item["id"] for item in second["items"]] == [older] and second["next"] is None


def test_create_read_update_delete_as_the_api_source(app, world):
    client, headers, programme, user = world["client"], world["headers"], world["programme"], world["user"]
    nordic = world["regions"][1]
    created = client.post(programme_url(programme, "adoption_figures"), headers=headers,
                          json={"region_id": nordic, "week": "2026-W45", "active_users": 40, "licensed_users": 80})
    assert created.status_code == 201, created.get_json()
    figure = created.get_json()
    assert created.headers["Location"].endswith(programme_url(programme, "adoption_figures", figure["id"]))
    assert (figure["week"], figure["percent"], figure["source"], figure["recorded_by_id"], figure["version"]) == \
        ("2026-11-02", 50.0, "api", user.id, 1)
    assert client.get(created.headers["Location"], headers=headers).get_json() == figure
    changed = client.patch(created.headers["Location"], headers=headers, json={"active_users": 60, "version": 1})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["active_users"], changed.get_json()["licensed_users"], changed.get_json()["version"],
            changed.get_json()["source"]) == (60, 80, 2, "api")  # a correction through the API stays an API figure
    assert_error(client.patch(created.headers["Location"], headers=headers, json={"active_users": 1, "version": 1}),
                 409)
    assert client.delete(created.headers["Location"], headers=headers).status_code == 204
    assert_error(client.get(created.headers["Location"], headers=headers), 404)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "AdoptionFigure",
                                                                     AuditEvent.object_id == figure["id"])
                                     .order_by(AuditEvent.id)).all()
    assert actions == ["create", "update", "delete"]


def test_a_second_figure_for_the_same_week_replaces_the_first(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    iberia = world["regions"][0]
    existing = _figure(app, programme, iberia, date(2026, 11, 9))
    again = client.post(programme_url(programme, "adoption_figures"), headers=headers,
                        json={"region_id": iberia, "week": "2026-11-12", "active_users": 9, "licensed_users": 10})
    assert again.status_code == 201, again.get_json()
    assert (again.get_json()["id"], again.get_json()["active_users"], again.get_json()["source"]) == \
        (existing, 9, "api")
    with app.app_context():
        assert db.session.scalar(select(AdoptionFigure.id).where(AdoptionFigure.region_id == iberia)) == existing


def test_refusals_are_422_at_their_field_and_nothing_is_written(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    url = programme_url(programme, "adoption_figures")
    base = {"region_id": world["regions"][0], "week": "2026-11-16", "active_users": 5, "licensed_users": 10}
    assert_error(client.post(url, headers=headers, json={**base, "active_users": 11}), 422, "active_users")
    assert_error(client.post(url, headers=headers, json={**base, "licensed_users": 0}), 422, "licensed_users")
    assert_error(client.post(url, headers=headers, json={**base, "licensed_users": 2_000_000}), 422,
                 "licensed_users")
    assert_error(client.post(url, headers=headers, json={**base, "active_users": -1}), 422, "active_users")
    assert_error(client.post(url, headers=headers, json={**base, "week": "2999-W01"}), 422, "week")
    assert_error(client.post(url, headers=headers, json={**base, "week": "2020-01-06"}), 422, "week")
    assert_error(client.post(url, headers=headers, json={**base, "week": "2026-W60"}), 422, "week")
    assert_error(client.post(url, headers=headers, json={**base, "week": "next week"}), 422, "week")
    assert_error(client.post(url, headers=headers, json={**base, "region_id": world["other_regions"][0]}), 422,
                 "region_id")
    assert_error(client.post(url, headers=headers, json={**base, "source": "csv"}), 422, "source")
    assert_error(client.post(url, headers=headers, json={"week": "2026-11-16"}), 422, "region_id", "active_users",
                 "licensed_users")
    figure_id = _figure(app, programme, world["regions"][0], date(2026, 11, 16))
    assert_error(client.patch(programme_url(programme, "adoption_figures", figure_id), headers=headers,
                              json={"week": "2026-11-09"}), 422, "week")  # moving a figure: delete and record
    assert_error(client.patch(programme_url(programme, "adoption_figures", figure_id), headers=headers,
                              json={"active_users": None}), 422, "active_users")
    with app.app_context():
        assert db.session.scalars(select(AdoptionFigure.active_users)).all() == [5]


def test_viewer_reads_not_writes_and_other_programmes_are_404(app, world, api_client_for):
    programme, other = world["programme"], world["other"]
    figure_id = _figure(app, programme, world["regions"][0], date(2026, 11, 16))
    foreign_id = _figure(app, other, world["other_regions"][0], date(2026, 11, 16))
    client, headers, _user = api_client_for("viewer", programme)
    assert client.get(programme_url(programme, "adoption_figures", figure_id), headers=headers).status_code == 200
    assert_error(client.patch(programme_url(programme, "adoption_figures", figure_id), headers=headers,
                              json={"active_users": 1}), 403)
    assert_error(client.delete(programme_url(programme, "adoption_figures", figure_id), headers=headers), 403)
    assert_error(client.post(programme_url(programme, "adoption_figures"), headers=headers, json={}), 403)
    pm, pm_headers = world["client"], world["headers"]
    assert_error(pm.get(programme_url(programme, "adoption_figures", foreign_id), headers=pm_headers), 404)
    assert_error(pm.delete(programme_url(programme, "adoption_figures", foreign_id), headers=pm_headers), 404)
    assert_error(pm.get(programme_url(other, "adoption_figures"), headers=pm_headers), 404)


def test_list_keeps_a_flat_query_count(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    weeks = [date(2026, 11, 16) - timedelta(weeks=n) for n in range(15)]

    def add(count, start):
        for n in range(start, start + count):
            _figure(app, programme, world["regions"][n % 2], weeks[n // 2])

    def queries_of_list():
        with count_queries(app) as statements:
            body = client.get(programme_url(programme, "adoption_figures") + "?per_page=200",
                              headers=headers).get_json()
        return len(statements), body["total"]

    client.get(f"{API}/me", headers=headers)
    add(3, 0)
    few, total = queries_of_list()
    add(27, 3)
    many, total_many = queries_of_list()
    assert (total, total_many) == (3, 30)
    assert few == many, (few, many)
