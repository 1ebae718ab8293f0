"""Use-cases of the regional rollout: waves, going live through the gate, defects, the working
calendar, milestones and dependencies."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from planner.committee.models import Decision
from planner.core import audit, locks
from planner.core.errors import DomainError, check_version
from planner.core.routing import MAX_ID
from planner.extensions import db
from planner.programmes.models import Programme, Region
from planner.rollout.gate import evaluate_gate
from planner.rollout.models import (Defect, Dependency, FreezeWindow, Holiday, ItemKind, Milestone, MilestoneKind,
                                    Severity, Wave, WaveKind, WaveRegion)


def _enum(enum_class, value, field: str, message: str):
    try:
        return enum_class(value)
    except ValueError:
        raise DomainError(message, field=field) from None


# --- waves -----------------------------------------------------------------------------------

def _wave_values(programme_id: int, wave_id: int | None, *, name: str, kind: str, position: int,
                 planned_go_live: date | None, trial_days: int) -> dict:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the wave."), field="name")
    clash = db.session.scalar(select(Wave.id).where(Wave.programme_id == programme_id, Wave.name == name,
                                                    Wave.id != (wave_id or 0)))
    if clash:
        raise DomainError(_("This programme already has a wave with this name."), field="name")
    if trial_days is None or trial_days < 0:
        raise DomainError(_("The trial period cannot be negative."), field="trial_days")
    if not 0 <= (position or 0) <= MAX_ID:
        raise DomainError(_("Choose a position from 0 to %(max)d.", max=MAX_ID), field="position")
    if planned_go_live is not None:
        freeze = db.session.scalar(select(FreezeWindow).where(
            FreezeWindow.programme_id == programme_id, FreezeWindow.start_on <= planned_go_live,
            FreezeWindow.end_on >= planned_go_live))
        if freeze is not None:
            raise DomainError(_("%(day)s is in the freeze window %(name)s (%(start)s to %(end)s): no go-live "
                                "may be placed there.", day=planned_go_live.isoformat(), name=freeze.name,
                                start=freeze.start_on.isoformat(), end=freeze.end_on.isoformat()),
                              field="planned_go_live")
    return {"name": name, "kind": _enum(WaveKind, kind, "kind", _("Choose pilot, key, standard or custom.")),
            "position": position or 0, "planned_go_live": planned_go_live, "trial_days": trial_days}


def _set_wave_regions(wave: Wave, programme_id: int, region_ids: list[int]) -> list:
    regions = db.session.scalars(select(Region).where(Region.id.in_(region_ids))).all() if region_ids else []
    if len(regions) != len(set(region_ids)) or any(r.programme_id != programme_id for r in regions):
        raise DomainError(_("Choose regions of this programme."), field="region_ids")
    taken = db.session.execute(select(Region.name, Wave.name).join(WaveRegion, WaveRegion.region_id == Region.id)
                               .join(Wave, Wave.id == WaveRegion.wave_id)
                               .where(WaveRegion.region_id.in_(region_ids), WaveRegion.wave_id != (wave.id or 0))
                               ).all()
    if taken:
        raise DomainError(_("Already in another wave: %(list)s.",
                            list=", ".join(f"{region} ({other})" for region, other in taken)), field="region_ids")
    before = sorted(region.name for region in wave.regions)
    wave.regions = sorted(regions, key=lambda r: r.name)
    after = sorted(region.name for region in regions)
    return [before, after] if before != after else []


def create_wave(programme: Programme, *, region_ids: list[int], **values) -> Wave:
    """Group regions into a wave that goes live together."""
    wave = Wave(programme_id=programme.id, **_wave_values(programme.id, None, **values))
    db.session.add(wave)
    _set_wave_regions(wave, programme.id, region_ids)
    audit.record_create(wave)
    return wave


def update_wave(wave: Wave, *, expected_version: int | None, region_ids: list[int], **values) -> None:
    """Edit a wave and which regions it holds."""
    check_version(wave, expected_version)
    changes = audit.apply_changes(wave, _wave_values(wave.programme_id, wave.id, **values))
    region_change = _set_wave_regions(wave, wave.programme_id, region_ids)
    if region_change:
        changes["regions"] = region_change
    db.session.flush()
    audit.record_update(wave, changes)


def delete_wave(wave: Wave) -> None:
    """Delete a wave; its regions stay, in no wave; its dependencies go."""
    _delete_dependencies_of(wave.programme_id, ItemKind.WAVE, wave.id)
    audit.delete(wave)


def wave_of(region: Region) -> Wave | None:
    return db.session.scalar(select(Wave).join(WaveRegion, WaveRegion.wave_id == Wave.id)
                             .where(WaveRegion.region_id == region.id))


def mark_region_live(programme: Programme, region: Region, *, live_on: date, today: date,
                     decision_id: int | None = None) -> None:
    """Record that a region went live. Refused while its wave's gate fails, unless a decision taken
    in a committee meeting overrides it."""
    if region.live_on is not None:
        raise DomainError(_("%(region)s is already live since %(day)s.", region=region.name,
                            day=region.live_on.isoformat()))
    if live_on is None or live_on > today:
        raise DomainError(_("A region goes live today or on a past day, not in the future."), field="live_on")
    wave = wave_of(region)
    if wave is None:
        raise DomainError(_("Put %(region)s in a wave first.", region=region.name))
    gate = evaluate_gate(programme, wave, today)
    values = {"live_on": live_on}
    if not gate.is_open:
        if decision_id is None:
            raise DomainError(_("The gate of %(wave)s is not met: %(checks)s. Only a recorded committee decision "
                                "can override it.", wave=wave.name,
                                checks="; ".join(f"{c.name}: {c.detail}" for c in gate.unmet())),
                              field="decision_id")
        decision = db.session.get(Decision, decision_id)
        if decision is None or decision.programme_id != programme.id:
            raise DomainError(_("Choose a decision of this programme's committee."), field="decision_id")
        if decision.occurrence_id is None:
            raise DomainError(_("Only a decision taken in a committee meeting can override the gate; record it "
                                "in the meeting's minutes."), field="decision_id")
        values["live_override_decision_id"] = decision.id
    changes = audit.apply_changes(region, values)
    if wave.actual_go_live is None or live_on < wave.actual_go_live:
        audit.record_update(wave, audit.apply_changes(wave, {"actual_go_live": live_on}))
    db.session.flush()
    audit.record_update(region, changes)


# --- defects ---------------------------------------------------------------------------------

def report_defect(programme: Programme, *, region_id: int, title: str, severity: str, opened_on: date) -> Defect:
    """Record a problem found in a region (during its trial period, typically)."""
    region = db.session.get(Region, region_id) if region_id else None
    if region is None or region.programme_id != programme.id:
        raise DomainError(_("Choose one of this programme's regions."), field="region_id")
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Describe the defect."), field="title")
    defect = Defect(programme_id=programme.id, region_id=region.id, title=title, opened_on=opened_on,
                    severity=_enum(Severity, severity, "severity", _("Choose a severity.")))
    db.session.add(defect)
    audit.record_create(defect)
    return defect


def close_defect(defect: Defect, *, closed_on: date) -> None:
    """Mark a defect resolved."""
    if defect.closed_on is not None:
        raise DomainError(_("This defect is already closed."))
    if closed_on < defect.opened_on:
        raise DomainError(_("A defect cannot close before it opened."), field="closed_on")
    changes = audit.apply_changes(defect, {"closed_on": closed_on})
    db.session.flush()
    audit.record_update(defect, changes)


# --- the working calendar --------------------------------------------------------------------

def update_calendar_rules(programme: Programme, *, expected_version: int | None, working_weekdays: list[int],
                          gate_max_severe_defects: int, gate_min_training_pct: int,
                          gate_min_adoption_pct: int) -> None:
    """Set the working weekdays (ISO numbers, Monday=1) and the wave gate thresholds."""
    check_version(programme, expected_version)
    days = sorted(set(working_weekdays or []))
    if not days or any(day not in range(1, 8) for day in days):
        raise DomainError(_("Choose at least one working weekday."), field="working_weekdays")
    for field, value in (("gate_min_training_pct", gate_min_training_pct),
                         ("gate_min_adoption_pct", gate_min_adoption_pct)):
        if value is None or not 0 <= value <= 100:
            raise DomainError(_("Give a percentage from 0 to 100."), field=field)
    if gate_max_severe_defects is None or gate_max_severe_defects < 0:
        raise DomainError(_("Give zero or more."), field="gate_max_severe_defects")
    changes = audit.apply_changes(programme, {
        "working_weekdays": "".join(str(day) for day in days), "gate_max_severe_defects": gate_max_severe_defects,
        "gate_min_training_pct": gate_min_training_pct, "gate_min_adoption_pct": gate_min_adoption_pct})
    db.session.flush()
    audit.record_update(programme, changes)


def add_holiday(programme: Programme, *, day: date, name: str, region_id: int | None) -> Holiday:
    """Add a public holiday for the whole programme, or for one region."""
    if region_id is not None:
        region = db.session.get(Region, region_id)
        if region is None or region.programme_id != programme.id:
            raise DomainError(_("Choose one of this programme's regions."), field="region_id")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the holiday."), field="name")
    clash = db.session.scalar(select(Holiday.id).where(Holiday.programme_id == programme.id, Holiday.day == day,
                                                       Holiday.region_id.is_(None) if region_id is None
                                                       else Holiday.region_id == region_id))
    if clash:
        raise DomainError(_("That day is already a holiday there."), field="day")
    holiday = Holiday(programme_id=programme.id, day=day, name=name, region_id=region_id)
    db.session.add(holiday)
    audit.record_create(holiday)
    return holiday


def delete_holiday(holiday: Holiday) -> None:
    audit.delete(holiday)


def add_freeze_window(programme: Programme, *, name: str, start_on: date, end_on: date) -> FreezeWindow:
    """Add days in which no go-live may be placed."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the freeze window."), field="name")
    if end_on < start_on:
        raise DomainError(_("The end cannot be before the start."), field="end_on")
    window = FreezeWindow(programme_id=programme.id, name=name, start_on=start_on, end_on=end_on)
    db.session.add(window)
    audit.record_create(window)
    return window


