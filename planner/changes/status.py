"""The change requests at a glance, for the programme overview card."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from planner.changes.models import PENDING_STATUSES, ChangeRequest, ChangeStatus
from planner.changes.queries import counts_by_status
from planner.extensions import db


@dataclass(frozen=True)
class ChangesStatus:
    counts: dict[ChangeStatus, int]
    #: days since the oldest pending (submitted or assessed) request was raised; None when nothing waits
    oldest_pending_days: int | None

    @property
    def pending(self) -> int:
        return sum(self.counts[status] for status in PENDING_STATUSES)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def changes_status(programme, today: date) -> ChangesStatus:
    """Counts per status and the age of the oldest request still waiting; two queries."""
    oldest = db.session.scalar(select(func.min(ChangeRequest.requested_on)).where(
        ChangeRequest.programme_id == programme.id, ChangeRequest.status.in_(PENDING_STATUSES)))
    return ChangesStatus(counts=counts_by_status(programme.id),
                         oldest_pending_days=max(0, (today - oldest).days) if oldest else None)
