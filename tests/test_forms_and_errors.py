"""Error pages and JSON errors, rollback of a failed request, and refusals on the structure forms."""
import re
from datetime import date

import pytest
from flask import abort
from sqlalchemy import func, select

from planner import create_app
from planner.core.errors import DomainError
from planner.core.permissions import public
from planner.extensions import db
from planner.programmes import services as programme_services
from planner.programmes.models import Department, Programme, Region
from tests.conftest import csrf_token_from, form_post

JSON = {"Accept": "application/json"}


def assert_error_page(response, status: int, title: str, message: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'class="error-page"' in page
    assert f"<h1>{title}</h1>" in page
    assert message in page
    assert f"Error {status}" in page


def assert_json_error(response, status: int, error: str, message_part: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "message"}
    assert body["error"] == error
    assert message_part in body["message"]


def region_names(app, programme) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(Region.name).where(Region.programme_id == programme.id)))


# --- error pages -----------------------------------------------------------------------------

def test_missing_csrf_token_gets_400_page_and_writes_nothing(app, client, login_as, make_programme):
    programme = make_programme()
    login_as("project_manager", programme)
    data = {"name": "No Token", "tier": "key", "time_zone": "UTC", "headcount": "1", "site_notes": ""}
    response = client.post(f"/programmes/{programme.id}/regions/new", data=data)
    assert_error_page(response, 400, "Bad request",
                      "The form expired or came from another site. Reload the page and try again.")
    response = client.post(f"/programmes/{programme.id}/regions/new", data=data, headers=JSON)
    assert_json_error(response, 400, "Bad request", "The form expired")
    assert region_names(app, programme) == []


def test_forbidden_gets_403_page(client, login_as, make_programme):
    programme = make_programme()
    login_as("viewer", programme)
    assert_error_page(client.get(f"/programmes/{programme.id}/edit"), 403, "Not allowed",
                      "Your role in this programme does not allow this.")


def test_unknown_or_unreachable_gets_404_page(client, login_as, make_programme):
    mine, theirs = make_programme(), make_programme()
    login_as("project_manager", mine)
    message = "There is nothing here, or you do not have access to it."
    assert_error_page(client.get("/programmes/999999"), 404, "Not found", message)
    assert_error_page(client.get(f"/programmes/{theirs.id}"), 404, "Not found", message)
    assert_error_page(client.get("/no/such/page"), 404, "Not found", message)


@pytest.mark.parametrize("path", ["/programmes/99999999999999999999999", "/programmes/2147483648",
                                  "/programmes/{id}/regions/2147483648/edit",
                                  "/programmes/{id}/people/9223372036854775807/edit"])
def test_an_id_too_large_for_the_database_is_a_404_not_a_500(client, login_as, make_programme, path):
    """Primary keys are 32-bit integers on PostgreSQL; SQLite binds at most 64 bits."""
    programme = make_programme()
    login_as("project_manager", programme)
    assert client.get(path.format(id=programme.id)).status_code == 404


@pytest.mark.parametrize("query", ["region=99999999999999999999999", "department=2147483648", "region=-4",
                                   "page=9223372036854775807", "page=99999999999999999999999"])
def test_ids_and_pages_too_large_in_the_query_string_are_ignored(client, login_as, make_programme, query):
    programme = make_programme()
    login_as("project_manager", programme)
    assert client.get(f"/programmes/{programme.id}/people?{query}").status_code == 200
    assert client.get(f"/programmes/{programme.id}/feedback?{query}").status_code == 200


def test_wrong_method_gets_405_page_with_allow_header(client):
    response = client.get("/logout")
    assert_error_page(response, 405, "Method not allowed", "This address does not accept that kind of request.")
    assert "POST" in response.headers["Allow"]


def test_oversized_body_gets_413_page(app, client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data={"csrf_token": token, "email": "a@example.com", "password": too_big})
    assert_error_page(response, 413, "Too large",
                      "The file or form you sent is larger than the planner accepts (5 MB).")
    response = client.post("/login", data={"csrf_token": token, "password": too_big}, headers=JSON)
    assert_json_error(response, 413, "Too large", "5 MB")


def test_json_clients_get_json_errors(client, login_as, make_programme):
    assert_json_error(client.post("/healthz"), 405, "Method not allowed", "does not accept")
    assert_json_error(client.get(f"/programmes/{make_programme().id}", headers=JSON), 401, "Please log in",
                      "You need to log in")
    programme = make_programme()
    login_as("viewer", programme)
    assert_json_error(client.get("/programmes/999999", headers=JSON), 404, "Not found", "nothing here")
    assert_json_error(client.get(f"/programmes/{programme.id}/edit", headers=JSON), 403, "Not allowed",
                      "does not allow")


