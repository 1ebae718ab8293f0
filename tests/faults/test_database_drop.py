"""Fault 2 (issue 9 item 5): the database connection is lost in the middle of a request.

PostgreSQL: the request's own server connection is terminated (``pg_terminate_backend`` from a second
connection, waiting until the backend is gone) at a chosen statement of a real request: the region's INSERT
(inside the view) or the audit event's INSERT (flushed by the commit at the request boundary). The answer is the
app's clean error page (503, no internals) or, for API and JSON clients, a JSON error; nothing of the request
is written; and the next request on the same app works. A connection killed while idle in the pool is replaced
before use (``pool_pre_ping``), so the next request does not fail at all.

SQLite: another process holds the database's write lock (or, in exclusive locking mode, every lock) past the
busy timeout; the request gets the same clean 503 without waiting a second time, and once the lock is released
the same request succeeds.
"""
import re
import subprocess
import sys
import textwrap

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.pool import NullPool

from planner import create_app
from planner.api import tokens as api_tokens
from planner.auth.models import User
from planner.config import Config
from planner.extensions import db
from planner.programmes.models import Region
from tests.conftest import csrf_token_from, log_in
from tests.faults.helpers import ON_POSTGRES, PM_EMAIL, database_url_of, seed_programme

REGION = {"name": "Atlantis", "tier": "pilot", "time_zone": "Europe/Berlin", "headcount": "12", "site_notes": ""}
API_REGION = {"name": "Atlantis", "tier": "pilot", "time_zone": "Europe/Berlin", "headcount": 12}
#: what must never reach a visitor: exception names, driver messages, SQL
INTERNALS = re.compile(r"Traceback|OperationalError|psycopg|sqlite3|terminating connection|database is locked|"
                       r"INSERT INTO|SELECT ", re.I)
UNAVAILABLE = "The database did not answer. Nothing was saved. Please try again in a moment."


# --- shared checks --------------------------------------------------------------------------------------------

def assert_clean_page(response, status: int = 503) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'class="error-page"' in page and f"Error {status}" in page
    assert UNAVAILABLE in page
    assert not INTERNALS.search(page), INTERNALS.search(page)
    assert "Content-Security-Policy" in response.headers, "the error page keeps the security headers"


def assert_clean_json(response, status: int = 503, *, api: bool) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ({"error", "message", "fields"} if api else {"error", "message"})
    assert body["message"] == UNAVAILABLE
    assert not INTERNALS.search(response.get_data(as_text=True))


def region_rows(app) -> list[str]:
    """Region names and audit entries about regions, read on a connection of their own."""
    engine = create_engine(database_url_of(app), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            names = list(connection.execute(select(Region.name).order_by(Region.id)).scalars())
            audits = connection.execute(text("SELECT count(*) FROM audit_event WHERE object_type = 'Region'")).scalar()
            return names + [f"audit:{audits}"]
    finally:
        engine.dispose()


def post_region_form(client, programme_id: int, token: str, **headers):
    return client.post(f"/programmes/{programme_id}/regions/new", data={**REGION, "csrf_token": token},
                       headers=headers)


def region_form_token(client, programme_id: int) -> str:
    return csrf_token_from(client.get(f"/programmes/{programme_id}/regions/new").get_data(as_text=True))


def api_token(app) -> str:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == PM_EMAIL))
        _row, token = api_tokens.create_api_token(user, "fault test")
        db.session.commit()
        return token


# --- PostgreSQL: the request's own connection is terminated ---------------------------------------------------

