"""Where a programme stands, for its overview page and (later) the committee pack."""
from dataclasses import dataclass, field
from datetime import date

from planner.lifecycle.models import Stage
from planner.rollout.calendar import programme_calendar
from planner.rollout.gate import trial_end
from planner.rollout.plan import PlanItems, compute_schedule, load_items
from planner.rollout.models import Wave
from planner.scheduling.network import CycleError, Schedule


@dataclass
class LateItem:
    key: str
    label: str
    finish: date


@dataclass
class ProgrammeStatus:
    current_stage: Stage | None
    #: the criteria the current stage's gate still lacks
    gate_lacks: list[str] = field(default_factory=list)
    next_wave: Wave | None = None
    days_to_go_live: int | None = None
    working_days_to_go_live: int | None = None
    late_critical: list[LateItem] = field(default_factory=list)
    schedule: Schedule | None = None
    items: PlanItems | None = None


def current_stage(stages) -> Stage | None:
    """The first stage (in order) not closed yet; None when every stage is closed."""
    return next((stage for stage in stages if stage.closed_at is None), None)


def next_go_live(waves) -> Wave | None:
    """The wave not live yet whose planned go-live comes first (it may have passed); None without one."""
    upcoming = [wave for wave in waves if wave.actual_go_live is None and wave.planned_go_live is not None]
    return min(upcoming, key=lambda wave: wave.planned_go_live) if upcoming else None


def programme_status(programme, today: date) -> ProgrammeStatus:
    """The current stage and its gate, the next go-live, and late items on the critical path."""
    items = load_items(programme.id)
    current = current_stage(items.stages)
    status = ProgrammeStatus(current_stage=current, items=items,
                             gate_lacks=[c.text for c in current.unmet_criteria()] if current else [])
    status.next_wave = next_go_live(items.waves)
    if status.next_wave is not None:
        status.days_to_go_live = (status.next_wave.planned_go_live - today).days
        status.working_days_to_go_live = programme_calendar(programme).working_days_between(
            today, status.next_wave.planned_go_live)
    try:
        status.schedule = compute_schedule(programme, items)
    except CycleError:
        status.schedule = None
    if status.schedule is not None:
        labels = items.labels()
        done = _done_keys(items, programme_calendar(programme), today)
        status.late_critical = [
            LateItem(key, labels.get(key, key), task.finish)
            for key, task in status.schedule.tasks.items()
            if task.is_critical and task.finish < today and key not in done]
    return status


def _done_keys(items: PlanItems, calendar, today: date) -> set[str]:
    """Items that are finished: closed stages, reached milestones, waves whose trial is over."""
    done = {f"stage:{s.id}" for s in items.stages if s.closed_at is not None or s.actual_finish is not None}
    done |= {f"milestone:{m.id}" for m in items.milestones if m.actual_on is not None}
    for wave in items.waves:
        end = trial_end(wave, calendar)
        if end is not None and end <= today:
            done.add(f"wave:{wave.id}")
    return done
