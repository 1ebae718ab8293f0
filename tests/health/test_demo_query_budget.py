"""A full health-check run on the demo programme (issue 9: dashboards at 150 ms p95 with 10x the data): a fixed
budget of statements, no read sent twice in a run (shared reads go through ``planner.health.context``), and the
same findings as each rule run on its own, so sharing the reads changed no rule's answer."""
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from planner.extensions import db
from planner.health.engine import run_health_check
from planner.health.findings import Finding, Severity
from planner.health.rules import RULES
from planner.programmes.models import Programme
from tests.test_demo import _rolled_back  # noqa: F401  (fixture: the demo tests own their database)

#: statements of one full health-check run on the demo programme (104 before the shared reads; SQLite and
#: PostgreSQL alike). A rule that loads a shared read itself instead of through the context pushes it over.
DEMO_RUN_BUDGET = 62
#: the demo's clock, pinned: the demo dates its data from now, and the rules' branches depend on those dates
DEMO_NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
#: a statement a run may send twice with the same values: ``training.session_queries.window_flags`` reads the
#: go-lives itself (it takes no preloaded go-lives), once for the shared flags of the upcoming sessions
READ_AGAIN_BY_AN_AREA_HELPER = ("FROM region LEFT OUTER JOIN wave_region",)


@pytest.fixture
def demo(now_is, make_fresh_app):
    """``demo_app``, with the clock pinned before the demo is loaded."""
    now_is(DEMO_NOW)
    app = make_fresh_app()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return app


def _statements_with_values(app, run) -> list[tuple[str, str]]:
    """(statement, its values) of every statement ``run()`` sends, savepoint bookkeeping excluded."""
    sent: list[tuple[str, str]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO|BEGIN|COMMIT|ROLLBACK)", statement, re.I):
            sent.append((" ".join(statement.split()), repr(parameters)))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return sent


def _signature(finding: Finding) -> tuple:
    return (finding.rule, finding.subject, finding.severity, finding.measure, str(finding.title),
            str(finding.advice), tuple((str(e.label), e.endpoint, e.params, e.is_personal, e.permission)
                                      for e in finding.evidence))


def test_a_full_run_on_the_demo_stays_within_its_budget_and_reads_nothing_twice(demo):
    with demo.app_context():
        programme = db.session.scalars(select(Programme)).one()
        today = DEMO_NOW.date()
        run_health_check(programme, today)  # the programme and the session warm up
        db.session.expire_all()
        report = None

        def run():
            nonlocal report
            report = run_health_check(programme, today)

        sent = _statements_with_values(demo, run)
        assert {finding.severity for finding in report.open} >= {Severity.HIGH, Severity.MEDIUM}
        assert len(sent) <= DEMO_RUN_BUDGET, len(sent)
        repeated = {statement[:120] for statement in sent if sent.count(statement) > 1
                    and not any(part in statement[0] for part in READ_AGAIN_BY_AN_AREA_HELPER)}
        assert not repeated, repeated
        db.session.rollback()


def test_a_full_run_finds_what_each_rule_finds_on_its_own(demo):
    with demo.app_context():
        programme = db.session.scalars(select(Programme)).one()
        today = DEMO_NOW.date()
        together = sorted(map(_signature, run_health_check(programme, today).open))
        alone = sorted(_signature(finding) for key in RULES
                       for finding in run_health_check(programme, today, rule_keys=(key,)).open)
        assert together == alone
        assert len({finding[0] for finding in together}) >= 5  # enough rules fire for the comparison to say much
        db.session.rollback()
