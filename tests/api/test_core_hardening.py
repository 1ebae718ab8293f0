"""The API core's guards: names that are only invisible characters, NUL in text, strict numbers, short error
bodies, ``fields`` on every JSON error, and the published date limits."""
import json
from typing import Annotated

import pytest
from pydantic import Field, ValidationError

from planner.api.schemas import Day, InputModel, Name, Text
from tests.api.helpers import API, assert_error, programme_url


@pytest.fixture
def pm(make_programme, api_client_for):
    programme = make_programme(regions=["Nordic"])
    client, headers, _user = api_client_for("project_manager", programme)
    return programme, client, headers


REGION = {"name": "Benelux", "time_zone": "Europe/Brussels"}


# --- 1. names made only of invisible characters ---

@pytest.mark.parametrize("name", ["\x1f\x1e", "\x1c", " \x1d\t", "\x85", "\u3000\u2003"])
def test_name_of_invisible_characters_only_is_refused(name):
    class Model(InputModel):
        name: Name(50)

    with pytest.raises(ValidationError):
        Model.model_validate_json(json.dumps({"name": name}))
    assert Model.model_validate_json(json.dumps({"name": f"{name}A"})).name == f"{name}A"


def test_api_refuses_a_region_called_with_control_characters_only(app, pm):
    programme, client, headers = pm
    response = client.post(programme_url(programme, "regions"), headers=headers, json={**REGION, "name": "\x1f\x1e"})
    assert_error(response, 422, "name")
    regions = client.get(programme_url(programme, "regions"), headers=headers).get_json()["items"]
    assert [region["name"] for region in regions] == ["Nordic"]


def test_api_refuses_a_programme_renamed_to_control_characters(app, pm):
    programme, client, headers = pm
    response = client.patch(f"{API}/programmes/{programme.id}", headers=headers, json={"name": "\x1e"})
    assert_error(response, 422, "name")


# --- 2. NUL in any text ---

@pytest.mark.parametrize("field", ["name", "site_notes"])
def test_nul_in_text_is_a_422_not_a_database_error(pm, field):
    programme, client, headers = pm
    response = client.post(programme_url(programme, "regions"), headers=headers,
                           json={**REGION, field: "Bene\x00lux"})
    assert_error(response, 422, field)


def test_every_input_model_refuses_nul_even_in_a_plain_string():
    class Model(InputModel):
        note: str = ""
        tags: list[str] = []
        text: Text(20) = ""

    for body in ({"note": "a\x00b"}, {"tags": ["ok", "b\x00"]}, {"text": "\x00"}):
        with pytest.raises(ValidationError):
            Model.model_validate_json(json.dumps(body))
    assert Model.model_validate_json(json.dumps({"note": "a\\u0000b"})).note == "a\\u0000b"


# --- 3. short error bodies ---

def test_error_body_lists_at_most_50_fields_and_counts_the_rest(pm):
    programme, client, headers = pm
    body = {**REGION, **{f"unknown_{number}": 1 for number in range(5000)}}
    response = client.post(programme_url(programme, "regions"), headers=headers, json=body)
    error = assert_error(response, 422)
    assert len(error["fields"]) == 50
    assert "4,950 more" in error["message"] or "4950 more" in error["message"]
    assert len(response.get_data()) < 10_000


def test_error_body_with_few_problems_lists_them_all(pm):
    programme, client, headers = pm
    response = client.post(programme_url(programme, "regions"), headers=headers,
                           json={"headcount": -1, "tier": "nope"})
    error = assert_error(response, 422, "name", "time_zone", "headcount", "tier")
    assert "more" not in error["message"]


# --- 5. fields on every JSON error of the API ---

def test_app_level_api_errors_have_fields(app, client, pm, monkeypatch):
    programme, api, headers = pm
    for response in (client.get(f"{API}/no-such-thing", headers=headers),
                     client.get(f"{API}/programmes/{2**40}", headers=headers),
                     client.put(f"{API}/me", headers=headers)):
        assert response.status_code in (404, 405)
        assert response.get_json()["fields"] == {}, response.get_json()

    def broken(_user):
        raise RuntimeError("boom")

    monkeypatch.setattr("planner.api.views.feed_urls", broken)
    response = api.get(f"{API}/me", headers=headers)
    assert response.status_code == 500 and response.get_json()["fields"] == {}


def test_a_conflict_at_commit_has_fields(app):
    from planner.core.errors import error_response

    with app.test_request_context(f"{API}/me"):
        response, code = error_response(409)
        assert code == 409 and response.get_json()["fields"] == {}
    with app.test_request_context("/healthz"):
        response, _code = error_response(503)
        assert "error" in response.get_json()


def test_error_out_requires_fields_in_the_document(client):
    document = client.get(f"{API}/openapi.json").get_json()
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == {"error", "message", "fields"}


# --- 6. strict numbers and booleans ---

@pytest.mark.parametrize("headcount", ["3", 3.0, True, "  3"])
def test_integers_must_be_json_integers(pm, headcount):
    programme, client, headers = pm
    response = client.post(programme_url(programme, "regions"), headers=headers,
                           json={**REGION, "headcount": headcount})
    assert_error(response, 422, "headcount")


def test_booleans_must_be_json_booleans_and_dates_and_enums_still_parse():
    class Model(InputModel):
        flag: bool = False
        count: Annotated[int, Field(ge=0)] = 0
        day: Day | None = None

    for body in ({"flag": "true"}, {"flag": 1}, {"count": "3"}, {"count": 3.0}):
        with pytest.raises(ValidationError):
            Model.model_validate_json(json.dumps(body))
    parsed = Model.model_validate_json('{"flag": true, "count": 3, "day": "2026-03-01"}')
    assert (parsed.flag, parsed.count, parsed.day.isoformat()) == (True, 3, "2026-03-01")


def test_dates_and_enums_from_json_strings_are_accepted(pm):
    programme, client, headers = pm
    response = client.post(programme_url(programme, "regions"), headers=headers,
                           json={**REGION, "tier": "pilot", "headcount": 3})
    assert response.status_code == 201, response.get_json()
    response = client.patch(f"{API}/programmes/{programme.id}", headers=headers, json={"start_date": "2027-02-01"})
    assert response.status_code == 200 and response.get_json()["start_date"] == "2027-02-01"


# --- 7. the date limits are in the document ---

def test_day_limits_are_published(client):
    document = client.get(f"{API}/openapi.json").get_json()
    start = document["components"]["schemas"]["ProgrammeCreate"]["properties"]["start_date"]
    assert start["format"] == "date"
    assert "1900" in start["description"] and "2999" in start["description"]
    import re

    pattern = re.compile(start["pattern"])
    assert pattern.search("1900-01-01") and pattern.search("2999-12-31")
    assert not pattern.search("1899-12-31") and not pattern.search("3000-01-01") and not pattern.search("0001-01-01")


# --- unknown query parameters (negative_data_rejection) ---

def test_an_unknown_query_parameter_is_refused(pm):
    programme, client, headers = pm
    error = assert_error(client.get(programme_url(programme, "regions") + "?per_pgae=10", headers=headers), 400,
                         "per_pgae")
    assert "query parameter" in error["message"]
    assert_error(client.get(f"{API}/me?x=1", headers=headers), 400, "x")
    assert client.get(programme_url(programme, "regions") + "?per_page=10", headers=headers).status_code == 200
    assert client.get(f"{API}/openapi.json?v=2").status_code == 400
