"""Hypothesis strategies for the schedule engine: calendars and random plans (DAGs)."""
from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import settings
from hypothesis import strategies as st

from planner.scheduling import Dependency, Task, WorkingCalendar

#: No example database (it would be written into the work tree); no deadline (CI machines vary).
PROPERTY = settings(deadline=None, database=None, max_examples=100)

CALENDARS = [
    WorkingCalendar(),
    WorkingCalendar(
        holidays=frozenset(
            {date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1), date(2026, 5, 1),
             date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)}
        )
    ),
    WorkingCalendar(working_weekdays=frozenset({6, 0, 1, 2, 3})),  # Sunday to Thursday
    WorkingCalendar(working_weekdays=frozenset({0, 1, 2, 3, 4, 5})),
    WorkingCalendar(working_weekdays=frozenset({2})),  # one day a week
]

dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@st.composite
def calendars(draw):
    """A stock calendar, or a random one: any non-empty set of weekdays, random holidays."""
    if draw(st.booleans()):
        return draw(st.sampled_from(CALENDARS))
    weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    holidays = draw(st.frozensets(dates, max_size=40))
    return WorkingCalendar(weekdays, holidays)


@dataclass
class Network:
    tasks: list[Task]
    dependencies: list[Dependency]
    calendar: WorkingCalendar
    project_start: date

    def duration(self, key: str) -> int:
        return next(task.duration for task in self.tasks if task.key == key)


@st.composite
def networks(draw, max_tasks=25, with_actuals=False):
    """A random acyclic plan: tasks given in a shuffled order, edges that respect a hidden
    order, some not_before dates, and (optionally) some actual dates."""
    count = draw(st.integers(1, max_tasks))
    keys = draw(st.permutations([f"t{number}" for number in range(count)]))  # hidden order
    calendar = draw(calendars())
    project_start = draw(dates)
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, count - 1), st.integers(0, count - 1), st.integers(0, 4)),
            max_size=3 * count,
        )
    )
    dependencies = [
        Dependency(keys[min(a, b)], keys[max(a, b)], lag) for a, b, lag in pairs if a != b
    ]
    tasks = []
    for key in keys:
        duration = draw(st.integers(0, 10))
        not_before = draw(st.none() | st.integers(-10, 60).map(lambda n: project_start + timedelta(n)))
        actual_start = actual_finish = None
        if with_actuals and draw(st.integers(0, 3)) == 0:
            actual_start = draw(st.none() | st.integers(-20, 40).map(lambda n: project_start + timedelta(n)))
            if draw(st.booleans()) or actual_start is None:
                base = actual_start or project_start
                actual_finish = base + timedelta(draw(st.integers(0, 30)))
        tasks.append(Task(key, duration, not_before, actual_start, actual_finish))
    return Network(draw(st.permutations(tasks)), dependencies, calendar, project_start)


def end_index(calendar: WorkingCalendar, scheduled, duration: int) -> int:
    """The working-day index where a scheduled task ends (exclusive); a milestone's start."""
    if duration == 0:
        return calendar.day_index(scheduled.start)
    return calendar.day_index(scheduled.finish + timedelta(days=1))
