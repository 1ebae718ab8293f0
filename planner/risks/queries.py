"""Reading the risk register: the filtered list, the heat map counts, the score trend, agenda and pack lists."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from planner.committee.models import AgendaItem, Meeting, MeetingOccurrence
from planner.extensions import db
from planner.risks.models import ACTIVE_STATUSES, Risk, RiskScoreChange, RiskStatus


def risks_of(programme_id: int, *, status: str | None = None, category: str | None = None,
             owner_id: int | None = None, overdue_on: date | None = None, with_owner: bool = True) -> Select:
    """A programme's risks, highest score first, optionally of one status, category or owner; ``overdue_on``:
    only those whose review is overdue on that day (not closed, next review before it). Each risk's owner is
    loaded too unless ``with_owner`` is false."""
    query = select(Risk).where(Risk.programme_id == programme_id)
    if with_owner:
        query = query.options(selectinload(Risk.owner))
    if status:
        query = query.where(Risk.status == status)
    if category:
        query = query.where(Risk.category == category)
    if owner_id:
        query = query.where(Risk.owner_id == owner_id)
    if overdue_on is not None:
        query = query.where(Risk.status != RiskStatus.CLOSED, Risk.next_review_on < overdue_on)
    return query.order_by(Risk.score.desc(), Risk.number)


def top_risks(programme_id: int, limit: int = 5) -> list[Risk]:
    """The active (open or mitigating) risks with the highest scores, then their owners: two queries. Owners
    joined into the first would make PostgreSQL join every person of the programme before the limit applies."""
    return list(db.session.scalars(
        select(Risk).options(selectinload(Risk.owner)).where(Risk.programme_id == programme_id,
                                                             Risk.status.in_(ACTIVE_STATUSES))
        .order_by(Risk.score.desc(), Risk.number).limit(limit)))


def heat_counts(programme_id: int) -> dict[tuple[int, int], int]:
    """{(likelihood, impact): number of active risks} for the 5x5 heat map."""
    rows = db.session.execute(select(Risk.likelihood, Risk.impact, func.count()).where(
        Risk.programme_id == programme_id, Risk.status.in_(ACTIVE_STATUSES))
        .group_by(Risk.likelihood, Risk.impact))
    return {(likelihood, impact): count for likelihood, impact, count in rows}


@dataclass(frozen=True)
class TrendPoint:
    day: date
    total: int


def score_trend(programme_id: int, today: date, days: int = 84) -> list[TrendPoint]:
    """The total score of the active risks at the end of each day of the last ``days`` days, rebuilt from the
    score history (one query): each risk counts with its latest history row up to that day."""
    first = today - timedelta(days=days - 1)
    rows = db.session.execute(
        select(RiskScoreChange.risk_id, RiskScoreChange.at, RiskScoreChange.score, RiskScoreChange.status)
        .join(Risk, RiskScoreChange.risk_id == Risk.id).where(Risk.programme_id == programme_id)
        .order_by(RiskScoreChange.at, RiskScoreChange.id)).all()
    current: dict[int, int] = {}
    points, index = [], 0
    for offset in range(days):
        day = first + timedelta(days=offset)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.utc)
        while index < len(rows) and rows[index].at < end:
            row = rows[index]
            current[row.risk_id] = row.score if RiskStatus(row.status) in ACTIVE_STATUSES else 0
            index += 1
        points.append(TrendPoint(day, sum(current.values())))
    return points


def agenda_choices(programme_id: int, current_id: int | None = None) -> list[tuple[int, str]]:
    """(id, label) of the active risks, highest score first, plus the one an agenda item links already."""
    query = select(Risk.id, Risk.number, Risk.title, Risk.likelihood, Risk.impact).where(
        Risk.programme_id == programme_id)
    if current_id:
        query = query.where(Risk.status.in_(ACTIVE_STATUSES) | (Risk.id == current_id))
    else:
        query = query.where(Risk.status.in_(ACTIVE_STATUSES))
    return [(row.id, f"R-{row.number:03d} {row.title} ({row.likelihood * row.impact})") for row in db.session.execute(
        query.order_by(Risk.score.desc(), Risk.number))]


def meetings_discussing(risk_id: int) -> list[tuple[AgendaItem, MeetingOccurrence, Meeting]]:
    """The agenda items that put this risk before the committee, with their meeting, earliest first."""
    return db.session.execute(
        select(AgendaItem, MeetingOccurrence, Meeting)
        .join(MeetingOccurrence, AgendaItem.occurrence_id == MeetingOccurrence.id)
        .join(Meeting, MeetingOccurrence.meeting_id == Meeting.id)
        .where(AgendaItem.risk_id == risk_id).order_by(MeetingOccurrence.starts_at)).all()


def occurrence_choices(programme_id: int, linked_ids=()) -> list[tuple[int, str]]:
    """(id, label) of the meeting occurrences a risk may link: the programme's newest 100 not cancelled, plus
    those the risk links already (cancelled or older ones too, so saving the form never drops a link)."""
    columns = (MeetingOccurrence.id, MeetingOccurrence.starts_at, MeetingOccurrence.local_start, Meeting.title)
    newest = db.session.execute(
        select(*columns).join(Meeting, MeetingOccurrence.meeting_id == Meeting.id)
        .where(MeetingOccurrence.programme_id == programme_id, MeetingOccurrence.is_cancelled.is_(False))
        .order_by(MeetingOccurrence.starts_at.desc()).limit(100)).all()
    linked = db.session.execute(
        select(*columns).join(Meeting, MeetingOccurrence.meeting_id == Meeting.id)
        .where(MeetingOccurrence.programme_id == programme_id, MeetingOccurrence.id.in_(list(linked_ids)))
    ).all() if linked_ids else []
    rows = sorted({row.id: row for row in [*newest, *linked]}.values(), key=lambda row: row.starts_at, reverse=True)
    return [(row.id, f"{row.local_start:%Y-%m-%d %H:%M} {row.title}") for row in rows]
