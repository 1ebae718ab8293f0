"""Change requests through the API: submit, edit, delete, and the page's steps (assess, decide with a committee
decision taken in a meeting, implement, reject), each through planner/changes/services."""
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.changes.models import ChangeRequest
from planner.committee import services as committee_services
from planner.committee.models import MeetingOccurrence
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.programmes.models import Programme
from tests.api.helpers import API, assert_error, programme_url
from tests.changes.helpers import NOW, build_world, submit
from tests.conftest import count_queries

NEW = {"title": "Add a reporting step", "kind": "process", "requested_on": "2026-09-10"}


@pytest.fixture
def world(app, factories, api_client_for, now_is):
    now_is(NOW)
    built = build_world(app, factories)
    other = build_world(app, factories)
    with app.app_context():
        programme, other_programme = db.session.get(Programme, built.programme_id), db.session.get(Programme,
                                                                                                    other.programme_id)
        db.session.expunge_all()
    client, headers, user = api_client_for("project_manager", programme)
    return {"built": built, "programme": programme, "other_built": other, "other": other_programme,
            "client": client, "headers": headers, "user": user}


def _submitted(app, programme_id, **values) -> int:
    with app.app_context():
        change = submit(db.session.get(Programme, programme_id), **values)
        db.session.commit()
        return change.id


def _decision(app, programme_id, occurrence_id, text="CR approved") -> int:
    with app.app_context():
        decision = committee_services.record_decision(
            db.session.get(Programme, programme_id), text=text, recorded_by_id=None,
            occurrence=db.session.get(MeetingOccurrence, occurrence_id))
        db.session.commit()
        return decision.id


def _step(world, change_id, step, **body):
    return world["client"].post(programme_url(world["programme"], "change_requests", change_id) + f"/{step}",
                                headers=world["headers"], json=body)


def test_submit_read_edit_and_delete(app, world):
    client, headers, programme, built = world["client"], world["headers"], world["programme"], world["built"]
    created = client.post(programme_url(programme, "change_requests"), headers=headers, json={
        **NEW, "cost": "1250.50", "schedule_days": -3, "region_ids": [built.region_id],
        "stage_ids": [built.stage_id], "requester_id": built.person_id})
    assert created.status_code == 201, created.get_json()
    change = created.get_json()
    assert (change["reference"], change["status"], change["cost"], change["region_ids"], change["stage_ids"],
            change["submitted_by_id"], change["version"]) == \
        ("CR-001", "submitted", "1250.50", [built.region_id], [built.stage_id], world["user"].id, 1)
    url = created.headers["Location"]
    assert url.endswith(programme_url(programme, "change_requests", change["id"]))
    assert client.get(url, headers=headers).get_json() == change
    changed = client.patch(url, headers=headers, json={"title": "Add two reporting steps", "cost": None,
                                                       "version": 1}).get_json()
    assert (changed["title"], changed["cost"], changed["region_ids"], changed["kind"], changed["version"]) == \
        ("Add two reporting steps", None, [built.region_id], "process", 2)
    assert_error(client.patch(url, headers=headers, json={"title": "Stale", "version": 1}), 409)
    listed = client.get(programme_url(programme, "change_requests") + "?per_page=1", headers=headers).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == change["id"]
    assert client.delete(url, headers=headers).status_code == 204
    assert_error(client.get(url, headers=headers), 404)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "ChangeRequest",
                                                                     AuditEvent.object_id == change["id"])
                                     .order_by(AuditEvent.id)).all()
    assert actions == ["create", "update", "delete"]


