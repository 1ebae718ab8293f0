"""Waves through the API: the rollout services' rules (names, freeze windows, one wave per region), audit,
versions, permissions and a flat query count."""
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.core.models import AuditEvent
from planner.extensions import db
from planner.programmes.models import Programme, Region
from planner.rollout import services
from planner.rollout.models import Wave, WaveRegion
from tests.api.helpers import API, assert_error, programme_url
from tests.conftest import count_queries


@pytest.fixture
def world(app, make_programme, api_client_for):
    programme = make_programme(regions=["Nordic", "Iberia", "Benelux"])
    other = make_programme(regions=["Elsewhere"])
    client, headers, _user = api_client_for("project_manager", programme)
    return {"programme": programme, "other": other, "client": client, "headers": headers}


def _region_ids(app, programme) -> list[int]:
    with app.app_context():
        return db.session.scalars(select(Region.id).where(Region.programme_id == programme.id)
                                  .order_by(Region.name)).all()


def _wave(app, programme, name="Pilot", region_ids=()) -> int:
    with app.app_context():
        wave = services.create_wave(db.session.get(Programme, programme.id), name=name, kind="pilot", position=1,
                                    planned_go_live=None, trial_days=20, region_ids=list(region_ids))
        db.session.commit()
        return wave.id


def test_waves_create_read_update_delete_through_the_service(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    benelux, iberia, nordic = _region_ids(app, programme)
    created = client.post(programme_url(programme, "waves"), headers=headers, json={
        "name": "Pilot", "kind": "pilot", "planned_go_live": "2026-09-07", "region_ids": [nordic, iberia]})
    assert created.status_code == 201, created.get_json()
    wave = created.get_json()
    assert created.headers["Location"].endswith(programme_url(programme, "waves", wave["id"]))
    assert (wave["position"], wave["trial_days"], sorted(wave["region_ids"]), wave["version"]) == \
        (1, 20, sorted([nordic, iberia]), 1)  # the position after the last wave, the default trial period
    assert client.get(created.headers["Location"], headers=headers).get_json() == wave
    url = created.headers["Location"]
    changed = client.patch(url, headers=headers, json={"region_ids": [benelux], "trial_days": 10, "version": 1})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["region_ids"], changed.get_json()["trial_days"], changed.get_json()["name"],
            changed.get_json()["version"]) == ([benelux], 10, "Pilot", 2)
    assert_error(client.patch(url, headers=headers, json={"name": "Stale", "version": 1}), 409)
    second = client.post(programme_url(programme, "waves"), headers=headers, json={"name": "Wave 2"}).get_json()
    assert second["position"] == 2
    assert client.delete(url, headers=headers).status_code == 204
    assert_error(client.get(url, headers=headers), 404)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WaveRegion)
                                 .where(WaveRegion.region_id == benelux)) == 0  # the region stays, in no wave
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "Wave",
                                                                     AuditEvent.object_id == wave["id"])
                                     .order_by(AuditEvent.id)).all()
    assert actions == ["create", "update", "delete"]


