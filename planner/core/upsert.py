"""Insert-if-absent that works the same on SQLite and PostgreSQL."""
from sqlalchemy.dialects import postgresql, sqlite

from planner.extensions import db


def insert_ignoring_conflicts(model, values: dict, conflict_columns: list[str]) -> None:
    """Insert a row unless one with the same ``conflict_columns`` exists (no error either way)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict_columns)
    db.session.execute(statement)