def test_assess_decide_and_implement_as_on_the_page(app, world, api_client_for):
    built, programme = world["built"], world["programme"]
    change_id = _submitted(app, built.programme_id)
    assert_error(_step(world, change_id, "decide", outcome="approve",
                       decision_id=_decision(app, built.programme_id, built.occurrence_id, "early")), 422)
    assessed = _step(world, change_id, "assess", assessment="Two days of work.", version=1)
    assert assessed.status_code == 200, assessed.get_json()
    assert (assessed.get_json()["status"], assessed.get_json()["schedule_days"], assessed.get_json()["assessment"]) \
        == ("assessed", 10, "Two days of work.")  # schedule_days left out: the request's value is kept
    assert_error(client_delete := world["client"].delete(programme_url(programme, "change_requests", change_id),
                                                         headers=world["headers"]), 422)
    assert "assessed" in client_delete.get_json()["message"]
    assert_error(_step(world, change_id, "reject", reason="No"), 422)  # assessed: the committee decides
    decision_id = _decision(app, built.programme_id, built.occurrence_id)
    committee, committee_headers, _user = api_client_for("committee_member", programme)
    decide_url = programme_url(programme, "change_requests", change_id) + "/decide"
    foreign = _decision(app, world["other_built"].programme_id, world["other_built"].occurrence_id)
    assert_error(committee.post(decide_url, headers=committee_headers,
                                json={"outcome": "approve", "decision_id": foreign}), 422, "decision_id")
    assert_error(committee.post(decide_url, headers=committee_headers,
                                json={"outcome": "maybe", "decision_id": decision_id}), 422, "outcome")
    decided = committee.post(decide_url, headers=committee_headers,
                             json={"outcome": "approve", "decision_id": decision_id, "version": 2})
    assert decided.status_code == 200, decided.get_json()
    assert (decided.get_json()["status"], decided.get_json()["decision_id"]) == ("approved", decision_id)
    trainer, trainer_headers, _user = api_client_for("trainer", programme)
    assert_error(trainer.post(programme_url(programme, "change_requests", change_id) + "/implement",
                              headers=trainer_headers, json={}), 403)
    assert_error(_step(world, change_id, "implement", version=2), 409)
    implemented = _step(world, change_id, "implement", version=3)
    assert implemented.status_code == 200, implemented.get_json()
    assert (implemented.get_json()["status"], implemented.get_json()["implemented_by_id"]) == \
        ("implemented", world["user"].id)
    assert_error(world["client"].patch(programme_url(programme, "change_requests", change_id),
                                       headers=world["headers"], json={"title": "Too late"}), 422)


def test_a_schedule_change_is_re_planned_when_implemented(app, world):
    built = world["built"]
    change_id = _submitted(app, built.programme_id, plan_item_key=built.wave_key, new_start=date(2026, 10, 19))
    assert _step(world, change_id, "assess", assessment="Two weeks later.").status_code == 200
    decision_id = _decision(app, built.programme_id, built.occurrence_id)
    assert _step(world, change_id, "decide", outcome="approve", decision_id=decision_id).status_code == 200
    assert _step(world, change_id, "implement").get_json()["status"] == "implemented"
    from planner.rollout.models import Wave

    with app.app_context():
        wave = db.session.get(Wave, int(built.wave_key.split(":")[1]))
        assert wave.planned_go_live == date(2026, 10, 19)


def test_reject_a_submitted_request(app, world):
    change_id = _submitted(app, world["built"].programme_id)
    assert_error(_step(world, change_id, "reject", reason="   "), 422, "reason")
    rejected = _step(world, change_id, "reject", reason="Out of scope.")
    assert (rejected.get_json()["status"], rejected.get_json()["rejection_reason"]) == ("rejected", "Out of scope.")
    assert_error(_step(world, change_id, "reject", reason="Again"), 422)


def test_refusals_are_422_at_their_field_and_nothing_is_written(app, world):
    client, headers, programme, built = world["client"], world["headers"], world["programme"], world["built"]
    url = programme_url(programme, "change_requests")
    other = world["other_built"]
    for body, field in (({"title": " "}, "title"), ({"kind": "weather"}, "kind"),
                        ({"cost": "10000000000000"}, "cost"), ({"cost": "1.005"}, "cost"),
                        ({"schedule_days": 5000}, "schedule_days"), ({"number": 7}, "number"),
                        ({"requested_on": "9999-01-01"}, "requested_on"),
                        ({"region_ids": [other.region_id]}, "region_ids"),
                        ({"requester_id": other.person_id}, "requester_id"),
                        ({"kind": "schedule", "plan_item_key": "wave:999999", "new_start": "2026-10-19"},
                         "plan_item_key")):
        assert_error(client.post(url, headers=headers, json={**NEW, **body}), 422, field)
    assert_error(client.post(url, headers=headers, json={"title": "T"}), 422, "requested_on")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChangeRequest)
                                 .where(ChangeRequest.programme_id == built.programme_id)) == 0


