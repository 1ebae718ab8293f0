"""Where the committee stands, for the programme overview and (later) the dashboards: the next meeting
and whether its agenda is out, members who left unnoticed, and overdue actions."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from planner.committee.models import (
    ActionItem, ActionStatus, Committee, CommitteeMember, Meeting, MeetingOccurrence, MeetingStatus,
    OccurrenceStatus,
)
from planner.committee.services import agenda_is_late
from planner.core import clock
from planner.extensions import db
from planner.rollout.calendar import programme_calendar


@dataclass
class CommitteeStatus:
    next_meeting: MeetingOccurrence | None
    #: fewer working days away than the committee's notice, and no agenda published
    agenda_late: bool
    #: members who left and whom no project manager has acknowledged yet
    unacknowledged_leavers: int
    overdue_actions: int
    #: days since the last meeting that took place: held or minuted, or past and scheduled (None: never)
    days_since_last_meeting: int | None


def committee_status(programme, today: date) -> CommitteeStatus:
    """Four small queries, whatever the size of the programme."""
    now = clock.now()
    upcoming = db.session.scalar(
        select(MeetingOccurrence).join(Meeting)
        .where(MeetingOccurrence.programme_id == programme.id, MeetingOccurrence.is_cancelled.is_(False),
               MeetingOccurrence.starts_at >= now, Meeting.status == MeetingStatus.SCHEDULED)
        .options(joinedload(MeetingOccurrence.meeting).joinedload(Meeting.committee))
        .order_by(MeetingOccurrence.starts_at).limit(1))
    last = db.session.scalar(
        select(func.max(MeetingOccurrence.starts_at)).join(Meeting)
        .where(MeetingOccurrence.programme_id == programme.id, MeetingOccurrence.is_cancelled.is_(False),
               MeetingOccurrence.starts_at < now, Meeting.status != MeetingStatus.CANCELLED,
               (Meeting.status == MeetingStatus.SCHEDULED)
               | (MeetingOccurrence.status != OccurrenceStatus.SCHEDULED)))
    leavers = db.session.scalar(
        select(func.count(CommitteeMember.id)).join(Committee)
        .where(Committee.programme_id == programme.id, CommitteeMember.ends_on.is_not(None),
               CommitteeMember.leave_acknowledged_at.is_(None)))
    overdue = db.session.scalar(
        select(func.count(ActionItem.id)).where(ActionItem.programme_id == programme.id,
                                                ActionItem.status == ActionStatus.OPEN, ActionItem.due_on < today))
    late = upcoming is not None and agenda_is_late(upcoming, programme_calendar(programme))
    return CommitteeStatus(next_meeting=upcoming, agenda_late=late, unacknowledged_leavers=leavers or 0,
                           overdue_actions=overdue or 0,
                           days_since_last_meeting=(today - last.date()).days if last is not None else None)