def test_waves_list_is_paginated_in_rollout_order(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    for name in ("First", "Second", "Third"):
        client.post(programme_url(programme, "waves"), headers=headers, json={"name": name})
    first = client.get(programme_url(programme, "waves") + "?per_page=2", headers=headers).get_json()
    assert (first["total"], [w["name"] for w in first["items"]]) == (3, ["First", "Second"])
    second = client.get(first["next"], headers=headers).get_json()
    assert [w["name"] for w in second["items"]] == ["Third"] and second["next"] is None


def test_waves_refusals_are_422_at_their_field(app, world):
    client, headers, programme, other = world["client"], world["headers"], world["programme"], world["other"]
    url = programme_url(programme, "waves")
    nordic = _region_ids(app, programme)[2]
    _wave(app, programme, "Pilot", [nordic])
    assert_error(client.post(url, headers=headers, json={"name": "Pilot"}), 422, "name")
    assert_error(client.post(url, headers=headers, json={"name": "Two", "region_ids": [nordic]}), 422, "region_ids")
    assert_error(client.post(url, headers=headers, json={"name": "Two", "region_ids": _region_ids(app, other)}), 422,
                 "region_ids")
    with app.app_context():
        services.add_freeze_window(db.session.get(Programme, programme.id), name="Quarter end",
                                   start_on=date(2026, 9, 25),
                                   end_on=date(2026, 10, 5))
        db.session.commit()
    assert_error(client.post(url, headers=headers, json={"name": "Two", "planned_go_live": "2026-09-30"}), 422,
                 "planned_go_live")
    assert_error(client.post(url, headers=headers, json={"name": " ", "kind": "huge", "trial_days": -1,
                                                         "position": 2**31, "planned_go_live": "9999-01-01"}),
                 422, "name", "kind", "trial_days", "position", "planned_go_live")
    assert_error(client.post(url, headers=headers, json={"name": "Two", "actual_go_live": "2026-01-01"}), 422,
                 "actual_go_live")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Wave)
                                 .where(Wave.programme_id == programme.id)) == 1  # nothing half-written


def test_waves_viewer_reads_not_writes_and_other_programmes_are_404(app, world, api_client_for):
    programme, other = world["programme"], world["other"]
    wave_id = _wave(app, programme)
    client, headers, _user = api_client_for("viewer", programme)
    assert client.get(programme_url(programme, "waves", wave_id), headers=headers).status_code == 200
    assert_error(client.patch(programme_url(programme, "waves", wave_id), headers=headers, json={"trial_days": 1}),
                 403)
    assert_error(client.delete(programme_url(programme, "waves", wave_id), headers=headers), 403)
    assert_error(client.post(programme_url(programme, "waves"), headers=headers, json={"name": "New"}), 403)
    foreign = _wave(app, other, "Elsewhere")
    pm, pm_headers = world["client"], world["headers"]
    assert_error(pm.get(programme_url(programme, "waves", foreign), headers=pm_headers), 404)
    assert_error(pm.delete(programme_url(programme, "waves", foreign), headers=pm_headers), 404)


def test_waves_list_keeps_a_flat_query_count(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    region_ids = _region_ids(app, programme)

    def add(first, count):
        with app.app_context():
            target = db.session.get(Programme, programme.id)
            for n in range(first, first + count):
                services.create_wave(target, name=f"Wave {n}", kind="standard", position=n, planned_go_live=None,
                                     trial_days=20, region_ids=[region_ids[n]] if n < len(region_ids) else [])
            db.session.commit()

    def queries_of_list():
        with count_queries(app) as statements:
            body = client.get(programme_url(programme, "waves") + "?per_page=200", headers=headers).get_json()
        return len(statements), body["total"]

    client.get(f"{API}/me", headers=headers)
    add(0, 3)
    few, total = queries_of_list()
    add(3, 27)
    many, total_many = queries_of_list()
    assert (total, total_many) == (3, 30)
    assert few == many, (few, many)


def test_a_position_beyond_what_the_database_holds_is_refused_and_null_keeps_the_position(app, world):
    """After a wave at the largest position, "the next position" would overflow the column (a 500 on
    PostgreSQL): refused at the field. PATCH with position null leaves the wave where it is."""
    client, headers, programme = world["client"], world["headers"], world["programme"]
    last = client.post(programme_url(programme, "waves"), headers=headers,
                       json={"name": "Last", "position": 2**31 - 1})
    assert last.status_code == 201, last.get_json()
    assert_error(client.post(programme_url(programme, "waves"), headers=headers, json={"name": "After"}), 422,
                 "position")
    first = client.post(programme_url(programme, "waves"), headers=headers, json={"name": "First", "position": 1})
    kept = client.patch(first.headers["Location"], headers=headers, json={"position": None, "version": 1})
    assert kept.status_code == 200, kept.get_json()
    assert kept.get_json()["position"] == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Wave).where(
            Wave.programme_id == programme.id)) == 2
