"""``flask backup`` and ``flask restore`` (QUALITY.md item 17).

The SQLite tests use their own database file and app: the backup must be taken while another
connection keeps writing, which the shared, rolled-back test database cannot show.
"""
import json
import os
import sqlite3
import threading
import time

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import text

from planner import ROOT, create_app
from planner.demo.loader import load_demo
from planner.extensions import db

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
HEAD = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
TABLES = ["programme", "department", "region", "person", "user_account", "membership", "audit_event",
          "login_throttle"]


@pytest.fixture(autouse=True)
def _rolled_back():
    """These tests own their database: no shared session rolled back around them."""
    yield


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.db'}"})
    with app.app_context():
        upgrade()
        load_demo("a demo password")
        db.session.commit()
        # enough history that the copy takes several steps of the backup API (256 pages each)
        padding = json.dumps({"notes": ["x" * 200] * 10})
        db.session.execute(text(
            "INSERT INTO audit_event (occurred_at, actor_label, action, object_type, object_id,"
            " object_label, changes) VALUES ('2026-01-01 00:00:00', 'system', 'update', 'Filler', :n, 'Filler',"
            " :changes)"), [{"n": n, "changes": padding} for n in range(1500)])
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _counts(connection) -> dict[str, int]:
    return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


def _live_counts(app) -> dict[str, int]:
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            return _counts(connection.driver_connection)
        finally:
            connection.close()


class Writer(threading.Thread):
    """Keeps writing pairs of rows, one pair per transaction, until stopped."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app = app
        self.stop = threading.Event()
        self.written = 0
        self.errors: list[BaseException] = []

    def run(self):
        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    with db.engine.begin() as connection:
                        n = self.written
                        connection.execute(text(
                            "INSERT INTO login_throttle (key, failure_count, window_started_at)"
                            " VALUES (:key, 0, '2026-01-01 00:00:00')"), {"key": f"writer:{n}"})
                        connection.execute(text(
                            "INSERT INTO audit_event (occurred_at, actor_label, action, object_type, object_id,"
                            " object_label, changes) VALUES ('2026-01-01 00:00:00', 'writer', 'create',"
                            " 'Writer', :n, 'Writer', '{}')"), {"n": n})
                    self.written += 1
                    time.sleep(0.001)
        except BaseException as error:  # reported by the test
            self.errors.append(error)

    def finish(self):
        self.stop.set()
        self.join(timeout=30)
        assert not self.is_alive()
        assert self.errors == []


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite backup API")
def test_backup_while_in_use_then_restore(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    backup_path = tmp_path / "backups" / "planner-backup.db"
    writer = Writer(sqlite_app)
    writer.start()
    try:
        while writer.written < 20 and not writer.errors:
            time.sleep(0.005)
        written_before = writer.written
        result = runner.invoke(args=["backup", str(backup_path)])
        written_after = writer.written
    finally:
        writer.finish()
    assert result.exit_code == 0, result.output
    assert f"to {backup_path}" in result.output
    assert written_after > written_before, "the writer was not writing during the backup"

    backup = sqlite3.connect(backup_path)
    try:
        assert backup.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert backup.execute("PRAGMA foreign_key_check").fetchall() == []
        assert backup.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
        backed_up = _counts(backup)
        # the snapshot is transactional: each writer transaction is in it whole or not at all
        pairs = backup.execute("SELECT count(*) FROM audit_event WHERE object_type = 'Writer'").fetchone()[0]
    finally:
        backup.close()
    assert {table: backed_up[table] for table in ("programme", "department", "region", "user_account",
                                                  "membership")} == {
        "programme": 1, "department": 8, "region": 7, "user_account": 6, "membership": 5}
    assert backed_up["person"] == 300
    assert backed_up["login_throttle"] == pairs
    # (+1: a transaction may be committed before the writer counts it)
    assert written_before <= pairs <= written_after + 1

    # changes made after the backup: the writer's last rows, and one more person
    with sqlite_app.app_context():
        db.session.execute(text("DELETE FROM membership"))
        db.session.execute(text(
            "INSERT INTO person (programme_id, full_name, email, job_role, is_super_user, created_at, updated_at,"
            " version) SELECT id, 'After Backup', 'after@example.com', '', 0, '2026-01-01', '2026-01-01', 1"
            " FROM programme"))
        db.session.commit()
    changed = _live_counts(sqlite_app)
    assert changed != backed_up

    result = runner.invoke(args=["restore", str(backup_path), "--yes"])
    assert result.exit_code == 0, result.output
    assert _live_counts(sqlite_app) == backed_up

    with sqlite_app.app_context():
        assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert db.session.execute(text("SELECT count(*) FROM person WHERE email = 'after@example.com'")).scalar() == 0
        db.session.rollback()
    assert sqlite_app.test_client().get("/healthz").status_code == 200


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite backup API")
def test_restore_asks_before_replacing_everything(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    backup_path = tmp_path / "backup.db"
    assert runner.invoke(args=["backup", str(backup_path)]).exit_code == 0
    before = _live_counts(sqlite_app)
    with sqlite_app.app_context():
        db.session.execute(text("DELETE FROM membership"))
        db.session.commit()

    result = runner.invoke(args=["restore", str(backup_path)], input="n\n")
    assert result.exit_code != 0
    assert _live_counts(sqlite_app)["membership"] == 0

    assert runner.invoke(args=["restore", str(backup_path)], input="y\n").exit_code == 0
    assert _live_counts(sqlite_app) == before


@pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL")
def test_backup_on_postgresql_points_to_pg_dump(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["TEST_DATABASE_URL"]})
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["backup", str(tmp_path / "planner.db")])
        assert result.exit_code != 0
        assert "pg_dump" in result.output
        assert not (tmp_path / "planner.db").exists()

        (tmp_path / "planner.dump").write_bytes(b"")
        result = runner.invoke(args=["restore", str(tmp_path / "planner.dump"), "--yes"])
        assert result.exit_code != 0
        assert "pg_restore" in result.output
    finally:
        with app.app_context():
            db.engine.dispose()
