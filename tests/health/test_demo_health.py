"""The demo programme shows the health check at work: findings of several severities (issue 8, item 6), a page
that renders them, and the command that prints them."""
from sqlalchemy import select

from planner.core import clock
from planner.extensions import db
from planner.health.engine import run_health_check
from planner.programmes.models import Programme
from tests.conftest import log_in
from tests.test_demo import DEFAULT_PASSWORD, _rolled_back  # noqa: F401  (fixture: this test owns its database)


def test_the_demo_has_findings_of_several_severities(demo_app):
    app = demo_app
    with app.app_context():
        programme = db.session.scalars(select(Programme)).one()
        report = run_health_check(programme, clock.today())  # a rule that raises fails this test
        severities = {finding.severity for finding in report.open}
        assert len(severities) >= 2, [(finding.rule, finding.severity, finding.title) for finding in report.open]
        titles = [finding.title for finding in report.open]
        programme_id = programme.id
        db.session.rollback()
    client = app.test_client()
    log_in(client, "pm@example.com", DEFAULT_PASSWORD)
    html = client.get(f"/programmes/{programme_id}/health").get_data(as_text=True)
    assert "could not run" not in html
    assert all(title.replace("'", "&#39;") in html for title in titles[:3])
    result = app.test_cli_runner().invoke(args=["health-check", str(programme_id)])
    assert result.exit_code == 0 and titles[0] in result.output
