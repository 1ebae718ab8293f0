"""The register in figures, for the health check and dashboards (issue 8)."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select

from planner.extensions import db
from planner.risks.models import ACTIVE_STATUSES, HIGH_SCORE, Risk, RiskStatus


@dataclass(frozen=True)
class RiskStatusFigures:
    #: open or mitigating
    open: int
    #: open or mitigating with a score of HIGH_SCORE or more
    high: int
    #: not closed, next review before today
    overdue_reviews: int
    #: open or mitigating without an owner
    without_owner: int
    #: open or mitigating without a mitigation
    without_mitigation: int


def risks_status(programme, today: date) -> RiskStatusFigures:
    """The register's figures on ``today``, in one query."""
    active = Risk.status.in_(ACTIVE_STATUSES)

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(select(
        count(active), count(active & (Risk.score >= HIGH_SCORE)),
        count((Risk.status != RiskStatus.CLOSED) & (Risk.next_review_on < today)),
        count(active & Risk.owner_id.is_(None)),
        count(active & or_(Risk.mitigation.is_(None), Risk.mitigation == "")),
    ).where(Risk.programme_id == programme.id)).one()
    return RiskStatusFigures(*(int(value) for value in row))
