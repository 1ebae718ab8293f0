"""SQLite connection settings and IMMEDIATE write transactions (QUALITY.md item 15).

These tests run on their own SQLite file and app: they need real, separate connections, which
the shared test database (one connection, rolled back) cannot give.
"""
import os
import re
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from planner import create_app
from planner.core.sqlite import BUSY_TIMEOUT_MS, _begin_statement
from planner.extensions import db
from tests.conftest import csrf_token_from

pytestmark = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite only")


@pytest.fixture(autouse=True)
def _rolled_back():
    """These tests own their database: no shared session rolled back around them."""
    yield


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'settings.db'}"})
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _settings(driver_connection) -> tuple:
    return tuple(driver_connection.execute(f"PRAGMA {name}").fetchone()[0]
                 for name in ("journal_mode", "busy_timeout", "foreign_keys"))


def test_every_connection_has_wal_busy_timeout_and_foreign_keys(sqlite_app):
    with sqlite_app.app_context():
        # several connections held at once, so the pool has to open distinct ones; the first is
        # likely the one the migrations used (they switch foreign keys off and on again)
        connections = [db.engine.raw_connection() for _ in range(3)]
        try:
            assert len({id(c.driver_connection) for c in connections}) == 3
            for connection in connections:
                assert _settings(connection.driver_connection) == ("wal", BUSY_TIMEOUT_MS, 1)
        finally:
            for connection in connections:
                connection.close()
        assert BUSY_TIMEOUT_MS > 0
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.rollback()


def test_foreign_keys_are_enforced(sqlite_app):
    with sqlite_app.app_context(), db.engine.connect() as connection:
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            connection.execute(text(
                "INSERT INTO region (programme_id, name, tier, time_zone, headcount, site_notes, created_at,"
                " updated_at, version) VALUES (424242, 'Nowhere', 'key', 'UTC', 0, '', '2026-01-01',"
                " '2026-01-01', 1)"))
        connection.rollback()


def test_begin_statement_depends_on_request_method(sqlite_app):
    with sqlite_app.app_context():
        assert _begin_statement() == "BEGIN IMMEDIATE"  # CLI and other work outside a request
    for method in ("GET", "HEAD", "OPTIONS"):
        with sqlite_app.test_request_context("/", method=method):
            assert _begin_statement() == "BEGIN"
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        with sqlite_app.test_request_context("/", method=method):
            assert _begin_statement() == "BEGIN IMMEDIATE"


@pytest.fixture
def begins(sqlite_app):
    """The BEGIN statements sent to the database while the test runs."""
    with sqlite_app.app_context():
        engine = db.engine
    sent: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if re.match(r"\s*BEGIN", statement, re.I):
            sent.append(statement.strip().upper())

    event.listen(engine, "before_cursor_execute", before)
    yield sent
    event.remove(engine, "before_cursor_execute", before)


def test_get_requests_begin_deferred_and_posts_begin_immediate(sqlite_app, begins):
    client = sqlite_app.test_client()
    page = client.get("/login")
    assert client.get("/healthz").status_code == 200
    assert begins and set(begins) == {"BEGIN"}

    begins.clear()
    # a failed login writes the throttle counter: a write transaction inside a POST request
    response = client.post("/login", data={"email": "nobody@example.com", "password": "wrong password 123",
                                           "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert response.status_code == 401
    assert begins and set(begins) == {"BEGIN IMMEDIATE"}


def test_work_outside_a_request_begins_immediate(sqlite_app, begins):
    with sqlite_app.app_context():
        db.session.execute(text("SELECT count(*) FROM programme"))
        db.session.rollback()
    assert begins == ["BEGIN IMMEDIATE"]


def test_concurrent_read_then_write_transactions_never_fail_locked(sqlite_app):
    """Two workers each read a counter and write it back, 50 times: nothing is locked or lost.

    With deferred transactions the second writer would fail at once with "database is locked"
    (a read snapshot cannot be upgraded to a write in WAL mode, whatever the busy timeout).
    """
    with sqlite_app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)"))
            connection.execute(text("INSERT INTO counter (id, value) VALUES (1, 0)"))
    workers, rounds = 2, 50
    start = threading.Barrier(workers)
    errors: list[BaseException] = []
    committed = [0] * workers

    def work(index: int) -> None:
        try:
            with sqlite_app.app_context():
                start.wait()
                for _ in range(rounds):
                    with db.engine.begin() as connection:
                        value = connection.execute(text("SELECT value FROM counter WHERE id = 1")).scalar()
                        connection.execute(text("UPDATE counter SET value = :value WHERE id = 1"),
                                           {"value": value + 1})
                    committed[index] += 1
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert committed == [rounds] * workers
    with sqlite_app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("SELECT value FROM counter WHERE id = 1")).scalar() == workers * rounds
