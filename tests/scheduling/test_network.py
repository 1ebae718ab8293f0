"""The schedule engine on small networks checked by hand: dates, slack, critical path, errors."""
from datetime import date

import pytest

from planner.scheduling import CycleError, Dependency, Task, UnknownTaskError, WorkingCalendar, schedule

CALENDAR = WorkingCalendar()
MON = date(2026, 1, 5)  # 5-9 January, 12-16, 19-23, 26-30 are Monday to Friday


def d(day, month=1):
    return date(2026, month, day)


def dates_of(result, key):
    task = result.tasks[key]
    return task.start, task.finish


def diamond(**lags):
    """a(3) -> b(2), a -> c(5), b -> d(1), c -> d; d -> done (milestone)."""
    tasks = [Task("a", 3), Task("b", 2), Task("c", 5), Task("d", 1), Task("done", 0)]
    dependencies = [
        Dependency("a", "b", lags.get("ab", 0)),
        Dependency("a", "c", lags.get("ac", 0)),
        Dependency("b", "d", lags.get("bd", 0)),
        Dependency("c", "d", lags.get("cd", 0)),
        Dependency("d", "done"),
    ]
    return tasks, dependencies


def test_diamond_dates_slack_and_critical_path():
    result = schedule(*diamond(), CALENDAR, MON)
    assert dates_of(result, "a") == (d(5), d(7))
    assert dates_of(result, "b") == (d(8), d(9))
    assert dates_of(result, "c") == (d(8), d(14))
    assert dates_of(result, "d") == (d(15), d(15))
    assert dates_of(result, "done") == (d(16), d(16))  # a milestone after d: the next day
    assert result.finish == d(16)
    b = result.tasks["b"]
    assert (b.late_start, b.late_finish, b.total_slack, b.is_critical) == (d(13), d(14), 3, False)
    for key in ("a", "c", "d", "done"):
        task = result.tasks[key]
        assert task.total_slack == 0 and task.is_critical
        assert (task.late_start, task.late_finish) == (task.start, task.finish)
    assert result.critical_path == ["a", "c", "d", "done"]
    assert list(result.tasks) == ["a", "b", "c", "d", "done"]


def test_a_lag_counts_working_days_and_can_move_the_critical_path():
    result = schedule(*diamond(bd=4), CALENDAR, MON)
    # b ends Friday 9th; four working days of lag (12-15) put d on Friday 16th, past c's 15th.
    assert dates_of(result, "d") == (d(16), d(16))
    assert result.critical_path == ["a", "b", "d", "done"]
    assert result.tasks["c"].total_slack == 1 and not result.tasks["c"].is_critical
    assert result.tasks["b"].total_slack == 0


def test_milestones_take_no_time():
    tasks = [Task("start", 0), Task("work", 2), Task("signed", 0), Task("next", 1)]
    dependencies = [Dependency("start", "work"), Dependency("work", "signed"), Dependency("signed", "next")]
    result = schedule(tasks, dependencies, CALENDAR, d(8))  # Thursday
    assert dates_of(result, "start") == (d(8), d(8))
    assert dates_of(result, "work") == (d(8), d(9))  # a milestone predecessor does not delay
    assert dates_of(result, "signed") == (d(12), d(12))  # over the weekend
    assert dates_of(result, "next") == (d(12), d(12))
    assert result.critical_path == ["start", "work", "signed", "next"]


def test_project_start_and_not_before_move_to_a_working_day():
    tasks = [Task("a", 1), Task("b", 1, not_before=d(17)), Task("c", 1, not_before=d(1))]
    result = schedule(tasks, [Dependency("a", "b")], CALENDAR, d(10))  # Saturday
    assert dates_of(result, "a") == (d(12), d(12))
    assert dates_of(result, "b") == (d(19), d(19))  # not before Saturday 17th -> Monday 19th
    assert dates_of(result, "c") == (d(12), d(12))  # never before the project start
    a = result.tasks["a"]  # b waits for its date, so a may slip until the day before
    assert (a.late_start, a.late_finish, a.total_slack) == (d(16), d(16), 4)
    assert result.critical_path == ["b"]


def test_holidays_push_work_out():
    calendar = WorkingCalendar(holidays=frozenset({d(7), d(8)}))
    result = schedule([Task("a", 3), Task("b", 1)], [Dependency("a", "b")], calendar, MON)
    assert dates_of(result, "a") == (d(5), d(9))
    assert dates_of(result, "b") == (d(12), d(12))


def test_an_actual_start_fixes_the_start_and_slips_the_successors():
    tasks, dependencies = diamond()
    tasks[1] = Task("b", 2, actual_start=d(13))  # planned for the 8th, started late
    result = schedule(tasks, dependencies, CALENDAR, MON)
    assert dates_of(result, "b") == (d(13), d(14))
    assert dates_of(result, "d") == (d(15), d(15))  # b now ends with c: both drive d
    b = result.tasks["b"]
    assert (b.late_start, b.late_finish, b.total_slack, b.is_critical) == (d(13), d(14), 0, True)
    tasks[1] = Task("b", 2, actual_start=d(15))
    result = schedule(tasks, dependencies, CALENDAR, MON)
    assert dates_of(result, "d") == (d(19), d(19))
    assert result.critical_path == ["b", "d", "done"]  # b was not waiting for a any more
    assert result.tasks["c"].total_slack == 2


