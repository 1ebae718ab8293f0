"""Which occurrences of the plan were done, are due, overdue or missed.

For each occurrence (a date of a plan item), with ``today`` and the programme's working calendar:

- **done**: a log row fulfils it (item and occurrence date), whenever it was written;
- **planned**: later than DUE_AHEAD_DAYS calendar days from today;
- **due**: from DUE_AHEAD_DAYS ahead up to GRACE_WORKING_DAYS working days after the date (a meeting is often
  logged a day or two after it was held: that is not late yet);
- **overdue**: past the grace and not yet missed;
- **missed**: more than MISSED_AFTER_WORKING_DAYS working days past its date, or the item's next occurrence
  has already come (a fortnightly update not sent by the time the next one is due was skipped).

Everything is computed from one query of items and one of log rows; recurrences are expanded in Python.
"""
import enum
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from planner.comms.models import CommunicationItem, CommunicationLog
from planner.comms.recurrence import add_capped, occurrences
from planner.extensions import db
from planner.rollout.calendar import programme_calendar

DUE_AHEAD_DAYS = 7
GRACE_WORKING_DAYS = 2
MISSED_AFTER_WORKING_DAYS = 10


class OccurrenceState(enum.StrEnum):
    DONE = "done"
    PLANNED = "planned"
    DUE = "due"
    OVERDUE = "overdue"
    MISSED = "missed"


#: states that still wait for a send or a log entry
OPEN_STATES = (OccurrenceState.DUE, OccurrenceState.OVERDUE)


@dataclass(frozen=True)
class Occurrence:
    item_id: int
    on: date
    state: OccurrenceState
    log_id: int | None = None


def occurrence_state(next_on: date | None, on: date, log_id: int | None, today: date, calendar) -> \
        OccurrenceState:
    """The state of one occurrence (see the module's description)."""
    if log_id is not None:
        return OccurrenceState.DONE
    if on > today + timedelta(days=DUE_AHEAD_DAYS):
        return OccurrenceState.PLANNED
    if on >= today:
        return OccurrenceState.DUE
    late = calendar.working_days_between(on, today)
    if (next_on is not None and next_on <= today) or late > MISSED_AFTER_WORKING_DAYS:
        return OccurrenceState.MISSED
    return OccurrenceState.DUE if late <= GRACE_WORKING_DAYS else OccurrenceState.OVERDUE


def occurrences_of(items, logs_by_key: dict, today: date, calendar, *, until: date | None = None) \
        -> dict[int, list[Occurrence]]:
    """Every occurrence of each item up to ``until`` (default: the due window), with its state. The state of
    the last listed occurrence looks one occurrence further to know whether it was missed."""
    limit = until or today + timedelta(days=DUE_AHEAD_DAYS)
    result: dict[int, list[Occurrence]] = {}
    for item in items:
        days = occurrences(item.planned_on, item.recurrence,
                           until=add_capped(max(limit, today), timedelta(days=400)))
        listed = []
        for index, on in enumerate(days):
            if on > limit:
                break
            next_on = days[index + 1] if index + 1 < len(days) else None
            log_id = logs_by_key.get((item.id, on))
            listed.append(Occurrence(item.id, on, occurrence_state(next_on, on, log_id, today, calendar),
                                     log_id))
        result[item.id] = listed
    return result


def logs_by_occurrence(programme_id: int) -> dict[tuple[int, date], int]:
    rows = db.session.execute(select(CommunicationLog.item_id, CommunicationLog.occurrence_on, CommunicationLog.id)
                              .where(CommunicationLog.programme_id == programme_id,
                                     CommunicationLog.item_id.is_not(None)))
    return {(item_id, on): log_id for item_id, on, log_id in rows}


def programme_occurrences(programme, today: date, *, until: date | None = None) -> dict[int, list[Occurrence]]:
    """All items' occurrences (up to the due window) with their states: three queries in all."""
    items = db.session.scalars(select(CommunicationItem).where(CommunicationItem.programme_id == programme.id)).all()
    return occurrences_of(items, logs_by_occurrence(programme.id), today, programme_calendar(programme),
                          until=until)


def state_counts(by_item: dict[int, list[Occurrence]]) -> dict[OccurrenceState, int]:
    counts = {state: 0 for state in OccurrenceState}
    for listed in by_item.values():
        for occurrence in listed:
            counts[occurrence.state] += 1
    return counts


def open_occurrence_for(programme, audience_id: int, purpose, today: date):
    """The earliest due or overdue occurrence (a send a few days early fulfils the coming one) of a plan item for
    this audience and purpose, as (item, date), or (None, None)."""
    items = db.session.scalars(select(CommunicationItem).where(
        CommunicationItem.programme_id == programme.id, CommunicationItem.audience_id == audience_id,
        CommunicationItem.purpose == purpose)).all()
    if not items:
        return None, None
    by_item = occurrences_of(items, logs_by_occurrence(programme.id), today, programme_calendar(programme))
    candidates = [(occurrence.on, occurrence.item_id) for listed in by_item.values() for occurrence in listed
                  if occurrence.state in OPEN_STATES]
    if not candidates:
        return None, None
    on, item_id = min(candidates)
    return next(item for item in items if item.id == item_id), on
