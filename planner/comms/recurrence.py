"""Recurring plan items: an RRULE (RFC 5545, without DTSTART) from the item's first date, checked and expanded
with python-dateutil. Expansion stops at a horizon so an open-ended rule stays cheap and finite."""
from datetime import date, datetime, timedelta

from dateutil.rrule import DAILY, rrule, rrulestr
from flask_babel import gettext as _

from planner.core.errors import DomainError

#: an open-ended rule is expanded this far after its first date ...
HORIZON = timedelta(days=2 * 366)
#: ... and to at most this many occurrences
MAX_OCCURRENCES = 200
#: parts that would make a rule more frequent than daily, or that the first date already gives
_REFUSED_PARTS = ("DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND")


def _rule(text: str, first_on: date) -> rrule:
    upper = text.upper()
    if upper.startswith("RRULE:"):
        text, upper = text[6:], upper[6:]
    if any(part + "=" in upper or part + ":" in upper for part in _REFUSED_PARTS):
        raise DomainError(_("Use only FREQ, INTERVAL, COUNT, UNTIL and BY-day or BY-month parts."),
                          field="recurrence")
    try:
        rule = rrulestr(text, dtstart=datetime.combine(first_on, datetime.min.time()))
    except (ValueError, TypeError, KeyError, IndexError):
        raise DomainError(_("This repeat rule cannot be read; write it like FREQ=WEEKLY;INTERVAL=2."),
                          field="recurrence") from None
    if not isinstance(rule, rrule):
        raise DomainError(_("Give one repeat rule."), field="recurrence")
    if rule._freq > DAILY:  # HOURLY, MINUTELY, SECONDLY
        raise DomainError(_("A plan item repeats at most daily."), field="recurrence")
    return rule


def clean_recurrence(text: str | None, first_on: date) -> str:
    """The rule as stored (stripped, upper case), or "" for a one-off item; refuses what cannot be planned."""
    text = "".join((text or "").split()).upper()
    if not text:
        return ""
    if len(text) > 500:
        raise DomainError(_("The repeat rule is too long."), field="recurrence")
    rule = _rule(text, first_on)
    if rule._count is not None and rule._count > MAX_OCCURRENCES:
        raise DomainError(_("Repeat at most %(count)s times.", count=MAX_OCCURRENCES), field="recurrence")
    if rule._until is not None and rule._until.date() > first_on + HORIZON:
        raise DomainError(_("Plan at most two years ahead: end the rule sooner."), field="recurrence")
    if not occurrences(first_on, text):
        raise DomainError(_("This repeat rule gives no dates."), field="recurrence")
    return text.removeprefix("RRULE:")


def occurrences(first_on: date, recurrence: str, *, until: date | None = None) -> list[date]:
    """The dates of an item: ``[first_on]`` for a one-off, else the rule's dates from ``first_on`` (inclusive)
    up to ``until`` (inclusive), the horizon and MAX_OCCURRENCES, whichever comes first."""
    last = first_on + HORIZON
    if until is not None:
        last = min(last, until)
    if not recurrence:
        return [first_on] if first_on <= last else []
    days: list[date] = []
    for moment in _rule(recurrence, first_on):
        day = moment.date()
        if day > last or len(days) >= MAX_OCCURRENCES:
            break
        if not days or days[-1] != day:
            days.append(day)
    return days
