"""Meetings through the API: scheduled, changed, sent and cancelled with planner/committee/scheduling, so the
invitations, updates and cancellations reach the outbox exactly as from the meeting pages; occurrences for
calendars; validation, permissions and query counts."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from planner.committee import scheduling, services
from planner.committee.models import Meeting, Recurrence
from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.programmes.models import Programme
from tests.api.helpers import API, assert_error, programme_url
from tests.committee.helpers import committee_of
from tests.conftest import count_queries

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
MONTHLY = {"title": "Steering committee", "local_start": "2026-12-08T10:00", "time_zone": "Europe/Berlin",
           "duration_minutes": 90, "location": "Board room", "recurrence": "monthly_by_weekday", "monthly_week": 2,
           "count": 6}


@pytest.fixture
def world(app, make_programme, make_person, api_client_for, now_is):
    """A programme whose committee has a chair and a representative, another programme, a PM's client."""
    now_is(NOW)
    programme = make_programme()
    other = make_programme()
    chair = make_person(programme, "Henrik Vogel", email="chair@example.com")
    rep = make_person(programme, "Amara Okafor", email="rep@example.com")
    with app.test_request_context():
        committee = committee_of(programme.id)
        services.add_member(committee, person_id=chair.id, role="chair", starts_on=date(2026, 1, 1))
        services.add_member(committee, person_id=rep.id, role="department_representative", starts_on=date(2026, 1, 1))
        db.session.commit()
    client, headers, _user = api_client_for("project_manager", programme)
    return {"programme": programme, "other": other, "client": client, "headers": headers}


def _outbox(app, uid: str) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like(f"invite:{uid}:%"))
                                  .order_by(OutboxMessage.id)).all()


def _uid(app, meeting_id: int) -> str:
    with app.app_context():
        return db.session.get(Meeting, meeting_id).uid


def _meeting(app, programme, title="Steering committee", count=3) -> int:
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        meeting = scheduling.schedule_meeting(committee_of(target.id), scheduling.MeetingPlan(
            title=title, local_start=datetime(2026, 12, 1, 10, 0), time_zone="UTC", recurrence=Recurrence.WEEKLY,
            count=count), organiser_id=None)
        db.session.commit()
        return meeting.id


