"""Recurring plan items: an RRULE (RFC 5545, without DTSTART) from the item's first date, checked and expanded
with python-dateutil. Expansion stops at a horizon so an open-ended rule stays cheap and finite.

Only a whitelist of rule parts is accepted, and rules that can never give a date (February 30th, the 8th day of
a week, ...) are refused before dateutil sees them: dateutil looks for a next date up to the year 9999, which
for such a rule takes seconds (or forever with INTERVAL=0)."""
import calendar
from datetime import date, datetime, timedelta

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr
from flask_babel import gettext as _

from planner.core.errors import DomainError

#: an open-ended rule is expanded this far after its first date ...
HORIZON = timedelta(days=2 * 366)
#: ... and to at most this many occurrences
MAX_OCCURRENCES = 200
#: the rule parts a plan item may use (anything else, e.g. DTSTART, BYHOUR, BYYEARDAY, BYWEEKNO, is refused)
ALLOWED_PARTS = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS",
                           "WKST"})
#: the most days one period of each frequency has (a BYSETPOS beyond it never matches)
_PERIOD_DAYS = {DAILY: 1, WEEKLY: 7, MONTHLY: 31, YEARLY: 366}


def _refuse(message: str) -> DomainError:
    return DomainError(message, field="recurrence")


def _parts(text: str) -> dict[str, str]:
    """The rule's parts by name; refuses parts outside the whitelist, repeated parts and malformed text."""
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        name, sep, value = chunk.partition("=")
        if not sep or not name or not value:
            raise _refuse(_("This repeat rule cannot be read; write it like FREQ=WEEKLY;INTERVAL=2."))
        if name not in ALLOWED_PARTS:
            raise _refuse(_("Use only FREQ, INTERVAL, COUNT, UNTIL and BY-day or BY-month parts."))
        if name in parts:
            raise _refuse(_("Give each part of the repeat rule once."))
        parts[name] = value
    return parts


def _int_list(value: str | None) -> list[int]:
    if not value:
        return []
    try:
        return [int(piece) for piece in value.split(",")]
    except ValueError:
        raise _refuse(_("This repeat rule cannot be read; write it like FREQ=WEEKLY;INTERVAL=2.")) from None


def _check_can_give_dates(rule: rrule, parts: dict[str, str]) -> None:
    """Refuse rules that never give a date, so dateutil never scans the calendar to its end."""
    if rule._interval < 1:
        raise _refuse(_("Repeat every 1 or more periods (INTERVAL)."))
    if rule._count is not None and rule._count < 1:
        raise _refuse(_("Repeat at least once (COUNT)."))
    month_days = _int_list(parts.get("BYMONTHDAY"))
    if 0 in month_days or any(abs(day) > 31 for day in month_days):
        raise _refuse(_("A day of the month is 1 to 31 (or -1 to -31 from the end)."))
    months = _int_list(parts.get("BYMONTH")) or list(range(1, 13))
    if any(not 1 <= month <= 12 for month in months):
        raise _refuse(_("A month is 1 to 12."))
    if month_days and not any(abs(day) <= (29 if month == 2 else calendar.monthrange(2001, month)[1])
                              for month in months for day in month_days):
        raise _refuse(_("This repeat rule gives no dates."))
    positions = _int_list(parts.get("BYSETPOS"))
    if any(position == 0 or abs(position) > _PERIOD_DAYS[rule._freq] for position in positions):
        raise _refuse(_("This repeat rule gives no dates."))
    # weekdays like 2MO / -1FR: dateutil keeps them as (weekday, n) pairs
    most = 5 if rule._freq == MONTHLY or (rule._freq == YEARLY and parts.get("BYMONTH")) else 53
    if any(n == 0 or abs(n) > most for _weekday, n in (rule._bynweekday or ())):
        raise _refuse(_("This repeat rule gives no dates."))


