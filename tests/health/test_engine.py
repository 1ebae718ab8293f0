"""The health check's engine: order by severity, thresholds per programme, acknowledgements that hold until a
finding gets worse, and rules that fail."""
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from planner.extensions import db
from planner.health import services
from planner.health.engine import run_health_check, threshold_values
from planner.health.findings import Severity
from planner.programmes.models import Programme
from tests.health.conftest import HEADCOUNT_THRESHOLD, REGION_RULE, SCRIPTED_RULE, scripted_finding

HIGH, MEDIUM, LOW = Severity.HIGH, Severity.MEDIUM, Severity.LOW


@pytest.fixture
def programme_id(factories):
    return factories.programme().id


def check(programme_id: int, today, **options):
    return run_health_check(db.session.get(Programme, programme_id), today, **options)


def acknowledge(programme_id: int, subject: str, severity: Severity, measure: float, reason: str = "Known"):
    services.acknowledge_finding(db.session.get(Programme, programme_id), scripted_finding(subject, severity, measure),
                                 reason)


def test_findings_come_most_severe_first(app, scripted, programme_id):
    scripted.findings = [("b", LOW, 1), ("a", HIGH, 3), ("c", MEDIUM, 2), ("a2", HIGH, 1)]
    with app.app_context():
        report = check(programme_id, date(2026, 10, 1))
    assert [(f.severity, f.subject) for f in report.open] == [(HIGH, "a"), (HIGH, "a2"), (MEDIUM, "c"), (LOW, "b")]
    assert report.counts == {LOW: 1, MEDIUM: 1, HIGH: 2} and report.worst == HIGH
    assert report.checked == [SCRIPTED_RULE] and report.passed == [] and report.failed == []


def test_a_rule_without_findings_passed(app, scripted, programme_id):
    with app.app_context():
        report = check(programme_id, date(2026, 10, 1))
    assert report.open == [] and report.worst is None and report.passed == [SCRIPTED_RULE]


def test_thresholds_default_then_the_programmes_own(app, region_rule, factories):
    programme, other = factories.programme(), factories.programme()
    for target in (programme, other):
        factories.region(target, name="Big", headcount=150)
    today = date(2026, 10, 1)
    with app.app_context():
        assert threshold_values(programme.id) == {HEADCOUNT_THRESHOLD: 100}
        assert [f.severity for f in check(programme.id, today).open] == [MEDIUM]  # 150 >= 100, below 200
        services.set_thresholds(db.session.get(Programme, programme.id), {HEADCOUNT_THRESHOLD: 70})
        assert threshold_values(programme.id) == {HEADCOUNT_THRESHOLD: 70}
        assert [f.severity for f in check(programme.id, today).open] == [HIGH]  # 150 >= 2 x 70
        services.set_thresholds(db.session.get(Programme, programme.id), {HEADCOUNT_THRESHOLD: 200})
        assert check(programme.id, today).open == []
        # the other programme keeps the default
        assert threshold_values(other.id) == {HEADCOUNT_THRESHOLD: 100}
        assert [f.severity for f in check(other.id, today).open] == [MEDIUM]


def test_an_acknowledgement_hides_the_finding_while_it_is_no_worse(app, scripted, programme_id):
    today = date(2026, 10, 1)
    scripted.findings = [("x", MEDIUM, 5), ("y", LOW, 1)]
    with app.app_context():
        acknowledge(programme_id, "x", MEDIUM, 5)
        report = check(programme_id, today)
        assert [f.subject for f in report.open] == ["y"]
        assert [(f.subject, ack.reason) for f, ack in report.acknowledged] == [("x", "Known")]
        assert report.reopened == {} and report.resolved == [] and report.passed == []
        scripted.findings = [("x", MEDIUM, 4), ("y", LOW, 1)]  # better: still acknowledged
        assert [f.subject for f, _ack in check(programme_id, today).acknowledged] == ["x"]
        scripted.findings = [("x", LOW, 5)]  # milder: still acknowledged
        assert [f.subject for f, _ack in check(programme_id, today).acknowledged] == ["x"]


