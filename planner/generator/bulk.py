"""Bulk rows through SQLAlchemy Core: one ``INSERT`` per batch instead of one ORM object (and audit row) each.

Column defaults declared in Python (``created_at``, ``updated_at``, ``version``) are filled in by Core; every
other column a service would set is given by the caller."""
from sqlalchemy import insert, text

from planner.extensions import db

BATCH_SIZE = 2000


def insert_rows(model, rows: list[dict]) -> int:
    """Insert ``rows`` into ``model``'s table in batches; returns how many were written."""
    table = model.__table__
    for start in range(0, len(rows), BATCH_SIZE):
        db.session.execute(insert(table), rows[start:start + BATCH_SIZE])
    return len(rows)


def insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` and return their new ids in the order of ``rows`` (SQLite and PostgreSQL both return
    them from one statement per batch)."""
    table = model.__table__
    ids: list[int] = []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    for start in range(0, len(rows), BATCH_SIZE):
        ids.extend(db.session.scalars(statement, rows[start:start + BATCH_SIZE]).all())
    return ids


def refresh_statistics(*models) -> None:
    """On PostgreSQL, update the planner statistics of tables that just received bulk rows (inside the
    transaction), so the queries that follow in it (the wave gate's training evidence) pick sensible plans."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        db.session.execute(text(f"ANALYZE {model.__table__.name}"))