class BackendKiller:
    """Terminates the server process of the connection that is about to run a statement starting with
    ``statement``, once armed; the statement then runs on the dead connection, as after a server restart."""

    def __init__(self, app):
        self.admin = create_engine(database_url_of(app), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with app.app_context():
            self.engine = db.engine
        self.statement: str | None = None
        self.killed: list[int] = []
        event.listen(self.engine, "before_cursor_execute", self._before)

    def arm(self, statement: str) -> None:
        self.statement = statement

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if self.statement and statement.lstrip().upper().startswith(self.statement):
            self.statement = None
            pid = conn.connection.dbapi_connection.info.backend_pid
            self.terminate(pid)
            self.killed.append(pid)

    def terminate(self, pid: int) -> None:
        with self.admin.connect() as connection:  # waits (up to 5 s) until the backend has exited
            assert connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()

    def terminate_all_idle(self) -> int:
        """Terminate every other connection to this database (the app's pooled, idle ones)."""
        with self.admin.connect() as connection:
            return len(connection.execute(text(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()")).all())

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        self.admin.dispose()


@pytest.fixture
def pg_app(make_fresh_app):
    """An app on its own PostgreSQL database that answers as in production: an unhandled error becomes the error
    page, it is not raised into the test (TESTING would propagate it)."""
    if not ON_POSTGRES:
        pytest.skip("terminating a server connection needs PostgreSQL (TEST_DATABASE_URL)")
    app = make_fresh_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.fixture
def killer(pg_app):
    killer = BackendKiller(pg_app)
    yield killer
    killer.close()


@pytest.mark.parametrize("statement", ["INSERT INTO REGION", "INSERT INTO AUDIT_EVENT"],
                         ids=["in-the-view", "at-the-commit"])
def test_connection_killed_during_a_form_save(pg_app, killer, statement):
    programme_id = seed_programme(pg_app)
    client = pg_app.test_client()
    log_in(client, PM_EMAIL)
    token = region_form_token(client, programme_id)

    killer.arm(statement)
    response = post_region_form(client, programme_id, token)
    assert killer.killed, "the connection was not terminated"
    assert_clean_page(response)
    assert "Atlantis" not in response.get_data(as_text=True), "the error page says the region was added"
    assert region_rows(pg_app) == ["audit:0"], "nothing of the request is written"

    # the next requests on the same app work: a page (which does not claim the region was added), then the save
    page = client.get(f"/programmes/{programme_id}/regions")
    assert page.status_code == 200
    assert "Atlantis" not in page.get_data(as_text=True)
    response = post_region_form(client, programme_id, region_form_token(client, programme_id))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert region_rows(pg_app) == ["Atlantis", "audit:1"]


@pytest.mark.parametrize("statement", ["INSERT INTO REGION", "INSERT INTO AUDIT_EVENT"],
                         ids=["in-the-view", "at-the-commit"])
def test_connection_killed_during_an_api_call_and_a_json_request(pg_app, killer, statement):
    programme_id = seed_programme(pg_app)
    headers = {"Authorization": f"Bearer {api_token(pg_app)}"}
    client = pg_app.test_client()
    url = f"/api/v1/programmes/{programme_id}/regions"

    killer.arm(statement)
    assert_clean_json(client.post(url, json=API_REGION, headers=headers), api=True)
    assert killer.killed
    assert region_rows(pg_app) == ["audit:0"]
    assert client.get(url, headers=headers).status_code == 200
    response = client.post(url, json=API_REGION, headers=headers)
    assert response.status_code == 201, response.get_json()

    # a browser page asked for as JSON answers JSON
    browser = pg_app.test_client()
    log_in(browser, PM_EMAIL)
    form_token = region_form_token(browser, programme_id)
    killer.arm(statement)
    response = browser.post(f"/programmes/{programme_id}/regions/new", headers={"Accept": "application/json"},
                            data={**REGION, "name": "Lemuria", "csrf_token": form_token})
    assert_clean_json(response, api=False)
    assert region_rows(pg_app) == ["Atlantis", "audit:1"]


def test_connections_killed_while_idle_in_the_pool_are_replaced_before_use(pg_app, killer):
    programme_id = seed_programme(pg_app)
    client = pg_app.test_client()
    log_in(client, PM_EMAIL)
    assert client.get(f"/programmes/{programme_id}/regions").status_code == 200

    assert killer.terminate_all_idle() >= 1, "the app had no pooled connection to lose"
    assert client.get(f"/programmes/{programme_id}/regions").status_code == 200
    response = post_region_form(client, programme_id, region_form_token(client, programme_id))
    assert response.status_code == 302
    assert region_rows(pg_app) == ["Atlantis", "audit:1"]


# --- SQLite: another process holds the lock past the busy timeout ---------------------------------------------

#: holds a lock on the database until a line arrives on stdin (``exclusive``: no reader gets in either)
LOCK_HOLDER = textwrap.dedent("""
    import sqlite3, sys
    connection = sqlite3.connect(sys.argv[1], isolation_level=None)
    if sys.argv[2] == "exclusive":
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
    connection.execute("BEGIN EXCLUSIVE")
    connection.execute("INSERT INTO login_throttle (key, failure_count, window_started_at)"
                       " VALUES ('lock holder', 0, '2026-01-01 00:00:00')")
    print("locked", flush=True)
    sys.stdin.readline()
    connection.execute("ROLLBACK")
    connection.close()
    print("released", flush=True)
""")


class LockHolder:
    def __init__(self, path: str, mode: str):
        self.process = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, path, mode], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "locked", self.process.communicate()

    def release(self) -> None:
        out, err = self.process.communicate("\n", timeout=30)
        assert (self.process.returncode, out.strip()) == (0, "released"), err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


@pytest.fixture
def sqlite_app(tmp_path, monkeypatch):
    """An app on its own SQLite file whose waits for a lock last 0.3 s instead of 15 s (the busy timeout) and 5 s
    (the driver's, until the busy timeout is set): the lock is real, the wait shorter. Errors answer as in
    production."""
    if ON_POSTGRES:
        pytest.skip("the lock-holding fault is SQLite's")
    monkeypatch.setattr("planner.core.sqlite.BUSY_TIMEOUT_MS", 300)
    engine_options = {**Config.SQLALCHEMY_ENGINE_OPTIONS, "connect_args": {"timeout": 0.3}}
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'planner.db'}",
                      "PROPAGATE_EXCEPTIONS": False, "SQLALCHEMY_ENGINE_OPTIONS": engine_options})
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def lock_holders():
    holders: list[LockHolder] = []

    def hold(app, mode: str) -> LockHolder:
        holder = LockHolder(database_url_of(app).removeprefix("sqlite:///"), mode)
        holders.append(holder)
        return holder

    yield hold
    for holder in holders:
        holder.kill()