def test_an_actual_start_before_the_predecessor_ends_is_taken_as_given():
    result = schedule([Task("a", 5), Task("b", 2, actual_start=d(6))], [Dependency("a", "b")], CALENDAR, MON)
    assert dates_of(result, "b") == (d(6), d(7))
    assert result.tasks["a"].total_slack == 0  # b does not wait for a: a drives the finish itself


def test_an_actual_finish_completes_the_task():
    tasks, dependencies = diamond()
    tasks[2] = Task("c", 5, actual_start=d(8), actual_finish=d(20))  # c overran
    result = schedule(tasks, dependencies, CALENDAR, MON)
    c = result.tasks["c"]
    assert (c.start, c.finish, c.late_start, c.late_finish) == (d(8), d(20), d(8), d(20))
    assert c.total_slack == 0 and not c.is_critical  # done: nothing left to watch
    assert dates_of(result, "d") == (d(21), d(21))
    assert result.critical_path == ["d", "done"]
    assert result.tasks["b"].total_slack == 7  # b's late finish is the 20th now


def test_an_actual_finish_without_a_start_and_early_completion():
    tasks = [Task("a", 3, actual_finish=d(6)), Task("b", 2)]
    result = schedule(tasks, [Dependency("a", "b")], CALENDAR, MON)
    assert dates_of(result, "a") == (d(2), d(6))  # three working days up to the 6th
    assert dates_of(result, "b") == (d(7), d(8))  # pulled earlier than the plan's 8th


def test_actual_dates_on_a_weekend_are_reported_as_given():
    tasks = [Task("a", 2, actual_start=d(10)), Task("b", 1), Task("m", 0, actual_finish=d(11))]
    result = schedule(tasks, [Dependency("a", "b"), Dependency("m", "b")], CALENDAR, MON)
    assert dates_of(result, "a") == (d(10), d(13))  # Saturday start counts from Monday
    assert dates_of(result, "m") == (d(11), d(11))
    assert dates_of(result, "b") == (d(14), d(14))


def test_cycle_is_refused_and_named_in_order():
    tasks = [Task(key, 1) for key in ("x", "b", "c", "a", "y")]
    dependencies = [Dependency("x", "a"), Dependency("a", "b"), Dependency("b", "c"),
                    Dependency("c", "a"), Dependency("c", "y")]
    with pytest.raises(CycleError) as raised:
        schedule(tasks, dependencies, CALENDAR, MON)
    assert raised.value.cycle == ["a", "b", "c", "a"]
    assert "a -> b -> c -> a" in str(raised.value)


def test_a_task_depending_on_itself_is_a_cycle():
    with pytest.raises(CycleError) as raised:
        schedule([Task("a", 1)], [Dependency("a", "a")], CALENDAR, MON)
    assert raised.value.cycle == ["a", "a"]


@pytest.mark.parametrize("dependency", [Dependency("a", "ghost"), Dependency("ghost", "a")])
def test_unknown_task_is_refused(dependency):
    with pytest.raises(UnknownTaskError) as raised:
        schedule([Task("a", 1)], [dependency], CALENDAR, MON)
    assert raised.value.key == "ghost" and raised.value.dependency == dependency
    assert "ghost" in str(raised.value)


def test_invalid_input_is_refused():
    with pytest.raises(ValueError, match="share the key"):
        schedule([Task("a", 1), Task("a", 2)], [], CALENDAR, MON)
    with pytest.raises(ValueError, match="negative"):
        Dependency("a", "b", -1)
    with pytest.raises(ValueError, match="negative"):
        Task("a", -1)
    with pytest.raises(ValueError, match="finishes before it starts"):
        Task("a", 1, actual_start=d(9), actual_finish=d(8))


def test_empty_plan_finishes_at_the_start():
    result = schedule([], [], CALENDAR, d(10))
    assert (result.tasks, result.critical_path, result.finish) == ({}, [], d(12))


def test_textbook_network_slack():
    # Activity-on-node example: A(3) B(4) after A, C(2) after A, D(5) after B and C,
    # E(1) after C, F(2) after D and E.  Longest path A-B-D-F = 14 days.
    tasks = [Task("A", 3), Task("B", 4), Task("C", 2), Task("D", 5), Task("E", 1), Task("F", 2)]
    dependencies = [Dependency(*pair) for pair in
                    [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"), ("C", "E"), ("D", "F"), ("E", "F")]]
    result = schedule(tasks, dependencies, CALENDAR, MON)
    assert {key: task.total_slack for key, task in result.tasks.items()} == {
        "A": 0, "B": 0, "C": 2, "D": 0, "E": 6, "F": 0}
    assert result.critical_path == ["A", "B", "D", "F"]
    assert result.finish == CALENDAR.add_working_days(MON, 13)
    assert result.tasks["E"].late_start == CALENDAR.add_working_days(MON, 11)


def test_critical_path_follows_the_dependency_that_binds():
    # p is critical (through s1) and a predecessor of s2, but q is what s2 waits for.
    tasks = [Task("s2", 1), Task("a", 2), Task("p", 1), Task("s1", 4), Task("q", 6)]
    dependencies = [Dependency("a", "p"), Dependency("p", "s1"), Dependency("p", "s2"), Dependency("q", "s2")]
    result = schedule(tasks, dependencies, CALENDAR, MON)
    assert all(task.is_critical for task in result.tasks.values())
    assert result.critical_path == ["q", "s2"]
