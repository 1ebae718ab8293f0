"""Run a people CSV import through the planner's pages in this process, and SIGKILL the process once a number of
people have been written (inserted, not committed): a crash in the middle of the import's one transaction.

    python -m tests.faults.import_until_killed DATABASE_URL PROGRAMME_ID CSV_FILE EMAIL PASSWORD KILL_AFTER

KILL_AFTER 0 runs the import to its end and prints the confirm request's status and where it redirects.
The configuration comes from the environment (PLANNER_ENV=testing), as for any planner process.

On SQLite the page cache is made small (256 KiB instead of 2 MiB), so the unfinished transaction's pages spill
into the WAL file before the kill, as they do for any import larger than the cache: the crash leaves
uncommitted frames on disk for the next opener to recover past, not only a transaction that lived in memory.
"""
import os
import re
import signal
import sys
import time
from html import unescape
from io import BytesIO
from pathlib import Path

from sqlalchemy import event

from planner import create_app
from planner.extensions import db
from planner.people.models import Person


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def _csv_text(page: str) -> str:
    match = re.search(r'<input[^>]*name="csv_text"[^>]*value="([^"]*)"', page)
    assert match, "no confirm form in the preview"
    return unescape(match.group(1))


def kill_after_people(limit: int) -> None:
    """SIGKILL this process right after the INSERT that brings the people written to ``limit``.

    The ORM's ``after_insert`` runs once per person after the statement that wrote it was executed, whether
    people are inserted one by one or many to a statement, so the kill always comes with rows on the server."""
    written = 0

    @event.listens_for(Person, "after_insert")
    def count(mapper, connection, target):
        nonlocal written
        written += 1
        if written >= limit:
            print(f"killing after {written} people", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)


def small_page_cache(engine, kib: int = 256) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.execute(f"PRAGMA cache_size=-{kib}")


def main(database_url: str, programme_id: int, csv_file: Path, email: str, password: str, kill_after: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    if database_url.startswith("sqlite"):
        with app.app_context():
            small_page_cache(db.engine)
    if kill_after:
        kill_after_people(kill_after)
    client = app.test_client()
    login = client.post("/login", data={"email": email, "password": password,
                                        "csrf_token": _token(client.get("/login").get_data(as_text=True))})
    assert login.status_code == 302, login.status_code
    url = f"/programmes/{programme_id}/people/import"
    started = time.monotonic()
    preview = client.post(url, content_type="multipart/form-data", data={
        "file": (BytesIO(csv_file.read_bytes()), csv_file.name),
        "csrf_token": _token(client.get(url).get_data(as_text=True))})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[:3000]
    print(f"preview took {time.monotonic() - started:.1f} s", flush=True)
    started = time.monotonic()
    response = client.post(f"{url}/confirm", data={"csrf_token": _token(page), "csv_text": _csv_text(page)})
    print(f"confirm answered {response.status_code} {response.headers.get('Location', '')}", flush=True)
    print(f"confirm took {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    url, programme, path, user, secret, limit = sys.argv[1:7]
    main(url, int(programme), Path(path), user, secret, int(limit))
