"""Enrolments through the API: the session page's enrolment services (seats, the waitlist, moving, auto-enrolment)."""
from datetime import date

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.training.models import Enrolment
from tests.api.helpers import API, assert_error, programme_url
from tests.api.rows_sessions import add_session
from tests.conftest import count_queries


@pytest.fixture
def world(make_programme, api_client_for):
    programme, other = make_programme(), make_programme()
    client, headers, _user = api_client_for("project_manager", programme)
    return {"programme": programme, "other": other, "client": client, "headers": headers}


def _person(factories, programme, region_id=None, job_role="") -> int:
    return factories.person(programme, region_id=region_id, job_role=job_role).id


def _waitlist(app, session_id: int, person_id: int) -> int:
    from planner.training import enrolment
    from planner.training.models import TrainingSession

    with app.app_context():
        row = enrolment.add_to_waitlist(db.session.get(TrainingSession, session_id), person_id)
        db.session.commit()
        return row.id


def test_enrol_read_and_take_off_with_the_waitlist_promoted(app, world, factories):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    made = add_session(app, programme, capacity=2, people=1)
    newcomer, waiting = _person(factories, programme), _person(factories, programme)
    created = client.post(programme_url(programme, "enrolments"), headers=headers,
                          json={"session_id": made["session"], "person_id": newcomer})
    assert created.status_code == 201, created.get_json()
    enrolment = created.get_json()
    assert created.headers["Location"].endswith(programme_url(programme, "enrolments", enrolment["id"]))
    assert (enrolment["status"], enrolment["person_id"], enrolment["waitlist_position"]) == \
        ("enrolled", newcomer, None)
    assert client.get(created.headers["Location"], headers=headers).get_json() == enrolment
    full = client.post(programme_url(programme, "enrolments"), headers=headers,
                       json={"session_id": made["session"], "person_id": waiting})
    assert "full" in assert_error(full, 422, "person_id")["message"]
    waiting_id = _waitlist(app, made["session"], waiting)
    roster = client.get(programme_url(programme, "sessions", made["session"]) + "/enrolments",
                        headers=headers).get_json()
    assert [(item["person_id"], item["status"]) for item in roster["items"]] == \
        [(made["people"][0], "enrolled"), (newcomer, "enrolled"), (waiting, "waitlisted")]
    assert client.delete(created.headers["Location"], headers=headers).status_code == 204
    assert client.get(created.headers["Location"], headers=headers).get_json()["status"] == "removed"
    assert client.get(programme_url(programme, "enrolments", waiting_id), headers=headers).get_json()["status"] \
        == "enrolled"  # the freed seat went to the first person waiting
    again = assert_error(client.delete(created.headers["Location"], headers=headers), 422)
    assert "no longer enrolled" in again["message"]


