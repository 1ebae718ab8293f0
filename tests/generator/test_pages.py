"""The generated programme is real data to the app: its main pages answer for a project manager, its
health check runs, and the command prints counts and logins."""
from datetime import UTC, datetime

import pytest

from planner import create_app
from planner.extensions import db
from tests.conftest import log_in
from tests.generator.helpers import NOW, generate

PAGES = ("", "/dashboard", "/health", "/plan", "/waves", "/meetings", "/sessions", "/risks", "/people",
         "/comms/log", "/exports/programme.xlsx")


@pytest.fixture(autouse=True)
def _pinned(now_is):
    now_is(NOW)


def test_main_pages_answer_for_a_project_manager(app, client):
    result = generate(app, scale=0.03)
    pm_email = next(email for email, role in result["logins"] if role == "project_manager")
    log_in(client, pm_email, app.config["DEMO_PASSWORD"])
    programme_id = result["programme_id"]
    for page in PAGES:
        response = client.get(f"/programmes/{programme_id}{page}")
        assert response.status_code == 200, page
    assert b"Synthetic programme" in client.get(f"/programmes/{programme_id}").data
    assert client.get(f"/programmes/{programme_id}/exports/programme.xlsx").data[:2] == b"PK"


def test_health_check_runs_without_errors(app):
    from planner.health.engine import run_health_check
    from planner.programmes.models import Programme

    programme_id = generate(app, scale=0.03)["programme_id"]
    with app.app_context():
        report = run_health_check(db.session.get(Programme, programme_id), NOW.date(), tolerate_errors=True)
        assert report.failed == []
        assert len(report.checked) > 5


def test_command_prints_counts_and_logins(app, monkeypatch):
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    monkeypatch.setattr("planner.core.clock._now_source", lambda: datetime(2026, 6, 15, 10, tzinfo=UTC))
    output = fresh.test_cli_runner().invoke(args=["generate", "--scale", "0.02", "--seed", "3", "--name", "Cli"])
    assert output.exit_code == 0, output.output
    assert "people" in output.output and "40" in output.output
    assert "trainer.p" in output.output and "viewer.p" in output.output
    refused = fresh.test_cli_runner().invoke(args=["generate", "--scale", "0"])
    assert refused.exit_code != 0
