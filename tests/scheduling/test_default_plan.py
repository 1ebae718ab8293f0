"""The default plan: six stages in order, a pilot then key then standard waves, no go-live in
a freeze window."""
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.scheduling import FreezeWindow, WorkingCalendar
from planner.scheduling.default_plan import PlanInputs, generate_default_plan
from planner.scheduling.replan import freeze_conflicts
from tests.scheduling.strategies import PROPERTY, calendars, dates

CALENDAR = WorkingCalendar()
REGIONS = {"pilot": ["Head office"], "key": ["North", "South", "East"], "standard": ["A", "B", "C", "D"]}


def inputs(**changes):
    values = {
        "start": date(2026, 1, 5), "stage_durations": (10, 15, 20, 15, 40, 20), "pilot_after_stage5_days": 25,
        "trial_days": 20, "wave_spacing_days": 5, "regions_by_tier": REGIONS,
    }
    values.update(changes)
    return PlanInputs(**values)


def test_the_default_plan_items_and_dates():
    plan = generate_default_plan(inputs(), CALENDAR)
    assert [item.key for item in plan.items] == [
        "milestone:kickoff", "stage:1", "stage:2", "stage:3", "milestone:process-sign-off", "stage:4",
        "milestone:vendor-selected", "stage:5", "milestone:pilot-go-live", "wave:1", "milestone:trial-end",
        "milestone:go-live-wave-2", "wave:2", "milestone:go-live-wave-3", "wave:3",
        "milestone:go-live-wave-4", "wave:4", "milestone:go-live-wave-5", "wave:5",
        "milestone:review", "stage:6",
    ]
    items = {item.key: item for item in plan.items}
    assert [items[f"wave:{n}"].regions for n in range(1, 6)] == [
        ("Head office",), ("North", "South"), ("East",), ("A", "B", "C"), ("D",)]
    assert [items[f"wave:{n}"].name for n in range(1, 6)] == [
        "Pilot", "Key regions 1", "Key regions 2", "Standard regions 1", "Standard regions 2"]
    assert items["milestone:go-live-wave-2"].name == "Go-live Key regions 1"
    assert items["stage:3"].stage_number == 3 and items["stage:3"].kind == "stage"

    tasks = plan.schedule.tasks
    # Stages 1-4: 60 working days from Monday 5 January 2026 -> stage 5 starts Monday 30 March.
    assert tasks["stage:4"].finish == date(2026, 3, 27)
    assert tasks["milestone:vendor-selected"].start == tasks["stage:5"].start == date(2026, 3, 30)
    assert tasks["milestone:pilot-go-live"].start == tasks["wave:1"].start == date(2026, 5, 4)  # +25
    assert tasks["wave:1"].finish == date(2026, 5, 29)
    assert tasks["milestone:trial-end"].start == date(2026, 6, 1)
    assert tasks["wave:2"].start == date(2026, 6, 8)  # five working days after the trial
    # The waves outlast the 40 days given to stage 5, so it stretches to the last trial's end.
    assert tasks["stage:5"].finish == tasks["wave:5"].finish
    assert items["stage:5"].duration == CALENDAR.working_days_between(
        tasks["stage:5"].start, tasks["wave:5"].finish) + 1
    assert tasks["milestone:review"].start == tasks["stage:6"].start == CALENDAR.add_working_days(
        tasks["wave:5"].finish, 1)
    assert plan.schedule.finish == tasks["stage:6"].finish
    assert plan.schedule.critical_path[-3:] == ["wave:5", "milestone:review", "stage:6"]


def test_stage_five_keeps_a_longer_given_duration():
    plan = generate_default_plan(inputs(stage_durations=(5, 5, 5, 5, 300, 5)), CALENDAR)
    stage5 = plan.schedule.tasks["stage:5"]
    assert CALENDAR.working_days_between(stage5.start, stage5.finish) + 1 == 300
    assert plan.schedule.tasks["stage:6"].start > stage5.finish
    assert plan.schedule.tasks["wave:5"].total_slack > 0


def test_a_go_live_in_a_freeze_window_is_pushed_out_and_the_later_waves_follow():
    plain = generate_default_plan(inputs(), CALENDAR)
    go_live = plain.schedule.tasks["wave:3"].start
    window = FreezeWindow(go_live - timedelta(days=3), go_live + timedelta(days=10), "Quarter close")
    plan = generate_default_plan(inputs(), CALENDAR, [window])
    tasks = plan.schedule.tasks
    first_free = CALENDAR.next_working_day(window.end + timedelta(days=1))
    assert tasks["wave:3"].start == tasks["milestone:go-live-wave-3"].start == first_free
    items = {item.key: item for item in plan.items}
    assert items["milestone:go-live-wave-3"].not_before == first_free
    assert all(item.not_before is None for key, item in items.items() if key != "milestone:go-live-wave-3")
    assert tasks["wave:2"].start == plain.schedule.tasks["wave:2"].start
    shift = CALENDAR.working_days_between(go_live, first_free)
    assert tasks["wave:5"].start == CALENDAR.add_working_days(plain.schedule.tasks["wave:5"].start, shift)


