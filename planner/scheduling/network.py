"""The schedule engine: a critical-path (CPM) calculation over finish-to-start dependencies.

Dates are converted to working-day indices once on the way in and once on the way out; the
passes themselves add integers. A task of duration d starting at index s occupies [s, s + d)
and ends at s + d; a milestone (d = 0) occupies nothing and ends where it starts. A dependency
with lag L asks: successor start >= predecessor end + L.

Actual dates (what really happened) override the plan:
- `actual_start` fixes the start; the task is in progress and still takes `duration` from it.
- `actual_finish` fixes the finish and marks the task complete; the start is `actual_start`
  when known, else `duration` working days before the finish. For a milestone either actual
  date is the day it was reached (the finish wins when both are given).
- Actual dates are reported as given, even on a non-working day; in the arithmetic a
  non-working start counts as the next working day and a non-working finish as the last
  working day before it.
- A task whose start is fixed no longer waits for its predecessors, so those dependencies are
  not checked forward and do not constrain the predecessors' late dates backward.
- A complete task has no slack to give: late dates = its dates, total_slack 0, and it is never
  critical (nothing can be gained by watching it). An in-progress task's late start is its
  actual start; its slack is measured at the finish (late finish - finish).

Negative lags (leads) are refused: they would let a successor start before its predecessor is
done, which the rollout plans this engine serves never need.
"""
from __future__ import annotations

import gc
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import compress
from operator import add, attrgetter, sub

from planner.scheduling.calendar import ONE_DAY, WorkingCalendar


@dataclass(frozen=True, slots=True)
class Task:
    """One thing to schedule. `key` is unique, e.g. "stage:3", "wave:2", "milestone:7"."""

    key: str
    duration: int  #: working days; 0 makes a milestone
    not_before: date | None = None  #: start no earlier than this day
    actual_start: date | None = None
    actual_finish: date | None = None

    def __post_init__(self) -> None:
        if self.duration < 0:
            raise ValueError(f"Task {self.key!r} has a negative duration.")
        if (
            self.actual_start is not None
            and self.actual_finish is not None
            and self.actual_finish < self.actual_start
        ):
            raise ValueError(f"Task {self.key!r} finishes before it starts.")


@dataclass(frozen=True, slots=True)
class Dependency:
    """Finish-to-start: `successor` starts at least `lag` working days after `predecessor` ends."""

    predecessor: str
    successor: str
    lag: int = 0

    def __post_init__(self) -> None:
        if self.lag < 0:
            raise ValueError(
                f"The lag from {self.predecessor!r} to {self.successor!r} is negative; "
                "only lags of 0 or more working days are supported."
            )


@dataclass(frozen=True, slots=True)
class ScheduledTask:
    key: str
    start: date
    finish: date  #: the last working day of the task (== start for a milestone)
    late_start: date
    late_finish: date
    total_slack: int  #: working days the task can slip without moving the project finish
    is_critical: bool


@dataclass(frozen=True)
class Schedule:
    tasks: dict[str, ScheduledTask]  #: in the order the tasks were given
    critical_path: list[str]
    finish: date  #: the latest finish of any task
    #: The calendar it was computed with, so shifts between schedules count working days.
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar, repr=False, compare=False)


_NEVER = 1 << 40  # working days beyond any plan: a weight that never binds


class CycleError(ValueError):
    """The dependencies loop back on themselves; `cycle` names the keys in order, closed."""

    def __init__(self, cycle: list[str]):
        self.cycle = cycle
        super().__init__("The dependencies form a cycle: " + " -> ".join(cycle))


class UnknownTaskError(ValueError):
    """A task key that is not in the plan: `key`, and the `dependency` naming it if any."""

    def __init__(self, key: str, dependency: Dependency | None = None):
        self.key = key
        self.dependency = dependency
        if dependency is None:
            message = f"There is no task {key!r}."
        else:
            message = (
                f"The dependency {dependency.predecessor} -> {dependency.successor} "
                f"names an unknown task: {key!r}."
            )
        super().__init__(message)


