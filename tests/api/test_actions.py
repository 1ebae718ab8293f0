"""Action items through the API: agreed and edited with the committee services, as on the meeting and actions
pages (closing sets the completed day), never deleted; permissions, versions and query counts."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from planner.committee import services
from planner.committee.models import ActionItem
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.programmes.models import Programme
from tests.api.helpers import API, assert_error, programme_url
from tests.committee.helpers import held_occurrence
from tests.conftest import count_queries

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def world(app, make_programme, make_person, api_client_for, now_is, today_is):
    now_is(NOW)
    today_is(NOW.date())
    programme = make_programme()
    other = make_programme()
    client, headers, _user = api_client_for("project_manager", programme)
    return {"programme": programme, "other": other, "client": client, "headers": headers,
            "owner": make_person(programme, "Olga Owner", email="olga@example.com"),
            "stranger": make_person(other, "Sam Stranger", email="sam@example.com")}


def _action(app, programme, owner, title="Book rooms", due_on=date(2026, 12, 1)) -> int:
    with app.app_context():
        action = services.add_action(db.session.get(Programme, programme.id), title=title, owner_id=owner.id,
                                     due_on=due_on)
        db.session.commit()
        return action.id


def test_actions_agreed_in_a_meeting_edited_and_closed(app, world):
    client, headers, programme, owner = world["client"], world["headers"], world["programme"], world["owner"]
    with app.app_context():
        occurrence_id = held_occurrence(db.session.get(Programme, programme.id)).id
        db.session.commit()
    created = client.post(programme_url(programme, "actions"), headers=headers, json={
        "title": "Send the training plan", "owner_id": owner.id, "due_on": "2026-11-30",
        "occurrence_id": occurrence_id})
    assert created.status_code == 201, created.get_json()
    action = created.get_json()
    url = created.headers["Location"]
    assert url.endswith(programme_url(programme, "actions", action["id"]))
    assert (action["status"], action["occurrence_id"], action["is_overdue"], action["version"]) == \
        ("open", occurrence_id, False, 1)
    assert client.get(url, headers=headers).get_json() == action
    moved = client.patch(url, headers=headers, json={"due_on": "2026-11-20", "version": 1}).get_json()
    assert (moved["due_on"], moved["is_overdue"], moved["title"]) == ("2026-11-20", True, "Send the training plan")
    done = client.patch(url, headers=headers, json={"status": "done"}).get_json()
    assert (done["status"], done["completed_on"], done["is_overdue"]) == ("done", "2026-11-23", False)
    reopened = client.patch(url, headers=headers, json={"status": "open"}).get_json()
    assert (reopened["status"], reopened["completed_on"]) == ("open", None)
    assert_error(client.patch(url, headers=headers, json={"title": "Stale", "version": 1}), 409)
    # an action that is no longer needed is dropped, as on the page: there is no delete
    assert client.delete(url, headers=headers).status_code == 405
    with app.app_context():
        assert db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "ActionItem", AuditEvent.object_id == action["id"])
            .order_by(AuditEvent.id)).all() == ["create", "update", "update", "update"]


def test_actions_refusals_are_422_at_their_field(app, world):
    client, headers, programme, owner = world["client"], world["headers"], world["programme"], world["owner"]
    url = programme_url(programme, "actions")
    base = {"title": "T", "owner_id": owner.id, "due_on": "2026-12-01"}
    assert_error(client.post(url, headers=headers, json={**base, "owner_id": world["stranger"].id}), 422, "owner_id")
    assert_error(client.post(url, headers=headers, json={"title": "T"}), 422, "owner_id", "due_on")
    assert_error(client.post(url, headers=headers, json={**base, "status": "done"}), 422, "status")
    assert_error(client.post(url, headers=headers, json={**base, "occurrence_id": 2_000_000_000}), 422,
                 "occurrence_id")
    assert_error(client.post(url, headers=headers, json={**base, "decision_id": 2_000_000_000}), 422, "decision_id")
    assert_error(client.post(url, headers=headers, json={**base, "owner_id": 2**40, "due_on": "3000-01-01"}), 422,
                 "owner_id", "due_on")
    action_id = _action(app, programme, owner)
    item = programme_url(programme, "actions", action_id)
    assert_error(client.patch(item, headers=headers, json={"status": "finished"}), 422, "status")
    assert_error(client.patch(item, headers=headers, json={"owner_id": None}), 422, "owner_id")
    assert_error(client.patch(item, headers=headers, json={"occurrence_id": 1}), 422, "occurrence_id")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActionItem)) == 1


def test_actions_committee_member_edits_viewer_reads_other_programme_404(app, world, api_client_for):
    programme, other = world["programme"], world["other"]
    action_id = _action(app, programme, world["owner"])
    member, member_headers, _user = api_client_for("committee_member", programme)
    changed = member.patch(programme_url(programme, "actions", action_id), headers=member_headers,
                           json={"status": "dropped"})
    assert changed.status_code == 200 and changed.get_json()["status"] == "dropped"
    viewer, viewer_headers, _user = api_client_for("viewer", programme)
    body = viewer.get(programme_url(programme, "actions", action_id), headers=viewer_headers).get_json()
    assert "owner" not in body and body["owner_id"] == world["owner"].id  # an id, never a name
    assert_error(viewer.patch(programme_url(programme, "actions", action_id), headers=viewer_headers,
                              json={"status": "open"}), 403)
    foreign = _action(app, other, world["stranger"])
    assert_error(world["client"].patch(programme_url(programme, "actions", foreign), headers=world["headers"],
                                       json={"status": "done"}), 404)


def test_actions_list_is_paginated_with_a_flat_query_count(app, world):
    client, headers, programme, owner = world["client"], world["headers"], world["programme"], world["owner"]
    meeting_days = iter([date(2026, 10, 1), date(2026, 10, 2)])

    def add(count):
        with app.app_context():
            target = db.session.get(Programme, programme.id)
            occurrence = held_occurrence(target, next(meeting_days))
            for n in range(count):
                services.add_action(target, title=f"A {n}", owner_id=owner.id, due_on=date(2026, 12, 1 + n % 28),
                                    occurrence=occurrence)
            db.session.commit()

    def queries_of_list():
        with count_queries(app) as statements:
            body = client.get(programme_url(programme, "actions") + "?per_page=200", headers=headers).get_json()
        return len(statements), body["total"]

    client.get(f"{API}/me", headers=headers)
    add(3)
    few, total = queries_of_list()
    add(27)
    many, total_many = queries_of_list()
    assert (total, total_many) == (3, 30)
    assert few == many, (few, many)
    first = client.get(programme_url(programme, "actions") + "?per_page=25", headers=headers).get_json()
    assert [a["due_on"] for a in first["items"]] == sorted(a["due_on"] for a in first["items"])
    assert len(client.get(first["next"], headers=headers).get_json()["items"]) == 5
