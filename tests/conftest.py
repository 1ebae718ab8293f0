"""Test fixtures: one app and one database per run, every test rolled back.

SQLite by default (a file in a temporary folder); PostgreSQL when TEST_DATABASE_URL is set, in a
fresh database created for this run and dropped at the end. The schema is built by running the
Alembic migrations, so every run also proves they apply.
"""
import os
import re
import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.orm import scoped_session, sessionmaker

os.environ["PLANNER_ENV"] = "testing"
_INSTANCE = tempfile.mkdtemp(prefix="planner-test-instance-")
os.environ["PLANNER_INSTANCE_PATH"] = _INSTANCE

from planner import create_app  # noqa: E402
from planner.extensions import db  # noqa: E402

from tests.factories import Factories  # noqa: E402

#: the app's own session; ``_rolled_back`` swaps it for one joined to the test's transaction
_APP_SESSION = db.session

PASSWORD = "correct horse battery staple"


def _create_postgres_database(admin_url: str) -> tuple[str, callable]:
    """A fresh PostgreSQL database for this run, and a function that drops it."""
    url = make_url(admin_url)
    name = f"planner_test_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if admin_url:
        url, drop = _create_postgres_database(admin_url)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'planner-test.db'}"


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _rolled_back(app):
    """Run each test inside one outer transaction that is rolled back at the end.

    Requests and factories each get their own session (one per app context, as in production),
    all joined to the outer transaction through savepoints, so a request's commit is real to
    the next request yet nothing outlives the test.
    """
    from flask_sqlalchemy.session import _app_ctx_id

    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
                                scopefunc=_app_ctx_id)
    try:
        yield connection
        assert_training_progress_kept(connection)
        assert_training_kinds_kept(connection)
        assert_training_misses_kept(connection)
        assert_enrolment_counts_kept(connection)
    finally:
        db.session = original
        outer.rollback()
        connection.close()


def assert_training_progress_kept(connection) -> None:
    """The kept training progress (planner/training/progress.py) equals the progress worked out from the source
    rows, for what the test committed: checked after every test, so any write path that does not keep it in
    step fails the test that takes it."""
    from sqlalchemy import select

    from planner.programmes.models import Programme
    from planner.training.models import TrainingProgress
    from planner.training.progress import worked_out

    kept = set(map(tuple, connection.execute(select(TrainingProgress.person_id, TrainingProgress.programme_id,
                                         TrainingProgress.needed, TrainingProgress.completed))))
    expected = set()
    for programme_id in connection.execute(select(Programme.id)).scalars():
        expected.update(map(tuple, connection.execute(worked_out(programme_id=programme_id))))
    assert kept == expected, (f"training_progress out of step: kept only {sorted(kept - expected)[:10]}, "
                              f"worked out only {sorted(expected - kept)[:10]}")


def assert_training_kinds_kept(connection) -> None:
    """The kept kinds (people counted per region, department and job role, with their progress) equal the kinds
    worked out from the people and their progress worked out from the source rows, duplicates included."""
    from collections import Counter

    from sqlalchemy import select

    from planner.programmes.models import Programme
    from planner.training.models import TrainingKind
    from planner.people.models import Person
    from planner.training.progress import _KIND_COLUMNS, kinds_of, worked_out

    kept = Counter(map(tuple, connection.execute(select(*(getattr(TrainingKind, name) for name in _KIND_COLUMNS)))))
    expected = Counter()
    for programme_id in connection.execute(select(Programme.id)).scalars():
        progress = worked_out(programme_id=programme_id).subquery()
        expected.update(map(tuple, connection.execute(kinds_of(progress, Person.programme_id == programme_id))))
    assert kept == expected, (f"training_kind out of step: kept only {sorted((kept - expected).elements(), key=repr)[:10]}, "
                              f"worked out only {sorted((expected - kept).elements(), key=repr)[:10]}")


def _assert_kept(connection, model, columns, worked_out) -> None:
    """The rows of the kept table ``model`` (its ``columns``) equal the rows ``worked_out(programme_id)``
    selects from the source rows, over every programme."""
    from sqlalchemy import select

    from planner.programmes.models import Programme

    kept = set(map(tuple, connection.execute(select(*(getattr(model, name) for name in columns)))))
    expected = set()
    for programme_id in connection.execute(select(Programme.id)).scalars():
        expected.update(map(tuple, connection.execute(worked_out(programme_id))))
    assert kept == expected, (f"{model.__tablename__} out of step: kept only {sorted(kept - expected, key=repr)[:10]}, "
                              f"worked out only {sorted(expected - kept, key=repr)[:10]}")