#: a higher severity, a larger measure, and a higher severity even with a smaller measure
@pytest.mark.parametrize("severity, measure", [(HIGH, 5), (MEDIUM, 6), (HIGH, 1)])
def test_a_worse_finding_comes_back(app, scripted, programme_id, severity, measure):
    scripted.findings = [("x", severity, measure)]
    with app.app_context():
        acknowledge(programme_id, "x", MEDIUM, 5)
        report = check(programme_id, date(2026, 10, 1))
        assert [f.subject for f in report.open] == ["x"] and report.acknowledged == []
        assert report.reopened[(SCRIPTED_RULE, "x")].measure == 5


def test_a_fixed_finding_leaves_its_acknowledgement_resolved(app, scripted, programme_id):
    with app.app_context():
        acknowledge(programme_id, "gone", HIGH, 3)
        report = check(programme_id, date(2026, 10, 1))
        assert [ack.subject for ack in report.resolved] == ["gone"] and report.passed == [SCRIPTED_RULE]
        # a check of other rules only says nothing about this rule's acknowledgements
        assert check(programme_id, date(2026, 10, 1), rule_keys=("no_such_rule",)).resolved == []


def test_acknowledgements_of_another_programme_do_not_apply(app, scripted, factories, programme_id):
    other = factories.programme()
    scripted.findings = [("x", MEDIUM, 5)]
    with app.app_context():
        acknowledge(other.id, "x", MEDIUM, 5)
        report = check(programme_id, date(2026, 10, 1))
        assert [f.subject for f in report.open] == ["x"] and report.acknowledged == []
        assert [f.subject for f, _ack in check(other.id, date(2026, 10, 1)).acknowledged] == ["x"]


def test_only_the_rules_asked_for_run(app, scripted, region_rule, factories, programme_id):
    scripted.findings = [("x", LOW, 1)]
    with app.app_context():
        report = check(programme_id, date(2026, 10, 1), rule_keys=(REGION_RULE,))
    assert report.checked == [REGION_RULE] and report.open == []


def test_a_failing_rule_raises_unless_tolerated(app, register_rule, scripted, programme_id):
    def broken(ctx):
        db.session.execute(text("SELECT * FROM no_such_table"))  # a failed query, as a real bug would be
        return []

    register_rule("test_broken", broken, title="Broken rule")
    scripted.findings = [("x", HIGH, 1)]
    today = date(2026, 10, 1)
    with app.app_context():
        with pytest.raises(DBAPIError):
            check(programme_id, today)
    with app.app_context():
        report = check(programme_id, today, tolerate_errors=True)
        assert report.failed == ["test_broken"] and [f.subject for f in report.open] == ["x"]
        assert report.passed == []
        # the transaction is still usable after the failed query (PostgreSQL aborts it otherwise)
        assert db.session.get(Programme, programme_id).id == programme_id


def test_tolerated_rules_share_one_savepoint_until_one_fails(app, register_rule, scripted, region_rule,
                                                              programme_id):
    """A savepoint per rule costs two round trips each on every dashboard: the rules run inside one, and each in
    its own only after one of them raised (then the others still answer)."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            seen.append(statement.split()[0].upper())

    def run() -> tuple[object, list[str]]:
        with app.app_context():
            programme = db.session.get(Programme, programme_id)  # the test's session opens its own savepoint
            seen.clear()
            return run_health_check(programme, date(2026, 10, 1), tolerate_errors=True), list(seen)

    def broken(ctx):
        db.session.execute(text("SELECT * FROM no_such_table"))
        return []

    scripted.findings = [("x", HIGH, 1)]
    event.listen(engine, "before_cursor_execute", note)
    try:
        report, seen_here = run()
        assert len(report.checked) == 2 and report.failed == [] and seen_here == ["SAVEPOINT", "RELEASE"]
        register_rule("test_broken", broken, title="Broken rule")
        report, seen_here = run()
        assert report.failed == ["test_broken"] and [f.subject for f in report.open] == ["x"]
        # the shared savepoint rolled back, then the rules that query each in their own (the broken one's too)
        assert seen_here == ["SAVEPOINT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SAVEPOINT", "ROLLBACK"]
    finally:
        event.remove(engine, "before_cursor_execute", note)
