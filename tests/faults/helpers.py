"""Shared pieces of the fault tests: a programme with a project manager on a fresh database, the environment of a
planner subprocess, and row counts of every table."""
import os
import sys
from datetime import date

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from planner import ROOT
from planner.auth import services as auth_services
from planner.core.permissions import Role
from planner.extensions import db
from planner.programmes import services as programme_services
from tests.conftest import PASSWORD

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
HEAD = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
PM_EMAIL = "pm@faults.example"


def seed_programme(app, *, regions=(), departments=(), pm_email: str = PM_EMAIL) -> int:
    """A programme (with ``regions`` and ``departments``) and a project manager who logs in with the tests'
    password; committed. Returns the programme's id."""
    with app.app_context():
        programme = programme_services.create_programme(name="Fault programme", system_name="Helix CRM",
                                                        start_date=date(2026, 3, 2), home_time_zone="Europe/Berlin")
        for name in regions:
            programme_services.create_region(programme, name=name, tier="standard", time_zone="Europe/Berlin",
                                             headcount=10, site_notes="")
        for name in departments:
            programme_services.create_department(programme, name=name, is_it=False)
        db.session.flush()
        manager = auth_services.create_user(pm_email, PASSWORD)
        db.session.flush()
        programme_services.grant_role(programme, manager, Role.PROJECT_MANAGER)
        db.session.commit()
        return programme.id


def database_url_of(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def planner_env(database_url: str, **settings) -> dict[str, str]:
    """The environment of a planner subprocess on ``database_url``: the test configuration (and the test run's
    instance folder, so the same secret key), plus ``PLANNER_<NAME>`` for each setting."""
    env = dict(os.environ)
    env.update({"PLANNER_ENV": "testing", "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
                "PYTHONUNBUFFERED": "1"})
    env.update({f"PLANNER_{name}": str(value) for name, value in settings.items()})
    return env


def flask_command(*args: str) -> list[str]:
    """``flask --app planner ARGS`` with this interpreter."""
    return [sys.executable, "-m", "flask", "--app", "planner", *args]


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the database (alembic_version included), read in one transaction."""
    tables = sorted(inspect(engine).get_table_names())
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        return {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one() for table in tables}


def alembic_revisions(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def engine_for(url: str) -> Engine:
    """A plain engine (no app) to inspect a database from outside the planner."""
    return create_engine(url)
