"""Writing the health check's settings: acknowledging (reason required, replacing an older one), withdrawing,
and thresholds (checked, stored only when not the default); every write audited."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from planner.core.errors import DomainError
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.health import services
from planner.health.findings import Severity
from planner.health.models import FindingAcknowledgement, HealthThreshold
from planner.programmes.models import Programme
from tests.health.conftest import HEADCOUNT_THRESHOLD, SCRIPTED_RULE, scripted_finding

NOW = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def programme_id(factories, now_is):
    now_is(NOW)
    return factories.programme().id


def events(object_type: str) -> list[tuple[str, dict]]:
    return [(event.action, event.changes) for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == object_type).order_by(AuditEvent.id))]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001, None])
def test_an_acknowledgement_needs_a_reason(app, scripted, programme_id, reason):
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            services.acknowledge_finding(db.session.get(Programme, programme_id),
                                         scripted_finding("x", Severity.HIGH, 2), reason)
        assert refused.value.field == "reason"
        assert count(FindingAcknowledgement) == 0 and events("FindingAcknowledgement") == []


def test_acknowledging_keeps_the_finding_as_it_was_and_is_audited(app, scripted, programme_id, factories):
    user = factories.user()
    with app.app_context():
        programme = db.session.get(Programme, programme_id)
        ack = services.acknowledge_finding(programme, scripted_finding("x", Severity.MEDIUM, 4),
                                           "  Planned for next week  ", by_user=user)
        assert (ack.rule_key, ack.subject, ack.severity, ack.measure, ack.reason, ack.acknowledged_by_id,
                ack.acknowledged_at) == (SCRIPTED_RULE, "x", Severity.MEDIUM, 4, "Planned for next week", user.id,
                                         NOW)
        assert ack.title == "Scripted problem at x (4)"
        [(action, changes)] = events("FindingAcknowledgement")
        assert action == "create" and changes["reason"] == [None, "Planned for next week"]
        assert changes["severity"] == [None, "medium"]
        # acknowledging the same finding again replaces the acknowledgement, and is logged as an update
        again = services.acknowledge_finding(programme, scripted_finding("x", Severity.HIGH, 6), "Still planned")
        assert again.id == ack.id and count(FindingAcknowledgement) == 1
        assert (again.severity, again.measure, again.acknowledged_by_id) == (Severity.HIGH, 6, None)
        action, changes = events("FindingAcknowledgement")[-1]
        assert action == "update" and changes["severity"] == ["medium", "high"] and changes["measure"] == [4, 6]


def test_withdrawing_deletes_and_is_audited(app, scripted, programme_id):
    with app.app_context():
        ack = services.acknowledge_finding(db.session.get(Programme, programme_id),
                                           scripted_finding("x", Severity.LOW, 1), "Later")
        services.withdraw_acknowledgement(ack)
        assert count(FindingAcknowledgement) == 0
        assert [action for action, _changes in events("FindingAcknowledgement")] == ["create", "delete"]


def test_thresholds_are_stored_only_when_not_the_default(app, region_rule, programme_id):
    with app.app_context():
        programme = db.session.get(Programme, programme_id)
        assert services.set_thresholds(programme, {HEADCOUNT_THRESHOLD: 100}) == {}
        assert count(HealthThreshold) == 0 and events("HealthThreshold") == []
        assert services.set_thresholds(programme, {HEADCOUNT_THRESHOLD: "60"}) == {HEADCOUNT_THRESHOLD: [100, 60]}
        assert db.session.scalar(select(HealthThreshold.value)) == 60
        assert services.set_thresholds(programme, {HEADCOUNT_THRESHOLD: 80}) == {HEADCOUNT_THRESHOLD: [60, 80]}
        assert services.set_thresholds(programme, {HEADCOUNT_THRESHOLD: 100}) == {HEADCOUNT_THRESHOLD: [80, 100]}
        assert count(HealthThreshold) == 0
        assert [(action, changes.get("value")) for action, changes in events("HealthThreshold")] == [
            ("create", [None, 60]), ("update", [60, 80]), ("delete", [80, None])]


@pytest.mark.parametrize("values, field", [
    ({HEADCOUNT_THRESHOLD: 9}, HEADCOUNT_THRESHOLD), ({HEADCOUNT_THRESHOLD: 1001}, HEADCOUNT_THRESHOLD),
    ({HEADCOUNT_THRESHOLD: "many"}, HEADCOUNT_THRESHOLD), ({HEADCOUNT_THRESHOLD: 2.5}, HEADCOUNT_THRESHOLD),
    ({HEADCOUNT_THRESHOLD: True}, HEADCOUNT_THRESHOLD), ({"no_such_days": 3}, "no_such_days"),
])
def test_a_bad_threshold_is_refused_with_nothing_written(app, region_rule, programme_id, values, field):
    with app.app_context():
        programme = db.session.get(Programme, programme_id)
        services.set_thresholds(programme, {HEADCOUNT_THRESHOLD: 50})
        with pytest.raises(DomainError) as refused:
            services.set_thresholds(programme, values)
        assert refused.value.field == field
        assert db.session.scalar(select(HealthThreshold.value)) == 50
        assert len(events("HealthThreshold")) == 1


def test_a_refusal_among_good_values_writes_none_of_them(app, register_rule, programme_id):
    from planner.health.rules import Threshold

    register_rule("test_two", lambda ctx: [], thresholds=(Threshold("test_a_days", "A", 5, 1, 10),
                                                          Threshold("test_b_days", "B", 5, 1, 10)))
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            services.set_thresholds(db.session.get(Programme, programme_id), {"test_a_days": 7, "test_b_days": 11})
        assert refused.value.field == "test_b_days"
        assert count(HealthThreshold) == 0 and events("HealthThreshold") == []
