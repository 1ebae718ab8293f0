"""Working calendars and freeze windows: weekends, holidays, and the index arithmetic."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.scheduling import FreezeWindow, WorkingCalendar, first_day_outside
from tests.scheduling.strategies import PROPERTY, calendars, dates

FRI, SAT, SUN, MON = date(2026, 1, 9), date(2026, 1, 10), date(2026, 1, 11), date(2026, 1, 12)
CHRISTMAS = WorkingCalendar(holidays=frozenset({date(2025, 12, 25), date(2025, 12, 26), date(2025, 12, 27)}))


def test_weekend_days_are_not_working_days():
    calendar = WorkingCalendar()
    assert [calendar.is_working_day(day) for day in (FRI, SAT, SUN, MON)] == [True, False, False, True]
    assert calendar.next_working_day(SAT) == MON
    assert calendar.next_working_day(FRI) == FRI
    assert calendar.previous_working_day(SUN) == FRI


def test_adding_working_days_skips_the_weekend_both_ways():
    calendar = WorkingCalendar()
    assert calendar.add_working_days(FRI, 1) == MON
    assert calendar.add_working_days(FRI, 0) == FRI
    assert calendar.add_working_days(SAT, 0) == MON  # a non-working day counts as the next one
    assert calendar.add_working_days(SAT, 1) == date(2026, 1, 13)
    assert calendar.add_working_days(MON, -1) == FRI
    assert calendar.add_working_days(SAT, -1) == FRI
    assert calendar.add_working_days(MON, 10) == date(2026, 1, 26)
    assert calendar.add_working_days(date(2026, 1, 26), -10) == MON


def test_working_days_between_is_half_open_and_signed():
    calendar = WorkingCalendar()
    assert calendar.working_days_between(MON, MON) == 0
    assert calendar.working_days_between(MON, date(2026, 1, 19)) == 5
    assert calendar.working_days_between(FRI, MON) == 1
    assert calendar.working_days_between(SAT, SUN) == 0
    assert calendar.working_days_between(MON, FRI) == -1


def test_holidays_are_skipped_and_a_holiday_on_a_weekend_costs_nothing():
    # 25 and 26 December 2025 are Thursday and Friday; the 27th is a Saturday anyway.
    wednesday, monday = date(2025, 12, 24), date(2025, 12, 29)
    assert not CHRISTMAS.is_working_day(date(2025, 12, 25))
    assert CHRISTMAS.next_working_day(date(2025, 12, 25)) == monday
    assert CHRISTMAS.add_working_days(wednesday, 1) == monday
    assert CHRISTMAS.working_days_between(wednesday, monday) == 1
    assert CHRISTMAS.working_days_between(date(2025, 12, 22), date(2026, 1, 5)) == 8
    assert CHRISTMAS.add_working_days(monday, -1) == wednesday


def test_a_sunday_to_thursday_week():
    calendar = WorkingCalendar(working_weekdays=frozenset({6, 0, 1, 2, 3}))
    thursday, friday = date(2026, 1, 8), date(2026, 1, 9)
    assert calendar.is_working_day(SUN) and not calendar.is_working_day(friday)
    assert calendar.add_working_days(thursday, 1) == SUN
    assert calendar.next_working_day(friday) == SUN


@pytest.mark.parametrize("weekdays", [frozenset(), frozenset({7}), frozenset({-1, 2})])
def test_a_calendar_without_a_valid_working_weekday_is_refused(weekdays):
    with pytest.raises(ValueError):
        WorkingCalendar(working_weekdays=weekdays)


def test_calendars_compare_by_their_days_only():
    assert WorkingCalendar() == WorkingCalendar(working_weekdays=frozenset(range(5)))
    assert len({WorkingCalendar(), WorkingCalendar(), CHRISTMAS}) == 2


def test_freeze_window_is_inclusive_and_cannot_run_backwards():
    window = FreezeWindow(date(2026, 12, 20), date(2026, 12, 31), "Year-end close")
    assert window.contains(date(2026, 12, 20)) and window.contains(date(2026, 12, 31))
    assert not window.contains(date(2026, 12, 19)) and not window.contains(date(2027, 1, 1))
    with pytest.raises(ValueError):
        FreezeWindow(date(2026, 12, 31), date(2026, 12, 20))


def test_first_day_outside_freeze_windows():
    calendar = WorkingCalendar()
    year_end = FreezeWindow(date(2026, 12, 14), date(2026, 12, 31))  # ends on a Thursday
    new_year = FreezeWindow(date(2027, 1, 1), date(2027, 1, 8))  # ends on a Friday
    assert first_day_outside(date(2026, 12, 11), [year_end], calendar) == date(2026, 12, 11)
    assert first_day_outside(date(2026, 12, 12), [year_end], calendar) == date(2026, 12, 14) + \
        timedelta(days=18)  # Saturday -> Monday 14th is frozen -> Friday 1 January
    assert first_day_outside(date(2026, 12, 20), [new_year, year_end], calendar) == date(2027, 1, 11)
    overlapping = [FreezeWindow(date(2026, 3, 2), date(2026, 3, 10)),
                   FreezeWindow(date(2026, 3, 5), date(2026, 3, 20))]
    assert first_day_outside(date(2026, 3, 3), overlapping, calendar) == date(2026, 3, 23)
    assert first_day_outside(date(2026, 3, 3), [], calendar) == date(2026, 3, 3)


def _naive_between(calendar, start, end):
    """Working days in [start, end), counted one day at a time (start <= end)."""
    return sum(calendar.is_working_day(start + timedelta(offset)) for offset in range((end - start).days))


@PROPERTY
@given(calendars(), dates, dates)
def test_index_arithmetic_matches_counting_day_by_day(calendar, start, end):
    start, end = min(start, end), min(max(start, end), start + timedelta(days=120))
    assert calendar.working_days_between(start, end) == _naive_between(calendar, start, end)
    assert calendar.working_days_between(end, start) == -_naive_between(calendar, start, end)
    following = start
    while not calendar.is_working_day(following):
        following += timedelta(days=1)
    assert calendar.next_working_day(start) == following


@PROPERTY
@given(calendars(), dates, st.integers(-600, 600))
def test_add_and_between_are_inverse(calendar, day, count):
    later = calendar.add_working_days(day, count)
    assert calendar.is_working_day(later)
    assert calendar.working_days_between(day, later) == count
    assert calendar.add_working_days(day, calendar.working_days_between(day, later)) == later
    # Adding is monotonic and steps one working day at a time.
    assert calendar.add_working_days(day, count + 1) > later
    assert calendar.working_days_between(later, calendar.add_working_days(day, count + 1)) == 1


@PROPERTY
@given(calendars(), dates, st.lists(st.tuples(dates, st.integers(0, 40)), max_size=5))
def test_first_day_outside_is_the_first_free_working_day(calendar, day, spans):
    windows = [FreezeWindow(start, start + timedelta(days=length)) for start, length in spans]
    free = first_day_outside(day, windows, calendar)
    assert free >= day and calendar.is_working_day(free)
    assert not any(window.contains(free) for window in windows)
    between = day
    while between < free:  # nothing earlier would have done
        assert not calendar.is_working_day(between) or any(w.contains(between) for w in windows)
        between += timedelta(days=1)