def assert_training_misses_kept(connection) -> None:
    """The kept missed seats equal the ones worked out from the enrolments, sessions and marks."""
    from planner.training.models import TrainingMiss
    from planner.training.progress import MISS_COLUMNS, missed

    _assert_kept(connection, TrainingMiss, MISS_COLUMNS, lambda programme_id: missed(programme_id=programme_id))


def assert_enrolment_counts_kept(connection) -> None:
    """The kept counts of each session's enrolments equal the enrolments counted."""
    from planner.training.models import EnrolmentCount
    from planner.training.progress import COUNT_COLUMNS, counted

    _assert_kept(connection, EnrolmentCount, COUNT_COLUMNS, lambda programme_id: counted(programme_id=programme_id))


@pytest.fixture
def today_is(monkeypatch):
    """Pin the planner's idea of today: ``today_is(date(2026, 6, 15))``."""

    def pin(day):
        monkeypatch.setattr("planner.core.clock._source", lambda: day)

    return pin


@pytest.fixture
def now_is(monkeypatch):
    """Pin the planner's clock (and today's date, in UTC): ``now_is(datetime(2026, 6, 15, 9, tzinfo=UTC))``."""

    def pin(moment):
        monkeypatch.setattr("planner.core.clock._now_source", lambda: moment)
        monkeypatch.setattr("planner.core.clock._source", lambda: moment.date())

    return pin


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factories(app):
    return Factories(app)


@pytest.fixture
def make_programme(factories):
    return factories.programme


@pytest.fixture
def make_user(factories):
    return factories.user


@pytest.fixture
def make_person(factories):
    return factories.person


@pytest.fixture
def login_as(client, factories):
    """Log the test client in as a new user with ``role`` in ``programme`` ("admin" for an admin)."""

    def login(role: str, programme=None, email: str | None = None):
        user = factories.user_with_role(role, programme, email=email)
        log_in(client, user.email)
        return user

    return login


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def log_in(client, email: str, password: str = PASSWORD, remember: bool = False):
    page = client.get("/login")
    data = {"email": email, "password": password, "csrf_token": csrf_token_from(page.get_data(as_text=True))}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def form_post(client, url: str, data: dict, *, page_url: str | None = None, **kwargs):
    """POST a form the way a browser does: fetch the page for its CSRF token first."""
    page = client.get(page_url or url)
    payload = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), **data}
    return client.post(url, data=payload, **kwargs)


@contextmanager
def count_queries(app):
    """Count the SQL statements sent while the block runs (savepoint bookkeeping excluded)."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO|BEGIN|COMMIT|ROLLBACK)", statement, re.I):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def sent_text(row, subtype: str = "plain") -> str:
    """The text (or ``"html"``) body of an outbox message as the mail sender sends it: its secret links filled in
    (``core.outbox_links``; call inside an app context)."""
    from email import message_from_bytes, policy

    from planner.core.outbox_links import contents_to_send

    message = message_from_bytes(contents_to_send([row]).contents[row.id], policy=policy.default)
    return message.get_body((subtype,)).get_content()


@pytest.fixture
def seeds_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "seeds" / "demo"


@pytest.fixture
def make_fresh_app(tmp_path, monkeypatch):
    """Build apps on fresh, migrated databases; everything is disposed and dropped afterwards."""
    from flask_migrate import upgrade

    monkeypatch.delenv("PLANNER_DEMO_PASSWORD", raising=False)
    cleanups = []

    def make():
        assert db.session is _APP_SESSION, \
            "a fresh database needs the app's own session: override _rolled_back in this test module"
        admin_url = os.environ.get("TEST_DATABASE_URL")
        if admin_url:
            url, drop = _create_postgres_database(admin_url)
            cleanups.append(drop)
        else:
            url = f"sqlite:///{tmp_path / f'demo-{len(cleanups)}.db'}"
            cleanups.append(lambda: None)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})

        def dispose():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

        cleanups.append(dispose)
        with app.app_context():
            upgrade()
        return app

    yield make
    for cleanup in reversed(cleanups):
        cleanup()


@pytest.fixture
def demo_app(make_fresh_app):
    """An app on a fresh database with the demo programme loaded by ``flask demo``. The command commits, so a
    module using this overrides ``_rolled_back``; pin the clock (``today_is``/``now_is``) before it if needed."""
    app = make_fresh_app()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return app
