"""Key pages in a real browser: Debian's Chromium driven by Playwright.

The app runs on 127.0.0.1 on its own migrated database with the demo loaded (SQLite, or a fresh
PostgreSQL database when TEST_DATABASE_URL is set). Each journey checks there are no console
errors and no Content-Security-Policy violations, and keeps screenshots in test-artifacts/.
"""
from pathlib import Path

from tests.e2e.helpers import NEEDS_CHROMIUM, log_in, shot

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


def test_project_manager_schedules_a_meeting_publishes_its_agenda_and_downloads_the_invite(live_server, page_for):
    from datetime import date, timedelta

    import icalendar

    page = page_for(390, 844)
    log_in(page, live_server, "pm@example.com")
    page.click("text=Meridian Outdoor Group: Helix CRM rollout")
    page.click("nav.subnav >> text=Meetings")
    page.click("text=Schedule a meeting")
    day = date.today() + timedelta(days=10)
    page.fill("#title", "Go/no-go for the key regions")
    page.fill("#start_on", day.isoformat())
    page.fill("#start_time", "14:00")
    page.fill("#duration_minutes", "60")
    page.fill("#location", "Board room 4.01")
    page.click("button[name=send_now]")
    assert page.locator(".flash-success").first.is_visible()
    assert page.locator("h1", has_text="Go/no-go for the key regions").is_visible()
    shot(page, "pm-meeting-scheduled-phone")

    with page.expect_download() as download_info:
        page.click("text=Download .ics")
    calendar = icalendar.Calendar.from_ical(Path(download_info.value.path()).read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Go/no-go for the key regions"
    assert event.decoded("DTSTART").strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} 14:00"

    page.click(f"a.check-text >> text={day.isoformat()}")
    page.fill("#agenda-title", "Pilot defects and adoption")
    page.fill("#agenda-minutes_allotted", "30")
    page.click("text=Add to the agenda")
    assert page.locator("td", has_text="Pilot defects and adoption").first.is_visible()
    page.click("text=Publish the agenda to everyone invited")
    assert page.locator(".flash-success").first.is_visible()
    shot(page, "pm-agenda-published-phone")
    assert page.problems == [], page.problems
