"""The programme's plan as the schedule engine sees it: stages, waves and milestones as tasks,
dependencies as finish-to-start links, the working calendar; and re-planning with a preview.

Keys name plan items the same way everywhere: ``stage:<id>``, ``wave:<id>``, ``milestone:<id>``.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner.core import audit
from planner.core.errors import DomainError
from planner.extensions import db
from planner.lifecycle.models import Stage
from planner.rollout.calendar import freeze_windows, programme_calendar
from planner.programmes.models import Region, RegionTier
from planner.rollout import services as rollout_services
from planner.rollout.models import Dependency, ItemKind, Milestone, MilestoneKind, Wave, WaveKind
from planner.scheduling import network
from planner.scheduling.calendar import FreezeWindow as EngineFreezeWindow
from planner.scheduling.default_plan import PlanInputs, generate_default_plan
from planner.scheduling.replan import Move, compare, freeze_conflicts


def parse_key(key: str) -> tuple[ItemKind, int]:
    kind, _sep, number = key.partition(":")
    return ItemKind(kind), int(number)


@dataclass
class PlanItems:
    """Everything the plan is made of, loaded in a fixed number of queries."""

    stages: list[Stage]
    waves: list[Wave]
    milestones: list[Milestone]
    dependencies: list[Dependency]

    def labels(self) -> dict[str, str]:
        labels = {f"stage:{s.id}": _("Stage %(n)d: %(name)s", n=s.number, name=s.name) for s in self.stages}
        labels.update({f"wave:{w.id}": _("Wave: %(name)s", name=w.name) for w in self.waves})
        labels.update({f"milestone:{m.id}": m.name for m in self.milestones})
        return labels

    def go_live_keys(self) -> list[str]:
        return [f"wave:{w.id}" for w in self.waves]


def load_items(programme_id: int) -> PlanItems:
    return PlanItems(
        stages=db.session.scalars(select(Stage).where(Stage.programme_id == programme_id)
                                  .order_by(Stage.number)).all(),
        waves=db.session.scalars(select(Wave).options(selectinload(Wave.regions))
                                 .where(Wave.programme_id == programme_id).order_by(Wave.position, Wave.id)).all(),
        milestones=db.session.scalars(select(Milestone).where(Milestone.programme_id == programme_id)
                                      .order_by(Milestone.planned_on, Milestone.id)).all(),
        dependencies=db.session.scalars(select(Dependency).where(Dependency.programme_id == programme_id)
                                        .order_by(Dependency.id)).all(),
    )


def item_labels(programme_id: int) -> dict[str, str]:
    """Every plan item of a programme by key, with a readable name."""
    return load_items(programme_id).labels()


def _tasks(items: PlanItems, calendar, overrides: dict[str, network.Task] | None = None) -> list[network.Task]:
    """Engine tasks for the items that have dates. Each keeps at least its planned start, so a
    re-plan moves things later when something slips but never pulls the plan in by itself."""
    tasks = []
    for stage in items.stages:
        if stage.planned_start is None or stage.planned_finish is None:
            continue
        duration = max(1, calendar.working_days_between(stage.planned_start, stage.planned_finish + timedelta(1)))
        tasks.append(network.Task(f"stage:{stage.id}", duration, not_before=stage.planned_start,
                                  actual_start=stage.actual_start, actual_finish=stage.actual_finish))
    for wave in items.waves:
        if wave.planned_go_live is None:
            continue
        tasks.append(network.Task(f"wave:{wave.id}", wave.trial_days, not_before=wave.planned_go_live,
                                  actual_start=wave.actual_go_live))
    for milestone in items.milestones:
        tasks.append(network.Task(f"milestone:{milestone.id}", 0, not_before=milestone.planned_on,
                                  actual_start=milestone.actual_on, actual_finish=milestone.actual_on))
    if overrides:
        tasks = [overrides.get(task.key, task) for task in tasks]
    return tasks


def _links(items: PlanItems, keys: set[str], extra: tuple[str, str] | None = None) -> list[network.Dependency]:
    links = [network.Dependency(d.predecessor_key, d.successor_key, d.lag_days) for d in items.dependencies
             if d.predecessor_key in keys and d.successor_key in keys]
    if extra:
        links.append(network.Dependency(extra[0], extra[1], 0))
    return links


def _project_start(programme, tasks: list[network.Task]) -> date:
    starts = [task.not_before for task in tasks if task.not_before] + [programme.start_date]
    return min(starts)


def compute_schedule(programme, items: PlanItems | None = None,
                     overrides: dict[str, network.Task] | None = None) -> network.Schedule | None:
    """The programme's schedule (early and late dates, slack, critical path); None if nothing is dated."""
    items = items or load_items(programme.id)
    calendar = programme_calendar(programme)
    tasks = _tasks(items, calendar, overrides)
    if not tasks:
        return None
    keys = {task.key for task in tasks}
    return network.schedule(tasks, _links(items, keys), calendar, _project_start(programme, tasks))


