"""The calendar feed: what is in it, read back by two independent parsers, and who can reach it."""
from datetime import date, datetime

import icalendar
import vobject
from sqlalchemy import select

from planner.auth.models import User
from planner.calendar import tokens
from planner.committee import scheduling
from planner.committee.models import Meeting, Recurrence
from planner.extensions import db
from planner.programmes.models import Programme
from planner.rollout import services as rollout_services
from tests.calendar_web.helpers import make_meeting, seat_members
from tests.conftest import count_queries, log_in


def feed_token_for(app, user) -> str:
    with app.app_context():
        token = tokens.reset_feed_token(db.session.get(User, user.id))
        db.session.commit()
        return token


def add_plan(app, programme, region):
    """A milestone (planned), a reached milestone and a wave with a planned go-live."""
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        planned = rollout_services.create_milestone(target, name="Process sign-off", kind="process_sign_off",
                                                    planned_on=date(2027, 2, 1), actual_on=None)
        reached = rollout_services.create_milestone(target, name="Kickoff", kind="kickoff",
                                                    planned_on=date(2026, 3, 2), actual_on=date(2026, 3, 4))
        wave = rollout_services.create_wave(target, name="Pilot", kind="pilot", position=1,
                                            planned_go_live=date(2027, 4, 5), trial_days=20, region_ids=[region.id])
        db.session.commit()
        return planned.id, reached.id, wave.id