def test_sqlite_write_lock_held_past_the_busy_timeout(sqlite_app, lock_holders):
    programme_id = seed_programme(sqlite_app)
    client = sqlite_app.test_client()
    log_in(client, PM_EMAIL)
    token = region_form_token(client, programme_id)
    headers = {"Authorization": f"Bearer {api_token(sqlite_app)}"}

    holder = lock_holders(sqlite_app, "write")
    assert client.get(f"/programmes/{programme_id}/regions").status_code == 200, "readers are not blocked"
    assert_clean_page(post_region_form(client, programme_id, token))
    assert_clean_json(client.post(f"/api/v1/programmes/{programme_id}/regions", json=API_REGION, headers=headers),
                      api=True)
    holder.release()

    assert region_rows(sqlite_app) == ["audit:0"]
    response = post_region_form(client, programme_id, token)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert region_rows(sqlite_app) == ["Atlantis", "audit:1"]


def test_sqlite_database_locked_for_readers_too(sqlite_app, lock_holders):
    programme_id = seed_programme(sqlite_app)
    client = sqlite_app.test_client()
    log_in(client, PM_EMAIL)

    with sqlite_app.app_context():
        db.engine.dispose()  # exclusive locking mode needs every other connection closed first
    holder = lock_holders(sqlite_app, "exclusive")
    assert_clean_page(client.get(f"/programmes/{programme_id}/regions"))
    assert_clean_json(client.get(f"/programmes/{programme_id}/regions", headers={"Accept": "application/json"}),
                      api=False)
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()) == (503, {"status": "unavailable", "database": "unreachable"})
    holder.release()

    assert client.get(f"/programmes/{programme_id}/regions").status_code == 200
    assert client.get("/healthz").status_code == 200
    response = post_region_form(client, programme_id, region_form_token(client, programme_id))
    assert response.status_code == 302
    assert region_rows(sqlite_app) == ["Atlantis", "audit:1"]



def test_a_missing_table_is_an_error_of_ours_not_an_outage(tmp_path):
    """Only a database that cannot be reached answers 503 "try again": a release deployed without
    ``flask db upgrade`` (no such table) is a 500, logged as the bug it is."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'never-migrated.db'}",
                      "WTF_CSRF_ENABLED": False, "PROPAGATE_EXCEPTIONS": False})
    try:
        response = app.test_client().post("/login", data={"email": "someone@example.com",
                                                           "password": "a password long enough"})
        assert response.status_code == 500
        assert "Try again in a moment" not in response.get_data(as_text=True)
    finally:
        with app.app_context():
            db.engine.dispose()
