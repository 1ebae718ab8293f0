"""Fault 4 (issue 9 item 5): a backup taken while the planner keeps writing restores to a consistent database.

A writer thread keeps saving through the planner's pages (the people forms, each save its own request and
transaction): it adds a person, then edits one fixed person, again and again, and logs every state it has
committed as (people added, edits made). Meanwhile the database is backed up the way README says: SQLite with
``flask --app planner backup PATH`` (a subprocess), PostgreSQL with ``pg_dump --format=custom``. The writer is
stopped, the backup is restored into a fresh location (``flask --app planner restore`` into a new file;
``pg_restore`` into a new database ``planner_restore_<random>``, dropped afterwards), and:

- the restored database is at the head Alembic revision;
- it is one committed state of the writer, whole: its (people added, edits made), read from the restored rows,
  is in the writer's log, and the row count of every table is exactly what that state implies (each add and each
  edit changes counts by amounts measured once before the writer starts), but for the kept kinds, which are
  not one row per write: they equal the kinds worked out from the restored rows, as the kept progress does;
- the planner starts on it and serves the people page (200) to the project manager.

Complements tests/core/test_backup.py, which writes through raw SQL on SQLite only.
"""
import os
import re
import secrets
import subprocess
import threading
import time

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from planner import create_app
from planner.extensions import db
from planner.people import services as people_services
from planner.programmes.models import Programme
from tests.conftest import (
    assert_training_kinds_kept, assert_training_misses_kept, assert_training_progress_kept, csrf_token_from, log_in,
)
from tests.faults.helpers import (
    HEAD, ON_POSTGRES, PM_EMAIL, ROOT, alembic_revisions, database_url_of, flask_command, planner_env,
    seed_programme, table_counts,
)

#: the writer has committed at least this many states before the backup starts, and keeps going after it
WARM_UP_STATES = 10
AFTER_BACKUP_STATES = 5
#: kept tables whose rows are not one per write (a kind of person holds many people): checked against the rows
#: they are worked out from instead of counted
NOT_COUNTED = {"training_kind"}


