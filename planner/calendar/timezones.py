"""VTIMEZONE components in the yearly-rule form, derived from the zoneinfo database.

icalendar's own ``add_missing_timezones()`` writes one RDATE per transition since 1970, a shape
vobject (and reportedly Outlook) misreads (CALENDAR.md rule 9). Here zoneinfo's transitions are
folded into observances:

* each run of yearly transitions that follow one rule ("last Sunday of March at 02:00") becomes one
  STANDARD or DAYLIGHT with ``RRULE:FREQ=YEARLY;BYMONTH=..;BYDAY=..``, its DTSTART the first onset of
  that rule (followed back to 1970), as Google, Apple and Thunderbird write them;
* a rule that stops before the last year asked for (the zone changed its rule, or dropped DST as
  America/Sao_Paulo did in 2019) ends with an ``UNTIL`` in UTC and the next rule period gets its own
  observance; a rule still in force in the last year is left open;
* a transition that follows no yearly pattern (Africa/Casablanca around Ramadan) becomes an observance
  of its own: DTSTART and no RRULE. No RDATE is ever written;
* only rules in force during the years asked for are written, plus the change in force when they begin;
* a zone without any transition since 1970 gets a single STANDARD with its fixed offset.
"""
from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
#: Onset of the single observance of a zone without transitions since 1970.
_FIXED_OFFSET_ONSET = datetime(1970, 1, 1)
#: How far back rules are followed to date their start.
_HISTORY_START = 1970


