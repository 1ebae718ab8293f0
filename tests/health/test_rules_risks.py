"""The risk rules: risks without an owner or a mitigation, and reviews left overdue."""
from datetime import date

from planner.extensions import db
from planner.health.findings import Severity
from planner.programmes.models import Programme
from tests.health.rules_helpers_b import assert_links_build, findings, only, set_threshold
from tests.risks.helpers import TODAY, build_world, make_risk


def _risk(app, world, **values) -> int:
    with app.app_context():
        risk = make_risk(db.session.get(Programme, world.programme_id), **values)
        db.session.commit()
        return risk.id


# --- without owner or mitigation -------------------------------------------------------------------------------

def test_a_risk_without_an_owner_is_medium_and_a_high_one_high(app, factories):
    world = build_world(app, factories)
    plain = _risk(app, world, owner_id=None, likelihood=3, impact=4)
    high = _risk(app, world, title="ERP interface late", owner_id=world.person_id, mitigation="", likelihood=5,
                 impact=4)
    result = {finding.subject: finding for finding in findings(app, world.programme_id,
                                                                "risk_without_owner_or_mitigation", TODAY)}
    assert set(result) == {f"risk:{plain}", f"risk:{high}"}
    assert (result[f"risk:{plain}"].severity, result[f"risk:{plain}"].measure) == (Severity.MEDIUM, 12)
    assert "no owner" in result[f"risk:{plain}"].title
    assert (result[f"risk:{high}"].severity, result[f"risk:{high}"].measure) == (Severity.HIGH, 20)
    assert "no mitigation" in result[f"risk:{high}"].title
    assert f"/risks/{high}" in assert_links_build(app, result[f"risk:{high}"])[0]


def test_an_owned_mitigated_or_closed_risk_is_fine(app, factories):
    world = build_world(app, factories)
    _risk(app, world, owner_id=world.person_id)
    _risk(app, world, title="Old worry", owner_id=None, mitigation="", status="closed")
    assert findings(app, world.programme_id, "risk_without_owner_or_mitigation", TODAY) == []


# --- review overdue --------------------------------------------------------------------------------------------

def test_a_high_risk_past_its_review_is_high_at_once(app, factories):
    world = build_world(app, factories)
    risk_id = _risk(app, world, owner_id=world.person_id, likelihood=5, impact=3, next_review_on=date(2026, 9, 10))
    finding = only(app, world.programme_id, "high_risk_review_overdue", TODAY)
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH, f"risk:{risk_id}", 1)
    assert "8 days" in finding.title
    assert f"/risks/{risk_id}" in assert_links_build(app, finding)[0]


def test_another_risk_is_low_only_once_long_overdue(app, factories):
    world = build_world(app, factories)
    risk_id = _risk(app, world, owner_id=world.person_id, next_review_on=date(2026, 9, 1))
    assert findings(app, world.programme_id, "high_risk_review_overdue", TODAY) == []
    set_threshold(app, world.programme_id, "risk_review_overdue_days", 14)
    finding = only(app, world.programme_id, "high_risk_review_overdue", TODAY)
    assert (finding.severity, finding.subject, finding.measure) == (Severity.LOW, f"risk:{risk_id}", 2)


def test_a_review_still_ahead_or_a_closed_risk_is_fine(app, factories):
    world = build_world(app, factories)
    _risk(app, world, owner_id=world.person_id, likelihood=5, impact=5, next_review_on=date(2026, 10, 1))
    _risk(app, world, owner_id=world.person_id, likelihood=5, impact=5, next_review_on=date(2026, 8, 1),
          status="closed")
    assert findings(app, world.programme_id, "high_risk_review_overdue", TODAY) == []


def test_the_risk_rules_keep_a_flat_query_count(app, factories):
    from planner.health.engine import run_health_check
    from tests.conftest import count_queries

    counts = []
    for size in (3, 30):
        world = build_world(app, factories)
        for number in range(size):
            _risk(app, world, title=f"Risk {number}", owner_id=None, likelihood=5, impact=4,
                  next_review_on=date(2026, 9, 1))
        with app.app_context():
            programme = db.session.get(Programme, world.programme_id)
            with count_queries(app) as statements:
                report = run_health_check(programme, TODAY, rule_keys=("risk_without_owner_or_mitigation",
                                                                       "high_risk_review_overdue"))
            assert len(report.open) == 2 * size
            counts.append(len(statements))
    assert counts[0] == counts[1]
