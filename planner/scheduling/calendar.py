"""Working days: which days count, and arithmetic on them.

Every date maps to a *working-day index*: the number of working days before it, counted from
1 January of year 1 (a Monday). A working day and the non-working days just before it share one
index, so a non-working day behaves like the next working day. The index is computed, not
looked up: whole weeks by arithmetic, holidays by bisecting a sorted list, so converting a date
either way costs a few operations whatever the horizon.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)
_EPOCH_ORDINAL = 1  # date(1, 1, 1), a Monday, so weekday == (ordinal - 1) % 7


@dataclass(frozen=True)
class WorkingCalendar:
    """The days on which work happens: working weekdays (Monday=0) less the holidays."""

    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[date] = frozenset()
    # Lookup tables derived from the two fields above; not part of equality or hashing.
    _tables: tuple = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weekdays = frozenset(self.working_weekdays)
        if not weekdays:
            raise ValueError("A working calendar needs at least one working weekday.")
        if not weekdays <= set(range(7)):
            raise ValueError("Working weekdays are numbers from 0 (Monday) to 6 (Sunday).")
        holidays = frozenset(self.holidays)
        object.__setattr__(self, "working_weekdays", weekdays)
        object.__setattr__(self, "holidays", holidays)

        per_week = len(weekdays)
        # before_weekday[w]: working weekdays in a week before weekday w (w = 0..7).
        before_weekday = [0] * 8
        for weekday in range(7):
            before_weekday[weekday + 1] = before_weekday[weekday] + (weekday in weekdays)
        offsets = tuple(sorted(weekdays))  # r-th working weekday of a week -> its weekday
        # Only holidays on working weekdays remove a working day.
        holiday_ordinals = sorted(d.toordinal() for d in holidays if d.weekday() in weekdays)
        # For the i-th holiday, the working days (holidays excluded) before it; non-decreasing.
        holiday_ranks = [
            self._weekday_index(ordinal, per_week, before_weekday) - i
            for i, ordinal in enumerate(holiday_ordinals)
        ]
        object.__setattr__(
            self,
            "_tables",
            (per_week, tuple(before_weekday), offsets, holiday_ordinals, holiday_ranks),
        )

    @staticmethod
    def _weekday_index(ordinal: int, per_week: int, before_weekday) -> int:
        """Working weekdays (holidays ignored) before the day with this ordinal."""
        weeks, weekday = divmod(ordinal - _EPOCH_ORDINAL, 7)
        return weeks * per_week + before_weekday[weekday]

    # -- index conversion (the engine works in these) -------------------------------------

    def day_index(self, day: date) -> int:
        """The number of working days before `day`; equal for a non-working day and the next
        working day."""
        per_week, before_weekday, _, holiday_ordinals, _ = self._tables
        ordinal = day.toordinal()
        weeks, weekday = divmod(ordinal - _EPOCH_ORDINAL, 7)
        return weeks * per_week + before_weekday[weekday] - bisect_left(holiday_ordinals, ordinal)

    def day_at(self, index: int) -> date:
        """The working day whose index is `index` (the inverse of `day_index` on working days)."""
        per_week, _, offsets, _, holiday_ranks = self._tables
        weekday_index = index + bisect_right(holiday_ranks, index)
        weeks, nth = divmod(weekday_index, per_week)
        return date.fromordinal(_EPOCH_ORDINAL + weeks * 7 + offsets[nth])

    def days_at(self, first_index: int, last_index: int) -> list[date]:
        """The working days with indices first_index..last_index, in order (a horizon table)."""
        if last_index < first_index:
            return []
        weekdays = self.working_weekdays
        holidays = self.holidays
        day = self.day_at(first_index)
        result = [day]
        wanted = last_index - first_index + 1
        while len(result) < wanted:
            day += ONE_DAY
            if day.weekday() in weekdays and day not in holidays:
                result.append(day)
        return result

    # -- the public arithmetic ------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_weekdays and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        return self.day_at(self.day_index(day))

    def previous_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the last working day before it."""
        return self.day_at(self.day_index(day + ONE_DAY) - 1)

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after `day` (before it when negative).

        A non-working `day` counts as the next working day, so 0 gives `next_working_day(day)`
        and -1 gives the last working day before `day`.
        """
        return self.day_at(self.day_index(day) + count)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in [start, end); negative, counting [end, start), when end < start."""
        return self.day_index(end) - self.day_index(start)


@dataclass(frozen=True)
class FreezeWindow:
    """A period, inclusive at both ends, in which nothing may go live (e.g. year-end close)."""

    start: date
    end: date
    name: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A freeze window cannot end before it starts.")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def first_day_outside(
    day: date, windows: Iterable[FreezeWindow], calendar: WorkingCalendar
) -> date:
    """The first working day on or after `day` that lies in no freeze window."""
    ordered = sorted(windows, key=lambda window: window.start)
    candidate = calendar.next_working_day(day)
    moved = True
    while moved:
        moved = False
        for window in ordered:
            if window.start > candidate:
                break
            if candidate <= window.end:
                candidate = calendar.next_working_day(window.end + ONE_DAY)
                moved = True
    return candidate