def check_no_cycle(programme, *, extra: tuple[str, str], labels: dict[str, str]) -> None:
    """Refuse a new dependency that would make the plan wait for itself, naming the loop."""
    items = load_items(programme.id)
    calendar = programme_calendar(programme)
    # every item takes part, dated or not: a loop is a loop before anyone has set dates
    tasks = [network.Task(key, 0, not_before=programme.start_date) for key in labels]
    try:
        network.schedule(tasks, _links(items, set(labels), extra), calendar, programme.start_date)
    except network.CycleError as error:
        raise DomainError(_("This would make the plan wait for itself: %(loop)s.",
                            loop=" → ".join(labels.get(key, key) for key in error.cycle)),
                          field="predecessor_key") from None


# --- re-planning -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """What happened or was approved: an item starts later, lasts longer, or finished late."""

    key: str
    new_start: date | None = None
    new_duration: int | None = None
    actual_finish: date | None = None


@dataclass
class ReplanPreview:
    change: Change
    moves: list[Move]
    labels: dict[str, str]
    conflicts: list[tuple[str, EngineFreezeWindow]] = field(default_factory=list)
    finish_before: date | None = None
    finish_after: date | None = None


def preview_replan(programme, change: Change) -> ReplanPreview:
    """What a change would do to the plan, without writing anything."""
    items = load_items(programme.id)
    labels = items.labels()
    calendar = programme_calendar(programme)
    tasks = {task.key: task for task in _tasks(items, calendar)}
    if change.key not in tasks:
        raise DomainError(_("Choose a dated stage, wave or milestone."), field="key")
    task = tasks[change.key]
    if change.new_duration is not None and change.new_duration < 0:
        raise DomainError(_("A duration cannot be negative."), field="new_duration")
    if change.new_start is None and change.new_duration is None and change.actual_finish is None:
        raise DomainError(_("Say what changed: a new start, a new duration or a late finish."), field="new_start")
    if change.new_start is not None and task.actual_start is not None:
        raise DomainError(_("This item has already started; give its late finish or a new duration instead."),
                          field="new_start")
    if change.actual_finish is not None and task.actual_start is not None and change.actual_finish < task.actual_start:
        raise DomainError(_("It cannot finish before it started (%(day)s).", day=task.actual_start.isoformat()),
                          field="actual_finish")
    changed = network.Task(
        task.key, change.new_duration if change.new_duration is not None else task.duration,
        not_before=change.new_start or task.not_before, actual_start=None if change.new_start else task.actual_start,
        actual_finish=change.actual_finish or task.actual_finish)
    before = compute_schedule(programme, items)
    try:
        after = compute_schedule(programme, items, overrides={change.key: changed})
    except OverflowError:  # a date so far away that the calendar runs out of years
        raise DomainError(_("This date is too far away to plan: choose a nearer one."),
                          field="new_start" if change.new_start else "new_duration") from None
    moves = compare(before, after)
    moved = {move.key for move in moves}
    # only go-lives this change moves: one already in a window (or already live) is not its doing
    conflicts = freeze_conflicts(after, [key for key in items.go_live_keys() if key in moved],
                                 freeze_windows(programme.id))
    return ReplanPreview(change, moves, labels, conflicts, before.finish, after.finish)


def apply_replan(programme, change: Change) -> ReplanPreview:
    """Apply a change and everything it moves, in one audited step."""
    preview = preview_replan(programme, change)
    if preview.conflicts:
        raise DomainError(_("This re-plan would put a go-live in a freeze window (%(list)s). Choose another date.",
                            list="; ".join(f"{preview.labels.get(key, key)}: {window.name}"
                                           for key, window in preview.conflicts)), field="new_start")
    items = load_items(programme.id)
    by_key = {f"stage:{s.id}": s for s in items.stages}
    by_key.update({f"wave:{w.id}": w for w in items.waves})
    by_key.update({f"milestone:{m.id}": m for m in items.milestones})
    target = by_key[change.key]
    if change.new_duration is not None and isinstance(target, Wave):
        audit.record_update(target, audit.apply_changes(target, {"trial_days": change.new_duration}))
    if change.actual_finish is not None:
        if isinstance(target, Stage):
            started = target.actual_start or min(d for d in (target.planned_start, change.actual_finish) if d)
            audit.record_update(target, audit.apply_changes(
                target, {"actual_start": started, "actual_finish": change.actual_finish}))
        elif isinstance(target, Milestone):
            audit.record_update(target, audit.apply_changes(target, {"actual_on": change.actual_finish}))
    for move in preview.moves:
        item = by_key[move.key]
        if isinstance(item, Stage):
            values = {"planned_start": move.new_start, "planned_finish": move.new_finish}
        elif isinstance(item, Wave):
            values = {"planned_go_live": move.new_start}
        else:
            values = {"planned_on": move.new_start}
        audit.record_update(item, audit.apply_changes(item, values))
    db.session.flush()
    return preview



