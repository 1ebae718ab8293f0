"""Key pages in a real browser: Debian's Chromium driven by Playwright.

The app runs on 127.0.0.1 on its own migrated database with the demo loaded (SQLite, or a fresh
PostgreSQL database when TEST_DATABASE_URL is set). Each journey checks there are no console
errors and no Content-Security-Policy violations, and keeps screenshots in test-artifacts/.
"""
import os
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from planner import create_app
from planner.extensions import db
from tests.conftest import _create_postgres_database

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "rollout-demo-2026"

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _rolled_back():
    """The server below owns its database: no shared session rolled back around these tests."""
    yield


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    admin_url = os.environ.get("TEST_DATABASE_URL")
    drop = None
    if admin_url:
        url, drop = _create_postgres_database(admin_url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DEMO_PASSWORD": PASSWORD})
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if drop:
        drop()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser):
    """A fresh browser context at a given viewport, collecting console errors and CSP violations."""
    contexts = []

    def open_page(width: int, height: int):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda message: page.problems.append(message.text)
                if message.type == "error" and "422" not in message.text else None)
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_project_manager_reads_the_plan_and_adds_a_region_on_a_phone(live_server, page_for):
    page = page_for(390, 844)
    _log_in(page, live_server, "pm@example.com")
    page.click("text=Meridian Outdoor Group: Helix CRM rollout")
    assert page.locator("h2", has_text="Current stage").is_visible()
    assert page.locator("text=Implementation and application").first.is_visible()
    _shot(page, "pm-overview-phone")

    page.click("nav.subnav >> text=Plan")
    page.wait_for_function("() => { const img = document.querySelector('figure.chart img');"
                           " return img && img.complete && img.naturalWidth > 0; }", timeout=15000)
    _shot(page, "pm-plan-phone")

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
    _shot(page, "pm-region-added-phone")
    assert page.problems == [], page.problems


def test_the_menu_opens_on_a_phone_and_a_viewer_cannot_edit(live_server, page_for):
    page = page_for(360, 740)
    _log_in(page, live_server, "viewer@example.com")
    assert not page.locator("#main-nav").is_visible()
    page.click(".nav-toggle")
    assert page.locator("#main-nav").is_visible()
    page.click("text=Meridian Outdoor Group: Helix CRM rollout")
    assert page.locator("a", has_text="Edit").count() == 0
    page.click("nav.subnav >> text=Waves")
    assert page.locator("text=Not met").first.is_visible()  # the key wave is gated on the pilot
    _shot(page, "viewer-waves-phone")
    assert page.problems == [], page.problems


def test_project_manager_schedules_a_meeting_publishes_its_agenda_and_downloads_the_invite(live_server, page_for):
    from datetime import date, timedelta

    import icalendar

    page = page_for(390, 844)
    _log_in(page, live_server, "pm@example.com")
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
    _shot(page, "pm-meeting-scheduled-phone")

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
    _shot(page, "pm-agenda-published-phone")
    assert page.problems == [], page.problems
