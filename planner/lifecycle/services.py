"""Use-cases of the lifecycle: stages from the template, deliverables, gate reviews, closing a
stage (or overriding its gate, on the record), and goals."""
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from planner.core import audit
from planner.core.errors import DomainError, check_version
from planner.extensions import db
from planner.lifecycle.models import (Deliverable, GateCriterion, GateCriterionResult, GateOutcome, GateReview, Goal,
                                      GoalKind, Stage)
from planner.lifecycle.template import STAGES
from planner.models import utcnow
from planner.people.models import Person


def create_stages_from_template(programme) -> list[Stage]:
    """Give a new programme its six lifecycle stages with default goals, deliverables and gates."""
    stages = []
    for spec in STAGES:
        stage = Stage(programme_id=programme.id, number=spec["number"], name=spec["name"], goals=spec["goals"],
                      expertise_needed=spec["expertise_needed"])
        stage.deliverables = [Deliverable(title=title, position=n) for n, title in enumerate(spec["deliverables"])]
        stage.criteria = [GateCriterion(text=text, position=n) for n, text in enumerate(spec["criteria"])]
        db.session.add(stage)
        stages.append(stage)
    db.session.flush()
    for stage in stages:
        audit.record_create(stage)
    return stages


def _person_in(programme_id: int, person_id: int | None, field: str) -> int | None:
    if person_id is None:
        return None
    person = db.session.get(Person, person_id)
    if person is None or person.programme_id != programme_id:
        raise DomainError(_("Choose one of this programme's people."), field=field)
    return person_id


def _check_order(start: date | None, finish: date | None, field: str) -> None:
    if start and finish and finish < start:
        raise DomainError(_("The finish cannot be before the start."), field=field)


def update_stage(stage: Stage, *, expected_version: int | None, goals: str, expertise_needed: str,
                 owner_id: int | None, planned_start: date | None, planned_finish: date | None,
                 actual_start: date | None, actual_finish: date | None) -> None:
    """Edit a stage's plan, owner and what it needs."""
    check_version(stage, expected_version)
    _check_order(planned_start, planned_finish, "planned_finish")
    _check_order(actual_start, actual_finish, "actual_finish")
    if actual_finish and not actual_start:
        raise DomainError(_("A stage that finished must have started: give the actual start too."),
                          field="actual_start")
    changes = audit.apply_changes(stage, {
        "goals": goals or "", "expertise_needed": expertise_needed or "",
        "owner_id": _person_in(stage.programme_id, owner_id, "owner_id"),
        "planned_start": planned_start, "planned_finish": planned_finish,
        "actual_start": actual_start, "actual_finish": actual_finish})
    db.session.flush()
    audit.record_update(stage, changes)


def add_deliverable(stage: Stage, title: str) -> Deliverable:
    """Add an item to a stage's deliverables checklist."""
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Name the deliverable."), field="title")
    deliverable = Deliverable(stage=stage, title=title, position=len(stage.deliverables))
    db.session.add(deliverable)
    audit.record_create(deliverable)
    return deliverable


def set_deliverable_done(deliverable: Deliverable, is_done: bool, today: date) -> None:
    """Tick a deliverable off, or back on."""
    changes = audit.apply_changes(deliverable, {"is_done": is_done, "done_on": today if is_done else None})
    db.session.flush()
    audit.record_update(deliverable, changes)


def add_criterion(stage: Stage, text: str) -> GateCriterion:
    """Add a criterion the stage's gate review must find met."""
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the criterion."), field="text")
    if stage.closed_at is not None:
        raise DomainError(_("This stage is closed; its gate can no longer change."))
    criterion = GateCriterion(stage=stage, text=text, position=len(stage.criteria))
    db.session.add(criterion)
    audit.record_create(criterion)
    return criterion


def record_gate_review(stage: Stage, *, met_criterion_ids: set[int], reviewed_on: date,
                       approved_by_id: int | None, notes: str, recorded_by_id: int | None) -> GateReview:
    """Record a gate review: each criterion met or not, who approved it, and when."""
    if stage.closed_at is not None:
        raise DomainError(_("This stage is already closed."))
    unknown = met_criterion_ids - {criterion.id for criterion in stage.criteria}
    if unknown:
        raise DomainError(_("Those criteria do not belong to this stage."))
    approver = _person_in(stage.programme_id, approved_by_id, "approved_by_id")
    outcome = GateOutcome.PASSED if all(c.id in met_criterion_ids for c in stage.criteria) else GateOutcome.NOT_PASSED
    review = GateReview(stage=stage, reviewed_on=reviewed_on, outcome=outcome, approved_by_id=approver,
                        recorded_by_id=recorded_by_id, notes=notes or "")
    review.results = [GateCriterionResult(criterion_id=c.id, is_met=c.id in met_criterion_ids)
                      for c in stage.criteria]
    db.session.add(review)
    audit.record_create(review)
    return review


