"""Comparing schedules (what moved, by how much) and go-lives inside freeze windows."""
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.scheduling import Dependency, FreezeWindow, Task, UnknownTaskError, WorkingCalendar, schedule
from planner.scheduling.replan import Move, compare, freeze_conflicts
from tests.scheduling.strategies import PROPERTY, networks

CALENDAR = WorkingCalendar()
MON = date(2026, 1, 5)


def d(day, month=1):
    return date(2026, month, day)


def plan(a_duration=3, b_lag=0, with_c=True):
    tasks = [Task("a", a_duration), Task("b", 2), Task("idle", 1)] + ([Task("c", 1)] if with_c else [])
    return schedule(tasks, [Dependency("a", "b", b_lag)], CALENDAR, MON)


def test_compare_reports_only_what_moved_with_working_day_shifts():
    before, after = plan(), plan(b_lag=2)
    # b moves from Thu 8th-Fri 9th to Mon 12th-Tue 13th: two working days over a weekend.
    assert compare(before, after) == [Move("b", d(8), d(12), d(9), d(13), 2)]
    assert compare(after, before) == [Move("b", d(12), d(8), d(13), d(9), -2)]
    assert compare(before, before) == []


def test_a_changed_duration_moves_the_finish_and_is_sorted_by_new_start():
    moves = compare(plan(), plan(a_duration=5))
    assert moves == [
        Move("a", d(5), d(5), d(7), d(9), 2),  # only the finish moved: shift by the finish
        Move("b", d(8), d(12), d(9), d(13), 2),
    ]


def test_tasks_added_or_removed_are_not_moves():
    assert compare(plan(with_c=False), plan()) == []
    assert compare(plan(), plan(with_c=False)) == []


def test_freeze_conflicts_name_the_go_live_and_the_window():
    result = plan()  # a starts 5th, b starts 8th, idle starts 5th
    year_start = FreezeWindow(d(1), d(5), "New year")
    inventory = FreezeWindow(d(8), d(8), "Inventory")
    conflicts = freeze_conflicts(result, ["b", "a"], [year_start, inventory])
    assert conflicts == [("b", inventory), ("a", year_start)]
    assert freeze_conflicts(result, ["b"], [FreezeWindow(d(9), d(20))]) == []  # go-live = start
    assert freeze_conflicts(result, [], [year_start]) == []
    with pytest.raises(UnknownTaskError):
        freeze_conflicts(result, ["ghost"], [year_start])


@PROPERTY
@given(networks(), st.data())
def test_compare_reports_exactly_the_changed_tasks(network, data):
    before = schedule(network.tasks, network.dependencies, network.calendar, network.project_start)
    for number, task in enumerate(network.tasks):
        if data.draw(st.booleans()):
            network.tasks[number] = replace(task, duration=data.draw(st.integers(0, 12)))
    for number, dependency in enumerate(network.dependencies):
        if data.draw(st.booleans()):
            network.dependencies[number] = replace(dependency, lag=data.draw(st.integers(0, 6)))
    after = schedule(network.tasks, network.dependencies, network.calendar, network.project_start)

    moves = compare(before, after)
    changed = {
        key for key, task in after.tasks.items()
        if (task.start, task.finish) != (before.tasks[key].start, before.tasks[key].finish)
    }
    assert [move.key for move in moves] == sorted(changed, key=lambda key: (after.tasks[key].start, key))
    for move in moves:
        old, new = before.tasks[move.key], after.tasks[move.key]
        assert (move.old_start, move.new_start, move.old_finish, move.new_finish) == (
            old.start, new.start, old.finish, new.finish)
        moved_from, moved_to = (old.start, new.start) if old.start != new.start else (old.finish, new.finish)
        assert move.shift == network.calendar.working_days_between(moved_from, moved_to)
        assert move.shift != 0  # both dates are working days, so a change is a shift
