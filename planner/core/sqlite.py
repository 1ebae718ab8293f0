"""SQLite connection settings: WAL, a busy timeout, foreign keys, and IMMEDIATE write transactions.

Python's sqlite3 driver opens transactions lazily and DEFERRED, so two gunicorn workers that both
read then write can deadlock into "database is locked". We take over BEGIN: requests that may
write (anything but GET/HEAD/OPTIONS) and work outside a request (CLI) begin IMMEDIATE, which
takes the write lock up front and waits on the busy timeout instead of failing.
"""
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 15_000
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _begin_statement() -> str:
    if has_request_context() and request.method in READ_ONLY_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def configure_sqlite_engine(engine: Engine) -> None:
    """Attach the connection and transaction hooks to a SQLite engine."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql(_begin_statement())
