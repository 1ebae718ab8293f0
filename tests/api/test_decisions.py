"""Decisions through the API: recorded with record_decision as on the decisions and meeting pages (in a meeting
that took place, or with a date and who decided), never changed or deleted; permissions and query counts."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from planner.committee import services
from planner.committee.models import Decision, MeetingOccurrence
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.programmes.models import Programme
from tests.api.helpers import API, assert_error, programme_url
from tests.committee.helpers import held_occurrence
from tests.conftest import count_queries

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def world(app, make_programme, api_client_for, now_is):
    now_is(NOW)
    programme = make_programme()
    other = make_programme()
    client, headers, user = api_client_for("project_manager", programme)
    return {"programme": programme, "other": other, "client": client, "headers": headers, "user": user}


def _occurrence(app, programme, day=date(2026, 10, 9)) -> int:
    with app.app_context():
        occurrence = held_occurrence(db.session.get(Programme, programme.id), day)
        db.session.commit()
        return occurrence.id


def _decision(app, programme, text="Go ahead", day=date(2026, 5, 4)) -> int:
    with app.app_context():
        decision = services.record_decision(db.session.get(Programme, programme.id), text=text, decided_on=day,
                                            decided_by="Sponsor", recorded_by_id=None)
        db.session.commit()
        return decision.id


def test_decisions_recorded_with_a_date_or_in_a_meeting(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    url = programme_url(programme, "decisions")
    created = client.post(url, headers=headers, json={"text": "Pilot in Nordic first", "decided_on": "2026-06-01",
                                                      "decided_by": "Sponsor and chair"})
    assert created.status_code == 201, created.get_json()
    decision = created.get_json()
    assert created.headers["Location"].endswith(programme_url(programme, "decisions", decision["id"]))
    assert (decision["recorded_by_id"], decision["occurrence_id"], decision["decided_by"]) == \
        (world["user"].id, None, "Sponsor and chair")
    assert client.get(created.headers["Location"], headers=headers).get_json() == decision
    occurrence_id = _occurrence(app, programme)
    in_meeting = client.post(url, headers=headers, json={"text": "Iberia waits", "occurrence_id": occurrence_id})
    assert in_meeting.status_code == 201, in_meeting.get_json()
    assert (in_meeting.get_json()["decided_on"], in_meeting.get_json()["decided_by"]) == \
        ("2026-10-09", "Steering committee, meeting of 2026-10-09")  # the meeting's day and committee
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == "Decision", AuditEvent.action == "create")) == 2
    # a decision is on the record: the pages neither change nor delete one
    assert client.patch(created.headers["Location"], headers=headers, json={"text": "x"}).status_code == 405
    assert client.delete(created.headers["Location"], headers=headers).status_code == 405


def test_decisions_refusals_are_422_at_their_field(app, world):
    client, headers, programme, other = world["client"], world["headers"], world["programme"], world["other"]
    url = programme_url(programme, "decisions")
    assert_error(client.post(url, headers=headers, json={"text": "No one decided", "decided_on": "2026-06-01"}), 422,
                 "decided_by")
    assert_error(client.post(url, headers=headers, json={"text": "No day", "decided_by": "Chair"}), 422, "decided_on")
    assert_error(client.post(url, headers=headers, json={"text": " ", "decided_by": "x" * 301}), 422, "text",
                 "decided_by")
    assert_error(client.post(url, headers=headers, json={"text": "T", "occurrence_id": _occurrence(app, other)}), 422,
                 "occurrence_id")
    assert_error(client.post(url, headers=headers, json={"text": "T", "occurrence_id": 2_000_000_000}), 422,
                 "occurrence_id")
    future = _occurrence(app, programme, date(2027, 1, 12))
    assert_error(client.post(url, headers=headers, json={"text": "T", "occurrence_id": future}), 422, "occurrence_id")
    held = _occurrence(app, programme, date(2026, 9, 1))
    assert_error(client.post(url, headers=headers, json={"text": "T", "occurrence_id": held, "agenda_item_id": 5}),
                 422, "agenda_item_id")
    assert_error(client.post(url, headers=headers, json={"text": "T", "decided_on": "2026-06-01", "decided_by": "C",
                                                         "milestone_id": 99999}), 422, "milestone_id")
    assert_error(client.post(url, headers=headers, json={"text": "T", "recorded_by_id": 1}), 422, "recorded_by_id")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Decision)) == 0  # nothing half-written


def test_decisions_committee_members_record_viewers_and_trainers_read(app, world, api_client_for):
    programme, other = world["programme"], world["other"]
    body = {"text": "Extend the trial", "decided_on": "2026-06-01", "decided_by": "Committee"}
    member, member_headers, _user = api_client_for("committee_member", programme)
    assert member.post(programme_url(programme, "decisions"), headers=member_headers, json=body).status_code == 201
    for role in ("viewer", "trainer"):
        client, headers, _user = api_client_for(role, programme)
        assert client.get(programme_url(programme, "decisions"), headers=headers).get_json()["total"] == 1
        assert_error(client.post(programme_url(programme, "decisions"), headers=headers, json=body), 403)
    foreign = _decision(app, other)
    assert_error(world["client"].get(programme_url(programme, "decisions", foreign), headers=world["headers"]), 404)


def test_decisions_list_newest_first_with_a_flat_query_count(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    occurrence_id = _occurrence(app, programme)

    def add(count):
        with app.app_context():
            target = db.session.get(Programme, programme.id)
            occurrence = db.session.get(MeetingOccurrence, occurrence_id)
            for n in range(count):
                services.record_decision(target, text=f"D {n}", decided_on=date(2026, 1, 1 + n % 28),
                                         decided_by="Chair", recorded_by_id=world["user"].id,
                                         occurrence=occurrence if n % 2 else None)
            db.session.commit()

    def queries_of_list():
        with count_queries(app) as statements:
            body = client.get(programme_url(programme, "decisions") + "?per_page=200", headers=headers).get_json()
        return len(statements), body

    client.get(f"{API}/me", headers=headers)
    add(3)
    few, body = queries_of_list()
    assert [item["decided_on"] for item in body["items"]] == sorted((i["decided_on"] for i in body["items"]),
                                                                     reverse=True)
    add(27)
    many, body_many = queries_of_list()
    assert (body["total"], body_many["total"]) == (3, 30)
    assert few == many, (few, many)
    page = client.get(programme_url(programme, "decisions") + "?per_page=20&page=2", headers=headers).get_json()
    assert (len(page["items"]), page["next"]) == (10, None)
