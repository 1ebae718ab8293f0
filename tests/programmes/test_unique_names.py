"""Names of programmes, regions and departments are unique whatever their letters: non-ASCII names that differ
only in case (or not at all) are refused on the page with the field's message, on SQLite as on PostgreSQL,
instead of reaching the database's unique key (a 500)."""
import re

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.programmes.models import Department, Programme, Region
from tests.conftest import form_post

REGION = {"tier": "key", "time_zone": "Europe/Stockholm", "headcount": "12", "site_notes": ""}


def field_errors(response, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', response.get_data(as_text=True), re.S)
    return match.group(1) if match else ""


def names(app, model, programme_id: int) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(model.name).where(model.programme_id == programme_id)))


@pytest.mark.parametrize("second", ["Örebro", " Örebro ", "ÖREBRO", "örebro"])
def test_a_region_name_with_non_ascii_letters_is_refused_twice(app, client, login_as, make_programme, second):
    programme = make_programme()
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/regions/new"
    assert form_post(client, url, {"name": "Örebro", **REGION}).status_code == 302

    response = form_post(client, url, {"name": second, **REGION})

    assert response.status_code == 422
    assert "This programme already has a region with this name." in field_errors(response, "name")
    assert names(app, Region, programme.id) == ["Örebro"]


def test_renaming_a_region_onto_a_non_ascii_name_is_refused(app, client, login_as, make_programme):
    programme = make_programme(regions=["Malmö", "Lund"])
    login_as("project_manager", programme)
    with app.app_context():
        lund = db.session.scalar(select(Region).where(Region.programme_id == programme.id, Region.name == "Lund"))
        lund_id, version = lund.id, lund.version

    response = form_post(client, f"/programmes/{programme.id}/regions/{lund_id}/edit",
                         {"name": "MALMÖ", **REGION, "version": str(version)})

    assert response.status_code == 422
    assert "already has a region with this name" in field_errors(response, "name")
    assert names(app, Region, programme.id) == ["Lund", "Malmö"]


def test_a_region_may_keep_its_own_non_ascii_name(app, client, login_as, make_programme):
    programme = make_programme(regions=["Åre"])
    login_as("project_manager", programme)
    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.programme_id == programme.id))
        region_id, version = region.id, region.version

    response = form_post(client, f"/programmes/{programme.id}/regions/{region_id}/edit",
                         {"name": "ÅRE", **REGION, "version": str(version)})

    assert response.status_code == 302
    assert names(app, Region, programme.id) == ["ÅRE"]


@pytest.mark.parametrize("second", ["Ärzte", "ÄRZTE"])
def test_a_department_name_with_non_ascii_letters_is_refused_twice(app, client, login_as, make_programme, second):
    programme = make_programme(departments=["Ärzte"])
    make_programme(departments=["Pflege"])
    login_as("project_manager", programme)

    response = form_post(client, f"/programmes/{programme.id}/departments/new", {"name": second})

    assert response.status_code == 422
    assert "This programme already has a department with this name." in field_errors(response, "name")
    assert names(app, Department, programme.id) == ["Ärzte"]


def test_the_same_non_ascii_name_in_another_programme_is_no_clash(app, client, login_as, make_programme):
    make_programme(regions=["Örebro"])
    programme = make_programme()
    login_as("project_manager", programme)

    response = form_post(client, f"/programmes/{programme.id}/regions/new", {"name": "Örebro", **REGION})

    assert response.status_code == 302
    assert names(app, Region, programme.id) == ["Örebro"]


def test_a_programme_name_with_non_ascii_letters_is_refused_twice(app, client, login_as):
    login_as("admin")
    values = {"system_name": "Helix", "start_date": "2026-01-05", "home_time_zone": "Europe/Berlin",
              "description": ""}
    assert form_post(client, "/programmes/new", {"name": "Überall", **values}).status_code == 302

    response = form_post(client, "/programmes/new", {"name": "ÜBERALL", **values})

    assert response.status_code == 422
    assert "A programme with this name already exists." in field_errors(response, "name")
    with app.app_context():
        assert db.session.scalar(select(func.count(Programme.id))
                                 .where(Programme.name.in_(["Überall", "ÜBERALL"]))) == 1
