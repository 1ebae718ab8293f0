"""Helpers of the tests that run two transactions at once on PostgreSQL, one held while the other is seen waiting."""
import time

from sqlalchemy import text


def backend_pid(session) -> int:
    """The PostgreSQL server process of ``session``'s connection (opening its transaction if need be)."""
    return session.connection().connection.dbapi_connection.info.backend_pid


def wait_until_blocked(engine, pid: int, timeout: float = 10) -> None:
    """Return once the server process ``pid`` waits for a lock another transaction holds (a row, or an advisory
    lock); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            if watcher.scalar(text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                              {"pid": pid}) == "Lock":
                return
            watcher.rollback()  # a new snapshot of the statistics on every look
            time.sleep(0.01)
    raise AssertionError(f"server process {pid} never waited for a lock")