@dataclass(frozen=True)
class _Transition:
    at: datetime  # UTC instant of the change
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def onset(self) -> datetime:
        """The local wall time of the change, as read before it (the VTIMEZONE DTSTART)."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    @property
    def kind(self) -> tuple:
        return (self.is_dst, self.offset_from, self.offset_to, self.name)


@dataclass(frozen=True)
class _Observance:
    is_dst: bool
    onset: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    rule: tuple[tuple[str, object], ...] | None = None  # RRULE parts, in order


def vtimezone(zone_name: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """A VTIMEZONE for ``zone_name`` good for events from ``first_year`` to ``last_year``.

    Covers the year before ``first_year`` too, so an event early in ``first_year`` falls after an onset.
    Each call returns a new component; the analysis behind it is cached per zone and years.
    """
    if first_year > last_year:
        raise ValueError(f"first_year {first_year} is after last_year {last_year}")
    component = icalendar.Timezone()
    component.add("tzid", zone_name)
    for observance in _observances(zone_name, first_year - 1, last_year):
        sub = icalendar.TimezoneDaylight() if observance.is_dst else icalendar.TimezoneStandard()
        sub.add("dtstart", observance.onset)
        sub.add("tzoffsetfrom", observance.offset_from)
        sub.add("tzoffsetto", observance.offset_to)
        if observance.name:
            sub.add("tzname", observance.name)
        if observance.rule:
            sub.add("rrule", dict(observance.rule))
        component.add_component(sub)
    return component


@lru_cache(maxsize=256)
def _observances(zone_name: str, from_year: int, to_year: int) -> tuple[_Observance, ...]:
    """The observances in force from ``from_year`` to ``to_year``, each rule dated from the year it took effect.

    Rules are followed back to 1970 rather than cut at ``from_year``: vobject (and so Radicale) takes a
    VTIMEZONE that shows no transition between 2000 and 2020 and an offset of zero for UTC, and then reads
    Europe/London or Europe/Lisbon times as floating.
    """
    history_start = min(_HISTORY_START, from_year)
    transitions = [t for year in range(history_start, to_year + 1) for t in _year_transitions(zone_name, year)]
    if not transitions:
        local = datetime(from_year, 1, 1, tzinfo=timezone.utc).astimezone(ZoneInfo(zone_name))
        offset = local.utcoffset()
        return (_Observance(False, _FIXED_OFFSET_ONSET, offset, offset, local.tzname() or ""),)
    window_start = datetime(from_year, 1, 1, tzinfo=timezone.utc)
    earlier = [t.at for t in transitions if t.at < window_start]
    in_force_from = earlier[-1] if earlier else window_start  # the change that set the offset at window start
    observances = []
    for kind in sorted({t.kind for t in transitions}):
        runs = _fold_runs([t for t in transitions if t.kind == kind], to_year)
        observances.extend(observance for observance, last_at in runs if last_at >= in_force_from)
    return tuple(sorted(observances, key=lambda o: (o.onset, o.is_dst)))


@lru_cache(maxsize=8192)
def _year_transitions(zone_name: str, year: int) -> tuple[_Transition, ...]:
    """Every change of offset, DST flag or abbreviation during ``year`` (UTC), found day by day then bisected."""
    zone = ZoneInfo(zone_name)
    start = datetime(year, 1, 1, tzinfo=timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=timezone.utc)
    found = []
    # Probe at the last second of each day, starting with the one before the year, so a change at
    # exactly midnight UTC on 1 January is found in this year and only here.
    previous_instant = start - _SECOND
    previous_state = _state(zone, previous_instant)
    while previous_instant < end - _SECOND:
        instant = min(previous_instant + _DAY, end - _SECOND)
        state = _state(zone, instant)
        if state != previous_state:
            low, high = previous_instant, instant  # state(low) == previous_state != state(high)
            while high - low > _SECOND:
                middle = (low + (high - low) / 2).replace(microsecond=0)
                if _state(zone, middle) == previous_state:
                    low = middle
                else:
                    high = middle
            offset, dst, name = _state(zone, high)
            # DST means a positive dst(): Europe/Dublin's negative "winter DST" is written as STANDARD.
            found.append(_Transition(high, previous_state[0], offset, name, dst > timedelta(0)))
        previous_instant, previous_state = instant, state
    return tuple(found)


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, timedelta, str]:
    local = instant.astimezone(zone)
    return local.utcoffset(), local.dst(), local.tzname() or ""


def _patterns(onset: datetime) -> set[tuple]:
    """The yearly rules this onset satisfies: weekday on/after a day, last weekday, or fixed date."""
    days_in_month = _calendar.monthrange(onset.year, onset.month)[1]
    weekday = _WEEKDAYS[onset.weekday()]
    patterns: set[tuple] = {("date", onset.day)}
    for first_day in range(max(1, onset.day - 6), onset.day + 1):
        if first_day + 6 <= 28:  # BYMONTHDAY days that exist in every month
            patterns.add(("on_or_after", weekday, first_day))
    if onset.day + 7 > days_in_month:
        patterns.add(("last", weekday))
    return patterns


def _rule_parts(month: int, patterns: set[tuple], until: datetime | None) -> tuple[tuple[str, object], ...]:
    """RRULE parts for the preferred pattern: last weekday, then nth weekday, then weekday in a range of days."""
    parts: list[tuple[str, object]] = [("FREQ", "YEARLY")]
    if until is not None:
        parts.append(("UNTIL", until))
    parts.append(("BYMONTH", month))
    last = [p for p in patterns if p[0] == "last"]
    nth = sorted(p for p in patterns if p[0] == "on_or_after" and p[2] in (1, 8, 15, 22))
    ranges = sorted(p for p in patterns if p[0] == "on_or_after")
    if last:
        parts.append(("BYDAY", f"-1{last[0][1]}"))
    elif nth:
        parts.append(("BYDAY", f"{(nth[0][2] - 1) // 7 + 1}{nth[0][1]}"))
    elif ranges:
        _, weekday, first_day = ranges[0]
        parts.append(("BYDAY", weekday))
        parts.append(("BYMONTHDAY", list(range(first_day, first_day + 7))))
    else:
        parts.append(("BYMONTHDAY", sorted(p for p in patterns if p[0] == "date")[0][1]))
    return tuple(parts)


def _fold_runs(transitions: list[_Transition], to_year: int) -> list[tuple[_Observance, datetime]]:
    """Group same-kind transitions of consecutive years that share month, time and a day pattern."""
    runs: list[tuple[list[_Transition], set[tuple]]] = []
    for transition in transitions:
        onset = transition.onset
        if runs:
            members, patterns = runs[-1]
            last = members[-1].onset
            common = patterns & _patterns(onset)
            if (onset.year == last.year + 1 and onset.month == last.month and onset.time() == last.time()
                    and common):
                members.append(transition)
                runs[-1] = (members, common)
                continue
        runs.append(([transition], _patterns(onset)))

    observances = []
    for members, patterns in runs:
        first, last = members[0], members[-1]
        rule = None
        if len(members) > 1:
            # A run still going in the last year is the rule in force: leave it open. Otherwise end it a day
            # after its last onset (UNTIL is inclusive; the slack covers readers that take UNTIL as local time).
            until = None if last.onset.year >= to_year else last.at + _DAY
            rule = _rule_parts(first.onset.month, patterns, until)
        observances.append((_Observance(first.is_dst, first.onset, first.offset_from, first.offset_to, first.name,
                                        rule), last.at))
    return observances