# --- the default plan ------------------------------------------------------------------------

MILESTONE_KINDS = {"kickoff": MilestoneKind.KICKOFF, "process-sign-off": MilestoneKind.PROCESS_SIGN_OFF,
                   "vendor-selected": MilestoneKind.VENDOR_SELECTED, "pilot-go-live": MilestoneKind.PILOT_GO_LIVE,
                   "trial-end": MilestoneKind.TRIAL_END, "review": MilestoneKind.REVIEW}


def _wave_kind(region_names: tuple[str, ...], tier_of: dict[str, str], is_first: bool) -> WaveKind:
    if is_first:
        return WaveKind.PILOT
    tiers = {tier_of[name] for name in region_names}
    return WaveKind(tiers.pop()) if len(tiers) == 1 else WaveKind.CUSTOM


def apply_default_plan(programme, *, start: date, stage_durations: tuple[int, ...], pilot_after_stage5_days: int,
                       trial_days: int, wave_spacing_days: int, key_regions_per_wave: int,
                       standard_regions_per_wave: int) -> dict[str, int]:
    """Plan a programme that has no waves yet: stage dates, waves of regions by tier (pilot first,
    then key, then standard, each after the previous trial), milestones and their dependencies,
    with no go-live in a freeze window. Everything can be edited afterwards."""
    items = load_items(programme.id)
    if items.waves:
        raise DomainError(_("This programme has waves already; a default plan is only for a programme without."))
    regions = db.session.scalars(select(Region).where(Region.programme_id == programme.id)
                                 .order_by(Region.name)).all()
    if not any(region.tier is RegionTier.PILOT for region in regions):
        raise DomainError(_("Mark one region as the pilot (usually headquarters) before generating a plan."))
    tier_of = {region.name: region.tier.value for region in regions}
    inputs = PlanInputs(start=start, stage_durations=tuple(stage_durations),
                        pilot_after_stage5_days=pilot_after_stage5_days, trial_days=trial_days,
                        wave_spacing_days=wave_spacing_days,
                        regions_by_tier={tier.value: [r.name for r in regions if r.tier is tier]
                                         for tier in RegionTier},
                        key_regions_per_wave=key_regions_per_wave,
                        standard_regions_per_wave=standard_regions_per_wave)
    calendar = programme_calendar(programme)
    try:
        plan = generate_default_plan(inputs, calendar, freeze_windows(programme.id))
    except ValueError as error:
        raise DomainError(str(error)) from None
    region_ids = {region.name: region.id for region in regions}
    stages = {stage.number: stage for stage in items.stages}
    db_keys: dict[str, str] = {}
    created = {"waves": 0, "milestones": 0, "dependencies": 0}
    wave_position = 0
    for item in plan.items:
        task = plan.schedule.tasks[item.key]
        if item.kind == "stage":
            stage = stages[item.stage_number]
            audit.record_update(stage, audit.apply_changes(
                stage, {"planned_start": task.start, "planned_finish": task.finish}))
            db_keys[item.key] = f"stage:{stage.id}"
        elif item.kind == "wave":
            wave_position += 1
            wave = rollout_services.create_wave(
                programme, name=item.name, kind=_wave_kind(item.regions, tier_of, wave_position == 1),
                position=wave_position, planned_go_live=task.start, trial_days=item.duration,
                region_ids=[region_ids[name] for name in item.regions])
            db.session.flush()
            db_keys[item.key] = f"wave:{wave.id}"
            created["waves"] += 1
        else:
            suffix = item.key.split(":", 1)[1]
            milestone = rollout_services.create_milestone(
                programme, name=item.name, kind=MILESTONE_KINDS.get(suffix, MilestoneKind.WAVE_GO_LIVE),
                planned_on=task.start, actual_on=None)
            db.session.flush()
            db_keys[item.key] = f"milestone:{milestone.id}"
            created["milestones"] += 1
    for link in plan.dependencies:
        predecessor_kind, predecessor_id = parse_key(db_keys[link.predecessor])
        successor_kind, successor_id = parse_key(db_keys[link.successor])
        dependency = Dependency(programme_id=programme.id, predecessor_kind=predecessor_kind,
                                predecessor_id=predecessor_id, successor_kind=successor_kind,
                                successor_id=successor_id, lag_days=link.lag)
        db.session.add(dependency)
        audit.record_create(dependency)
        created["dependencies"] += 1
    db.session.flush()
    return created
