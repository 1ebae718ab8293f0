"""Reading change requests: lists, counts per status, what waits for the committee, where a request was discussed."""
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from planner.changes.models import PENDING_STATUSES, ChangeRequest, ChangeStatus
from planner.committee.models import AgendaItem, Decision, Meeting, MeetingOccurrence
from planner.extensions import db


def changes_of(programme_id: int, *, status: str | None = None, kind: str | None = None) -> Select:
    """A programme's change requests, newest first, optionally of one status and kind."""
    query = (select(ChangeRequest).options(selectinload(ChangeRequest.requester))
             .where(ChangeRequest.programme_id == programme_id))
    if status:
        query = query.where(ChangeRequest.status == status)
    if kind:
        query = query.where(ChangeRequest.kind == kind)
    return query.order_by(ChangeRequest.number.desc())


def counts_by_status(programme_id: int) -> dict[ChangeStatus, int]:
    rows = db.session.execute(select(ChangeRequest.status, func.count()).where(
        ChangeRequest.programme_id == programme_id).group_by(ChangeRequest.status)).all()
    counts = {status: 0 for status in ChangeStatus}
    counts.update({ChangeStatus(status): number for status, number in rows})
    return counts


def pending_for_agenda(programme_id: int) -> Select:
    """Requests waiting for an assessment or the committee's decision, oldest first: the next agenda's candidates."""
    return (select(ChangeRequest).where(ChangeRequest.programme_id == programme_id,
                                        ChangeRequest.status.in_(PENDING_STATUSES))
            .order_by(ChangeRequest.number))


def agenda_choices(programme_id: int, current_id: int | None = None) -> list[tuple[int, str]]:
    """(id, label) of the pending requests, plus the one an agenda item links already."""
    query = select(ChangeRequest.id, ChangeRequest.number, ChangeRequest.title).where(
        ChangeRequest.programme_id == programme_id)
    if current_id:
        query = query.where(ChangeRequest.status.in_(PENDING_STATUSES) | (ChangeRequest.id == current_id))
    else:
        query = query.where(ChangeRequest.status.in_(PENDING_STATUSES))
    return [(row.id, f"CR-{row.number:03d} {row.title}") for row in db.session.execute(
        query.order_by(ChangeRequest.number))]


def meetings_discussing(change_id: int) -> list[tuple[AgendaItem, MeetingOccurrence, Meeting]]:
    """The agenda items that put this request before the committee, with their meeting, earliest first."""
    return db.session.execute(
        select(AgendaItem, MeetingOccurrence, Meeting)
        .join(MeetingOccurrence, AgendaItem.occurrence_id == MeetingOccurrence.id)
        .join(Meeting, MeetingOccurrence.meeting_id == Meeting.id)
        .where(AgendaItem.change_request_id == change_id).order_by(MeetingOccurrence.starts_at)).all()


def decisions_in_meetings(change: ChangeRequest) -> list[tuple[int, str]]:
    """(id, label) of the decisions that may decide ``change`` (taken in a meeting, on or after it was raised,
    not already deciding another request), newest first, for the decide form."""
    taken = select(ChangeRequest.decision_id).where(ChangeRequest.decision_id.is_not(None),
                                                    ChangeRequest.id != change.id)
    rows = db.session.execute(select(Decision.id, Decision.decided_on, Decision.text).where(
        Decision.programme_id == change.programme_id, Decision.occurrence_id.is_not(None),
        Decision.decided_on >= change.requested_on, Decision.id.not_in(taken))
        .order_by(Decision.decided_on.desc(), Decision.id.desc()).limit(100))
    return [(row.id, f"{row.decided_on.isoformat()}: {row.text[:80]}") for row in rows]


def meetings_held(programme_id: int, now) -> list[tuple[int, str]]:
    """(id, label) of the programme's meeting occurrences that have taken place (not cancelled), newest first."""
    rows = db.session.execute(
        select(MeetingOccurrence.id, MeetingOccurrence.local_start, Meeting.title)
        .join(Meeting, MeetingOccurrence.meeting_id == Meeting.id)
        .where(MeetingOccurrence.programme_id == programme_id, MeetingOccurrence.starts_at <= now,
               MeetingOccurrence.is_cancelled.is_(False))
        .order_by(MeetingOccurrence.starts_at.desc()).limit(50))
    return [(row.id, f"{row.local_start:%Y-%m-%d %H:%M} {row.title}") for row in rows]
