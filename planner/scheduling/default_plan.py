"""The default plan for a programme: the six lifecycle stages and a phased regional rollout.

Following DOMAIN.md: stages 1-6 run in sequence. Stage 5 (implementation and application)
holds the rollout: configuration, data migration and training lead to the pilot go-live; the
pilot regions run a trial period; only then do the key regions go live, wave after wave, and
after them the standard regions. Stage 6 (continuous improvement, which reviews the goals
against actual use) starts once stage 5 is over, which is never before the last wave's trial
has ended: stage 5 lasts its given duration or until then, whichever is later.

Keys and items, in the order they are returned:

    milestone:kickoff             Kickoff (the project start)
    stage:1 .. stage:3            Overall planning, Project initiation, Business-process optimisation
    milestone:process-sign-off    Process sign-off (end of stage 3)
    stage:4                       Product selection
    milestone:vendor-selected     Vendor selected (end of stage 4; stage 5 starts here)
    stage:5                       Implementation and application
    milestone:pilot-go-live       Pilot go-live, `pilot_after_stage5_days` into stage 5
    wave:1                        Pilot: every pilot region, for `trial_days`
    milestone:trial-end           Pilot trial end
    milestone:go-live-wave-N      Go-live <wave name>, `wave_spacing_days` after wave N-1 ends
                                  (after the pilot trial end for N = 2)
    wave:N                        Key regions 1, 2, ... then Standard regions 1, 2, ...
    milestone:review              Review (start of stage 6)
    stage:6                       Continuous improvement

Milestones that mark the end of something fall on the first working day after it, the day the
next thing can start (a finish-to-start milestone takes no time). The pilot wave is always
planned, even before any region is marked pilot; key and standard waves exist only for regions.

No go-live (a wave's start, which is also its go-live milestone) may fall in a freeze window:
such a go-live gets `not_before` = the first working day outside every window, and the plan is
rescheduled until none does. The items carry that `not_before`, so the plan can be scheduled
again as it stands.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from planner.scheduling.calendar import FreezeWindow, WorkingCalendar, first_day_outside
from planner.scheduling.network import Dependency, Schedule, Task, schedule
from planner.scheduling.replan import freeze_conflicts

STAGE_NAMES = (
    "Overall planning",
    "Project initiation",
    "Business-process optimisation",
    "Product selection",
    "Implementation and application",
    "Continuous improvement",
)
TIERS = ("pilot", "key", "standard")


@dataclass(frozen=True)
class PlanInputs:
    start: date
    stage_durations: tuple[int, int, int, int, int, int]  #: working days, stages 1-6
    #: Working days from the start of stage 5 to the pilot go-live (configuration, data
    #: migration, training).
    pilot_after_stage5_days: int
    trial_days: int  #: the running-in period of each wave, working days
    wave_spacing_days: int  #: working days from one wave's trial end to the next go-live
    regions_by_tier: dict[str, list[str]]  #: {"pilot": [...], "key": [...], "standard": [...]}
    key_regions_per_wave: int = 2
    standard_regions_per_wave: int = 3


@dataclass(frozen=True)
class PlannedItem:
    key: str
    kind: str  #: "stage", "wave" or "milestone"
    name: str
    duration: int  #: working days
    regions: tuple[str, ...] = ()
    stage_number: int | None = None
    #: Set on a go-live milestone pushed out of a freeze window.
    not_before: date | None = None

    def as_task(self) -> Task:
        return Task(self.key, self.duration, not_before=self.not_before)


@dataclass(frozen=True)
class DefaultPlan:
    items: list[PlannedItem]
    dependencies: list[Dependency]
    schedule: Schedule


def generate_default_plan(
    inputs: PlanInputs,
    calendar: WorkingCalendar,
    freeze_windows: Iterable[FreezeWindow] = (),
) -> DefaultPlan:
    """The six stages and the rollout waves, scheduled, with no go-live in a freeze window.

    Raises ValueError for inputs that cannot make a plan (see `_check`).
    """
    _check(inputs)
    windows = list(freeze_windows)
    waves = _waves(inputs)
    items, dependencies = _network(inputs, waves)
    go_live_of_wave = {
        f"wave:{number}": _go_live_key(number) for number in range(1, len(waves) + 1)
    }

    # Each round moves the earliest go-live that is in a window out of all of them, for good
    # (the waves before it stay put), so one round per wave is enough.
    for _ in range(len(waves) + 1):
        result = schedule([item.as_task() for item in items], dependencies, calendar, inputs.start)
        conflicts = freeze_conflicts(result, go_live_of_wave, windows)
        if not conflicts:
            break
        wave_key = conflicts[0][0]
        pushed_to = first_day_outside(result.tasks[wave_key].start, windows, calendar)
        items = [
            replace(item, not_before=pushed_to) if item.key == go_live_of_wave[wave_key] else item
            for item in items
        ]
    else:
        raise RuntimeError("Go-lives kept landing in freeze windows; the schedule is unstable.")

    # Stage 5 spans its waves: stretch it to the last trial's end when the waves outlast it.
    stage5 = result.tasks["stage:5"]
    last_wave = result.tasks[f"wave:{len(waves)}"]
    needed = calendar.working_days_between(stage5.start, last_wave.finish) + 1
    if needed > inputs.stage_durations[4]:
        items = [replace(item, duration=needed) if item.key == "stage:5" else item for item in items]
        result = schedule([item.as_task() for item in items], dependencies, calendar, inputs.start)
    return DefaultPlan(items, dependencies, result)


def _check(inputs: PlanInputs) -> None:
    if len(inputs.stage_durations) != 6:
        raise ValueError("The plan needs a duration for each of the six stages.")
    if any(duration < 1 for duration in inputs.stage_durations):
        raise ValueError("Every stage needs at least one working day.")
    if inputs.trial_days < 1:
        raise ValueError("Every wave needs a trial period of at least one working day.")
    if inputs.pilot_after_stage5_days < 0 or inputs.wave_spacing_days < 0:
        raise ValueError("The pilot lead time and the wave spacing cannot be negative.")
    if inputs.key_regions_per_wave < 1 or inputs.standard_regions_per_wave < 1:
        raise ValueError("A wave holds at least one region.")
    unknown = set(inputs.regions_by_tier) - set(TIERS)
    if unknown:
        raise ValueError(f"Unknown region tiers: {', '.join(sorted(unknown))}.")
    seen: set[str] = set()
    for tier in TIERS:
        for region in inputs.regions_by_tier.get(tier, []):
            if region in seen:
                raise ValueError(f"Region {region!r} is listed twice.")
            seen.add(region)


def _waves(inputs: PlanInputs) -> list[tuple[str, tuple[str, ...]]]:
    """(name, regions) of each wave in rollout order: the pilot, key waves, standard waves."""
    waves = [("Pilot", tuple(inputs.regions_by_tier.get("pilot", [])))]
    for tier, label, size in (
        ("key", "Key regions", inputs.key_regions_per_wave),
        ("standard", "Standard regions", inputs.standard_regions_per_wave),
    ):
        regions = list(inputs.regions_by_tier.get(tier, []))
        for number, first in enumerate(range(0, len(regions), size), start=1):
            waves.append((f"{label} {number}", tuple(regions[first:first + size])))
    return waves


def _go_live_key(wave_number: int) -> str:
    return "milestone:pilot-go-live" if wave_number == 1 else f"milestone:go-live-wave-{wave_number}"


def _network(inputs, waves) -> tuple[list[PlannedItem], list[Dependency]]:
    durations = inputs.stage_durations
    items: list[PlannedItem] = []
    dependencies: list[Dependency] = []

    def add(key, kind, name, duration=0, after=(), regions=(), stage_number=None):
        items.append(PlannedItem(key, kind, name, duration, regions, stage_number))
        dependencies.extend(Dependency(before, key, lag) for before, lag in after)

    def stage(number, after):
        add(f"stage:{number}", "stage", STAGE_NAMES[number - 1], durations[number - 1],
            after=after, stage_number=number)

    add("milestone:kickoff", "milestone", "Kickoff")
    stage(1, [("milestone:kickoff", 0)])
    stage(2, [("stage:1", 0)])
    stage(3, [("stage:2", 0)])
    add("milestone:process-sign-off", "milestone", "Process sign-off", after=[("stage:3", 0)])
    stage(4, [("milestone:process-sign-off", 0)])
    add("milestone:vendor-selected", "milestone", "Vendor selected", after=[("stage:4", 0)])
    stage(5, [("milestone:vendor-selected", 0)])

    for number, (name, regions) in enumerate(waves, start=1):
        go_live = _go_live_key(number)
        if number == 1:
            add(go_live, "milestone", "Pilot go-live",
                after=[("milestone:vendor-selected", inputs.pilot_after_stage5_days)])
        else:
            previous_end = "milestone:trial-end" if number == 2 else f"wave:{number - 1}"
            add(go_live, "milestone", f"Go-live {name}",
                after=[(previous_end, inputs.wave_spacing_days)])
        add(f"wave:{number}", "wave", name, inputs.trial_days, after=[(go_live, 0)],
            regions=regions)
        if number == 1:
            add("milestone:trial-end", "milestone", "Pilot trial end", after=[("wave:1", 0)])

    last_end = "milestone:trial-end" if len(waves) == 1 else f"wave:{len(waves)}"
    add("milestone:review", "milestone", "Review", after=[("stage:5", 0), (last_end, 0)])
    stage(6, [("milestone:review", 0)])
    return items, dependencies

