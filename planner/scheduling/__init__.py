"""The schedule engine: working calendars, critical-path scheduling, replanning and the default
rollout plan. Pure Python (standard library only), so it is tested and reused without Flask.

Modules: calendar (working days, freeze windows), network (the CPM schedule), replan (what
moved, freeze conflicts), default_plan (the six stages and the regional waves).
"""
from planner.scheduling.calendar import FreezeWindow, WorkingCalendar, first_day_outside
from planner.scheduling.network import (
    CycleError,
    Dependency,
    Schedule,
    ScheduledTask,
    Task,
    UnknownTaskError,
    schedule,
)

__all__ = [
    "CycleError",
    "Dependency",
    "FreezeWindow",
    "Schedule",
    "ScheduledTask",
    "Task",
    "UnknownTaskError",
    "WorkingCalendar",
    "first_day_outside",
    "schedule",
]