def test_a_plan_without_regions_still_has_its_pilot():
    plan = generate_default_plan(inputs(regions_by_tier={}), CALENDAR)
    assert [item.key for item in plan.items if item.kind == "wave"] == ["wave:1"]
    assert plan.schedule.tasks["milestone:review"].start > plan.schedule.tasks["wave:1"].finish


@pytest.mark.parametrize("changes, message", [
    ({"regions_by_tier": {"pilot": ["A"], "gold": ["B"]}}, "Unknown region tiers: gold"),
    ({"regions_by_tier": {"pilot": ["A"], "key": ["A"]}}, "listed twice"),
    ({"key_regions_per_wave": 0}, "at least one region"),
    ({"trial_days": 0}, "trial period"),
    ({"stage_durations": (10, 10, 0, 10, 10, 10)}, "at least one working day"),
    ({"stage_durations": (10, 10, 10)}, "six stages"),
    ({"wave_spacing_days": -1}, "negative"),
])
def test_inputs_that_cannot_make_a_plan_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        generate_default_plan(inputs(**changes), CALENDAR)


def _names(prefix, count):
    return [f"{prefix}{number}" for number in range(count)]


@st.composite
def plan_inputs(draw):
    return PlanInputs(
        start=draw(dates),
        stage_durations=tuple(draw(st.lists(st.integers(1, 30), min_size=6, max_size=6))),
        pilot_after_stage5_days=draw(st.integers(0, 30)),
        trial_days=draw(st.integers(1, 30)),
        wave_spacing_days=draw(st.integers(0, 15)),
        regions_by_tier={
            "pilot": _names("P", draw(st.integers(0, 2))),
            "key": _names("K", draw(st.integers(0, 7))),
            "standard": _names("S", draw(st.integers(0, 12))),
        },
        key_regions_per_wave=draw(st.integers(1, 4)),
        standard_regions_per_wave=draw(st.integers(1, 5)),
    )


@PROPERTY
@given(plan_inputs(), calendars(),
       st.lists(st.tuples(st.integers(0, 500), st.integers(0, 40)), max_size=5))
def test_generated_plans_respect_freezes_tiers_and_stage_order(plan_inputs, calendar, spans):
    windows = [FreezeWindow(plan_inputs.start + timedelta(offset), plan_inputs.start + timedelta(offset + length))
               for offset, length in spans]
    plan = generate_default_plan(plan_inputs, calendar, windows)
    tasks = plan.schedule.tasks
    waves = [item for item in plan.items if item.kind == "wave"]

    assert freeze_conflicts(plan.schedule, [wave.key for wave in waves], windows) == []
    tier_of = {region: tier for tier, regions in plan_inputs.regions_by_tier.items() for region in regions}
    tiers = [{tier_of[region] for region in wave.regions} for wave in waves]
    assert tiers[0] <= {"pilot"} and all(len(wave_tiers) == 1 for wave_tiers in tiers[1:])
    rank = {"pilot": 0, "key": 1, "standard": 2}
    ranks = [0] + [rank[next(iter(wave_tiers))] for wave_tiers in tiers[1:]]
    assert ranks == sorted(ranks)
    assert sorted(region for wave in waves for region in wave.regions) == sorted(tier_of)
    for earlier, later in pairwise(waves):  # one wave's trial ends before the next go-live
        assert tasks[later.key].start > tasks[earlier.key].finish
        assert calendar.working_days_between(tasks[earlier.key].finish, tasks[later.key].start) \
            >= plan_inputs.wave_spacing_days + 1

    stages = [tasks[f"stage:{number}"] for number in range(1, 7)]
    for earlier, later in pairwise(stages):
        assert later.start > earlier.finish
    assert stages[4].start <= tasks["wave:1"].start and stages[4].finish >= tasks[waves[-1].key].finish
    assert calendar.working_days_between(stages[4].start, tasks["wave:1"].start) >= \
        plan_inputs.pilot_after_stage5_days
    assert tasks["milestone:kickoff"].start == calendar.next_working_day(plan_inputs.start)
    for wave in waves:
        number = wave.key.removeprefix("wave:")
        go_live = "milestone:pilot-go-live" if number == "1" else f"milestone:go-live-wave-{number}"
        assert tasks[go_live].start == tasks[wave.key].start
