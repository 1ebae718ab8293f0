"""The communication figures of the programme overview card."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from planner.comms.flags import OccurrenceState, programme_occurrences, state_counts
from planner.comms.gaps import check_gaps
from planner.comms.models import CommsPurpose, CommunicationLog
from planner.extensions import db


@dataclass(frozen=True)
class CommsStatus:
    overdue: int
    missed: int
    #: days since the last status update was logged to any audience; None when there was none
    days_since_status_update: int | None
    #: regions without a go-live notice in time plus audiences without the vision/kickoff message
    gap_count: int


def comms_status(programme, today: date) -> CommsStatus:
    """Overdue and missed occurrences, the age of the last status update, and the gap count."""
    counts = state_counts(programme_occurrences(programme, today))
    last = db.session.scalar(select(func.max(CommunicationLog.happened_at)).where(
        CommunicationLog.programme_id == programme.id, CommunicationLog.purpose == CommsPurpose.STATUS_UPDATE))
    return CommsStatus(overdue=counts[OccurrenceState.OVERDUE], missed=counts[OccurrenceState.MISSED],
                       days_since_status_update=max(0, (today - last.date()).days) if last is not None else None,
                       gap_count=check_gaps(programme, today).gap_count)