def delete_freeze_window(window: FreezeWindow) -> None:
    audit.delete(window)


# --- milestones ------------------------------------------------------------------------------

def _milestone_values(*, name: str, kind: str, planned_on: date, actual_on: date | None) -> dict:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the milestone."), field="name")
    if planned_on is None:
        raise DomainError(_("Give the planned date."), field="planned_on")
    return {"name": name, "kind": _enum(MilestoneKind, kind, "kind", _("Choose a kind of milestone.")),
            "planned_on": planned_on, "actual_on": actual_on}


def create_milestone(programme: Programme, **values) -> Milestone:
    """Add a milestone to the plan."""
    milestone = Milestone(programme_id=programme.id, **_milestone_values(**values))
    db.session.add(milestone)
    audit.record_create(milestone)
    return milestone


def update_milestone(milestone: Milestone, *, expected_version: int | None, **values) -> None:
    check_version(milestone, expected_version)
    changes = audit.apply_changes(milestone, _milestone_values(**values))
    db.session.flush()
    audit.record_update(milestone, changes)


def delete_milestone(milestone: Milestone) -> None:
    """Delete a milestone and the dependencies that point at it."""
    _delete_dependencies_of(milestone.programme_id, ItemKind.MILESTONE, milestone.id)
    audit.delete(milestone)