def test_browsers_are_sent_to_log_in(client, make_programme):
    response = client.get(f"/programmes/{make_programme().id}")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


# --- a failing request leaves nothing written --------------------------------------------------

@pytest.fixture
def throwaway_app(app, database_url):
    """A second app on the same database, with routes that write a region and then fail.

    Routes cannot be added to the session app once it has served a request, so these live on
    their own instance; its requests share the test's rolled-back connection like any other.
    """
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": database_url})

    def write_region(name: str) -> Region:
        from flask import request

        programme = db.session.get(Programme, request.args.get("programme", type=int))
        region = programme_services.create_region(programme, name=name, tier="pilot", time_zone="UTC",
                                                  headcount=5, site_notes="")
        db.session.flush()
        assert region.id is not None  # the INSERT has reached the database
        return region

    @fresh.route("/test/write-and-succeed")
    @public
    def write_and_succeed():
        write_region("Kept")
        return "ok"

    @fresh.route("/test/write-and-crash")
    @public
    def write_and_crash():
        write_region("Crashed")
        raise RuntimeError("something broke after the write")

    @fresh.route("/test/write-and-refuse")
    @public
    def write_and_refuse():
        write_region("Refused")
        raise DomainError("A rule refused the change.")

    @fresh.route("/test/write-and-abort")
    @public
    def write_and_abort():
        write_region("Aborted")
        abort(403)

    yield fresh
    with fresh.app_context():
        db.engine.dispose()


def test_a_successful_request_keeps_its_write(app, throwaway_app, make_programme):
    programme = make_programme()
    response = throwaway_app.test_client().get(f"/test/write-and-succeed?programme={programme.id}")
    assert response.status_code == 200
    assert region_names(app, programme) == ["Kept"]


def test_a_500_after_a_flushed_write_leaves_nothing_written(app, throwaway_app, make_programme, caplog):
    programme = make_programme()
    client = throwaway_app.test_client()
    response = client.get(f"/test/write-and-crash?programme={programme.id}")
    assert_error_page(response, 500, "Something went wrong",
                      "The planner hit an unexpected error. Nothing was saved. Please try again.")
    assert "something broke" not in response.get_data(as_text=True)  # no internals shown
    assert "Unhandled error on GET /test/write-and-crash" in caplog.text
    response = client.get(f"/test/write-and-crash?programme={programme.id}", headers=JSON)
    assert_json_error(response, 500, "Something went wrong", "Nothing was saved")
    assert region_names(app, programme) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Region.id)).where(Region.name == "Crashed")) == 0


def test_a_domain_error_after_a_flushed_write_leaves_nothing_written(app, throwaway_app, make_programme):
    programme = make_programme()
    response = throwaway_app.test_client().get(f"/test/write-and-refuse?programme={programme.id}")
    assert_error_page(response, 422, "Could not be saved", "A rule refused the change.")
    response = throwaway_app.test_client().get(f"/test/write-and-abort?programme={programme.id}")
    assert response.status_code == 403
    assert region_names(app, programme) == []


# --- regions, departments and programmes: refused input is shown and nothing is saved ---------

