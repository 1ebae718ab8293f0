"""Attendance through the API: the roster page's services and its rule that a trainer marks only their own
sessions (project managers any session of the programme)."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from planner.core.models import AuditEvent
from planner.extensions import db
from planner.training.models import AttendanceMark
from tests.api.helpers import API, assert_error, programme_url
from tests.api.rows_sessions import add_session
from tests.conftest import count_queries

#: during the sessions add_session plans (2090-03-06, 10:00 to 11:00 UTC)
DURING = datetime(2090, 3, 6, 10, 15, tzinfo=UTC)


@pytest.fixture
def world(app, make_programme, factories, api_client_for):
    programme, other = make_programme(), make_programme()
    trainer_client, trainer_headers, trainer = api_client_for("trainer", programme)
    made = add_session(app, programme, trainer_id=trainer.id, capacity=40, people=3)
    return {"programme": programme, "other": other, "made": made, "client": trainer_client,
            "headers": trainer_headers, "trainer": trainer,
            "url": programme_url(programme, "sessions", made["session"]) + "/attendance"}


def test_the_trainer_marks_their_session_and_marking_again_replaces(app, world, now_is):
    now_is(DURING)
    client, headers, url, people = world["client"], world["headers"], world["url"], world["made"]["people"]
    first = client.post(url, headers=headers, json={"person_id": people[0], "status": "late", "note": "Bus"})
    assert first.status_code == 200, first.get_json()
    mark = first.get_json()
    assert (mark["status"], mark["note"], mark["marked_by_id"], mark["source"]) == \
        ("late", "Bus", world["trainer"].id, "trainer")
    again = client.post(url, headers=headers, json={"person_id": people[0], "status": "present"}).get_json()
    assert (again["id"], again["status"], again["note"]) == (mark["id"], "present", "")  # an upsert: one row
    listed = client.get(url, headers=headers).get_json()
    assert (listed["total"], [item["person_id"] for item in listed["items"]]) == (1, [people[0]])
    with app.app_context():
        assert db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "AttendanceMark", AuditEvent.object_id == mark["id"])
            .order_by(AuditEvent.id)).all() == ["create", "update"]


def test_everyone_present_then_complete_the_roster(app, world, now_is):
    now_is(DURING)
    client, headers, url, people = world["client"], world["headers"], world["url"], world["made"]["people"]
    assert "Mark everyone first" in assert_error(client.post(url + "/complete", headers=headers), 422)["message"]
    client.post(url, headers=headers, json={"person_id": people[1], "status": "excused"})
    done = client.post(url + "/all-present", headers=headers)
    assert done.status_code == 200 and done.get_json() == {"marked": 2}
    with app.app_context():
        marks = dict(db.session.execute(select(AttendanceMark.person_id, AttendanceMark.status)).all())
    assert {person: str(status) for person, status in marks.items()} == \
        {people[0]: "present", people[1]: "excused", people[2]: "present"}  # the mark taken stays
    completed = client.post(url + "/complete", headers=headers)
    assert completed.status_code == 200 and completed.get_json()["roster_completed_at"] is not None


def test_marks_are_refused_at_their_field_and_outside_the_window(app, world, factories, now_is):
    client, headers, url, people = world["client"], world["headers"], world["url"], world["made"]["people"]
    now_is(datetime(2090, 3, 1, 9, tzinfo=UTC))
    early = assert_error(client.post(url, headers=headers, json={"person_id": people[0], "status": "present"}), 422)
    assert "30 minutes before" in early["message"]
    now_is(DURING)
    stranger = factories.person(world["programme"]).id
    assert_error(client.post(url, headers=headers, json={"person_id": stranger, "status": "present"}), 422,
                 "person_id")
    assert_error(client.post(url, headers=headers, json={"person_id": people[0], "status": "asleep",
                                                         "note": "x" * 2001}), 422, "status", "note")
    assert_error(client.post(url, headers=headers, json={"person_id": people[0], "status": "present",
                                                         "marked_by_id": 1}), 422, "marked_by_id")
    assert_error(client.post(url, headers=headers, data="person_id=1", content_type="text/plain"), 400)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttendanceMark)) == 0


def test_only_those_who_may_mark_the_session_reach_it(app, world, api_client_for, now_is):
    now_is(DURING)
    programme, url, person = world["programme"], world["url"], world["made"]["people"][0]
    body = {"person_id": person, "status": "present"}
    for role in ("trainer", "committee_member", "viewer"):  # another trainer, and roles that never mark
        client, headers, _user = api_client_for(role, programme)
        assert_error(client.get(url, headers=headers), 403)
        assert_error(client.post(url, headers=headers, json=body), 403)
        assert_error(client.post(url + "/all-present", headers=headers), 403)
    pm, pm_headers, _user = api_client_for("project_manager", programme)
    assert pm.post(url, headers=pm_headers, json=body).status_code == 200  # a project manager marks any session
    outsider, outsider_headers, _user = api_client_for("project_manager", world["other"])
    assert_error(outsider.get(url, headers=outsider_headers), 404)
    theirs = add_session(app, world["other"], start_on=datetime(2090, 3, 7).date())
    assert_error(pm.get(programme_url(programme, "sessions", theirs["session"]) + "/attendance",
                        headers=pm_headers), 404)


def test_the_marks_list_keeps_a_flat_query_count(app, world, now_is):
    now_is(DURING)
    client, headers = world["client"], world["headers"]
    client.get(f"{API}/me", headers=headers)
    few_session = world["made"]
    many_session = add_session(app, world["programme"], start_on=datetime(2090, 3, 8).date(),
                               trainer_id=world["trainer"].id, capacity=40, people=30)
    now_is(datetime(2090, 3, 8, 10, 15, tzinfo=UTC))

    def mark_all_and_count(made):
        url = programme_url(world["programme"], "sessions", made["session"]) + "/attendance"
        assert client.post(url + "/all-present", headers=headers).status_code == 200
        with count_queries(app) as statements:
            listed = client.get(url + "?per_page=200", headers=headers).get_json()
        return len(statements), listed["total"]

    many, many_total = mark_all_and_count(many_session)
    now_is(DURING)
    few, few_total = mark_all_and_count(few_session)
    assert (few_total, many_total, few) == (3, 30, many)