def test_meetings_scheduled_at_once_invite_the_committee_and_changes_send_updates(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    created = client.post(programme_url(programme, "meetings"), headers=headers, json={**MONTHLY, "send_now": True})
    assert created.status_code == 201, created.get_json()
    meeting = created.get_json()
    url = created.headers["Location"]
    assert url.endswith(programme_url(programme, "meetings", meeting["id"]))
    assert (meeting["status"], meeting["local_start"], meeting["starts_at"], meeting["monthly_week"],
            meeting["count"]) == ("scheduled", "2026-12-08T10:00:00", "2026-12-08T09:00:00Z", 2, 6)
    assert client.get(url, headers=headers).get_json() == meeting
    uid = _uid(app, meeting["id"])
    assert len(_outbox(app, uid)) == 2  # one invitation per member, through the outbox
    occurrences = client.get(f"{url}/occurrences", headers=headers).get_json()
    assert occurrences["total"] == 6
    first = occurrences["items"][0]
    assert (first["title"], first["time_zone"], first["starts_at"], first["ends_at"], first["location"],
            first["status"], first["agenda_published"]) == \
        ("Steering committee", "Europe/Berlin", "2026-12-08T09:00:00Z", "2026-12-08T10:30:00Z", "Board room",
         "scheduled", False)
    assert occurrences["items"][1]["local_start"] == "2027-01-12T10:00:00"  # the 2nd Tuesday, local wall time
    changed = client.patch(url, headers=headers, json={"local_start": "2026-12-08T11:00",
                                                       "version": meeting["version"]})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["starts_at"], changed.get_json()["title"], changed.get_json()["sequence"]) == \
        ("2026-12-08T10:00:00Z", "Steering committee", 1)
    assert len(_outbox(app, uid)) == 4  # the update went to both
    assert_error(client.patch(url, headers=headers, json={"title": "Stale", "version": meeting["version"]}),
                 409)
    # meetings are cancelled, not deleted, as on the pages
    assert client.delete(url, headers=headers).status_code == 405
    cancelled = client.post(f"{url}/cancel", headers=headers, json={"reason": "Sponsor away"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert len(_outbox(app, uid)) == 6  # the cancellations
    assert_error(client.post(f"{url}/cancel", headers=headers, json={}), 422)
    assert_error(client.patch(url, headers=headers, json={"title": "Again"}), 422)


def test_a_draft_sends_nothing_until_it_is_scheduled(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    created = client.post(programme_url(programme, "meetings"), headers=headers, json={
        "title": "Kick-off", "local_start": "2026-12-02T09:30", "time_zone": "Asia/Tokyo"}).get_json()
    assert (created["status"], created["recurrence"], created["starts_at"]) == ("draft", "none",
                                                                                "2026-12-02T00:30:00Z")
    url = programme_url(programme, "meetings", created["id"])
    uid = _uid(app, created["id"])
    assert _outbox(app, uid) == []
    scheduled = client.post(f"{url}/schedule", headers=headers)
    assert scheduled.status_code == 200 and scheduled.get_json()["status"] == "scheduled"
    assert len(_outbox(app, uid)) == 2
    assert_error(client.post(f"{url}/schedule", headers=headers), 422)  # only a draft is scheduled


def test_meetings_validation_is_422_at_the_field(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]
    url = programme_url(programme, "meetings")
    base = {"title": "T", "local_start": "2026-12-08T10:00", "time_zone": "UTC"}
    for field, value in (("local_start", "2026-12-08T10:00:00+01:00"), ("local_start", "2026-12-08"),
                         ("local_start", "2026-02-30T10:00"), ("local_start", 1700000000),
                         ("time_zone", "Mars/Base"), ("duration_minutes", 4), ("interval", 53),
                         ("weekdays.0", ["XX"]), ("monthly_week", 5), ("count", 501), ("title", " "),
                         ("online_url", "x" * 501), ("sequence", 3)):
        assert_error(client.post(url, headers=headers, json={**base, field.split(".")[0]: value}), 422, field)
    # the service's own refusals, at their fields
    for body, field in (({**base, "local_start": "2200-01-01T10:00"}, "local_start"),
                        ({**base, "online_url": "ftp://example.com"}, "online_url"),
                        ({**base, "recurrence": "weekly", "weekdays": ["FR"]}, "weekdays"),
                        ({**base, "recurrence": "daily", "count": 3, "until": "2027-01-01"}, "until"),
                        ({**base, "recurrence": "daily", "until": "2026-12-01"}, "until")):
        assert_error(client.post(url, headers=headers, json=body), 422, field)
    meeting_id = _meeting(app, programme)
    assert_error(client.patch(programme_url(programme, "meetings", meeting_id), headers=headers,
                              json={"title": None}), 422, "title")
    assert_error(client.post(programme_url(programme, "meetings", meeting_id) + "/cancel", headers=headers,
                             json={"reason": "x" * 2001}), 422, "reason")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)
                                 .where(Meeting.programme_id == programme.id)) == 1


def test_meetings_committee_member_reads_only_and_other_programmes_are_404(app, world, api_client_for):
    programme, other = world["programme"], world["other"]
    meeting_id = _meeting(app, programme)
    item = programme_url(programme, "meetings", meeting_id)
    client, headers, _user = api_client_for("committee_member", programme)
    assert client.get(f"{item}/occurrences", headers=headers).get_json()["total"] == 3
    assert_error(client.patch(item, headers=headers, json={"title": "Mine"}), 403)
    assert_error(client.post(f"{item}/schedule", headers=headers), 403)
    assert_error(client.post(f"{item}/cancel", headers=headers, json={}), 403)
    assert_error(client.post(programme_url(programme, "meetings"), headers=headers,
                             json={"title": "T", "local_start": "2026-12-08T10:00", "time_zone": "UTC"}), 403)
    foreign = programme_url(programme, "meetings", _meeting(app, other))
    pm, pm_headers = world["client"], world["headers"]
    for response in (pm.get(foreign, headers=pm_headers), pm.get(f"{foreign}/occurrences", headers=pm_headers),
                     pm.post(f"{foreign}/cancel", headers=pm_headers, json={})):
        assert_error(response, 404)


def test_meetings_and_occurrences_lists_keep_a_flat_query_count(app, world):
    client, headers, programme = world["client"], world["headers"], world["programme"]

    def queries_of(url):
        with count_queries(app) as statements:
            body = client.get(url + "?per_page=200", headers=headers).get_json()
        return len(statements), body["total"]

    client.get(f"{API}/me", headers=headers)
    for n in range(3):
        _meeting(app, programme, f"Meeting {n}")
    few, total = queries_of(programme_url(programme, "meetings"))
    for n in range(3, 30):
        _meeting(app, programme, f"Meeting {n}")
    many, total_many = queries_of(programme_url(programme, "meetings"))
    assert (total, total_many, few) == (3, 30, many)
    three = queries_of(programme_url(programme, "meetings", _meeting(app, programme, "Short", 3)) + "/occurrences")
    thirty = queries_of(programme_url(programme, "meetings", _meeting(app, programme, "Long", 30)) + "/occurrences")
    assert (three[1], thirty[1], three[0]) == (3, 30, thirty[0])
    page = client.get(programme_url(programme, "meetings") + "?per_page=20&page=2", headers=headers).get_json()
    assert (len(page["items"]), page["next"]) == (12, None)
