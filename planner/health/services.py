"""Writing the health check's settings: acknowledging a finding (with a reason), withdrawing that, and a
programme's own thresholds. Every write is audited; services flush, the request commits."""
from flask_babel import gettext as _
from sqlalchemy import select

from planner.core import audit, clock
from planner.core.errors import DomainError
from planner.extensions import db
from planner.health.findings import Finding
from planner.health.models import FindingAcknowledgement, HealthThreshold
from planner.health.rules import THRESHOLDS

#: the longest reason an acknowledgement keeps
REASON_MAX = 2000


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why this finding can wait: the reason is kept with it."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("Keep the reason to %(max)d characters.", max=REASON_MAX), field="reason")
    return reason


def acknowledge_finding(programme, finding: Finding, reason: str, by_user=None) -> FindingAcknowledgement:
    """Accept ``finding`` for now, with ``reason``: it leaves the open findings until it gets worse (a higher
    severity or a larger measure than now) or something new is behind it (a record not in its evidence now). Its
    severity, measure, evidence keys and title are kept as they are today, so the page can show then against now.
    An older acknowledgement of the same rule and subject is replaced."""
    reason = _reason(reason)
    values = {"severity": finding.severity, "measure": float(finding.measure),
              "evidence_keys": finding.evidence_keys, "title": finding.title[:300],
              "reason": reason, "acknowledged_by_id": by_user.id if by_user is not None else None,
              "acknowledged_at": clock.now()}
    existing = db.session.scalar(select(FindingAcknowledgement).where(
        FindingAcknowledgement.programme_id == programme.id, FindingAcknowledgement.rule_key == finding.rule,
        FindingAcknowledgement.subject == finding.subject))
    if existing is not None:
        changes = audit.apply_changes(existing, values)
        db.session.flush()
        audit.record_update(existing, changes)
        return existing
    ack = FindingAcknowledgement(programme_id=programme.id, rule_key=finding.rule, subject=finding.subject,
                                 **values)
    db.session.add(ack)
    db.session.flush()
    audit.record_create(ack)
    return ack


def withdraw_acknowledgement(ack: FindingAcknowledgement) -> None:
    """Take an acknowledgement back: its finding (if still there) is open again."""
    audit.delete(ack)


def _checked_value(key: str, value) -> int:
    """``value`` as a whole number within the threshold's range (a number, or its digits as text)."""
    threshold = THRESHOLDS[key]
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if number is None or not threshold.minimum <= number <= threshold.maximum:
        raise DomainError(_("Choose a whole number between %(minimum)d and %(maximum)d.",
                            minimum=threshold.minimum, maximum=threshold.maximum), field=key)
    return number


def set_thresholds(programme, values: dict[str, int]) -> dict[str, list]:
    """Set the programme's own value of the thresholds in ``values`` (threshold key -> number).

    Every key and value is checked before anything is written (an unknown key or a number outside the
    threshold's range is refused, naming the key as the field). Only values that differ from the rule's default
    are stored; setting one back to its default deletes the programme's row. Returns the changes made
    ({key: [old, new]}, for the flash message).
    """
    for key in values:
        if key not in THRESHOLDS:
            raise DomainError(_("There is no threshold called %(key)s.", key=key), field=key)
    checked = {key: _checked_value(key, value) for key, value in values.items()}
    rows = {row.key: row for row in db.session.scalars(select(HealthThreshold).where(
        HealthThreshold.programme_id == programme.id, HealthThreshold.key.in_(list(checked))))}
    changes: dict[str, list] = {}
    for key, value in checked.items():
        default = THRESHOLDS[key].default
        row = rows.get(key)
        old = row.value if row is not None else default
        if old == value:
            continue
        changes[key] = [old, value]
        if value == default:
            audit.delete(row)
        elif row is None:
            row = HealthThreshold(programme_id=programme.id, key=key, value=value)
            db.session.add(row)
            db.session.flush()
            audit.record_create(row)
        else:
            audit.record_update(row, audit.apply_changes(row, {"value": value}))
    db.session.flush()
    return changes