def schedule(
    tasks: Iterable[Task],
    dependencies: Iterable[Dependency],
    calendar: WorkingCalendar,
    project_start: date,
) -> Schedule:
    """Early and late dates, slack and one critical path for `tasks`.

    Nothing starts before `project_start` (moved to a working day) or a task's `not_before`,
    unless its actual dates say otherwise. Raises CycleError, UnknownTaskError, or ValueError
    for a repeated key.
    """
    with _collector_paused():
        return _schedule(list(tasks), list(dependencies), calendar, project_start)


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector. A large schedule allocates tens of thousands of
    objects but no reference cycles, and the collector's passes over the whole heap that those
    allocations trigger cost more than the scheduling itself (a third of the time measured with
    bench/schedule_engine.py)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _schedule(tasks, dependencies, calendar, project_start) -> Schedule:
    # The passes work on integer positions in flat lists (task i, dependency e), not on the
    # objects: that keeps 10,000 tasks well under a tenth of a second.
    count = len(tasks)
    position: dict[str, int] = {task.key: index for index, task in enumerate(tasks)}
    if len(position) < count:
        seen: set[str] = set()
        for task in tasks:
            if task.key in seen:
                raise ValueError(f"Two tasks share the key {task.key!r}.")
            seen.add(task.key)

    before_of = list(map(position.get, map(attrgetter("predecessor"), dependencies)))
    after_of = list(map(position.get, map(attrgetter("successor"), dependencies)))
    if None in before_of or None in after_of:
        _raise_unknown(dependencies, position)
    lag_of = list(map(attrgetter("lag"), dependencies))

    day_index = calendar.day_index
    floor = day_index(project_start)
    start = [floor] * count
    span = list(map(attrgetter("duration"), tasks))  # working days from start to end
    is_fixed = [False] * count  # start set by an actual date
    is_complete = [False] * count
    for index, task in enumerate(tasks):
        if task.actual_start is not None or task.actual_finish is not None:
            first, end, complete = _actual_span(task, day_index)
            start[index] = first
            span[index] = end - first
            is_fixed[index] = True
            is_complete[index] = complete
        elif task.not_before is not None:
            not_before = day_index(task.not_before)
            if not_before > floor:
                start[index] = not_before

    # Each dependency's weight folds in the duration it spans. A task whose start is fixed
    # waits for nothing, so a dependency into it gets a weight that can never bind.
    forward = list(map(add, map(span.__getitem__, before_of), lag_of))
    backward = list(map(add, map(span.__getitem__, after_of), lag_of))
    if True in is_fixed:
        for edge, after in enumerate(after_of):
            if is_fixed[after]:
                forward[edge] = backward[edge] = -_NEVER
    out_edges: list[list[int]] = [[] for _ in range(count)]
    for edge, before in enumerate(before_of):
        out_edges[before].append(edge)

    # Forward pass inside Kahn's topological sort: a task's start is final when it is placed.
    waiting = [0] * count  # predecessors not yet placed
    for after in after_of:
        waiting[after] += 1
    order = [index for index in range(count) if not waiting[index]]
    place = order.append
    for index in order:  # the list grows while it is walked
        reach = start[index]
        for edge in out_edges[index]:
            after = after_of[edge]
            if reach + forward[edge] > start[after]:
                start[after] = reach + forward[edge]
            waiting[after] -= 1
            if not waiting[after]:
                place(after)
    if len(order) < count:
        raise CycleError(_find_cycle(tasks, before_of, after_of, order))
    end = list(map(add, start, span))
    project_end = max(end, default=floor)

    # Backward pass, in reverse order: the latest end that keeps project_end. A complete task
    # keeps its dates.
    late_end = [end[index] if is_complete[index] else project_end for index in range(count)]
    for index in reversed(order):
        if is_complete[index]:
            continue
        latest = late_end[index]
        for edge in out_edges[index]:
            if late_end[after_of[edge]] - backward[edge] < latest:
                latest = late_end[after_of[edge]] - backward[edge]
        late_end[index] = latest
    late_start = [
        first if fixed else finish - length
        for first, fixed, finish, length in zip(start, is_fixed, late_end, span)
    ]

    return _build_schedule(
        tasks, calendar, project_start, (before_of, after_of, lag_of), start, end,
        late_start, late_end, is_fixed, is_complete,
    )


def _raise_unknown(dependencies, position) -> None:
    """Raise UnknownTaskError for the first dependency that names a task not in `position`."""
    for dependency in dependencies:
        for key in (dependency.predecessor, dependency.successor):
            if key not in position:
                raise UnknownTaskError(key, dependency)


