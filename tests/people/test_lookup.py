"""The people lookup behind the person search box: who may ask, what matches, in which order, how many."""
import pytest
from sqlalchemy import insert

from planner.extensions import db
from planner.people.models import Person
from planner.people.picker import LOOKUP_LIMIT
from tests.conftest import count_queries


@pytest.fixture
def programme(make_programme):
    return make_programme()


@pytest.fixture
def people(programme, make_person):
    """Names and emails chosen so that matching by name, by email, by case and by position can be told apart."""
    return {key: make_person(programme, name, email=email) for key, name, email in [
        ("anna", "Anna Berg", "anna.berg@example.com"),
        ("bernd", "Bernd Annerl", "bernd@example.com"),
        ("carla", "Carla Moreau", "c.moreau@annecy.example.org"),
        ("dora", "Dora Lind", "dora@example.com"),
        ("percent", "Pia 100% Sure", "pia@example.com"),
    ]}


def lookup(client, programme_id: int, q: str | None, **params):
    query = {"q": q, **params} if q is not None else params
    return client.get(f"/programmes/{programme_id}/people/lookup", query_string=query,
                      headers={"Accept": "application/json"})


def labels(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [person["label"] for person in response.get_json()["people"]]


def test_matches_name_or_email_in_any_case_those_starting_with_it_first(client, login_as, programme, people):
    login_as("project_manager", programme)

    response = lookup(client, programme.id, "ANN")
    assert response.headers["Cache-Control"] == "private, no-store"
    # Anna starts with it (first); Bernd Annerl and Carla (her email's domain) only contain it, by name
    assert labels(response) == ["Anna Berg <anna.berg@example.com>", "Bernd Annerl <bernd@example.com>",
                                "Carla Moreau <c.moreau@annecy.example.org>"]
    assert response.get_json()["people"][0]["id"] == people["anna"].id
    assert labels(lookup(client, programme.id, "dora@EXAMPLE")) == ["Dora Lind <dora@example.com>"]
    assert labels(lookup(client, programme.id, "  lind ")) == ["Dora Lind <dora@example.com>"]
    assert labels(lookup(client, programme.id, "zebra")) == []


def test_blank_text_answers_nobody_and_wildcards_are_plain_characters(client, login_as, programme, people):
    login_as("project_manager", programme)

    assert labels(lookup(client, programme.id, "")) == []
    assert labels(lookup(client, programme.id, "   ")) == []
    assert labels(lookup(client, programme.id, None)) == []
    assert labels(lookup(client, programme.id, "%")) == ["Pia 100% Sure <pia@example.com>"]
    assert labels(lookup(client, programme.id, "_")) == []


def test_at_most_twenty_matches_whatever_limit_is_asked(app, client, login_as, programme):
    with app.app_context():
        db.session.execute(insert(Person), [
            {"programme_id": programme.id, "full_name": f"Sam {n:02d}", "email": f"sam{n:02d}@example.com",
             "job_role": "", "job_role_key": ""} for n in range(30)])
        db.session.commit()
    login_as("committee_member", programme)

    assert labels(lookup(client, programme.id, "sam")) == [f"Sam {n:02d} <sam{n:02d}@example.com>"
                                                           for n in range(LOOKUP_LIMIT)]
    assert len(labels(lookup(client, programme.id, "sam", limit=5))) == 5
    assert len(labels(lookup(client, programme.id, "sam", limit=500))) == LOOKUP_LIMIT
    assert len(labels(lookup(client, programme.id, "sam", limit=-3))) == 1
    assert len(labels(lookup(client, programme.id, "sam", limit="many"))) == LOOKUP_LIMIT

    with count_queries(app) as few:
        labels(lookup(client, programme.id, "sam 01"))
    with count_queries(app) as many:
        labels(lookup(client, programme.id, "sam"))
    assert len(few) == len(many)


def test_never_answers_with_another_programmes_people(client, login_as, make_programme, make_person, programme,
                                                      people):
    other = make_programme()
    make_person(other, "Anna Elsewhere", email="anna.elsewhere@example.com")
    stranger = make_person(other, "Zoe Stranger", email="zoe@example.com")
    login_as("project_manager", programme)

    assert labels(lookup(client, programme.id, "anna")) == ["Anna Berg <anna.berg@example.com>"]
    assert labels(lookup(client, programme.id, "zoe")) == []
    assert stranger.id not in [p["id"] for p in lookup(client, programme.id, "e").get_json()["people"]]


@pytest.mark.parametrize(("role", "status"), [
    ("project_manager", 200), ("committee_member", 200), ("trainer", 200), ("admin", 200),
    ("viewer", 403), ("none", 404),
])
def test_needs_the_right_to_see_people(client, login_as, programme, people, role, status):
    login_as(role, programme)
    response = lookup(client, programme.id, "anna")
    assert response.status_code == status
    if status != 200:
        assert "people" not in response.get_json()
        assert "Anna" not in response.get_data(as_text=True)


def test_another_programmes_project_manager_gets_404_and_a_visitor_the_login(client, login_as, make_programme,
                                                                              programme, people):
    response = lookup(client, programme.id, "anna")
    assert response.status_code in (302, 401)
    assert "Anna" not in response.get_data(as_text=True)

    login_as("project_manager", make_programme())
    response = lookup(client, programme.id, "anna")
    assert response.status_code == 404
    assert "Anna" not in response.get_data(as_text=True)
    assert lookup(client, 999999, "anna").status_code == 404
