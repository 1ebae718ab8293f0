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
