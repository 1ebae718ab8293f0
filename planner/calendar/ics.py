"""iCalendar objects for invitations (iTIP REQUEST / CANCEL) and subscription feeds, as bytes.

Follows CALENDAR.md: bare lower-case ``mailto:`` addresses, zoned or UTC times (never floating, except
all-day dates), one VTIMEZONE in the yearly-rule form per TZID used and none for UTC, moved occurrences as
RECURRENCE-ID overrides sent with their master, cancelled occurrences as EXDATE. Output is deterministic:
the same events give the same bytes (DTSTAMP comes from the event).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

from planner.calendar.events import Attendee, CalendarEvent, Override
from planner.calendar.timezones import vtimezone

PRODID = "-//Rollout Planner//EN"
#: Zone names that are UTC under another name: written with Z, never given a VTIMEZONE.
_UTC_ZONES = frozenset({"UTC", "Etc/UTC", "UCT", "Etc/UCT", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal",
                        "GMT", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "GMT0", "GMT+0", "GMT-0",
                        "Greenwich", "Etc/Greenwich"})
#: How far ahead a series with neither COUNT nor UNTIL needs its zone's rules described.
_OPEN_ENDED_YEARS = 5
_MAX_SPAN_YEARS = 30
_FREQ_DAYS = {"SECONDLY": 0, "MINUTELY": 0, "HOURLY": 1, "DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}


def build_request(event: CalendarEvent) -> bytes:
    """An iTIP REQUEST inviting every attendee: the master plus one VEVENT per moved occurrence.

    Cancelled occurrences become EXDATEs on the master. A cancelled series must go out as
    ``build_cancel``: clients ignore a REQUEST carrying STATUS:CANCELLED (CALENDAR.md rule 6).
    """
    if event.is_cancelled:
        raise ValueError("a cancelled event is sent with build_cancel, not as a REQUEST")
    _require_organizer(event)
    zones = _Zones()
    components = [_master(event, zones, attendees=event.attendees, with_organizer=True, rsvp=True,
                          status="CONFIRMED")]
    components += _moved_occurrences(event, zones, attendees=event.attendees, with_organizer=True)
    return _serialise(components, zones, method="REQUEST")


def build_cancel(event: CalendarEvent, *, recurrence_id: datetime | None = None,
                 only_attendee: Attendee | None = None) -> bytes:
    """An iTIP CANCEL with the event's UID and the SEQUENCE the caller has already raised.

    * the whole series: STATUS:CANCELLED, every attendee;
    * ``recurrence_id`` given: that occurrence only (RECURRENCE-ID in the master's zone), with its moved
      times if it had been moved, SEQUENCE max(event's, override's);
    * ``only_attendee`` given (a person removed from the meeting): lists only that person and carries no
      STATUS, so the others keep the meeting (CALENDAR.md rule 6).
    """
    _require_organizer(event)
    zones = _Zones()
    attendees = (only_attendee,) if only_attendee is not None else event.attendees
    status = None if only_attendee is not None else "CANCELLED"
    if recurrence_id is None:
        component = _master(event, zones, attendees=attendees, with_organizer=True, rsvp=False, status=status)
    elif not event.rrule:
        raise ValueError(f"event {event.uid} does not recur: cancel it whole, without recurrence_id")
    else:
        component = _cancelled_occurrence(event, recurrence_id, zones, attendees=attendees, status=status)
    return _serialise([component], zones, method="CANCEL")


def build_publish(events: Iterable[CalendarEvent], *, name: str, method: str | None = None) -> bytes:
    """A subscription feed (``method=None``) or a one-meeting download (``method="PUBLISH"``).

    No attendees and no RSVP; the ORGANIZER is written only for PUBLISH (RFC 5546 requires it there; in a
    feed some clients would treat the entry as a meeting to answer). NAME and X-WR-CALNAME carry ``name``;
    REFRESH-INTERVAL and X-PUBLISHED-TTL ask clients to refresh hourly.
    """
    if method not in (None, "PUBLISH"):
        raise ValueError(f"a published calendar has no METHOD or METHOD:PUBLISH, not {method!r}")
    with_organizer = method == "PUBLISH"
    zones = _Zones()
    components: list[icalendar.Component] = []
    for event in events:
        components.append(_master(event, zones, attendees=(), with_organizer=with_organizer, rsvp=False,
                                  status="CANCELLED" if event.is_cancelled else "CONFIRMED"))
        components += _moved_occurrences(event, zones, attendees=(), with_organizer=with_organizer)
    return _serialise(components, zones, method=method, name=name)


# --- components ---------------------------------------------------------------------------------------------


def _master(event: CalendarEvent, zones: _Zones, *, attendees: tuple[Attendee, ...], with_organizer: bool,
            rsvp: bool, status: str | None) -> icalendar.Event:
    zone = _master_zone(event)
    vevent = _common(event, sequence=event.sequence, status=status)
    start, end = _span(event.start, event.end, zone)
    zones.note(zone, start.year, max(end.year, _last_year(event, start, zone)))
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    if event.rrule:
        vevent.add("rrule", _recur(event.rrule, start, zone))
        exdates = {_in_zone(value, zone) for value in event.exdates}
        exdates |= {_in_zone(o.recurrence_id, zone) for o in event.overrides if o.is_cancelled}
        if exdates:
            vevent.add("exdate", sorted(exdates))
    _add_people(vevent, event, attendees, with_organizer=with_organizer, rsvp=rsvp)
    return vevent


def _moved_occurrences(event: CalendarEvent, zones: _Zones, *, attendees: tuple[Attendee, ...],
                       with_organizer: bool) -> list[icalendar.Event]:
    if not event.rrule:
        return []
    zone = _master_zone(event)
    components = []
    for override in event.overrides:
        if override.is_cancelled:
            continue
        vevent = _occurrence(event, override.recurrence_id, override, zones, zone,
                             status="CANCELLED" if event.is_cancelled else "CONFIRMED")
        _add_people(vevent, event, attendees, with_organizer=with_organizer, rsvp=True)
        components.append(vevent)
    return components


def _cancelled_occurrence(event: CalendarEvent, recurrence_id: datetime, zones: _Zones, *,
                          attendees: tuple[Attendee, ...], status: str | None) -> icalendar.Event:
    zone = _master_zone(event)
    original = _in_zone(recurrence_id, zone)
    override = next((o for o in event.overrides if _in_zone(o.recurrence_id, zone) == original), None)
    vevent = _occurrence(event, recurrence_id, override, zones, zone, status=status)
    _add_people(vevent, event, attendees, with_organizer=True, rsvp=False)
    return vevent


def _occurrence(event: CalendarEvent, recurrence_id: datetime | date, override: Override | None, zones: _Zones,
                zone: tzinfo | None, *, status: str | None) -> icalendar.Event:
    """One occurrence as its own VEVENT: RECURRENCE-ID in the master's zone, moved times if any."""
    original = _in_zone(recurrence_id, zone)
    if override is not None:
        start, end = _span(override.start, override.end, zone)
        sequence = max(override.sequence, event.sequence)
    else:
        master_start, master_end = _span(event.start, event.end, zone)
        start, end = original, original + (master_end - master_start)
        sequence = event.sequence
    zones.note(zone, min(start.year, original.year), max(end.year, original.year))
    vevent = _common(event, sequence=sequence, status=status)
    vevent.add("recurrence-id", original)
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    if override is not None and override.location:
        vevent.pop("LOCATION", None)
        vevent.add("location", override.location)
    return vevent


def _common(event: CalendarEvent, *, sequence: int, status: str | None) -> icalendar.Event:
    if not event.uid:
        raise ValueError("an event needs a UID")
    if sequence < 0:
        raise ValueError("SEQUENCE is never negative")
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", sequence)
    vevent.add("dtstamp", _utc(event.dtstamp, "dtstamp"))
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    if event.categories:
        vevent.add("categories", list(event.categories))
    if status:
        vevent.add("status", status)
    return vevent


def _add_people(vevent: icalendar.Event, event: CalendarEvent, attendees: tuple[Attendee, ...], *,
                with_organizer: bool, rsvp: bool) -> None:
    if with_organizer and event.organizer_email:
        vevent.add("organizer", _mailto(event.organizer_email), parameters=_cn(event.organizer_name))
    for attendee in attendees:
        parameters = _cn(attendee.name)
        parameters["ROLE"] = attendee.role
        parameters["PARTSTAT"] = attendee.partstat
        if rsvp and attendee.rsvp:
            parameters["RSVP"] = "TRUE"
        vevent.add("attendee", _mailto(attendee.email), parameters=parameters)


def _serialise(components: list[icalendar.Component], zones: _Zones, *, method: str | None,
               name: str | None = None) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name is not None:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        # icalendar 7.3 leaves out VALUE=DURATION, which REFRESH-INTERVAL requires (RFC 7986).
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    for zone_name, first_year, last_year in zones.spans():
        calendar.add_component(_shared_vtimezone(zone_name, first_year, last_year))
    for component in components:
        calendar.add_component(component)
    return calendar.to_ical()


@lru_cache(maxsize=512)
def _shared_vtimezone(zone_name: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """One VTIMEZONE per (zone, years) for the whole process; serialised, never modified."""
    return vtimezone(zone_name, first_year, last_year)


# --- times ---------------------------------------------------------------------------------------------------


class _Zones:
    """The zones used by a calendar and the years each must cover, so every TZID gets one VTIMEZONE."""

    def __init__(self) -> None:
        self._years: dict[str, tuple[int, int]] = {}

    def note(self, zone: tzinfo | None, first_year: int, last_year: int) -> None:
        if not isinstance(zone, ZoneInfo):
            return  # all-day dates and UTC need no VTIMEZONE
        known = self._years.get(zone.key)
        if known:
            first_year, last_year = min(first_year, known[0]), max(last_year, known[1])
        self._years[zone.key] = (first_year, last_year)

    def spans(self) -> list[tuple[str, int, int]]:
        return [(name, first, last) for name, (first, last) in sorted(self._years.items())]


def _is_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _master_zone(event: CalendarEvent) -> tzinfo | None:
    """The zone every time of the event is written in: the start's IANA zone, UTC, or None for all-day."""
    if _is_date(event.start):
        return None
    tz = event.start.tzinfo
    if tz is None or event.start.utcoffset() is None:
        raise ValueError(f"event {event.uid}: start has no time zone (floating times are not allowed)")
    if isinstance(tz, ZoneInfo) and tz.key and tz.key not in _UTC_ZONES:
        return tz
    return timezone.utc


def _in_zone(value: datetime | date, zone: tzinfo | None) -> datetime | date:
    """``value`` as written in an event whose master zone is ``zone`` (None: all-day, so a date)."""
    if zone is None:
        return value.date() if isinstance(value, datetime) else value
    if _is_date(value) or value.utcoffset() is None:
        raise ValueError(f"{value!r} has no time zone (floating times are not allowed)")
    return value.astimezone(zone)


def _span(start: datetime | date, end: datetime | date, zone: tzinfo | None) -> tuple:
    if _is_date(start) != _is_date(end):
        raise ValueError("start and end are both dates (all-day) or both datetimes")
    start, end = _in_zone(start, zone), _in_zone(end, zone)
    if end < start or (zone is None and end == start):
        raise ValueError(f"end {end} is before start {start}")
    return start, end


def _utc(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime")
    return value.astimezone(timezone.utc)


def _recur(rrule: dict, start: datetime | date, zone: tzinfo | None) -> dict:
    """RRULE parts with UNTIL as a date (all-day) or in UTC (RFC 5545: UTC whenever DTSTART is zoned)."""
    parts = {key.upper(): value for key, value in rrule.items()}
    if "FREQ" not in parts:
        raise ValueError("an RRULE needs FREQ")
    if "UNTIL" in parts and "COUNT" in parts:
        raise ValueError("an RRULE has UNTIL or COUNT, not both")
    until = parts.get("UNTIL")
    if until is not None:
        if zone is None:
            parts["UNTIL"] = until.date() if isinstance(until, datetime) else until
        elif _is_date(until):
            parts["UNTIL"] = datetime.combine(until, start.time(), tzinfo=zone).astimezone(timezone.utc)
        else:
            parts["UNTIL"] = _utc(until, "UNTIL")
    return parts


def _last_year(event: CalendarEvent, start: datetime | date, zone: tzinfo | None) -> int:
    """The last year the event's occurrences can reach, so the VTIMEZONE covers all of them."""
    if not event.rrule:
        return start.year
    parts = {key.upper(): value for key, value in event.rrule.items()}
    if parts.get("UNTIL") is not None:
        until = parts["UNTIL"]
        year = (until.astimezone(zone) if isinstance(until, datetime) and zone else until).year
        return max(start.year, min(year, start.year + _MAX_SPAN_YEARS))
    if parts.get("COUNT"):
        days = int(parts["COUNT"]) * int(parts.get("INTERVAL", 1)) * _FREQ_DAYS.get(str(parts["FREQ"]).upper(), 366)
        return (start + timedelta(days=min(days, 366 * _MAX_SPAN_YEARS))).year
    return start.year + _OPEN_ENDED_YEARS


def _require_organizer(event: CalendarEvent) -> None:
    if not event.organizer_email:
        raise ValueError(f"event {event.uid}: an invitation needs an ORGANIZER")


def _mailto(email: str) -> str:
    address = email.strip().lower()
    if address.startswith("mailto:"):
        address = address[len("mailto:"):]
    if "@" not in address or any(ch.isspace() or ord(ch) < 32 for ch in address):
        raise ValueError(f"not an email address: {email!r}")
    return f"mailto:{address}"


def _cn(name: str) -> dict[str, str]:
    """A CN parameter: one line, no double quotes (a parameter value cannot hold them)."""
    cleaned = " ".join(name.split()).replace('"', "'")
    return {"CN": cleaned} if cleaned else {}
