"""Milestones through the API: the rollout services (dependencies go with a deleted milestone), audit, versions,
permissions and a flat query count."""
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.core.models import AuditEvent
from planner.extensions import db
from planner.programmes.models import Programme
from planner.rollout import services
from planner.rollout.models import Dependency, Milestone
from tests.api.helpers import API, assert_error, programme_url
from tests.conftest import count_queries


@pytest.fixture
def world(app, make_programme, api_client_for):
    programme = make_programme()
    other = make_programme()
    client, headers, _user = api_client_for("project_manager", programme)
    return {"programme": programme, "other": other, "client": client, "headers": headers}


def _milestone(app, programme, name="Kickoff", planned_on=date(2026, 3, 2)) -> int:
    with app.app_context():
        milestone = services.create_milestone(db.session.get(Programme, programme.id), name=name, kind="kickoff",
                                              planned_on=planned_on, actual_on=None)
        db.session.commit()
        return milestone.id


def test_milestones_create_read_update_delete_through_the_service(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    created = client.post(programme_url(programme, "milestones"), headers=headers,
                          json={"name": "Process sign-off", "kind": "process_sign_off", "planned_on": "2026-05-04"})
    assert created.status_code == 201, created.get_json()
    milestone = created.get_json()
    url = created.headers["Location"]
    assert url.endswith(programme_url(programme, "milestones", milestone["id"]))
    assert (milestone["kind"], milestone["actual_on"], milestone["version"]) == ("process_sign_off", None, 1)
    assert client.get(url, headers=headers).get_json() == milestone
    changed = client.patch(url, headers=headers, json={"actual_on": "2026-05-06", "version": 1})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["actual_on"], changed.get_json()["planned_on"], changed.get_json()["version"]) == \
        ("2026-05-06", "2026-05-04", 2)
    assert client.patch(url, headers=headers, json={"actual_on": None}).get_json()["actual_on"] is None
    assert_error(client.patch(url, headers=headers, json={"name": "Stale", "version": 1}), 409)
    kickoff = _milestone(app, programme)
    with app.app_context():
        services.add_dependency(db.session.get(Programme, programme.id), predecessor_key=f"milestone:{kickoff}",
                                successor_key=f"milestone:{milestone['id']}", lag_days=0)
        db.session.commit()
    assert client.delete(url, headers=headers).status_code == 204
    assert_error(client.get(url, headers=headers), 404)
    with app.app_context():  # as on the page, its dependencies went with it
        assert db.session.scalar(select(func.count()).select_from(Dependency)
                                 .where(Dependency.programme_id == programme.id)) == 0
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "Milestone",
                                                                     AuditEvent.object_id == milestone["id"])
                                     .order_by(AuditEvent.id)).all()
    assert actions[0] == "create" and actions[-1] == "delete" and "update" in actions


def test_milestones_list_is_paginated_by_planned_day(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    _milestone(app, programme, "Late", date(2026, 9, 1))
    _milestone(app, programme, "Early", date(2026, 1, 5))
    first = client.get(programme_url(programme, "milestones") + "?per_page=1", headers=headers).get_json()
    assert (first["total"], [m["name"] for m in first["items"]]) == (2, ["Early"])
    assert [m["name"] for m in client.get(first["next"], headers=headers).get_json()["items"]] == ["Late"]


def test_milestones_validation_is_422_at_the_field(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    url = programme_url(programme, "milestones")
    assert_error(client.post(url, headers=headers, json={"name": "", "kind": "party", "planned_on": "2026-02-30"}),
                 422, "name", "kind", "planned_on")
    assert_error(client.post(url, headers=headers, json={"name": "X", "planned_on": "0001-01-01"}), 422, "planned_on")
    assert_error(client.post(url, headers=headers, json={"name": "X" * 201, "planned_on": "2026-01-01"}), 422, "name")
    assert_error(client.post(url, headers=headers, json={"name": "X", "planned_on": "2026-01-01", "id": 5}), 422, "id")
    milestone_id = _milestone(app, programme)
    assert_error(client.patch(programme_url(programme, "milestones", milestone_id), headers=headers,
                              json={"planned_on": None}), 422, "planned_on")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Milestone)
                                 .where(Milestone.programme_id == programme.id)) == 1


def test_milestones_committee_member_reads_only_and_other_programmes_are_404(app, world, api_client_for):
    programme, other = world["programme"], world["other"]
    milestone_id = _milestone(app, programme)
    client, headers, _user = api_client_for("committee_member", programme)
    assert client.get(programme_url(programme, "milestones"), headers=headers).get_json()["total"] == 1
    assert_error(client.patch(programme_url(programme, "milestones", milestone_id), headers=headers,
                              json={"name": "Mine"}), 403)
    assert_error(client.delete(programme_url(programme, "milestones", milestone_id), headers=headers), 403)
    foreign = _milestone(app, other)
    pm, pm_headers = world["client"], world["headers"]
    assert_error(pm.patch(programme_url(programme, "milestones", foreign), headers=pm_headers, json={"name": "X"}),
                 404)


def test_milestones_list_keeps_a_flat_query_count(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]

    def add(count):
        with app.app_context():
            for n in range(count):
                services.create_milestone(db.session.get(Programme, programme.id), name=f"M {n}", kind="review",
                                          planned_on=date(2026, 1, 1 + n % 28), actual_on=None)
            db.session.commit()

    def queries_of_list():
        with count_queries(app) as statements:
            body = client.get(programme_url(programme, "milestones") + "?per_page=200", headers=headers).get_json()
        return len(statements), body["total"]

    client.get(f"{API}/me", headers=headers)
    add(3)
    few, total = queries_of_list()
    add(27)
    many, total_many = queries_of_list()
    assert (total, total_many) == (3, 30)
    assert few == many, (few, many)
