"""Feedback through the API: a member submits, a project manager answers (the asker is emailed through the
outbox), the list needs PEOPLE_VIEW, and nobody's personal feedback link ever appears."""
import pytest
from sqlalchemy import func, select

from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.feedback import links, services
from planner.feedback.models import FeedbackItem
from planner.people.models import Person
from planner.programmes.models import Programme, Region
from tests.api.helpers import API, assert_error, programme_url
from tests.conftest import count_queries


@pytest.fixture
def world(app, make_programme, factories, api_client_for):
    programme = make_programme(regions=["Nordic"])
    other = make_programme(regions=["Elsewhere"])
    client, headers, user = api_client_for("project_manager", programme)
    with app.app_context():
        region_of = {row.programme_id: row.id for row in db.session.execute(select(Region.id, Region.programme_id))}
    return {"programme": programme, "other": other, "client": client, "headers": headers, "user": user,
            "region": region_of[programme.id], "other_region": region_of[other.id]}


def _asked_by_person(app, factories, programme, text="When is the training?") -> tuple[int, int]:
    """(item id, person id): a question sent through the person's signed link."""
    person = factories.person(programme)
    with app.app_context():
        item = services.submit_feedback(db.session.get(Programme, programme.id), kind="question", topic="training",
                                        text=text, region_id=None, person=db.session.get(Person, person.id))
        db.session.commit()
        return item.id, person.id


def _outbox(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.kind, row.recipient) for row in rows]


def test_a_member_submits_and_the_list_is_paginated(app, world, api_client_for):
    programme, region = world["programme"], world["region"]
    viewer, viewer_headers, viewer_user = api_client_for("viewer", programme)
    created = viewer.post(programme_url(programme, "feedback"), headers=viewer_headers,
                          json={"kind": "feedback", "topic": "system", "text": " The search is slow. ",
                                "region_id": region})
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert (item["state"], item["text"], item["user_id"], item["person_id"], item["region_id"], item["version"]) == \
        ("open", "The search is slow.", viewer_user.id, None, region, 1)
    assert created.headers["Location"].endswith(programme_url(programme, "feedback", item["id"]))
    assert_error(viewer.get(created.headers["Location"], headers=viewer_headers), 403)  # names: PEOPLE_VIEW
    assert_error(viewer.get(programme_url(programme, "feedback"), headers=viewer_headers), 403)
    client, headers = world["client"], world["headers"]
    second = client.post(programme_url(programme, "feedback"), headers=headers, json={"text": "Is there a FAQ?"})
    assert (second.get_json()["kind"], second.get_json()["topic"]) == ("question", "other")
    first = client.get(programme_url(programme, "feedback") + "?per_page=1", headers=headers).get_json()
    assert first["total"] == 2 and len(first["items"]) == 1 and first["next"]
    assert client.get(created.headers["Location"], headers=headers).get_json() == item


def test_answering_emails_the_person_and_never_shows_their_link(app, world, factories):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    item_id, person_id = _asked_by_person(app, factories, programme)
    url = programme_url(programme, "feedback", item_id)
    answered = client.patch(url, headers=headers, json={"answer": "Next Monday.", "version": 1})
    assert answered.status_code == 200, answered.get_json()
    body = answered.get_json()
    assert (body["state"], body["answer"], body["answered_by_id"], body["person_id"], body["version"]) == \
        ("answered", "Next Monday.", world["user"].id, person_id, 2)
    with app.app_context():
        person = db.session.get(Person, person_id)
        token = links.feedback_token(person)
        email = person.email
    assert _outbox(app) == [("feedback-answer", email)]
    # the same answer again: nothing changes, nothing is sent
    again = client.patch(url, headers=headers, json={"answer": "Next Monday."})
    assert again.get_json()["version"] == 2 and len(_outbox(app)) == 1
    assert client.patch(url, headers=headers, json={}).get_json()["version"] == 2
    corrected = client.patch(url, headers=headers, json={"answer": "Next Tuesday.", "version": 2})
    assert corrected.get_json()["answer"] == "Next Tuesday." and len(_outbox(app)) == 2
    assert_error(client.patch(url, headers=headers, json={"answer": "Stale", "version": 1}), 409)
    for response in (client.get(url, headers=headers), client.get(programme_url(programme, "feedback"),
                                                                  headers=headers)):
        text = response.get_data(as_text=True)
        assert token not in text and "/feedback/" not in text and email not in text
    assert client.delete(url, headers=headers).status_code == 405


def test_refusals_are_422_at_their_field(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    url = programme_url(programme, "feedback")
    assert_error(client.post(url, headers=headers, json={"text": "   "}), 422, "text")
    assert_error(client.post(url, headers=headers, json={"text": "x" * 4001}), 422, "text")
    assert_error(client.post(url, headers=headers, json={"text": "Hi", "kind": "complaint", "topic": "weather"}),
                 422, "kind", "topic")
    assert_error(client.post(url, headers=headers, json={"text": "Hi", "region_id": world["other_region"]}), 422,
                 "region_id")
    assert_error(client.post(url, headers=headers, json={"text": "Hi", "person_id": 1}), 422, "person_id")
    item = client.post(url, headers=headers, json={"text": "Hi"}).get_json()
    assert_error(client.patch(programme_url(programme, "feedback", item["id"]), headers=headers,
                              json={"answer": " "}), 422, "answer")
    assert_error(client.patch(programme_url(programme, "feedback", item["id"]), headers=headers,
                              json={"state": "closed"}), 422, "state")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FeedbackItem)) == 1


def test_the_daily_limit_is_a_422_not_a_500(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    url = programme_url(programme, "feedback")
    for n in range(services.MAX_PER_DAY):
        assert client.post(url, headers=headers, json={"text": f"Question {n}"}).status_code == 201
    refused = assert_error(client.post(url, headers=headers, json={"text": "One more"}), 422)
    assert "24 hours" in refused["message"]


def test_committee_reads_but_does_not_answer_and_other_programmes_are_404(app, world, factories, api_client_for):
    programme, other = world["programme"], world["other"]
    item_id, _person = _asked_by_person(app, factories, programme)
    foreign_id, _other_person = _asked_by_person(app, factories, other)
    client, headers, _user = api_client_for("committee_member", programme)
    assert client.get(programme_url(programme, "feedback", item_id), headers=headers).status_code == 200
    assert_error(client.patch(programme_url(programme, "feedback", item_id), headers=headers,
                              json={"answer": "Soon"}), 403)
    pm, pm_headers = world["client"], world["headers"]
    assert_error(pm.get(programme_url(programme, "feedback", foreign_id), headers=pm_headers), 404)
    assert_error(pm.patch(programme_url(programme, "feedback", foreign_id), headers=pm_headers,
                          json={"answer": "No"}), 404)
    assert_error(pm.post(programme_url(other, "feedback"), headers=pm_headers, json={"text": "Hi"}), 404)
    assert _outbox(app) == []


def test_list_keeps_a_flat_query_count(app, world, factories):
    client, headers, programme = world["client"], world["headers"], world["programme"]

    def queries_of_list():
        with count_queries(app) as statements:
            body = client.get(programme_url(programme, "feedback") + "?per_page=200", headers=headers).get_json()
        return len(statements), body["total"]

    client.get(f"{API}/me", headers=headers)
    for _ in range(3):
        _asked_by_person(app, factories, programme)
    few, total = queries_of_list()
    for _ in range(27):
        _asked_by_person(app, factories, programme)
    many, total_many = queries_of_list()
    assert (total, total_many) == (3, 30)
    assert few == many, (few, many)
