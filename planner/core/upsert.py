"""Insert-if-absent that works the same on SQLite and PostgreSQL."""
from sqlalchemy.dialects import postgresql, sqlite

from planner.extensions import db


def insert_ignoring_conflicts(model, values: dict | list[dict], conflict_columns: list[str]) -> None:
    """Insert a row, or several (a list of rows, in one statement), except those for which a row with the same
    ``conflict_columns`` exists (no error either way). On PostgreSQL a row another transaction is inserting at
    the same moment is waited for, then skipped if that one commits."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).on_conflict_do_nothing(index_elements=conflict_columns)
    if isinstance(values, list):
        if values:
            db.session.execute(statement, values)
    else:
        db.session.execute(statement.values(**values))