# --- dependencies ----------------------------------------------------------------------------

def _delete_dependencies_of(programme_id: int, kind: ItemKind, item_id: int) -> None:
    rows = db.session.scalars(select(Dependency).where(
        Dependency.programme_id == programme_id,
        ((Dependency.predecessor_kind == kind) & (Dependency.predecessor_id == item_id))
        | ((Dependency.successor_kind == kind) & (Dependency.successor_id == item_id)))).all()
    for row in rows:
        audit.record_delete(row)
        db.session.delete(row)


def add_dependency(programme: Programme, *, predecessor_key: str, successor_key: str, lag_days: int) -> Dependency:
    """Make one plan item wait for another (finish-to-start, with a lag in working days).

    A dependency that would close a loop is refused, naming the loop.
    """
    from planner.rollout.plan import item_labels, check_no_cycle, parse_key

    labels = item_labels(programme.id)
    for key, field in ((predecessor_key, "predecessor_key"), (successor_key, "successor_key")):
        if key not in labels:
            raise DomainError(_("Choose a stage, wave or milestone of this programme."), field=field)
    if predecessor_key == successor_key:
        raise DomainError(_("An item cannot wait for itself."), field="successor_key")
    if lag_days is None or lag_days < 0:
        raise DomainError(_("The lag cannot be negative."), field="lag_days")
    predecessor_kind, predecessor_id = parse_key(predecessor_key)
    successor_kind, successor_id = parse_key(successor_key)
    # one dependency added at a time per programme: two added at once (A before B, B before A) would each pass
    # the loop check without the other, and the plan would then hold a loop nothing can schedule
    locks.hold(db.session, locks.PLAN_DEPENDENCIES, [programme.id])
    exists = db.session.scalar(select(Dependency.id).where(
        Dependency.programme_id == programme.id, Dependency.predecessor_kind == predecessor_kind,
        Dependency.predecessor_id == predecessor_id, Dependency.successor_kind == successor_kind,
        Dependency.successor_id == successor_id))
    if exists:
        raise DomainError(_("This dependency exists already."), field="successor_key")
    check_no_cycle(programme, extra=(predecessor_key, successor_key), labels=labels)
    dependency = Dependency(programme_id=programme.id, predecessor_kind=predecessor_kind,
                            predecessor_id=predecessor_id, successor_kind=successor_kind, successor_id=successor_id,
                            lag_days=lag_days)
    db.session.add(dependency)
    audit.record_create(dependency)
    return dependency


def delete_dependency(dependency: Dependency) -> None:
    audit.delete(dependency)
