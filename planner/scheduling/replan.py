"""Comparing two schedules of one plan: what moved, and which go-lives hit a freeze."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from planner.scheduling.calendar import FreezeWindow, WorkingCalendar
from planner.scheduling.network import Schedule, UnknownTaskError


@dataclass(frozen=True, slots=True)
class Move:
    key: str
    old_start: date
    new_start: date
    old_finish: date
    new_finish: date
    #: Working days moved, positive when later: by the start, or by the finish when only the
    #: finish changed (a task that got longer or shorter).
    shift: int


def compare(
    before: Schedule, after: Schedule, calendar: WorkingCalendar | None = None
) -> list[Move]:
    """The tasks in both schedules whose start or finish changed, by new start then key.

    Tasks in only one of the schedules (added or removed) are not moves and are left out.
    Shifts count working days of `calendar`, by default the one `after` was computed with.
    """
    calendar = calendar or after.calendar
    moves = []
    for key, new in after.tasks.items():
        old = before.tasks.get(key)
        if old is None or (old.start == new.start and old.finish == new.finish):
            continue
        if old.start != new.start:
            shift = calendar.working_days_between(old.start, new.start)
        else:
            shift = calendar.working_days_between(old.finish, new.finish)
        moves.append(Move(key, old.start, new.start, old.finish, new.finish, shift))
    moves.sort(key=lambda move: (move.new_start, move.key))
    return moves


def freeze_conflicts(
    schedule: Schedule, go_live_keys: Iterable[str], windows: Iterable[FreezeWindow]
) -> list[tuple[str, FreezeWindow]]:
    """(key, window) for each go-live (the task's start) inside a freeze window.

    In the order of `go_live_keys`, then of `windows`. Raises UnknownTaskError for a key the
    schedule does not have.
    """
    windows = list(windows)
    conflicts = []
    for key in go_live_keys:
        task = schedule.tasks.get(key)
        if task is None:
            raise UnknownTaskError(key)
        conflicts.extend((key, window) for window in windows if window.contains(task.start))
    return conflicts
