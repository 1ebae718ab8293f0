"""Meeting pages: scheduling (draft or at once), the series' page with its per-recipient invite records,
publishing, guests, re-sending, changing and cancelling the series, and the .ics download."""
from datetime import datetime

import icalendar
import vobject
from sqlalchemy import select, update

from planner.committee.models import Meeting, MeetingInvitee, MeetingOccurrence, MeetingStatus, Recurrence
from planner.core.models import OutboxMessage, OutboxStatus
from planner.extensions import db
from tests.committee.test_pages_helpers import (
    NOW, count, flashes, load, occurrence_ids, outbox, page_errors, past_and_next, schedule, seat,
)
from tests.conftest import form_post
from tests.rollout.helpers import field_errors

WEEKLY = {"title": "Steering committee", "description": "Monthly status and decisions", "start_on": "2026-11-10",
          "start_time": "10:00", "time_zone": "Europe/Berlin", "duration_minutes": "90", "location": "Room 4.12",
          "online_url": "https://meet.example.com/steerco", "recurrence": "weekly", "interval": "2",
          "weekdays": ["TU"], "ends": "after", "count": "6"}


def _committee_of_two(app, make_programme, make_person):
    programme = make_programme()
    chair = make_person(programme, "Hanna Vogel", email="hanna@example.com")
    rep = make_person(programme, "Luis Ortega", email="luis@example.com")
    seat(app, programme, chair, role="chair")
    seat(app, programme, rep)
    return programme, chair, rep


def _invitees(app, meeting_id: int) -> dict[str, MeetingInvitee]:
    with app.app_context():
        rows = db.session.scalars(select(MeetingInvitee).where(MeetingInvitee.meeting_id == meeting_id)).all()
        for row in rows:
            db.session.expunge(row)
        return {row.email: row for row in rows}