def _actual_span(task: Task, day_index) -> tuple[int, int, bool]:
    """(start index, end index, is complete) of a task with an actual date."""
    if task.duration == 0:
        reached = task.actual_finish or task.actual_start
        index = day_index(reached)
        return index, index, True
    if task.actual_finish is not None:
        end = day_index(task.actual_finish + ONE_DAY)
        if task.actual_start is not None:
            start = day_index(task.actual_start)
        else:
            start = end - task.duration
        return start, end, True
    start = day_index(task.actual_start)
    return start, start + task.duration, False


def _build_schedule(
    tasks, calendar, project_start, edges, start, end, late_start, late_end, is_fixed,
    is_complete,
) -> Schedule:
    """Turn the index lists into dated ScheduledTasks and pick the critical path."""
    if not tasks:
        return Schedule({}, [], calendar.next_working_day(project_start), calendar)
    first = min(start)
    horizon = calendar.days_at(first, max(max(end), max(late_end)))  # every index needed

    def days(indices):
        return [horizon[index - first] for index in indices]

    # A task's last day is the one before its end; a milestone's is its start.
    start_days = days(start)
    finish_days = days([e - 1 if e > s else s for s, e in zip(start, end)])
    late_start_days = days(late_start)
    late_finish_days = days([e - 1 if e > s else s for s, e in zip(late_start, late_end)])
    for index in (index for index, fixed in enumerate(is_fixed) if fixed):
        task = tasks[index]  # actual dates are reported as given
        if task.duration == 0:
            start_days[index] = finish_days[index] = task.actual_finish or task.actual_start
        else:
            start_days[index] = task.actual_start or start_days[index]
            finish_days[index] = task.actual_finish or finish_days[index]
        late_start_days[index] = start_days[index]
        if is_complete[index]:
            late_finish_days[index] = finish_days[index]

    slack = list(map(sub, late_end, end))
    is_critical = [not days_left and not complete for days_left, complete in zip(slack, is_complete)]
    keys = list(map(attrgetter("key"), tasks))
    scheduled = dict(zip(keys, map(
        ScheduledTask, keys, start_days, finish_days, late_start_days, late_finish_days, slack,
        is_critical,
    )))

    finish = max(finish_days)
    # The critical path ends at a task with the latest finish: of a milestone and a task on
    # that day, the task (it takes the whole day); then a critical one; then the first given.
    latest = [index for index, day in enumerate(finish_days) if day == finish]
    last = min(latest, key=lambda index: (-end[index], not is_critical[index], index))
    critical_path = _critical_path(keys, last, edges, start, end, is_fixed, is_critical)
    return Schedule(scheduled, critical_path, finish, calendar)


def _critical_path(keys, last, edges, start, end, is_fixed, is_critical) -> list[str]:
    """One chain of critical tasks, each driving the next, ending at task `last`.

    Empty when `last` is not critical (it is complete).
    """
    if not is_critical[last]:
        return []
    # critical task -> the critical task that drives it; of several, the one that starts
    # last (the most detailed chain), then the first given.
    driver: dict[int, int] = {}
    before_of, after_of, lag_of = edges
    into_critical = compress(range(len(after_of)), map(is_critical.__getitem__, after_of))
    for edge in into_critical:
        before, after = before_of[edge], after_of[edge]
        if (
            is_critical[before]
            and not is_fixed[after]
            and end[before] + lag_of[edge] == start[after]
        ):
            other = driver.get(after)
            if other is None or (-start[before], before) < (-start[other], other):
                driver[after] = before
    chain = [last]
    while chain[-1] in driver:
        chain.append(driver[chain[-1]])
    return [keys[index] for index in reversed(chain)]


def _find_cycle(tasks, before_of, after_of, order) -> list[str]:
    """A cycle among the tasks Kahn's algorithm could not place, closed and in order."""
    placed = [False] * len(tasks)
    for index in order:
        placed[index] = True
    # Every unplaced task has an unplaced predecessor; following them must loop.
    unplaced_before = {
        after: before
        for before, after in zip(before_of, after_of)
        if not placed[before] and not placed[after]
    }
    current = next(iter(unplaced_before))
    seen: dict[int, int] = {}
    walk: list[int] = []
    while current not in seen:
        seen[current] = len(walk)
        walk.append(current)
        current = unplaced_before[current]
    loop = [tasks[index].key for index in reversed(walk[seen[current]:])]
    smallest = loop.index(min(loop))
    loop = loop[smallest:] + loop[:smallest]
    return loop + [loop[0]]