def test_move_to_another_session_of_the_course(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    first = add_session(app, programme, people=1)
    second = add_session(app, programme, start_on=date(2090, 4, 6), course_id=first["course"],
                         region_id=first["region"])
    unrelated = add_session(app, programme, start_on=date(2090, 5, 6))
    with app.app_context():
        enrolment_id = db.session.scalar(select(Enrolment.id).where(Enrolment.session_id == first["session"]))
    url = programme_url(programme, "enrolments", enrolment_id) + "/move"
    assert_error(client.post(url, headers=headers, json={"to_session_id": unrelated["session"]}), 422,
                 "to_session_id")
    assert_error(client.post(url, headers=headers, json={"to_session_id": "soon"}), 422, "to_session_id")
    moved = client.post(url, headers=headers, json={"to_session_id": second["session"]})
    assert moved.status_code == 200, moved.get_json()
    assert (moved.get_json()["session_id"], moved.get_json()["status"]) == (second["session"], "enrolled")
    assert client.get(programme_url(programme, "enrolments", enrolment_id), headers=headers).get_json()["status"] \
        == "removed"


def test_auto_enrol_fills_seats_then_the_waitlist(app, world, factories):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    made = add_session(app, programme, capacity=1)
    from planner.training import services
    from planner.training.models import Course

    with app.app_context():
        services.add_requirement(db.session.get(Course, made["course"]), job_role="Cashier", department_id=None)
        db.session.commit()
    people = [_person(factories, programme, made["region"], "Cashier") for _n in range(2)]
    _person(factories, programme, made["region"], "Manager")  # needs no course
    done = client.post(programme_url(programme, "sessions", made["session"]) + "/auto-enrol", headers=headers)
    assert done.status_code == 200, done.get_json()
    assert (len(done.get_json()["enrolled"]), len(done.get_json()["waitlisted"])) == (1, 1)
    assert {item["person_id"] for key in ("enrolled", "waitlisted") for item in done.get_json()[key]} == set(people)


def test_enrolment_validation_and_other_programmes(app, world, factories):
    client, headers, programme, other = world["client"], world["headers"], world["programme"], world["other"]
    mine, theirs = add_session(app, programme), add_session(app, other, people=1)
    url = programme_url(programme, "enrolments")
    person = _person(factories, programme)
    assert_error(client.post(url, headers=headers, json={"session_id": theirs["session"], "person_id": person}),
                 422, "session_id")
    assert_error(client.post(url, headers=headers, json={"session_id": mine["session"],
                                                         "person_id": theirs["people"][0]}), 422, "person_id")
    assert_error(client.post(url, headers=headers, json={"session_id": mine["session"], "person_id": person,
                                                         "status": "waitlisted"}), 422, "status")
    assert_error(client.post(url, headers=headers, json={"session_id": 0, "person_id": 2**40}), 422, "session_id",
                 "person_id")
    with app.app_context():
        foreign_id = db.session.scalar(select(Enrolment.id).where(Enrolment.session_id == theirs["session"]))
    assert_error(client.get(programme_url(programme, "enrolments", foreign_id), headers=headers), 404)
    assert_error(client.delete(programme_url(programme, "enrolments", foreign_id), headers=headers), 404)
    assert_error(client.get(programme_url(programme, "sessions", theirs["session"]) + "/enrolments",
                            headers=headers), 404)
    assert client.get(url, headers=headers).get_json()["total"] == 0


def test_viewer_reads_ids_only_and_may_not_write(app, world, api_client_for, factories):
    programme = world["programme"]
    made = add_session(app, programme, people=1)
    client, headers, _user = api_client_for("viewer", programme)
    listed = client.get(programme_url(programme, "enrolments"), headers=headers).get_json()
    assert listed["total"] == 1
    assert set(listed["items"][0]) == {"id", "session_id", "person_id", "status", "waitlist_position",
                                       "created_at", "updated_at"}  # no names: viewers never see them
    enrolment_url = programme_url(programme, "enrolments", listed["items"][0]["id"])
    assert_error(client.delete(enrolment_url, headers=headers), 403)
    assert_error(client.post(enrolment_url + "/move", headers=headers, json={"to_session_id": made["session"]}), 403)
    assert_error(client.post(programme_url(programme, "enrolments"), headers=headers,
                             json={"session_id": made["session"], "person_id": _person(factories, programme)}), 403)
    assert_error(client.post(programme_url(programme, "sessions", made["session"]) + "/auto-enrol",
                             headers=headers), 403)


def test_enrolment_lists_keep_a_flat_query_count(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    client.get(f"{API}/me", headers=headers)
    made = add_session(app, programme, capacity=40, people=3)
    urls = (programme_url(programme, "enrolments"), programme_url(programme, "sessions", made["session"])
            + "/enrolments")

    def queries_of_lists():
        counts = []
        for url in urls:
            with count_queries(app) as statements:
                body = client.get(url + "?per_page=200", headers=headers).get_json()
            counts.append((len(statements), body["total"]))
        return counts

    few = queries_of_lists()
    from planner.training import sessions
    from planner.training.models import TrainingSession

    with app.app_context():
        from planner.people import services as people_services
        from planner.programmes.models import Programme

        target, session = db.session.get(Programme, programme.id), db.session.get(TrainingSession, made["session"])
        for n in range(27):
            person = people_services.create_person(target, full_name=f"Many {n}", email=f"many{n}@example.com",
                                                   department_id=None, job_role="", region_id=None,
                                                   is_super_user=False)
            sessions.enrol_person(session, person.id)
        db.session.commit()
    many = queries_of_lists()
    assert [total for _count, total in few] == [3, 3] and [total for _count, total in many] == [30, 30]
    assert [count for count, _total in few] == [count for count, _total in many]


def test_the_programme_list_totals_every_status_from_the_kept_counts(app, world, factories):
    """The total counts seats, waitlist places and people taken off in every session of the programme (not
    another's), summed from the kept per-session counts rather than counted among every enrolment; the pages
    follow it to the last."""
    client, headers, programme = world["client"], world["headers"], world["programme"]
    first = add_session(app, programme, capacity=2, people=2)
    second = add_session(app, programme, people=1)
    add_session(app, world["other"], people=3)
    _waitlist(app, first["session"], _person(factories, programme))
    url = programme_url(programme, "enrolments")
    with app.app_context():
        taken_off = db.session.scalar(select(Enrolment.id).where(Enrolment.session_id == first["session"]))
    assert client.delete(programme_url(programme, "enrolments", taken_off), headers=headers).status_code == 204

    client.get(f"{API}/me", headers=headers)
    with count_queries(app) as statements:
        body = client.get(url + "?per_page=3", headers=headers).get_json()
    assert body["total"] == 4 and body["next"] and len(body["items"]) == 3
    assert [item["session_id"] for item in body["items"]] == [first["session"]] * 3
    assert sorted(item["status"] for item in body["items"]) == ["enrolled", "enrolled", "removed"]
    assert any("enrolment_count" in statement for statement in statements)
    assert not any("count(" in statement.lower() for statement in statements)  # no enrolment counted
    last = client.get(body["next"], headers=headers).get_json()
    assert [item["session_id"] for item in last["items"]] == [second["session"]] and last["next"] is None
