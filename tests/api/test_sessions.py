"""Training sessions through the API: planning, changing, scheduling and cancelling with the session pages'
services (invitations, waitlists and the no-double-booking rule included)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.training.models import Enrolment, EnrolmentStatus, TrainingSession
from tests.api.helpers import API, assert_error, programme_url
from tests.api.rows_sessions import add_session
from tests.conftest import count_queries


@pytest.fixture
def world(app, make_programme, factories, api_client_for):
    programme = make_programme(regions=[{"name": "Nordic", "time_zone": "Europe/Oslo"}])
    other = make_programme()
    client, headers, _user = api_client_for("project_manager", programme)
    trainer = factories.user_with_role("trainer", programme)
    from planner.programmes.models import Region

    with app.app_context():
        region_id = db.session.scalar(select(Region.id).where(Region.programme_id == programme.id))
    return {"programme": programme, "other": other, "client": client, "headers": headers, "trainer": trainer,
            "region": region_id}


def _outbox_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_sessions_plan_read_change_schedule(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    course_id = add_session(app, programme)["course"]  # a course (its own session is in another region)
    created = client.post(programme_url(programme, "sessions"), headers=headers, json={
        "course_id": course_id, "region_id": world["region"], "trainer_id": world["trainer"].id,
        "start_on": "2090-06-12", "start_time": "09:30", "capacity": 8, "location": "Oslo, room 4"})
    assert created.status_code == 201, created.get_json()
    session = created.get_json()
    assert created.headers["Location"].endswith(programme_url(programme, "sessions", session["id"]))
    # the wall time is in the region's zone (Oslo, summer time: UTC+2); the course gives the duration (60 min)
    assert (session["time_zone"], session["local_start"], session["starts_at"], session["ends_at"]) == \
        ("Europe/Oslo", "2090-06-12T09:30", "2090-06-12T07:30:00Z", "2090-06-12T08:30:00Z")
    assert (session["status"], session["capacity"]) == ("proposed", 8)
    url, version = created.headers["Location"], session["version"]
    assert client.get(url, headers=headers).get_json() == session
    changed = client.patch(url, headers=headers, json={"start_time": "13:00", "version": version})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["local_start"], changed.get_json()["location"], changed.get_json()["version"]) == \
        ("2090-06-12T13:00", "Oslo, room 4", version + 1)
    assert_error(client.patch(url, headers=headers, json={"capacity": 9, "version": version}), 409)
    sent_before = _outbox_count(app)
    scheduled = client.post(url + "/schedule", headers=headers)
    assert scheduled.status_code == 200 and scheduled.get_json()["status"] == "scheduled"
    assert _outbox_count(app) == sent_before + 1  # the trainer's invitation, as on the page
    assert_error(client.post(url + "/schedule", headers=headers), 422)  # only a proposed one
    assert client.delete(url, headers=headers).status_code == 405  # sessions are cancelled, never deleted


def test_cancelling_moves_people_to_the_next_session(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    first = add_session(app, programme, people=2)
    later = add_session(app, programme, start_on=date(2090, 4, 6), course_id=first["course"],
                        region_id=first["region"])
    url = programme_url(programme, "sessions", first["session"])
    assert_error(client.post(url + "/cancel", headers=headers, json={"reason": "weather"}), 422, "reason")
    assert_error(client.post(url + "/cancel", headers=headers, json={"reason": "other", "version": 7}), 409)
    cancelled = client.post(url + "/cancel", headers=headers, json={"reason": "business_priority",
                                                                    "note": "Quarter close"})
    assert cancelled.status_code == 200, cancelled.get_json()
    assert (cancelled.get_json()["status"], cancelled.get_json()["cancel_reason"]) == ("cancelled",
                                                                                      "business_priority")
    with app.app_context():
        moved = db.session.scalars(select(Enrolment.person_id).where(
            Enrolment.session_id == later["session"], Enrolment.status == EnrolmentStatus.ENROLLED)).all()
    assert sorted(moved) == sorted(first["people"])
    body = assert_error(client.patch(url, headers=headers, json={"capacity": 3}), 422)
    assert "cancelled" in body["message"]


def test_sessions_validation_names_the_fields(app, world):
    client, headers, programme, other = world["client"], world["headers"], world["programme"], world["other"]
    mine, theirs = add_session(app, programme), add_session(app, other)
    url = programme_url(programme, "sessions")
    base = {"course_id": mine["course"], "region_id": mine["region"], "start_on": "2090-05-04", "start_time": "10:00"}
    assert_error(client.post(url, headers=headers, json={**base, "start_time": "10:00+02:00", "capacity": 0,
                                                         "duration_minutes": 3000, "online_url": "x" * 501}),
                 422, "start_time", "capacity", "duration_minutes", "online_url")
    assert_error(client.post(url, headers=headers, json={**base, "course_id": theirs["course"]}), 422, "course_id")
    assert_error(client.post(url, headers=headers, json={**base, "region_id": theirs["region"]}), 422, "region_id")
    assert_error(client.post(url, headers=headers, json={**base, "start_on": "2999-01-01"}), 422, "start_on")
    assert_error(client.post(url, headers=headers, json={**base, "trainer_id": 2_000_000_000}), 422, "trainer_id")
    assert_error(client.post(url, headers=headers, json={**base, "online_url": "ftp://files"}), 422, "online_url")
    assert_error(client.post(url, headers=headers, json={**base, "status": "scheduled"}), 422, "status")
    assert_error(client.post(url, headers=headers, json={"start_time": "25:00"}), 422, "course_id", "region_id",
                 "start_on", "start_time")
    item = programme_url(programme, "sessions", mine["session"])
    assert_error(client.patch(item, headers=headers, json={"start_on": None}), 422, "start_on")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrainingSession)
                                 .where(TrainingSession.programme_id == programme.id)) == 1


def test_no_trainer_in_two_places_at_once(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    first = add_session(app, programme, trainer_id=world["trainer"].id)
    clash = client.post(programme_url(programme, "sessions"), headers=headers, json={
        "course_id": first["course"], "region_id": first["region"], "trainer_id": world["trainer"].id,
        "start_on": "2090-03-06", "start_time": "10:30"})
    assert_error(clash, 422, "trainer_id")


def test_sessions_viewer_reads_not_writes_and_other_programmes_are_404(app, world, api_client_for):
    programme, other = world["programme"], world["other"]
    mine, theirs = add_session(app, programme), add_session(app, other)
    client, headers, _user = api_client_for("viewer", programme)
    url = programme_url(programme, "sessions", mine["session"])
    assert client.get(url, headers=headers).get_json()["id"] == mine["session"]
    assert_error(client.patch(url, headers=headers, json={"capacity": 6}), 403)
    assert_error(client.post(url + "/schedule", headers=headers), 403)
    assert_error(client.post(url + "/cancel", headers=headers, json={"reason": "other"}), 403)
    assert_error(client.post(programme_url(programme, "sessions"), headers=headers, json={}), 403)
    pm, pm_headers = world["client"], world["headers"]
    foreign = programme_url(programme, "sessions", theirs["session"])
    assert_error(pm.get(foreign, headers=pm_headers), 404)
    assert_error(pm.post(foreign + "/cancel", headers=pm_headers, json={"reason": "other"}), 404)
    assert_error(pm.get(programme_url(other, "sessions"), headers=pm_headers), 404)


def test_sessions_list_is_paginated_with_a_flat_query_count(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    client.get(f"{API}/me", headers=headers)
    first = add_session(app, programme)

    def add(count, month):
        for n in range(count):
            add_session(app, programme, start_on=date(2090, month, 1 + n), course_id=first["course"],
                        region_id=first["region"], trainer_id=world["trainer"].id)

    def queries_of_list():
        with count_queries(app) as statements:
            body = client.get(programme_url(programme, "sessions") + "?per_page=200", headers=headers).get_json()
        return len(statements), body["total"]

    add(2, 5)
    few, total = queries_of_list()
    add(27, 6)
    many, total_many = queries_of_list()
    assert (total, total_many, few) == (3, 30, many)
    page = client.get(programme_url(programme, "sessions") + "?per_page=10&page=3", headers=headers).get_json()
    assert (len(page["items"]), page["next"]) == (10, None)
    assert page["items"][-1]["id"] == first["session"]  # latest first: the March session comes last