class PageWriter(threading.Thread):
    """Saves through the people pages until stopped: add a person, edit the fixed one, add, edit, ...

    ``log`` holds every committed state (people added, edits made), in order; a state is logged once its request
    has answered with the redirect that follows a successful save, so its transaction is committed."""

    def __init__(self, app, programme_id: int, edited_id: int):
        super().__init__(daemon=True)
        self.client = app.test_client()
        self.programme_id, self.edited_id = programme_id, edited_id
        self.added = self.edits = 0
        self.log: list[tuple[int, int]] = []
        self.stopping = threading.Event()
        self.errors: list[BaseException] = []

    def add(self) -> None:
        url = f"/programmes/{self.programme_id}/people/new"
        token = csrf_token_from(self.client.get(url).get_data(as_text=True))
        n = self.added + 1
        self._save(url, {"csrf_token": token, "full_name": f"Written Person {n}", "email": f"written{n}@example.org",
                         "department_id": "", "job_role": "Sales", "region_id": ""})
        self.added = n
        self.log.append((self.added, self.edits))

    def edit(self) -> None:
        url = f"/programmes/{self.programme_id}/people/{self.edited_id}/edit"
        page = self.client.get(url).get_data(as_text=True)
        version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
        n = self.edits + 1
        self._save(url, {"csrf_token": csrf_token_from(page), "version": version, "full_name": "Edited Person",
                         "email": "edited@example.org", "department_id": "", "job_role": f"Role {n}",
                         "region_id": ""})
        self.edits = n
        self.log.append((self.added, self.edits))

    def _save(self, url: str, data: dict) -> None:
        response = self.client.post(url, data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                self.add()
                self.edit()
        except BaseException as error:  # reported by the test
            self.errors.append(error)

    def wait_for(self, states: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.log) < states:
            assert not self.errors, self.errors
            assert time.monotonic() < deadline, f"the writer committed only {len(self.log)} states"
            time.sleep(0.01)

    def finish(self) -> None:
        self.stopping.set()
        self.join(timeout=60)
        assert not self.is_alive()
        assert self.errors == []


def state_of(engine, edited_id: int) -> tuple[int, int]:
    """(people added, edits made) as the rows of a database tell it."""
    with engine.connect() as connection:
        added = connection.execute(text(
            "SELECT count(*) FROM person WHERE email LIKE 'written%@example.org'")).scalar_one()
        version, job_role = connection.execute(text("SELECT version, job_role FROM person WHERE id = :id"),
                                               {"id": edited_id}).one()
    edits = version - 1
    assert job_role == (f"Role {edits}" if edits else "Sales"), "the edited person's row and version disagree"
    return added, edits


def counts_after(base: dict, per_add: dict, per_edit: dict, state: tuple[int, int]) -> dict:
    added, edits = state
    return {table: base[table] + added * per_add[table] + edits * per_edit[table] for table in base
            if table not in NOT_COUNTED}


def counted(counts: dict) -> dict:
    return {table: count for table, count in counts.items() if table not in NOT_COUNTED}


@pytest.fixture
def live(make_fresh_app):
    """The live planner on a fresh database: a programme, its project manager and one person to edit."""
    app = make_fresh_app()
    programme_id = seed_programme(app)
    with app.app_context():
        edited = people_services.create_person(db.session.get(Programme, programme_id), full_name="Edited Person",
                                               email="edited@example.org", department_id=None, job_role="Sales",
                                               region_id=None, is_super_user=False)
        db.session.commit()
        edited_id = edited.id
    return app, programme_id, edited_id


@pytest.fixture
def restored_databases():
    """PostgreSQL databases created for a restore; each is dropped at the end."""
    admin_url = make_url(os.environ["TEST_DATABASE_URL"]) if ON_POSTGRES else None
    created: list[str] = []

    def create() -> str:
        name = f"planner_restore_{secrets.token_hex(4)}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        created.append(name)
        return admin_url.set(database=name).render_as_string(hide_password=False)

    yield create
    for name in created:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def back_up(live_url: str, tmp_path) -> tuple[str, object]:
    """Back up the live database as README says; returns the file and the command's output."""
    if ON_POSTGRES:
        path = tmp_path / "planner.dump"
        result = subprocess.run(["pg_dump", "--format=custom", f"--file={path}", libpq_url(live_url)],
                                capture_output=True, text=True, timeout=300)
    else:
        path = tmp_path / "backups" / "planner-backup.db"
        result = subprocess.run(flask_command("backup", str(path)), cwd=ROOT, env=planner_env(live_url),
                                capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert path.is_file() and path.stat().st_size > 0
    return path, result


def restore(backup_path, tmp_path, restored_databases) -> str:
    """Restore the backup into a fresh location; returns the restored database's URL."""
    if ON_POSTGRES:
        url = restored_databases()
        result = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq_url(url)}",
                                 str(backup_path)], capture_output=True, text=True, timeout=300)
    else:
        url = f"sqlite:///{tmp_path / 'restored' / 'planner.db'}"
        (tmp_path / "restored").mkdir()
        result = subprocess.run(flask_command("restore", str(backup_path), "--yes"), cwd=ROOT,
                                env=planner_env(url), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return url


def test_backup_under_write_load_restores_one_committed_state_at_head(live, tmp_path, restored_databases):
    app, programme_id, edited_id = live
    live_engine = create_engine(database_url_of(app), poolclass=NullPool)
    writer = PageWriter(app, programme_id, edited_id)
    log_in(writer.client, PM_EMAIL)

    # what one add and one edit change, table by table (every table), measured before the load starts
    base = table_counts(live_engine)
    writer.add()
    after_add = table_counts(live_engine)
    writer.edit()
    after_edit = table_counts(live_engine)
    per_add = {table: after_add[table] - base[table] for table in base}
    per_edit = {table: after_edit[table] - after_add[table] for table in base}
    assert per_add["person"] == 1 and per_add["audit_event"] >= 1 and per_edit["person"] == 0
    assert per_edit["audit_event"] == 1
    assert counts_after(base, per_add, per_edit, state_of(live_engine, edited_id)) == counted(after_edit)

    writer.start()
    try:
        writer.wait_for(WARM_UP_STATES)
        states_before = len(writer.log)
        backup_path, _output = back_up(database_url_of(app), tmp_path)
        states_during = len(writer.log) - states_before
        writer.wait_for(len(writer.log) + AFTER_BACKUP_STATES)
    finally:
        writer.finish()
    assert states_during > 0, "the writer was not writing while the backup was taken"
    final_state = writer.log[-1]
    assert state_of(live_engine, edited_id) == final_state
    assert counted(table_counts(live_engine)) == counts_after(base, per_add, per_edit, final_state)
    live_engine.dispose()

    restored_url = restore(backup_path, tmp_path, restored_databases)
    restored_engine = create_engine(restored_url, poolclass=NullPool)
    try:
        assert alembic_revisions(restored_engine) == [HEAD]
        state = state_of(restored_engine, edited_id)
        assert state in writer.log, f"{state} is not a state the writer committed"
        assert writer.log.index(state) >= states_before - 1, "the backup is older than the moment it was started"
        assert state != final_state, "the backup holds writes committed after it finished"
        assert counted(table_counts(restored_engine)) == counts_after(base, per_add, per_edit, state)
        with restored_engine.connect() as connection:
            assert_training_progress_kept(connection)
            assert_training_kinds_kept(connection)
            assert_training_misses_kept(connection)
        if not ON_POSTGRES:
            with restored_engine.connect() as connection:
                assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        restored_engine.dispose()

    # the planner starts on the restored database and serves its pages
    restored_app = create_app({"SQLALCHEMY_DATABASE_URI": restored_url})
    try:
        client = restored_app.test_client()
        log_in(client, PM_EMAIL)
        page = client.get(f"/programmes/{programme_id}/people")
        assert page.status_code == 200
        assert "Edited Person" in page.get_data(as_text=True)
        assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    finally:
        with restored_app.app_context():
            db.session.remove()
            db.engine.dispose()
