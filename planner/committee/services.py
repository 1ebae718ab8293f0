"""Use-cases of committee decisions."""
from datetime import date

from flask_babel import gettext as _

from planner.committee.models import Decision
from planner.core import audit
from planner.core.errors import DomainError
from planner.extensions import db


def record_decision(programme, *, text: str, decided_on: date, decided_by: str,
                    recorded_by_id: int | None) -> Decision:
    """Put a committee decision on the record (text, date and who decided)."""
    text = (text or "").strip()
    decided_by = (decided_by or "").strip()
    if not text:
        raise DomainError(_("Write what was decided."), field="text")
    if not decided_by:
        raise DomainError(_("Say who decided, e.g. the steering committee and its chair."), field="decided_by")
    if decided_on is None:
        raise DomainError(_("Give the date of the decision."), field="decided_on")
    decision = Decision(programme_id=programme.id, text=text, decided_on=decided_on, decided_by=decided_by,
                        recorded_by_id=recorded_by_id)
    db.session.add(decision)
    audit.record_create(decision)
    return decision