def field_errors(response, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', response.get_data(as_text=True), re.S)
    return match.group(1) if match else ""


def region_form(**overrides) -> dict:
    values = {"name": "Pacific", "tier": "key", "time_zone": "Australia/Sydney", "headcount": "12",
              "site_notes": ""}
    values.update(overrides)
    return values


@pytest.mark.parametrize("overrides, field, message", [
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Not a valid choice"),
    ({"time_zone": ""}, "time_zone", "This field is required."),
    ({"headcount": "-1"}, "headcount", "Number must be at least 0."),
    ({"headcount": "many"}, "headcount", "Not a valid integer value."),
    ({"name": "North"}, "name", "This programme already has a region with this name."),
    ({"name": "  North "}, "name", "This programme already has a region with this name."),
    ({"name": ""}, "name", "This field is required."),
    ({"tier": "mega"}, "tier", "Not a valid choice"),
])
def test_region_form_refusals(app, client, login_as, make_programme, overrides, field, message):
    programme = make_programme(regions=["North"])
    make_programme(regions=["Pacific"])  # the same name elsewhere is no clash
    login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/regions/new", region_form(**overrides))
    assert response.status_code == 422
    assert message in field_errors(response, field)
    assert region_names(app, programme) == ["North"]


def test_region_edit_refuses_another_regions_name_and_saves_nothing(app, client, login_as, make_programme):
    programme = make_programme(regions=["North", "South"])
    login_as("project_manager", programme)
    with app.app_context():
        south = db.session.scalar(select(Region).where(Region.programme_id == programme.id,
                                                       Region.name == "South"))
        south_id, version = south.id, south.version
    url = f"/programmes/{programme.id}/regions/{south_id}/edit"
    response = form_post(client, url, region_form(name="North", headcount="99", version=str(version)))
    assert response.status_code == 422
    assert "already has a region with this name" in field_errors(response, "name")
    with app.app_context():
        south = db.session.get(Region, south_id)
        assert (south.name, south.headcount, south.version) == ("South", 10, version)


def test_region_service_checks_zone_and_headcount(app, make_programme):
    programme = make_programme()
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        for values, field in [({"time_zone": "Nowhere/Land", "headcount": 1}, "time_zone"),
                              ({"time_zone": "UTC", "headcount": -5}, "headcount")]:
            with pytest.raises(DomainError) as caught:
                programme_services.create_region(target, name="X", tier="key", site_notes="", **values)
            assert caught.value.field == field


def test_department_form_refuses_a_duplicate_name(app, client, login_as, make_programme):
    programme = make_programme(departments=["Sales", "IT"])
    login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/departments/new", {"name": " Sales "})
    assert response.status_code == 422
    assert "This programme already has a department with this name." in field_errors(response, "name")
    with app.app_context():
        it_id = db.session.scalar(select(Department.id).where(Department.programme_id == programme.id,
                                                              Department.name == "IT"))
    response = form_post(client, f"/programmes/{programme.id}/departments/{it_id}/edit",
                         {"name": "Sales", "is_it": "y", "version": "1"})
    assert response.status_code == 422
    assert "already has a department with this name" in field_errors(response, "name")
    with app.app_context():
        assert sorted(db.session.scalars(select(Department.name).where(
            Department.programme_id == programme.id))) == ["IT", "Sales"]


def programme_form(**overrides) -> dict:
    values = {"name": "Gamma", "system_name": "Helix CRM", "start_date": "2026-04-06",
              "home_time_zone": "Europe/Berlin", "description": ""}
    values.update(overrides)
    return values


@pytest.mark.parametrize("overrides, field, message", [
    ({"home_time_zone": "Europe/Atlantis"}, "home_time_zone", "Not a valid choice"),
    ({"name": "Existing"}, "name", "A programme with this name already exists."),
    ({"start_date": "06/04/2026"}, "start_date", "Not a valid date value."),
])
def test_programme_create_refusals(app, client, login_as, make_programme, overrides, field, message):
    make_programme("Existing")
    login_as("admin")
    response = form_post(client, "/programmes/new", programme_form(**overrides))
    assert response.status_code == 422
    assert message in field_errors(response, field)
    with app.app_context():
        assert db.session.scalar(select(func.count(Programme.id))) == 1


def test_programme_service_refuses_an_unknown_time_zone(app):
    with app.app_context():
        with pytest.raises(DomainError) as caught:
            programme_services.create_programme(name="Z", system_name="S", start_date=date(2026, 1, 1),
                                                home_time_zone="Not/AZone")
    assert caught.value.field == "home_time_zone"


def test_sponsor_must_be_one_of_the_programmes_people(app, client, login_as, make_programme, make_person):
    programme = make_programme("Alpha")
    own_person = make_person(programme, "Own Sponsor")
    outsider = make_person(make_programme("Beta"), "Outside Sponsor")
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/edit"

    def edit(sponsor_id) -> object:
        with app.app_context():
            version = db.session.get(Programme, programme.id).version
        return form_post(client, url, programme_form(name="Alpha", sponsor_id=str(sponsor_id),
                                                     version=str(version)))

    response = edit(outsider.id)
    assert response.status_code == 422
    assert "Choose a person of this programme." in field_errors(response, "sponsor_id")
    with app.app_context():
        assert db.session.get(Programme, programme.id).sponsor_id is None
    assert edit(own_person.id).status_code == 302
    with app.app_context():
        assert db.session.get(Programme, programme.id).sponsor_id == own_person.id
        target = db.session.get(Programme, programme.id)
        with pytest.raises(DomainError) as caught:
            programme_services.update_programme(
                target, expected_version=None, name="Alpha", system_name="Helix CRM", start_date=date(2026, 4, 6),
                home_time_zone="UTC", description="", sponsor_id=outsider.id)
        assert caught.value.field == "sponsor_id"
        assert caught.value.message == "The sponsor must be one of this programme's people."
