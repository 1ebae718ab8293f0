"""Shared helpers of the rollout, training, adoption and risk rule tests (no tests here): run one rule through
the engine's registry, set a programme's threshold, and prove every evidence link builds."""
from flask import url_for

from planner.extensions import db
from planner.health.engine import run_health_check
from planner.health.models import HealthThreshold
from planner.programmes.models import Programme


def findings(app, programme_id: int, rule_key: str, today):
    """The open findings of one rule for a programme on ``today``, run through ``run_health_check``."""
    with app.app_context():
        programme = db.session.get(Programme, programme_id)
        return run_health_check(programme, today, rule_keys=(rule_key,)).open


def only(app, programme_id: int, rule_key: str, today):
    """The one finding a rule gives (fails when it gives none or several)."""
    result = findings(app, programme_id, rule_key, today)
    assert len(result) == 1, [finding.title for finding in result]
    return result[0]


def set_threshold(app, programme_id: int, key: str, value: int) -> None:
    with app.app_context():
        db.session.add(HealthThreshold(programme_id=programme_id, key=key, value=value))
        db.session.commit()


def assert_links_build(app, finding) -> list[str]:
    """Every evidence link of ``finding`` builds with ``url_for``; returns the URLs."""
    urls = []
    with app.test_request_context():
        for evidence in finding.evidence:
            assert evidence.endpoint, evidence.label
            urls.append(url_for(evidence.endpoint, **evidence.url_values))
    assert urls
    return urls
