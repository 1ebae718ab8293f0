"""The communication plan through the API (plan items: full CRUD through planner/comms/services) and its log
(read-only)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.comms.models import CommunicationItem, CommunicationLog
from planner.core.models import AuditEvent
from planner.extensions import db
from tests.api.helpers import API, assert_error, programme_url
from tests.comms.helpers import hold, make_audience, make_item
from tests.conftest import count_queries


@pytest.fixture
def world(app, make_programme, factories, api_client_for, today_is):
    today_is(date(2026, 11, 24))
    programme = make_programme(regions=["Nordic"])
    other = make_programme(regions=["Elsewhere"])
    client, headers, user = api_client_for("project_manager", programme)
    return {"programme": programme, "other": other, "client": client, "headers": headers, "user": user,
            "audience": make_audience(app, programme, is_everyone=True),
            "other_audience": make_audience(app, other, is_everyone=True),
            "person": factories.person(programme, "Olga Owner")}


NEW = {"title": "Monthly status", "purpose": "status_update", "channel": "email", "planned_on": "2026-12-01",
       "recurrence": "FREQ=MONTHLY;COUNT=3", "message": "What happened this month."}


def test_plan_items_create_read_update_delete(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    created = client.post(programme_url(programme, "communications"), headers=headers,
                          json={**NEW, "audience_id": world["audience"], "owner_id": world["person"].id})
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert (item["recurrence"], item["owner_id"], item["planned_on"], item["version"]) == \
        ("FREQ=MONTHLY;COUNT=3", world["person"].id, "2026-12-01", 1)
    url = created.headers["Location"]
    assert url.endswith(programme_url(programme, "communications", item["id"]))
    assert client.get(url, headers=headers).get_json() == item
    changed = client.patch(url, headers=headers, json={"title": "  Monthly   news ", "recurrence": "",
                                                       "version": 1}).get_json()
    assert (changed["title"], changed["recurrence"], changed["message"], changed["version"]) == \
        ("Monthly news", "", "What happened this month.", 2)
    assert_error(client.patch(url, headers=headers, json={"title": "Stale", "version": 1}), 409)
    assert client.delete(url, headers=headers).status_code == 204
    assert_error(client.get(url, headers=headers), 404)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "CommunicationItem",
                                                                     AuditEvent.object_id == item["id"])
                                     .order_by(AuditEvent.id)).all()
    assert actions == ["create", "update", "delete"]


def test_deleting_an_item_keeps_its_log(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    item_id = make_item(app, programme, world["audience"], channel="meeting", planned_on=date(2026, 10, 1))
    log_id = hold(app, programme, held_on=date(2026, 10, 1), item_id=item_id, occurrence_on=date(2026, 10, 1))
    assert client.delete(programme_url(programme, "communications", item_id), headers=headers).status_code == 204
    entry = client.get(programme_url(programme, "communication_log", log_id), headers=headers).get_json()
    assert (entry["id"], entry["item_id"], entry["held_on"], entry["channel"]) == (log_id, None, "2026-10-01",
                                                                                  "meeting")


def test_refusals_are_422_at_their_field_and_nothing_is_written(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    url = programme_url(programme, "communications")
    base = {**NEW, "audience_id": world["audience"]}
    for body, field in (({"title": " "}, "title"), ({"title": "x" * 201}, "title"),
                        ({"purpose": "gossip"}, "purpose"), ({"recurrence": "FREQ=HOURLY"}, "recurrence"),
                        ({"recurrence": "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2"}, "recurrence"),
                        ({"planned_on": "2040-01-01"}, "planned_on"), ({"planned_on": "0001-01-01"}, "planned_on"),
                        ({"audience_id": world["other_audience"]}, "audience_id"),
                        ({"audience_id": 2_000_000_000}, "audience_id"),
                        ({"owner_id": 2_000_000_000}, "owner_id"), ({"version": 3}, "version")):
        assert_error(client.post(url, headers=headers, json={**base, **body}), 422, field)
    assert_error(client.post(url, headers=headers, json={"title": "T"}), 422, "purpose", "audience_id", "channel",
                 "planned_on")
    item_id = make_item(app, programme, world["audience"])
    assert_error(client.patch(programme_url(programme, "communications", item_id), headers=headers,
                              json={"audience_id": None}), 422, "audience_id")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CommunicationItem)) == 1


def test_viewer_reads_not_writes_and_other_programmes_are_404(app, world, api_client_for):
    programme, other = world["programme"], world["other"]
    item_id = make_item(app, programme, world["audience"])
    foreign_item = make_item(app, other, world["other_audience"])
    foreign_log = hold(app, other, held_on=date(2026, 10, 1), audience_id=world["other_audience"],
                       purpose="other", channel="town_hall")
    viewer, viewer_headers, _user = api_client_for("viewer", programme)
    assert viewer.get(programme_url(programme, "communications", item_id), headers=viewer_headers).status_code == 200
    assert_error(viewer.patch(programme_url(programme, "communications", item_id), headers=viewer_headers,
                              json={"title": "Mine"}), 403)
    assert_error(viewer.delete(programme_url(programme, "communications", item_id), headers=viewer_headers), 403)
    assert_error(viewer.post(programme_url(programme, "communications"), headers=viewer_headers, json={}), 403)
    pm, pm_headers = world["client"], world["headers"]
    assert_error(pm.get(programme_url(programme, "communications", foreign_item), headers=pm_headers), 404)
    assert_error(pm.delete(programme_url(programme, "communications", foreign_item), headers=pm_headers), 404)
    assert_error(pm.get(programme_url(programme, "communication_log", foreign_log), headers=pm_headers), 404)
    assert_error(pm.get(programme_url(other, "communication_log"), headers=pm_headers), 404)


def test_the_log_is_read_only_and_paginated(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    older = hold(app, programme, held_on=date(2026, 9, 1), subject="Kickoff", audience_id=world["audience"],
                 purpose="vision_kickoff", channel="town_hall", recipients_count=40)
    newer = hold(app, programme, held_on=date(2026, 10, 1), subject="Go-live briefing",
                 audience_id=world["audience"], purpose="go_live_notice", channel="meeting")
    first = client.get(programme_url(programme, "communication_log") + "?per_page=1", headers=headers).get_json()
    assert (first["total"], [entry["id"] for entry in first["items"]]) == (2, [newer])
    second = client.get(first["next"], headers=headers).get_json()
    assert [(entry["id"], entry["subject"], entry["recipients_count"]) for entry in second["items"]] == \
        [(older, "Kickoff", 40)]
    url = programme_url(programme, "communication_log", older)
    assert client.post(programme_url(programme, "communication_log"), headers=headers, json={}).status_code == 405
    assert client.patch(url, headers=headers, json={"subject": "Changed"}).status_code == 405
    assert client.delete(url, headers=headers).status_code == 405
    with app.app_context():
        assert db.session.get(CommunicationLog, older).subject == "Kickoff"


@pytest.mark.parametrize("resource", ["communications", "communication_log"])
def test_lists_keep_a_flat_query_count(app, world, resource):
    client, headers, programme = world["client"], world["headers"], world["programme"]

    def add(count, start):
        for n in range(start, start + count):
            if resource == "communications":
                audience = make_audience(app, programme, f"Audience {n}", is_everyone=True)
                make_item(app, programme, audience, title=f"Item {n}", owner_id=world["person"].id)
            else:
                hold(app, programme, held_on=date(2026, 10, 1), subject=f"Meeting {n}",
                     audience_id=world["audience"], purpose="other", channel="meeting")

    def queries_of_list():
        with count_queries(app) as statements:
            body = client.get(programme_url(programme, resource) + "?per_page=200", headers=headers).get_json()
        return len(statements), body["total"]

    client.get(f"{API}/me", headers=headers)
    add(3, 0)
    few, total = queries_of_list()
    add(27, 3)
    many, total_many = queries_of_list()
    assert (total, total_many) == (3, 30)
    assert few == many, (few, many)
