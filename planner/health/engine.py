"""Running the health check: every rule against live data, with the programme's thresholds, split into the
findings that need attention and those acknowledged (and no worse since)."""
import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.extensions import db
from planner.health.findings import SEVERITY_ORDER, Finding, Severity
from planner.health.models import FindingAcknowledgement, HealthThreshold
from planner.health.rules import RULES, THRESHOLDS, HealthContext

log = logging.getLogger(__name__)


@dataclass
class HealthReport:
    #: findings that need attention, most severe first
    open: list[Finding] = field(default_factory=list)
    #: acknowledged findings that are no worse than when acknowledged, with their acknowledgement
    acknowledged: list[tuple[Finding, FindingAcknowledgement]] = field(default_factory=list)
    #: open findings that were acknowledged once and have got worse since: finding key -> that acknowledgement
    reopened: dict[tuple[str, str], FindingAcknowledgement] = field(default_factory=dict)
    #: acknowledgements of rules that ran whose finding is gone (the problem was fixed)
    resolved: list[FindingAcknowledgement] = field(default_factory=list)
    #: keys of the rules that ran, in registry order
    checked: list[str] = field(default_factory=list)
    #: keys of the rules that raised instead of answering (only with ``tolerate_errors``)
    failed: list[str] = field(default_factory=list)
    #: the reads the rules shared (stages, waves, the calendar, readiness, ...): a page showing the report next
    #: to the same facts takes them from here rather than reading them again
    context: HealthContext | None = None

    @property
    def counts(self) -> dict[Severity, int]:
        """Open findings per severity, every severity present."""
        counts = {severity: 0 for severity in SEVERITY_ORDER}
        for finding in self.open:
            counts[finding.severity] += 1
        return counts

    @property
    def worst(self) -> Severity | None:
        return self.open[0].severity if self.open else None

    @property
    def passed(self) -> list[str]:
        """Keys of the rules that ran and found nothing, open or acknowledged."""
        found = {finding.rule for finding in self.open} | {finding.rule for finding, _ack in self.acknowledged}
        return [key for key in self.checked if key not in found and key not in self.failed]


def threshold_values(programme_id: int) -> dict[str, int]:
    """Every threshold's value for one programme: its own where set, the rule's default otherwise."""
    values = {key: threshold.default for key, threshold in THRESHOLDS.items()}
    for key, value in db.session.execute(select(HealthThreshold.key, HealthThreshold.value).where(
            HealthThreshold.programme_id == programme_id)):
        if key in values:
            values[key] = value
    return values


def _order(finding: Finding) -> tuple:
    rule_position = list(RULES).index(finding.rule)
    return (-finding.severity.rank, rule_position, finding.subject)


def _run_rule(rule, context: HealthContext, tolerate_errors: bool) -> list[Finding] | None:
    """The rule's findings; None when it raised and errors are tolerated.

    Tolerated, a rule runs inside a savepoint: a failed query would otherwise leave the transaction unusable
    (PostgreSQL) for the rules after it and for the rest of the page.
    """
    if not tolerate_errors:
        return list(rule.check(context))
    try:
        with db.session.begin_nested():
            return list(rule.check(context))
    except Exception:
        log.exception("Health rule %s could not run for programme %s", rule.key, context.programme.id)
        return None


def run_health_check(programme, today: date, rule_keys: tuple[str, ...] | None = None, *,
                     tolerate_errors: bool = False) -> HealthReport:
    """Check ``programme`` on ``today`` against every rule (or only ``rule_keys``).

    Reads only: acknowledgements whose finding has gone or got worse stay stored, and are simply not applied.
    A rule that raises makes the whole check raise (tests, and rule authors, see the error); pages and the CLI
    pass ``tolerate_errors=True``: the error is logged and the rule is listed in ``report.failed`` so the page
    says which check could not run instead of failing altogether.

    Tolerated, the rules first run together inside one savepoint (a savepoint each costs two round trips per
    rule, 10 ms of a dashboard on PostgreSQL); only when one of them raises are they all run again, each in its
    own savepoint, from a fresh context, so the others still answer.
    """
    if not tolerate_errors:
        return _check(programme, today, rule_keys, tolerate_errors=False)
    try:
        with db.session.begin_nested():
            return _check(programme, today, rule_keys, tolerate_errors=False)
    except Exception:  # rolled back to the savepoint: find out which rule it was, and answer without it
        return _check(programme, today, rule_keys, tolerate_errors=True)


def _check(programme, today: date, rule_keys: tuple[str, ...] | None, *, tolerate_errors: bool) -> HealthReport:
    context = HealthContext(programme=programme, today=today, values=threshold_values(programme.id))
    report = HealthReport(context=context)
    findings: list[Finding] = []
    for key, rule in RULES.items():
        if rule_keys is not None and key not in rule_keys:
            continue
        report.checked.append(key)
        found = _run_rule(rule, context, tolerate_errors)
        if found is None:
            report.failed.append(key)
        else:
            findings.extend(found)
    acknowledgements = {(ack.rule_key, ack.subject): ack for ack in db.session.scalars(
        select(FindingAcknowledgement).where(FindingAcknowledgement.programme_id == programme.id)
        .options(joinedload(FindingAcknowledgement.acknowledged_by)))}  # pages show who, without a query each
    for finding in sorted(findings, key=_order):
        ack = acknowledgements.pop(finding.key, None)
        if ack is not None and ack.covers(finding):
            report.acknowledged.append((finding, ack))
        else:
            report.open.append(finding)
            if ack is not None:
                report.reopened[finding.key] = ack
    ran = set(report.checked) - set(report.failed)
    report.resolved = sorted((ack for ack in acknowledgements.values() if ack.rule_key in ran),
                             key=lambda ack: (ack.rule_key, ack.subject))
    return report
