"""Where feedback stands, for the programme overview and the health check: how many items wait for an answer
and for how long."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select

from planner.extensions import db
from planner.feedback.models import FeedbackItem, FeedbackState
from planner.programmes.models import Programme

#: an open item older than this many days is counted as waiting too long
STALE_AFTER_DAYS = 7
ANSWERED_WINDOW_DAYS = 30


@dataclass(frozen=True)
class FeedbackStatus:
    open_count: int
    #: days the oldest open item has waited (None: nothing open)
    oldest_open_age_days: int | None
    answered_last_30_days: int
    #: open items submitted more than ``STALE_AFTER_DAYS`` days before today
    open_older_than_7_days: int


def age_in_days(submitted_at: datetime, today: date) -> int:
    """Whole days between the day an item was sent (UTC) and ``today``."""
    return max(0, (today - submitted_at.astimezone(timezone.utc).date()).days)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def feedback_status(programme: Programme, today: date) -> FeedbackStatus:
    """The open count, the oldest open item's age, answers given in the last 30 days and the open items older
    than 7 days, in two queries."""
    is_open = FeedbackItem.state == FeedbackState.OPEN
    stale_before = _start_of(today - timedelta(days=STALE_AFTER_DAYS))
    open_count, oldest, stale = db.session.execute(
        select(func.count(FeedbackItem.id), func.min(FeedbackItem.submitted_at),
               func.count(FeedbackItem.id).filter(FeedbackItem.submitted_at < stale_before))
        .where(FeedbackItem.programme_id == programme.id, is_open)).one()
    answered = db.session.scalar(
        select(func.count(FeedbackItem.id))
        .where(FeedbackItem.programme_id == programme.id, FeedbackItem.state == FeedbackState.ANSWERED,
               FeedbackItem.answered_at >= _start_of(today - timedelta(days=ANSWERED_WINDOW_DAYS))))
    if oldest is not None and oldest.tzinfo is None:  # an aggregate skips the column type's conversion
        oldest = oldest.replace(tzinfo=timezone.utc)
    return FeedbackStatus(open_count=open_count,
                          oldest_open_age_days=age_in_days(oldest, today) if oldest is not None else None,
                          answered_last_30_days=answered, open_older_than_7_days=stale)