def vevents_by_uid(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_holds_the_users_meetings_milestones_and_go_lives(app, client, factories):
    programme = factories.programme()
    region = factories.region(programme, name="North")
    other_programme = factories.programme()
    user = factories.user(email="alice@example.com")
    factories.grant(user, programme, "viewer")
    seat_members(app, factories, programme, ["Alice@Example.com", "bob@example.com"])
    seat_members(app, factories, other_programme, ["carol@example.com"])
    scheduled = make_meeting(app, programme, title="March committee")
    series = make_meeting(app, programme, title="Weekly check-in", start=datetime(2027, 3, 3, 9, 0),
                          recurrence=Recurrence.WEEKLY, count=6)
    draft = make_meeting(app, programme, title="Draft meeting", publish=False)
    cancelled = make_meeting(app, programme, title="Called-off meeting")
    elsewhere = make_meeting(app, other_programme, title="Not Alice's meeting")
    with app.app_context():
        scheduling.cancel_meeting(db.session.get(Meeting, cancelled.meeting_id))
        db.session.commit()
    planned_id, reached_id, wave_id = add_plan(app, programme, region)
    other_region = factories.region(other_programme)
    add_plan(app, other_programme, other_region)
    token = feed_token_for(app, user)

    response = client.get(f"/calendar/{token}.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    body = response.get_data()
    events = vevents_by_uid(body)
    host = "planner.test"
    assert set(events) == {scheduled.uid, series.uid, cancelled.uid, f"milestone-{planned_id}@{host}",
                           f"milestone-{reached_id}@{host}", f"go-live-wave-{wave_id}@{host}"}
    assert draft.uid not in events and elsewhere.uid not in events
    calendar = icalendar.Calendar.from_ical(body)
    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "Rollout Planner (alice@example.com)"
    assert b"ATTENDEE" not in body and b"RSVP" not in body
    assert str(events[cancelled.uid]["STATUS"]) == "CANCELLED"
    assert str(events[scheduled.uid]["STATUS"]) == "CONFIRMED"
    assert "RRULE" in events[series.uid]
    milestone = events[f"milestone-{reached_id}@{host}"]
    assert milestone.decoded("DTSTART") == date(2026, 3, 4)  # reached: on the day it was reached
    assert milestone.decoded("DTEND") == date(2026, 3, 5)
    assert events[f"milestone-{planned_id}@{host}"].decoded("DTSTART") == date(2027, 2, 1)
    go_live = events[f"go-live-wave-{wave_id}@{host}"]
    assert go_live.decoded("DTSTART") == date(2027, 4, 5)
    assert "North" in str(go_live["DESCRIPTION"])
    assert int(milestone["SEQUENCE"]) == 0

    # a second, independent parser reads the same events
    parsed = vobject.readOne(body.decode())
    summaries = sorted(str(vevent.summary.value) for vevent in parsed.vevent_list)
    assert "March committee" in summaries and "Weekly check-in" in summaries
    assert any(summary.endswith("Pilot goes live") for summary in summaries)
    start = next(v for v in parsed.vevent_list if v.uid.value == scheduled.uid).dtstart.value
    assert start.utcoffset().total_seconds() == 3600 and (start.hour, start.minute) == (10, 0)


def test_an_organiser_sees_the_meetings_they_organise(app, client, factories):
    programme = factories.programme()
    user = factories.user(email="organiser@example.com")
    seat_members(app, factories, programme, ["member@example.com"])
    meeting = make_meeting(app, programme, organiser_id=user.id)
    token = feed_token_for(app, user)

    events = vevents_by_uid(client.get(f"/calendar/{token}.ics").get_data())

    assert set(events) == {meeting.uid}


def test_the_same_data_gives_the_same_bytes(app, client, factories):
    programme = factories.programme()
    user = factories.user()
    factories.grant(user, programme, "viewer")
    seat_members(app, factories, programme, [user.email])
    make_meeting(app, programme)
    token = feed_token_for(app, user)

    first, second = client.get(f"/calendar/{token}.ics"), client.get(f"/calendar/{token}.ics")

    assert first.get_data() == second.get_data()
    assert first.headers["ETag"] == second.headers["ETag"]


def test_an_unknown_or_revoked_token_is_a_plain_404(app, client, factories):
    user = factories.user()
    old = feed_token_for(app, user)
    assert client.get(f"/calendar/{old}.ics").status_code == 200

    new = feed_token_for(app, user)

    for token in (old, "x" * 43, "x" * 500):
        response = client.get(f"/calendar/{token}.ics")
        assert response.status_code == 404
        assert response.mimetype == "text/plain"
        assert response.get_data(as_text=True) == "Not found\n"
    assert client.get(f"/calendar/{new}.ics").status_code == 200


def test_a_deactivated_users_feed_is_gone(app, client, factories):
    user = factories.user()
    token = feed_token_for(app, user)
    with app.app_context():
        db.session.get(User, user.id).is_active = False
        db.session.commit()

    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_token_is_not_stored(app, factories):
    user = factories.user()
    token = feed_token_for(app, user)
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert token not in (stored.calendar_salt, stored.calendar_token_hash)
        assert len(stored.calendar_salt) == 32  # 128 random bits
        assert tokens.user_for_feed_token(token).id == user.id


def test_feed_query_count_does_not_grow_with_meetings(app, client, factories):
    def queries_for(meeting_count: int) -> tuple[int, int]:
        programme = factories.programme()
        region = factories.region(programme)
        user = factories.user()
        factories.grant(user, programme, "viewer")
        seat_members(app, factories, programme, [user.email])
        for n in range(meeting_count):
            make_meeting(app, programme, title=f"Meeting {n}", start=datetime(2027, 3, 1 + n % 28, 10),
                         recurrence=Recurrence.WEEKLY if n % 2 else Recurrence.NONE, count=4 if n % 2 else None)
        add_plan(app, programme, region)
        token = feed_token_for(app, user)
        with count_queries(app) as statements:
            response = client.get(f"/calendar/{token}.ics")
        assert response.status_code == 200
        return len(statements), len(vevents_by_uid(response.get_data()))

    small, small_events = queries_for(2)
    large, large_events = queries_for(20)

    assert large_events == small_events + 18
    assert small == large, (small, large)
    assert small <= 12


def test_the_feed_settings_page_never_writes(app, client, factories):
    user = factories.user()
    log_in(client, user.email)

    with count_queries(app) as statements:
        page = client.get("/me/calendar")

    assert page.status_code == 200
    assert "Create my feed link" in page.get_data(as_text=True)
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    with app.app_context():
        assert db.session.get(User, user.id).calendar_salt is None


def test_creating_and_resetting_the_feed_link(app, client, factories):
    from tests.conftest import form_post

    user = factories.user()
    log_in(client, user.email)

    created = form_post(client, "/me/calendar/reset", {}, page_url="/me/calendar", follow_redirects=True)

    assert created.status_code == 200
    page = created.get_data(as_text=True)
    assert "Your calendar link is ready" in page
    with app.app_context():
        first = tokens.feed_token(db.session.get(User, user.id))
    assert f"webcal://planner.test/calendar/{first}.ics" in page
    assert f"http://planner.test/calendar/{first}.ics" in page

    reset = form_post(client, "/me/calendar/reset", {}, page_url="/me/calendar", follow_redirects=True)

    assert "The old one no longer works" in reset.get_data(as_text=True)
    with app.app_context():
        second = tokens.feed_token(db.session.get(User, user.id))
    assert second != first
    assert client.get(f"/calendar/{first}.ics").status_code == 404
    assert client.get(f"/calendar/{second}.ics").status_code == 200


def test_reset_needs_a_csrf_token(app, client, factories):
    user = factories.user()
    log_in(client, user.email)

    assert client.post("/me/calendar/reset").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User.calendar_salt).where(User.id == user.id)) is None
