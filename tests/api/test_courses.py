"""Courses through the API: the curriculum services of the course pages."""
import pytest
from sqlalchemy import func, select

from planner.core.models import AuditEvent
from planner.extensions import db
from planner.training.models import Course
from tests.api.helpers import API, assert_error, programme_url
from tests.api.rows_sessions import add_session
from tests.conftest import count_queries


@pytest.fixture
def world(make_programme, api_client_for):
    programme, other = make_programme(), make_programme()
    client, headers, _user = api_client_for("project_manager", programme)
    return {"programme": programme, "other": other, "client": client, "headers": headers}


def _course(app, programme, title: str) -> int:
    from planner.programmes.models import Programme
    from planner.training import services

    with app.app_context():
        course = services.create_course(db.session.get(Programme, programme.id), title=title, description="",
                                        duration_minutes=90, format="virtual", material_links="")
        db.session.commit()
        return course.id


def test_courses_list_is_paginated_by_title(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    for title in ("Sales basics", "Admin tools", "Reports"):
        _course(app, programme, title)
    _course(app, world["other"], "Elsewhere")
    first = client.get(programme_url(programme, "courses") + "?per_page=2", headers=headers).get_json()
    assert (first["total"], [c["title"] for c in first["items"]]) == (3, ["Admin tools", "Reports"])
    second = client.get(first["next"], headers=headers).get_json()
    assert [c["title"] for c in second["items"]] == ["Sales basics"] and second["next"] is None


def test_courses_create_read_update_delete(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    created = client.post(programme_url(programme, "courses"), headers=headers, json={
        "title": "  Sales   basics ", "duration_minutes": 180, "format": "self_paced",
        "material_links": "https://videos.example.com/intro\n\nhttps://guides.example.com/a"})
    assert created.status_code == 201, created.get_json()
    course = created.get_json()
    assert created.headers["Location"].endswith(programme_url(programme, "courses", course["id"]))
    assert (course["title"], course["format"], course["duration_minutes"], course["version"]) == \
        ("Sales basics", "self_paced", 180, 1)
    assert course["material_links"] == "https://videos.example.com/intro\nhttps://guides.example.com/a"
    url = created.headers["Location"]
    assert client.get(url, headers=headers).get_json() == course
    changed = client.patch(url, headers=headers, json={"duration_minutes": 60, "version": 1})
    assert changed.status_code == 200
    assert (changed.get_json()["duration_minutes"], changed.get_json()["title"], changed.get_json()["version"]) == \
        (60, "Sales basics", 2)
    assert_error(client.patch(url, headers=headers, json={"title": "Stale", "version": 1}), 409)
    assert client.delete(url, headers=headers).status_code == 204
    assert_error(client.get(url, headers=headers), 404)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "Course",
                                                                     AuditEvent.object_id == course["id"])
                                     .order_by(AuditEvent.id)).all()
    assert actions == ["create", "update", "delete"]


def test_courses_validation_and_refusals_name_their_fields(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    url = programme_url(programme, "courses")
    assert_error(client.post(url, headers=headers, json={"title": " ", "duration_minutes": 4, "format": "mooc"}),
                 422, "title", "duration_minutes", "format")
    assert_error(client.post(url, headers=headers, json={"title": "T", "duration_minutes": 2**40}), 422,
                 "duration_minutes")
    assert_error(client.post(url, headers=headers, json={"title": "T", "programme_id": 1}), 422, "programme_id")
    assert_error(client.post(url, headers=headers, json={"title": "T", "material_links": "javascript:alert(1)"}),
                 422, "material_links")
    _course(app, programme, "Sales basics")
    assert_error(client.post(url, headers=headers, json={"title": "SALES BASICS"}), 422, "title")
    assert_error(client.post(url, headers=headers, json={"title": "x" * 201}), 422, "title")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == 1  # nothing half-written


def test_a_course_with_sessions_cannot_be_deleted(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    course_id = add_session(app, programme)["course"]
    body = assert_error(client.delete(programme_url(programme, "courses", course_id), headers=headers), 422)
    assert "cannot be deleted" in body["message"]
    assert client.get(programme_url(programme, "courses", course_id), headers=headers).status_code == 200


def test_courses_trainer_reads_not_writes_and_other_programmes_are_404(app, world, api_client_for):
    programme, other = world["programme"], world["other"]
    course_id, foreign_id = _course(app, programme, "Mine"), _course(app, other, "Theirs")
    client, headers, _user = api_client_for("trainer", programme)
    assert client.get(programme_url(programme, "courses", course_id), headers=headers).status_code == 200
    assert_error(client.post(programme_url(programme, "courses"), headers=headers, json={"title": "New"}), 403)
    assert_error(client.patch(programme_url(programme, "courses", course_id), headers=headers,
                              json={"title": "X"}), 403)
    assert_error(client.delete(programme_url(programme, "courses", course_id), headers=headers), 403)
    pm, pm_headers = world["client"], world["headers"]
    assert_error(pm.get(programme_url(programme, "courses", foreign_id), headers=pm_headers), 404)
    assert_error(pm.patch(programme_url(programme, "courses", foreign_id), headers=pm_headers,
                          json={"title": "Taken over"}), 404)
    assert_error(pm.get(programme_url(other, "courses"), headers=pm_headers), 404)


def test_courses_list_keeps_a_flat_query_count(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    client.get(f"{API}/me", headers=headers)  # the token's last use is written now, not during the counts

    def queries_of_list():
        with count_queries(app) as statements:
            body = client.get(programme_url(programme, "courses") + "?per_page=200", headers=headers).get_json()
        return len(statements), body["total"]

    for n in range(3):
        _course(app, programme, f"Course {n}")
    few, total = queries_of_list()
    for n in range(3, 30):
        _course(app, programme, f"Course {n}")
    many, total_many = queries_of_list()
    assert (total, total_many, few) == (3, 30, many)