def close_stage(stage: Stage, *, closed_on: date, override_reason: str = "",
                override_approver_id: int | None = None) -> None:
    """Close a stage once its gate is met; with unmet criteria only as a recorded override.

    An override needs a reason and the person who approved it; both go into the audit log.
    """
    if stage.closed_at is not None:
        raise DomainError(_("This stage is already closed."))
    unmet = stage.unmet_criteria()
    override_reason = (override_reason or "").strip()
    if unmet and not override_reason:
        raise DomainError(_("The gate is not met: %(criteria)s. Record a gate review that finds them met, or "
                            "close with an override giving the reason and who approved it.",
                            criteria="; ".join(c.text for c in unmet)), field="override_reason")
    if unmet and override_approver_id is None:
        raise DomainError(_("An override needs the person who approved it."), field="override_approver_id")
    values = {"closed_at": utcnow(), "actual_finish": stage.actual_finish or closed_on,
              "actual_start": stage.actual_start or min(day for day in (stage.planned_start, closed_on) if day)}
    if unmet:
        values["override_reason"] = override_reason
        values["override_approver_id"] = _person_in(stage.programme_id, override_approver_id,
                                                    "override_approver_id")
    changes = audit.apply_changes(stage, values)
    if unmet:
        changes["unmet_criteria"] = [[c.text for c in unmet], None]
    db.session.flush()
    audit.record_update(stage, changes)


def stages_of(programme_id: int) -> list[Stage]:
    return db.session.scalars(select(Stage).where(Stage.programme_id == programme_id)
                              .order_by(Stage.number)).all()


def current_stage(stages: list[Stage]) -> Stage | None:
    """The first stage not yet closed (None when all six are)."""
    return next((stage for stage in stages if stage.closed_at is None), None)


# --- goals -----------------------------------------------------------------------------------

def _goal_values(programme_id: int, goal_id: int | None, *, kind: str, title: str, serves_id: int | None,
                 unit: str, baseline: Decimal | None, target: Decimal | None, actual: Decimal | None,
                 due_stage_number: int | None) -> dict:
    try:
        kind = GoalKind(kind)
    except ValueError:
        raise DomainError(_("Choose company goal or system goal."), field="kind") from None
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Name the goal."), field="title")
    if kind is GoalKind.SYSTEM:
        served = db.session.get(Goal, serves_id) if serves_id else None
        if (served is None or served.programme_id != programme_id or served.kind is not GoalKind.COMPANY
                or served.id == goal_id):
            raise DomainError(_("A system goal serves one of this programme's company goals: choose it."),
                              field="serves_id")
        if target is None:
            raise DomainError(_("A system goal needs a measurable target."), field="target")
    else:
        serves_id = None
    if due_stage_number is not None and not 1 <= due_stage_number <= 6:
        raise DomainError(_("Choose a stage from 1 to 6."), field="due_stage_number")
    return {"kind": kind, "title": title, "serves_id": serves_id, "unit": (unit or "").strip(),
            "baseline": baseline, "target": target, "actual": actual, "due_stage_number": due_stage_number}


def create_goal(programme, **values) -> Goal:
    """Add a company goal, or a system goal serving one."""
    goal = Goal(programme_id=programme.id, **_goal_values(programme.id, None, **values))
    db.session.add(goal)
    audit.record_create(goal)
    return goal


def update_goal(goal: Goal, *, expected_version: int | None, **values) -> None:
    """Edit a goal, including recording its actual value."""
    check_version(goal, expected_version)
    new_values = _goal_values(goal.programme_id, goal.id, **values)
    if goal.kind is GoalKind.COMPANY and new_values["kind"] is GoalKind.SYSTEM:
        serving = db.session.scalar(select(Goal.id).where(Goal.serves_id == goal.id))
        if serving:
            raise DomainError(_("System goals serve this goal; it must stay a company goal."), field="kind")
    changes = audit.apply_changes(goal, new_values)
    db.session.flush()
    audit.record_update(goal, changes)


def delete_goal(goal: Goal) -> None:
    """Delete a goal; system goals that served it must be re-pointed first."""
    if db.session.scalar(select(Goal.id).where(Goal.serves_id == goal.id)):
        raise DomainError(_("System goals still serve this goal. Point them at another company goal first."))
    audit.delete(goal)
