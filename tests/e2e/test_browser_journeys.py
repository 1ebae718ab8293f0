"""Key pages in a real browser: Debian's Chromium driven by Playwright.

The app runs on 127.0.0.1 on its own migrated database with the demo loaded (SQLite, or a fresh
PostgreSQL database when TEST_DATABASE_URL is set). Each journey checks there are no console
errors and no Content-Security-Policy violations, and keeps screenshots in test-artifacts/.
"""
import email
import email.policy
import re
from datetime import date, timedelta
from pathlib import Path

import icalendar
from sqlalchemy import select

from planner.extensions import db
from tests.e2e.helpers import NEEDS_CHROMIUM, log_in, note_overflow, shot

pytestmark = NEEDS_CHROMIUM


def test_project_manager_reads_the_plan_and_adds_a_region_on_a_phone(live_server, page_for):
    page = page_for(390, 844)
    log_in(page, live_server, "pm@example.com")
    page.click("text=Meridian Outdoor Group: Helix CRM rollout")
    assert page.locator("h2", has_text="Current stage").is_visible()
    assert page.locator("text=Implementation and application").first.is_visible()
    shot(page, "pm-overview-phone")

    page.click("nav.subnav >> text=Plan")
    page.wait_for_function("() => { const img = document.querySelector('figure.chart img');"
                           " return img && img.complete && img.naturalWidth > 0; }", timeout=15000)
    shot(page, "pm-plan-phone")

    page.click("nav.subnav >> text=Regions")
    page.click("text=New region")
    page.fill("#name", "Nordics")
    page.select_option("#tier", "standard")
    page.select_option("#time_zone", "Europe/Stockholm")
    page.fill("#headcount", "-3")
    page.click("button.primary")
    assert page.locator(".errors", has_text="at least 0").is_visible()  # the form says what is wrong
    page.fill("#headcount", "18")
    page.click("button.primary")
    assert page.locator(".flash-success", has_text="Region Nordics added").is_visible()
    assert page.locator("td", has_text="Nordics").is_visible()
    shot(page, "pm-region-added-phone")
    assert page.problems == [], page.problems


def test_the_menu_opens_on_a_phone_and_a_viewer_cannot_edit(live_server, page_for):
    page = page_for(360, 740)
    log_in(page, live_server, "viewer@example.com")
    assert not page.locator("#main-nav").is_visible()
    page.click(".nav-toggle")
    assert page.locator("#main-nav").is_visible()
    page.click("text=Meridian Outdoor Group: Helix CRM rollout")
    assert page.locator("a", has_text="Edit").count() == 0
    page.click("nav.subnav >> text=Waves")
    assert page.locator("text=Not met").first.is_visible()  # the key wave is gated on the pilot
    shot(page, "viewer-waves-phone")
    assert page.problems == [], page.problems


def _queued(flash_text: str) -> int:
    """How many emails a flash message says were queued ("... 3 emails queued.")."""
    match = re.search(r"(\d+) emails? queued", flash_text)
    assert match, flash_text
    return int(match.group(1))


def test_project_manager_schedules_a_meeting_publishes_its_agenda_and_downloads_the_invite(live_app, page_for):
    """Issue 9 item 4, in the issue's order: schedule (the invitations are queued), publish the agenda (one email
    per person invited, naming the item), download the invite (an .ics a calendar imports as this meeting)."""
    from planner.committee.models import Meeting, MeetingOccurrence, MeetingStatus
    from planner.core.models import OutboxMessage

    base, app = live_app
    title, item = "Go/no-go for the key regions", "Pilot defects and adoption"
    page = page_for(390, 844)
    overflowing = []
    log_in(page, base, "pm@example.com")
    page.click("text=Meridian Outdoor Group: Helix CRM rollout")
    page.click("nav.subnav >> text=Meetings")
    page.click("text=Schedule a meeting")
    note_overflow(page, overflowing)
    day = date.today() + timedelta(days=10)
    page.fill("#title", title)
    page.fill("#start_on", day.isoformat())
    page.fill("#start_time", "14:00")
    page.fill("#duration_minutes", "60")
    page.fill("#location", "Board room 4.01")
    page.click("button[name=send_now]")
    scheduled = page.locator(".flash-success", has_text=f"{title} is scheduled.")
    assert scheduled.is_visible()
    invited = _queued(scheduled.inner_text())
    assert invited > 0
    assert page.locator("h1", has_text=title).is_visible()
    shot(page, "pm-meeting-scheduled-phone")
    note_overflow(page, overflowing)

    page.click(f"a.check-text >> text={day.isoformat()}")
    page.fill("#agenda-title", item)
    page.fill("#agenda-minutes_allotted", "30")
    page.click("text=Add to the agenda")
    assert page.locator("td", has_text=item).first.is_visible()
    page.click("text=Publish the agenda to everyone invited")
    published = page.locator(".flash-success", has_text="Agenda published.")
    assert published.is_visible()
    assert _queued(published.inner_text()) == invited  # everyone invited gets the agenda
    assert page.locator(".badge-met", has_text="Published").is_visible()
    shot(page, "pm-agenda-published-phone")
    note_overflow(page, overflowing)

    page.locator("dl.facts a", has_text=title).click()  # back to the meeting (the series)
    with page.expect_download() as download_info:
        page.click("text=Download .ics")
    calendar = icalendar.Calendar.from_ical(Path(download_info.value.path()).read_bytes())
    assert str(calendar["METHOD"]) == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == title
    assert str(event["LOCATION"]) == "Board room 4.01"
    start = event.decoded("DTSTART")
    assert (start.strftime("%Y-%m-%d %H:%M"), str(start.tzinfo)) == (f"{day.isoformat()} 14:00", "Europe/Berlin")
    assert event.decoded("DTEND") - start == timedelta(minutes=60)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    note_overflow(page, overflowing)

    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.title == title))
        occurrence = db.session.scalar(select(MeetingOccurrence).where(MeetingOccurrence.meeting_id == meeting.id))
        uid, status, is_published = meeting.uid, meeting.status, occurrence.agenda_published_at is not None
        invites = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.key.startswith(f"invite:{meeting.uid}:"))).all()
        agendas = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.key.startswith(f"agenda:{occurrence.id}:"))).all()
        invite_parts = [_calendar_part(row.content) for row in invites]
        agenda_texts = [_text_part(row.content) for row in agendas]
        db.session.remove()
    assert str(event["UID"]) == uid  # the download is the same meeting the invitations announced
    assert (status, is_published) == (MeetingStatus.SCHEDULED, True)
    assert len(invite_parts) == len(agenda_texts) == invited
    for invite in invite_parts:
        assert (str(invite["METHOD"]), str(invite.walk("VEVENT")[0]["UID"])) == ("REQUEST", uid)
    assert all(item in text for text in agenda_texts), agenda_texts[:1]
    assert page.problems == [], page.problems
    assert overflowing == [], f"wider than the 390px phone (page, scrollWidth): {overflowing}"


def _calendar_part(content: bytes) -> icalendar.Calendar:
    message = email.message_from_bytes(content, policy=email.policy.default)
    (part,) = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    return icalendar.Calendar.from_ical(part.get_content())


def _text_part(content: bytes) -> str:
    message = email.message_from_bytes(content, policy=email.policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()