def test_roles_and_other_programmes(app, world, api_client_for):
    programme, other = world["programme"], world["other"]
    committee, committee_headers, _user = api_client_for("committee_member", programme)
    created = committee.post(programme_url(programme, "change_requests"), headers=committee_headers, json=NEW)
    assert created.status_code == 201, created.get_json()
    url = created.headers["Location"]
    assert_error(committee.patch(url, headers=committee_headers, json={"title": "Mine"}), 403)
    assert_error(committee.delete(url, headers=committee_headers), 403)
    assert_error(committee.post(url + "/assess", headers=committee_headers, json={"assessment": "x"}), 403)
    viewer, viewer_headers, _user = api_client_for("viewer", programme)
    assert viewer.get(url, headers=viewer_headers).status_code == 200
    assert_error(viewer.post(programme_url(programme, "change_requests"), headers=viewer_headers, json=NEW), 403)
    foreign_id = _submitted(app, world["other_built"].programme_id)
    pm, pm_headers = world["client"], world["headers"]
    assert_error(pm.get(programme_url(programme, "change_requests", foreign_id), headers=pm_headers), 404)
    assert_error(pm.post(programme_url(programme, "change_requests", foreign_id) + "/reject", headers=pm_headers,
                         json={"reason": "No"}), 404)
    assert_error(pm.get(programme_url(other, "change_requests"), headers=pm_headers), 404)


def test_list_keeps_a_flat_query_count(app, world):
    client, headers, built = world["client"], world["headers"], world["built"]

    def add(count):
        with app.app_context():
            programme = db.session.get(Programme, built.programme_id)
            for n in range(count):
                submit(programme, title=f"Change {n}", region_ids=[built.region_id], stage_ids=[built.stage_id])
            db.session.commit()

    def queries_of_list():
        with count_queries(app) as statements:
            body = client.get(programme_url(world["programme"], "change_requests") + "?per_page=200",
                              headers=headers).get_json()
        return len(statements), body["total"]

    client.get(f"{API}/me", headers=headers)
    add(3)
    few, total = queries_of_list()
    add(27)
    many, total_many = queries_of_list()
    assert (total, total_many) == (3, 30)
    assert few == many, (few, many)


def test_a_cost_is_answered_as_a_later_read_gives_it(app, world):
    """Costs are kept to the cent: what POST and PATCH answer is what a later GET gives ("1E+5" is 100000.00)."""
    client, headers, programme = world["client"], world["headers"], world["programme"]
    created = client.post(programme_url(programme, "change_requests"), headers=headers, json={**NEW, "cost": "1E+5"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["cost"] == "100000.00"
    assert client.get(created.headers["Location"], headers=headers).get_json() == created.get_json()
    changed = client.patch(created.headers["Location"], headers=headers, json={"cost": "12.5", "version": 1})
    assert changed.get_json()["cost"] == "12.50"
    assert client.get(created.headers["Location"], headers=headers).get_json() == changed.get_json()


def test_the_assess_step_documents_no_defaults_for_what_it_keeps(app, client):
    """Left out, schedule_days, cost and risks keep the request's values: the document must not offer a default
    that a generated client would send and so wipe them."""
    document = client.get("/api/v1/openapi.json").get_json()
    properties = document["components"]["schemas"]["ChangeRequestAssess"]["properties"]
    assert [name for name in ("schedule_days", "cost", "risks") if "default" in properties[name]] == []