def _rule(text: str, first_on: date) -> rrule:
    upper = text.upper()
    if upper.startswith("RRULE:"):
        text, upper = text[6:], upper[6:]
    parts = _parts(upper)
    if "FREQ" not in parts:
        raise _refuse(_("This repeat rule cannot be read; write it like FREQ=WEEKLY;INTERVAL=2."))
    try:
        rule = rrulestr(upper, dtstart=datetime.combine(first_on, datetime.min.time()))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        raise _refuse(_("This repeat rule cannot be read; write it like FREQ=WEEKLY;INTERVAL=2.")) from None
    if not isinstance(rule, rrule):
        raise _refuse(_("Give one repeat rule."))
    if rule._freq > DAILY:  # HOURLY, MINUTELY, SECONDLY
        raise _refuse(_("A plan item repeats at most daily."))
    _check_can_give_dates(rule, parts)
    return rule


def add_capped(day: date, delta: timedelta) -> date:
    """``day + delta``, kept within the calendar (no OverflowError)."""
    try:
        return day + delta
    except OverflowError:
        return date.max if delta > timedelta(0) else date.min


def clean_recurrence(text: str | None, first_on: date) -> str:
    """The rule as stored (stripped, upper case), or "" for a one-off item; refuses what cannot be planned."""
    text = "".join((text or "").split()).upper()
    if not text:
        return ""
    if len(text) > 500:
        raise _refuse(_("The repeat rule is too long."))
    rule = _rule(text, first_on)
    if rule._count is not None and rule._count > MAX_OCCURRENCES:
        raise _refuse(_("Repeat at most %(count)s times.", count=MAX_OCCURRENCES))
    if rule._until is not None and rule._until.date() > add_capped(first_on, HORIZON):
        raise _refuse(_("Plan at most two years ahead: end the rule sooner."))
    if not occurrences(first_on, text):
        raise _refuse(_("This repeat rule gives no dates."))
    return text.removeprefix("RRULE:")


def occurrences(first_on: date, recurrence: str, *, until: date | None = None) -> list[date]:
    """The dates of an item: ``[first_on]`` for a one-off, else the rule's dates from ``first_on`` (inclusive)
    up to ``until`` (inclusive), the horizon and MAX_OCCURRENCES, whichever comes first. A rule dateutil
    cannot expand raises DomainError (field recurrence), never ValueError."""
    last = add_capped(first_on, HORIZON)
    if until is not None:
        last = min(last, until)
    if not recurrence:
        return [first_on] if first_on <= last else []
    days: list[date] = []
    rule = _rule(recurrence, first_on)
    shift = _CYCLE_YEARS * ((_LATEST_START_YEAR - first_on.year) // _CYCLE_YEARS)
    try:
        for moment in _shifted(rule, shift):
            day = moment.date()
            if day.year - shift > date.max.year:
                break
            day = day.replace(year=day.year - shift)
            if day > last or len(days) >= MAX_OCCURRENCES:
                break
            if not days or days[-1] != day:
                days.append(day)
    except (ValueError, OverflowError):
        raise _refuse(_("This repeat rule cannot be expanded to dates.")) from None
    return days


#: the Gregorian calendar repeats every 400 years (146097 days, a whole number of weeks)
_CYCLE_YEARS = 400
#: the rule is expanded in the same place of the cycle late in the calendar, so that dateutil's search for a next
#: date, which only stops at the year 9999, looks through at most about 400 years: bounded by construction
_LATEST_START_YEAR = 9996


def _shifted(rule: rrule, years: int) -> rrule:
    """The same rule moved ``years`` (a multiple of 400) later: same weekdays, same leap days."""
    start, until = rule._dtstart, rule._until
    if until is not None:
        # an UNTIL beyond the calendar once moved is beyond the horizon too: the horizon ends the dates then
        year = until.year + years
        if year > 9999:
            until = datetime(9999, 12, 31)
        elif year < 1:
            until = datetime(1, 1, 1)
        else:
            until = until.replace(year=year)
    return rule.replace(dtstart=start.replace(year=start.year + years), until=until)
