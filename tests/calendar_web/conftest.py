"""Fixtures of the calendar pages, feeds and commands (these tests use the database)."""
import pytest

from planner import create_app
from planner.extensions import db


@pytest.fixture(scope="session")
def app(app, database_url):
    """The suite's app, or, until create_app registers the calendar blueprints, one that has them.

    Once ``planner.calendar.views.bp`` is registered in create_app this returns the suite's app
    unchanged (and this fixture can go).
    """
    if "calendar" in app.blueprints:
        yield app
        return
    from planner.calendar.cli import bp as calendar_cli
    from planner.calendar.views import bp as calendar_views
    from planner.core import log_redaction

    fresh = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    fresh.register_blueprint(calendar_views)
    fresh.register_blueprint(calendar_cli)
    log_redaction.install(fresh)
    yield fresh
    with fresh.app_context():
        db.engine.dispose()
