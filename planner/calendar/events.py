"""Plain values describing what goes into an invitation or a feed, independent of the database models."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Attendee:
    """One invited person: ROLE is REQ-PARTICIPANT, OPT-PARTICIPANT or CHAIR."""

    email: str
    name: str
    role: str = "REQ-PARTICIPANT"
    partstat: str = "NEEDS-ACTION"
    rsvp: bool = True


@dataclass(frozen=True)
class Override:
    """A moved (or cancelled) occurrence of a recurring event.

    ``recurrence_id`` is the occurrence's original start, aware, in the master's zone. A cancelled
    occurrence becomes an EXDATE on the master rather than a VEVENT of its own. The override's SEQUENCE
    is written as max(its own, the master's).
    """

    recurrence_id: datetime
    start: datetime
    end: datetime
    sequence: int
    location: str = ""
    is_cancelled: bool = False


@dataclass(frozen=True)
class CalendarEvent:
    """A meeting, session or milestone as one iCalendar VEVENT (plus its moved occurrences).

    ``start``/``end`` are aware datetimes (ZoneInfo) or dates for all-day events, whose end is exclusive.
    ``dtstamp`` is aware UTC: now for invitations, the record's ``updated_at`` for feeds.
    ``rrule`` holds RRULE parts, e.g. ``{"FREQ": "WEEKLY", "INTERVAL": 2, "BYDAY": ["MO", "WE"], "COUNT": 10}``
    or ``{"FREQ": "MONTHLY", "BYDAY": ["-1FR"], "UNTIL": aware_datetime}``.
    ``exdates`` are the original starts of dropped occurrences, aware, in the master's zone.
    """

    uid: str
    sequence: int
    summary: str
    start: datetime | date
    end: datetime | date
    dtstamp: datetime
    description: str = ""
    location: str = ""
    url: str = ""
    organizer_email: str = ""
    organizer_name: str = ""
    attendees: tuple[Attendee, ...] = ()
    rrule: dict | None = None
    exdates: tuple[datetime, ...] = ()
    overrides: tuple[Override, ...] = ()
    is_cancelled: bool = False
    categories: tuple[str, ...] = ()
