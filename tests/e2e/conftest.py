"""Fixtures of the browser journeys: the demo served on 127.0.0.1 from its own database (SQLite, or a fresh
PostgreSQL database when TEST_DATABASE_URL is set), Debian's Chromium through Playwright (installed with apt-get
when it is missing and we may), and pages that collect console errors and Content-Security-Policy violations: a
journey fails on either, whether or not it asserts them itself."""
import contextlib
import os
import re
import shutil
import subprocess
import threading

import pytest
from flask_migrate import upgrade
from playwright import sync_api as playwright_api
from werkzeug.serving import make_server

from planner import create_app
from planner.extensions import db
from tests.conftest import _create_postgres_database
from tests.e2e.helpers import CHROMIUM, PASSWORD


def _install_chromium(announce) -> str | None:
    """Install Debian's chromium package, quietly (``announce`` says so first); returns why it could not, or None
    once it is there."""
    if os.geteuid() != 0:
        return "the tests do not run as root"
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        return "apt-get is not available"
    announce("Installing Debian's chromium for the browser journeys (apt-get install chromium)")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    wait_for_lock = ["-o", "DPkg::Lock::Timeout=300"]
    for command in ([apt_get, *wait_for_lock, "-qq", "update"],
                    [apt_get, *wait_for_lock, "-y", "-qq", "install", "chromium"]):
        try:
            result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=1200,
                                    check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"{' '.join(command)}: {error}"
        if result.returncode != 0:
            last_lines = " | ".join((result.stderr or result.stdout).strip().splitlines()[-3:])
            return f"{' '.join(command)} exited with {result.returncode}: {last_lines}"
    return None if CHROMIUM.exists() else f"apt-get installed chromium but {CHROMIUM} is still missing"


@pytest.fixture(scope="session", autouse=True)
def chromium(pytestconfig):
    """Debian's Chromium: installed once per run when it is missing (as root, with apt-get). When that cannot be
    done the journeys are skipped, with the reason; under CI (``CI`` set) they fail instead."""
    if not CHROMIUM.exists():
        def announce(line: str) -> None:
            reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
            capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
            if reporter is not None and capture is not None:
                with capture.global_and_fixture_disabled():
                    reporter.write_line(line)

        problem = _install_chromium(announce)
        if problem is not None:
            message = (f"Debian's chromium is missing at {CHROMIUM} and the test setup could not install it "
                       f"({problem}); install it with: apt-get install chromium")
            if os.environ.get("CI"):
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
    return CHROMIUM


@pytest.fixture(autouse=True)
def _rolled_back():
    """The server below owns its database: no shared session rolled back around these tests."""
    yield


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """(base URL, app) of a server on 127.0.0.1 with the demo loaded on its own database; the app lets a
    journey derive what the demo's people would get by mail (their feedback link), arrange what a project manager
    would have set up beforehand, and read back what the browser saved."""
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
def browser(chromium):
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


#: a page that answers 422 (a form sent back with its errors) is logged by Chromium as a failed resource: expected
EXPECTED_CONSOLE_ERROR = re.compile(r"^Failed to load resource: the server responded with a status of 422\b")

#: reports every Content-Security-Policy violation of every document to the test, through a Playwright binding
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
                              + ` in ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""


@pytest.fixture
def page_for(browser):
    """A fresh browser context at a given viewport whose page collects console errors, uncaught exceptions and CSP
    violations in ``page.problems``. Journeys assert it is empty where they like; at the end of the test any
    problem left fails it anyway (a test that provokes one on purpose empties it with ``page.problems.clear()``)."""
    contexts, pages = [], []

    def open_page(width: int, height: int):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        problems = []
        context.expose_binding("__reportCspViolation", lambda _source, text: problems.append(text))
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        pages.append(page)
        page.problems = problems
        page.on("console", lambda message: page.problems.append(message.text)
                if message.type == "error" and not EXPECTED_CONSOLE_ERROR.match(message.text) else None)
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        return page

    yield open_page
    problems = []
    for page in pages:
        if not page.is_closed():
            with contextlib.suppress(playwright_api.Error):
                page.evaluate("() => 1")  # let bindings called by the last page deliver their reports
        problems += [(page.url, problem) for problem in page.problems]
    for context in contexts:
        context.close()
    assert problems == [], f"console errors or CSP violations (page, problem): {problems}"
