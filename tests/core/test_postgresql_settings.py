"""PostgreSQL connection settings (psycopg 3)."""
import pytest

from planner.extensions import db


def test_statements_are_never_prepared_on_the_server(app):
    """A prepared statement gets a generic plan after a few runs, which made the readiness queries a hundred times
    slower from a worker's tenth dashboard on (bench/load); psycopg must send every statement unprepared."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("psycopg's server-side prepared statements are PostgreSQL's")
        with db.engine.connect() as connection:
            assert connection.connection.driver_connection.prepare_threshold is None
