"""Fixtures of the browser journeys: the demo served on 127.0.0.1 from its own database (SQLite, or a fresh
PostgreSQL database when TEST_DATABASE_URL is set), Debian's Chromium through Playwright, and pages that collect
console errors and Content-Security-Policy violations."""
import os
import threading

import pytest
from flask_migrate import upgrade
from playwright import sync_api as playwright_api
from werkzeug.serving import make_server

from planner import create_app
from planner.extensions import db
from tests.conftest import _create_postgres_database
from tests.e2e.helpers import CHROMIUM, PASSWORD


@pytest.fixture(autouse=True)
def _rolled_back():
    """The server below owns its database: no shared session rolled back around these tests."""
    yield


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """(base URL, app) of a server on 127.0.0.1 with the demo loaded on its own database; the app lets a
    journey derive what the demo's people would get by mail (their feedback link)."""
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
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if drop:
        drop()


@pytest.fixture(scope="module")
def live_server(live_app):
    return live_app[0]


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
