"""The dashboards' fixture: the health check's rules replaced by a stand-in, so no test depends on which real
rules exist."""
import pytest

from planner.health.rules import Rule


@pytest.fixture
def fake_rules(monkeypatch):
    """Replace the health check's rules with one that returns the findings the test sets:
    ``fake_rules([finding(1, Severity.HIGH), ...])``."""
    from planner.health import engine

    def install(findings):
        rule = Rule(key="dashboard_test", title="Test rule", failure_mode="Testing", check=lambda context: findings)
        monkeypatch.setattr(engine, "RULES", {"dashboard_test": rule})

    install([])
    return install