def test_a_draft_meeting_sends_nothing(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep = _committee_of_two(app, make_programme, make_person)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/meetings/new"
    form = client.get(url).get_data(as_text=True)
    assert '<option selected value="Europe/Berlin">' in form  # the programme's home zone by default
    assert "Save as draft" in form and "Schedule and send invitations" in form

    response = form_post(client, url, {**WEEKLY, "save_draft": "y"})
    assert response.status_code == 302
    meeting = load(app, Meeting, _only_meeting(app, programme))
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert (meeting.status, meeting.recurrence, meeting.recurrence_interval, meeting.recurrence_weekdays,
            meeting.recurrence_count, meeting.local_start, meeting.duration_minutes) == (
        MeetingStatus.DRAFT, Recurrence.WEEKLY, 2, "TU", 6, datetime(2026, 11, 10, 10, 0), 90)
    assert outbox(app) == []

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "saved as a draft; no invitations were sent." in flashes(page)[0]
    assert "Every 2 weeks on Tuesday, 6 times" in page
    assert "Tue 2026-11-10 10:00-11:30 (Europe/Berlin)" in page
    assert "Hanna Vogel" in page and "Luis Ortega" in page and "Nothing yet" in page
    assert "Schedule and send invitations" in page
    assert len(occurrence_ids(app, meeting.id)) == 6


def test_scheduling_sends_one_invitation_per_member(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep = _committee_of_two(app, make_programme, make_person)
    login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/meetings/new", {**WEEKLY, "send_now": "y"})
    assert response.status_code == 302
    meeting_id = _only_meeting(app, programme)
    assert load(app, Meeting, meeting_id).status is MeetingStatus.SCHEDULED
    assert sorted((kind, to) for kind, to, _subject in outbox(app)) == [
        ("invite", "hanna@example.com"), ("invite", "luis@example.com")]

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 emails queued." in flashes(page)[0]
    assert page.count("REQUEST · SEQUENCE 0") == 2
    assert page.count("Waiting to be sent") == 2
    assert "Out of date" not in page
    assert "Re-send to everyone out of date" in page


def test_scheduling_refuses_bad_input_and_writes_nothing(app, client, login_as, make_programme, make_person,
                                                         now_is):
    now_is(NOW)
    programme, _chair, _rep = _committee_of_two(app, make_programme, make_person)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/meetings/new"

    untitled = form_post(client, url, {**WEEKLY, "title": "", "send_now": "y"})
    assert untitled.status_code == 422
    assert field_errors(untitled.get_data(as_text=True), "title")

    no_end = form_post(client, url, {**WEEKLY, "ends": "on", "until": "", "send_now": "y"})
    assert no_end.status_code == 422
    assert "Give the last day of the series." in field_errors(no_end.get_data(as_text=True), "until")

    wrong_day = form_post(client, url, {**WEEKLY, "weekdays": ["MO", "TH"], "send_now": "y"})
    assert wrong_day.status_code == 422
    assert "The first meeting must fall on one of the chosen weekdays." in field_errors(
        wrong_day.get_data(as_text=True), "weekdays")

    bad_link = form_post(client, url, {**WEEKLY, "online_url": "javascript:alert(1)", "send_now": "y"})
    assert bad_link.status_code == 422
    assert field_errors(bad_link.get_data(as_text=True), "online_url")

    skipped = form_post(client, url, {**WEEKLY, "start_on": "2027-03-28", "start_time": "02:30",  # clocks go 02->03
                                      "recurrence": "none", "send_now": "y"})
    assert skipped.status_code == 422
    assert "This time does not exist on that day in Europe/Berlin" in skipped.get_data(as_text=True)
    assert count(app, Meeting) == 0 and count(app, MeetingOccurrence) == 0 and outbox(app) == []


def test_publishing_a_draft_invites_everyone_once(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep = _committee_of_two(app, make_programme, make_person)
    meeting_id = schedule(app, programme)
    login_as("project_manager", programme)
    page_url = f"/programmes/{programme.id}/meetings/{meeting_id}"

    response = form_post(client, f"{page_url}/publish", {}, page_url=page_url)
    assert response.status_code == 302
    assert load(app, Meeting, meeting_id).status is MeetingStatus.SCHEDULED
    assert len(outbox(app, "invite")) == 2
    assert "2 emails queued." in flashes(client.get(page_url).get_data(as_text=True))[0]

    again = form_post(client, f"{page_url}/publish", {}, page_url=page_url)
    assert again.status_code == 422
    assert "Only a draft meeting can be scheduled" in page_errors(again.get_data(as_text=True))
    assert len(outbox(app, "invite")) == 2


def test_publishing_with_nobody_to_invite_is_refused(app, client, login_as, make_programme, now_is):
    now_is(NOW)
    programme = make_programme()
    meeting_id = schedule(app, programme)
    login_as("project_manager", programme)
    page_url = f"/programmes/{programme.id}/meetings/{meeting_id}"
    response = form_post(client, f"{page_url}/publish", {}, page_url=page_url)
    assert response.status_code == 422
    assert "Nobody would be invited" in page_errors(response.get_data(as_text=True))
    assert load(app, Meeting, meeting_id).status is MeetingStatus.DRAFT


def test_changing_the_series_raises_the_sequence_and_updates_everyone(app, client, login_as, make_programme,
                                                                      make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep = _committee_of_two(app, make_programme, make_person)
    meeting_id = schedule(app, programme, local_start=datetime(2026, 11, 10, 10, 0), count=6, send_now=True)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/meetings/{meeting_id}/edit"

    form = client.get(url).get_data(as_text=True)
    assert 'value="Steering committee"' in form and 'value="2026-11-10"' in form and 'value="10:00"' in form
    assert 'checked id="weekdays-1" name="weekdays" type="checkbox" value="TU"' in form
    assert 'checked id="ends-2" name="ends" type="radio" value="after"' in form

    version = load(app, Meeting, meeting_id).version
    changed = {**WEEKLY, "interval": "1", "start_time": "14:00", "version": version}
    stale = form_post(client, url, {**changed, "version": version - 1})
    assert stale.status_code == 409
    assert load(app, Meeting, meeting_id).sequence == 0

    response = form_post(client, url, changed)
    assert response.status_code == 302
    meeting = load(app, Meeting, meeting_id)
    assert (meeting.local_start, meeting.sequence) == (datetime(2026, 11, 10, 14, 0), 1)
    assert len(outbox(app, "update")) == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 emails queued." in flashes(page)[0]
    assert page.count("REQUEST · SEQUENCE 1") == 2


def test_guests_are_invited_and_removed(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep = _committee_of_two(app, make_programme, make_person)
    vendor = make_person(programme, "Vera Vendor", email="vera@example.com")
    meeting_id = schedule(app, programme, send_now=True)
    login_as("project_manager", programme)
    page_url = f"/programmes/{programme.id}/meetings/{meeting_id}"

    nobody = form_post(client, f"{page_url}/guests", {"guest-person_id": ""}, page_url=page_url)
    assert nobody.status_code == 422
    assert "Choose a person to invite." in field_errors(nobody.get_data(as_text=True), "guest-person_id")

    response = form_post(client, f"{page_url}/guests", {"guest-person_id": vendor.id, "guest-is_optional": "y"},
                         page_url=page_url)
    assert response.status_code == 302
    guest = _invitees(app, meeting_id)["vera@example.com"]
    assert (guest.is_guest, guest.ics_role, guest.last_method_sent) == (True, "OPT-PARTICIPANT", "REQUEST")
    assert "Vera Vendor is invited. 1 email queued." in flashes(client.get(page_url).get_data(as_text=True))

    twice = form_post(client, f"{page_url}/guests", {"guest-person_id": vendor.id}, page_url=page_url)
    assert twice.status_code == 422

    removed = form_post(client, f"{page_url}/invitees/{guest.id}/remove", {}, page_url=page_url)
    assert removed.status_code == 302
    guest = _invitees(app, meeting_id)["vera@example.com"]
    assert guest.removed_at is not None and guest.last_method_sent == "CANCEL"
    assert outbox(app, "cancel")[-1][1] == "vera@example.com"
    page = client.get(page_url).get_data(as_text=True)
    assert "Removed" in page


def test_who_has_not_answered_and_resending_to_everyone_out_of_date(app, client, login_as, make_programme,
                                                                    make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep = _committee_of_two(app, make_programme, make_person)
    meeting_id = schedule(app, programme, send_now=True)
    with app.app_context():
        db.session.execute(update(MeetingInvitee).where(MeetingInvitee.email == "hanna@example.com")
                           .values(answer="ACCEPTED", answer_comment="Gladly"))
        failed = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.recipient == "luis@example.com"))
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == failed)
                           .values(status=OutboxStatus.FAILED, last_error="550 no such user"))
        db.session.commit()
    login_as("project_manager", programme)
    page_url = f"/programmes/{programme.id}/meetings/{meeting_id}"

    page = client.get(page_url).get_data(as_text=True)
    assert "Accepted" in page and "Gladly" in page
    assert page.count("Out of date") == 1 and "Failed" in page
    unanswered = client.get(f"{page_url}?answer=none").get_data(as_text=True)
    assert "Who has not answered" in unanswered and "Luis Ortega" in unanswered and "Hanna Vogel" not in unanswered

    response = form_post(client, f"{page_url}/resend", {}, page_url=page_url)
    assert response.status_code == 302
    assert "Re-sent to everyone out of date. 1 email queued." in flashes(client.get(page_url).get_data(as_text=True))
    with app.app_context():
        assert db.session.get(OutboxMessage, failed).status is OutboxStatus.PENDING


def test_resending_a_draft_is_refused(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep = _committee_of_two(app, make_programme, make_person)
    meeting_id = schedule(app, programme)
    login_as("project_manager", programme)
    page_url = f"/programmes/{programme.id}/meetings/{meeting_id}"
    response = form_post(client, f"{page_url}/resend", {}, page_url=page_url)
    assert response.status_code == 422
    assert "A draft sends nothing" in page_errors(response.get_data(as_text=True))


def test_cancelling_the_series_sends_cancellations(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep = _committee_of_two(app, make_programme, make_person)
    meeting_id = schedule(app, programme, send_now=True)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/meetings/{meeting_id}/cancel"
    assert "The whole series is cancelled" in client.get(url).get_data(as_text=True)

    response = form_post(client, url, {"reason": "Replaced by the programme board"})
    assert response.status_code == 302
    assert load(app, Meeting, meeting_id).status is MeetingStatus.CANCELLED
    assert sorted(to for _kind, to, _subject in outbox(app, "cancel")) == ["hanna@example.com", "luis@example.com"]

    again = form_post(client, url, {"reason": ""})
    assert again.status_code == 422
    assert "This meeting is already cancelled." in page_errors(again.get_data(as_text=True))


def test_the_meeting_downloads_as_one_calendar_object(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep = _committee_of_two(app, make_programme, make_person)
    meeting_id = schedule(app, programme, title="Steering committee: Q4", send_now=True)
    login_as("viewer", programme)
    response = client.get(f"/programmes/{programme.id}/meetings/{meeting_id}/invite.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="steering-committee-q4.ics"'

    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    meeting = load(app, Meeting, meeting_id)
    assert str(event["UID"]) == meeting.uid and "ATTENDEE" not in event
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    parsed = vobject.readOne(response.data.decode())
    assert parsed.vevent.dtstart.value.isoformat() == "2026-10-06T10:00:00+02:00"


def test_the_meeting_list_flags_late_agendas_and_has_a_past_view(app, client, login_as, make_programme,
                                                                 make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep = _committee_of_two(app, make_programme, make_person)
    meeting_id = schedule(app, programme, send_now=True)
    schedule(app, programme, title="Budget review", local_start=datetime(2026, 12, 1, 9, 0),
             recurrence=Recurrence.NONE, count=None)
    past, upcoming = past_and_next(app, meeting_id)
    login_as("viewer", programme)
    url = f"/programmes/{programme.id}/meetings"

    page = client.get(url).get_data(as_text=True)
    assert "Tue 2026-11-03 10:00" in page and "Tue 2026-10-27 10:00" not in page
    assert page.count("Agenda late") == 1  # tomorrow's meeting; the one a month ahead is not late yet
    assert "Budget review" in page and "Draft" in page
    assert "Schedule a meeting" not in page

    older = client.get(f"{url}?when=past").get_data(as_text=True)
    assert "Tue 2026-10-27 10:00" in older and "Tue 2026-11-03 10:00" not in older
    assert f"/occurrences/{past}" in older and f"/occurrences/{upcoming}" not in older


def _only_meeting(app, programme) -> int:
    with app.app_context():
        [meeting_id] = db.session.scalars(select(Meeting.id).where(Meeting.programme_id == programme.id)).all()
        return meeting_id
