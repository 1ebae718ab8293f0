"""Online backup of the SQLite database while the planner is running."""
import sqlite3
from pathlib import Path

from sqlalchemy.engine import Engine


class BackupNotSupported(Exception):
    pass


def backup_sqlite(engine: Engine, target: Path) -> int:
    """Copy the live database to ``target`` with SQLite's backup API; returns the pages copied.

    The copy is made in one step: in WAL mode a reader does not block writers, and a stepwise
    copy would restart every time another connection writes between steps.
    """
    if engine.dialect.name != "sqlite":
        raise BackupNotSupported(
            "This database is PostgreSQL: back it up with pg_dump, for example\n"
            "  pg_dump --format=custom --file=planner.dump \"$DATABASE_URL\"\n"
            "and restore with pg_restore --clean --dbname=...")
    source_path = engine.url.database
    if not source_path or source_path == ":memory:":
        raise BackupNotSupported("An in-memory database cannot be backed up.")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    source = sqlite3.connect(source_path)
    destination = sqlite3.connect(str(target))
    pages = 0

    def progress(status, remaining, total):
        nonlocal pages
        pages = total

    try:
        with destination:
            source.backup(destination, pages=-1, progress=progress)
    finally:
        destination.close()
        source.close()
    return pages


def restore_sqlite(engine: Engine, source: Path) -> None:
    """Replace the live SQLite database's contents with a backup file, page by page."""
    if engine.dialect.name != "sqlite":
        raise BackupNotSupported("This database is PostgreSQL: restore it with pg_restore.")
    source = Path(source)
    if not source.is_file():
        raise FileNotFoundError(f"No backup file at {source}")
    engine.dispose()
    backup = sqlite3.connect(str(source))
    live = sqlite3.connect(engine.url.database)
    try:
        with live:
            backup.backup(live)
    finally:
        live.close()
        backup.close()
