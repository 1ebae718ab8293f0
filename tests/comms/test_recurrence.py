"""Repeat rules: read with dateutil, at most daily, bounded, expanded to dates."""
from datetime import date

import pytest

from planner.comms.recurrence import MAX_OCCURRENCES, clean_recurrence, occurrences
from planner.core.errors import DomainError

START = date(2026, 9, 1)


def test_fortnightly_dates_from_the_first_date():
    assert occurrences(START, "FREQ=WEEKLY;INTERVAL=2", until=date(2026, 10, 13)) == [
        date(2026, 9, 1), date(2026, 9, 15), date(2026, 9, 29), date(2026, 10, 13)]


def test_a_one_off_item_has_its_date_only():
    assert occurrences(START, "") == [START]
    assert occurrences(START, "", until=date(2026, 8, 31)) == []


def test_an_open_ended_rule_stops_at_the_cap():
    assert len(occurrences(START, "FREQ=DAILY")) == MAX_OCCURRENCES
    weekly = occurrences(START, "FREQ=WEEKLY")
    assert len(weekly) < MAX_OCCURRENCES and weekly[-1] <= date(2028, 9, 1)


def test_a_rule_is_stored_tidy():
    assert clean_recurrence(" freq=weekly; interval=2 ", START) == "FREQ=WEEKLY;INTERVAL=2"
    assert clean_recurrence("RRULE:FREQ=MONTHLY;BYDAY=1TU", START) == "FREQ=MONTHLY;BYDAY=1TU"
    assert clean_recurrence("", START) == ""


@pytest.mark.parametrize("rule", [
    "FREQ=HOURLY", "FREQ=MINUTELY;INTERVAL=30", "FREQ=DAILY;BYHOUR=9,15", "nonsense", "FREQ=WEEKLY;INTERVAL=x",
    "FREQ=DAILY;COUNT=201", "FREQ=WEEKLY;UNTIL=20300101", "DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
    "FREQ=WEEKLY;UNTIL=20260801",
])
def test_refused_rules(rule):
    with pytest.raises(DomainError) as refused:
        clean_recurrence(rule, START)
    assert refused.value.field == "recurrence"


@pytest.mark.parametrize("rule", [
    "FREQ=DAILY;INTERVAL=0", "FREQ=WEEKLY;INTERVAL=-1", "FREQ=DAILY;COUNT=0", "FREQ=MONTHLY;BYMONTHDAY=0",
    "FREQ=MONTHLY;BYMONTHDAY=32", "FREQ=YEARLY;BYYEARDAY=100", "FREQ=YEARLY;BYWEEKNO=20", "FREQ=DAILY;BYEASTER=0",
    "FREQ=DAILY;FOO=1", "FREQ=DAILY;FREQ=WEEKLY", "INTERVAL=2", "FREQ=DAILY;BYMONTH=13",
    # rules that never give a date: refused before dateutil would search to the year 9999
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=WEEKLY;BYMONTH=4,6;BYMONTHDAY=31", "FREQ=WEEKLY;BYSETPOS=8",
    "FREQ=MONTHLY;BYDAY=6MO", "FREQ=YEARLY;BYMONTH=3;BYDAY=-6FR", "FREQ=YEARLY;BYDAY=MO;BYSETPOS=367",
])
def test_unsafe_or_empty_rules_are_refused_quickly(rule):
    """Each is refused by checks on the parsed rule, never by searching: a hang or a 3-second scan of the
    calendar shows up as a slow test; the assertion on the time makes it fail."""
    import time
    started = time.monotonic()
    with pytest.raises(DomainError) as refused:
        clean_recurrence(rule, START)
    assert refused.value.field == "recurrence"
    with pytest.raises(DomainError):
        occurrences(START, rule)
    assert time.monotonic() - started < 0.5


def test_whitelisted_parts_are_accepted():
    rule = "FREQ=MONTHLY;INTERVAL=1;COUNT=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;WKST=MO"
    assert occurrences(START, clean_recurrence(rule, START)) == [
        date(2026, 9, 30), date(2026, 10, 30), date(2026, 11, 30)]
    assert clean_recurrence("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", START)  # leap days: within two years


def test_a_rule_without_a_date_within_the_horizon_is_refused():
    with pytest.raises(DomainError):
        clean_recurrence("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", date(2025, 3, 1))


def test_dates_near_the_end_of_the_calendar_do_not_overflow():
    assert occurrences(date(9999, 12, 1), "") == [date(9999, 12, 1)]
    assert occurrences(date(9999, 12, 30), "FREQ=DAILY") == [date(9999, 12, 30), date(9999, 12, 31)]


def test_expansion_is_bounded_even_for_a_rule_the_checks_miss(monkeypatch):
    """Without the up-front checks, a rule that never gives a date still returns quickly: it is expanded late
    in the 400-year cycle, so dateutil's search ends at the year 9999 after at most ~400 years (by construction,
    not by a timeout). Unshifted, this rule takes seconds."""
    import time

    from planner.comms import recurrence

    monkeypatch.setattr(recurrence, "_check_can_give_dates", lambda rule, parts: None)
    started = time.monotonic()
    assert occurrences(START, "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30") == []
    assert occurrences(START, "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=7") == []
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("first_on", [date(2026, 9, 1), date(2028, 2, 29), date(1, 1, 1), date(9990, 3, 1)])
def test_the_shifted_expansion_gives_the_same_dates_as_dateutil(first_on):
    from datetime import datetime, timedelta

    from dateutil.rrule import rrulestr

    rule = "FREQ=MONTHLY;BYDAY=-1FR,2MO;INTERVAL=3"
    until = first_on + timedelta(days=700)
    expected = [moment.date() for moment in rrulestr(rule, dtstart=datetime.combine(first_on, datetime.min.time()),
                                                     cache=False)
                .between(datetime.combine(first_on, datetime.min.time()), datetime.combine(until, datetime.min.time()),
                         inc=True)]
    assert expected and occurrences(first_on, rule, until=until) == expected
