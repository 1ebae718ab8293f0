"""Fault 3 (issue 9 item 5): a people CSV import killed halfway through writing.

A 5,000-row people file is imported through the planner's own pages (log in, upload, preview, confirm) in a
subprocess, which SIGKILLs itself right after the 2,500th person has been INSERTed: the import's one transaction
is cut off mid-write with no chance to roll back or close anything (tests/faults/import_until_killed.py; on
SQLite its small page cache makes the unfinished transaction spill into the WAL first). Then:
no row of the file exists in any table, the database is usable (SQLite: no lock left behind, the hot WAL
recovered, integrity intact; PostgreSQL: the dead client's backend gone and its transaction rolled back), and the
same import run again completes with all 5,000 people. On SQLite (file database) and PostgreSQL.
"""
import csv
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from planner.extensions import db
from tests.conftest import PASSWORD
from tests.faults.helpers import (
    ON_POSTGRES, PM_EMAIL, ROOT, database_url_of, engine_for, planner_env, seed_programme, table_counts,
)

ROWS = 5000
KILL_AFTER = 2500
REGIONS = ["North", "South", "East"]
DEPARTMENTS = ["Sales", "Service", "IT"]
#: the WAL the killed import leaves holds well over this (about 1.5 MB; the login before it writes 4 KB)
UNFINISHED_WAL_BYTES = 512 * 1024


def people_csv(folder: Path) -> Path:
    path = folder / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["full_name", "email", "department", "job_role", "region", "is_super_user"])
        for n in range(ROWS):
            writer.writerow([f"Imported Person {n:04d}", f"imported{n:04d}@example.org", DEPARTMENTS[n % 3],
                             "Sales representative" if n % 2 else "Service agent", REGIONS[n % 3],
                             "yes" if n % 50 == 0 else "no"])
    return path


def run_import(database_url: str, programme_id: int, csv_path: Path, kill_after: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tests.faults.import_until_killed", database_url, str(programme_id), str(csv_path),
         PM_EMAIL, PASSWORD, str(kill_after)],
        cwd=ROOT, env=planner_env(database_url), capture_output=True, text=True, timeout=600)


def imported(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            "people": connection.execute(text(
                "SELECT count(*) FROM person WHERE email LIKE 'imported%@example.org'")).scalar_one(),
            "audit": connection.execute(text(
                "SELECT count(*) FROM audit_event WHERE object_type = 'Person' AND action = 'create'")).scalar_one(),
        }


def assert_sqlite_recovered(path: str) -> None:
    """No lock is left (a write transaction begins at once, without waiting), the WAL the killed process left
    is recovered, and the file is intact."""
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        connection.close()


def wait_for_the_dead_clients_backend_to_go(engine, timeout: float = 30) -> None:
    """PostgreSQL notices the closed socket and rolls the killed import's transaction back."""
    deadline = time.monotonic() + timeout
    query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
    while True:
        with engine.connect() as connection:
            if connection.execute(query).scalar_one() == 0:
                return
        assert time.monotonic() < deadline, "the killed import's connection is still open on the server"
        time.sleep(0.1)


def test_import_killed_halfway_leaves_nothing_and_the_same_import_then_completes(make_fresh_app, tmp_path):
    app = make_fresh_app()
    programme_id = seed_programme(app, regions=REGIONS, departments=DEPARTMENTS)
    url = database_url_of(app)
    with app.app_context():
        db.engine.dispose()  # only the import's process is connected while it runs and dies
    engine = engine_for(url)
    csv_path = people_csv(tmp_path)
    before = table_counts(engine)
    engine.dispose()
    wal = Path(url.removeprefix("sqlite:///") + "-wal") if not ON_POSTGRES else None
    wal_before = wal.stat().st_size if wal is not None and wal.exists() else 0

    killed = run_import(url, programme_id, csv_path, KILL_AFTER)
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stdout, killed.stderr[-3000:])
    assert f"killing after {KILL_AFTER} people" in killed.stdout, "killed elsewhere than in the middle of the import"
    assert "confirm answered" not in killed.stdout

    if ON_POSTGRES:
        wait_for_the_dead_clients_backend_to_go(engine)
    else:
        # the killed transaction's pages had spilled into the WAL (uncommitted): recovery must read past them
        assert wal.stat().st_size - wal_before > UNFINISHED_WAL_BYTES, "the unfinished import never reached the file"
        assert_sqlite_recovered(url.removeprefix("sqlite:///"))
    assert imported(engine) == {"people": 0, "audit": 0}, "rows of the interrupted import exist"
    after = table_counts(engine)
    # the import's login committed before the import began: it is on record, as every login is
    assert after.pop("login_session") == before.pop("login_session") + 1
    assert {table: (before[table], count) for table, count in after.items() if count != before[table]} == {}, \
        "the interrupted import (or its login) left rows behind"
    engine.dispose()

    done = run_import(url, programme_id, csv_path, 0)
    assert done.returncode == 0, (done.stdout, done.stderr[-3000:])
    assert f"confirm answered 302 /programmes/{programme_id}/people" in done.stdout
    assert imported(engine) == {"people": ROWS, "audit": ROWS}
    with engine.connect() as connection:
        region, department, super_user = connection.execute(text(
            "SELECT region.name, department.name, person.is_super_user FROM person"
            " JOIN region ON region.id = person.region_id JOIN department ON department.id = person.department_id"
            " WHERE person.email = 'imported4350@example.org'")).one()
    assert (region, department, bool(super_user)) == (REGIONS[4350 % 3], DEPARTMENTS[4350 % 3], True)
    if not ON_POSTGRES:
        assert_sqlite_recovered(url.removeprefix("sqlite:///"))
    engine.dispose()
