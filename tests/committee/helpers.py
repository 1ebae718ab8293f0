"""Helpers for committee tests: meetings that took place, so decisions can be taken in them."""
from datetime import date, datetime, time

from planner.committee import scheduling
from planner.committee.models import Committee, MeetingOccurrence
from planner.extensions import db
from sqlalchemy import select


def committee_of(programme_id: int) -> Committee:
    return db.session.scalar(select(Committee).where(Committee.programme_id == programme_id).order_by(Committee.id))


def held_occurrence(programme, day: date = date(2026, 10, 9), title: str = "Steering committee") -> MeetingOccurrence:
    """A one-off committee meeting on ``day`` (in the past), in the current session, not committed."""
    meeting = scheduling.schedule_meeting(
        committee_of(programme.id),
        scheduling.MeetingPlan(title=title, local_start=datetime.combine(day, time(10, 0)), time_zone="UTC"),
        organiser_id=None)
    return meeting.occurrences[0]
