"""Shared helpers for the lifecycle page tests: ids, loading, and writing through the services."""
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from planner.core.models import AuditEvent
from planner.extensions import db
from planner.lifecycle import services
from planner.lifecycle.models import Goal, GoalKind, Stage
from planner.programmes.models import Programme

TODAY = date(2026, 6, 1)


def stage_ids(app, programme) -> dict[int, int]:
    """Stage number -> id."""
    with app.app_context():
        rows = db.session.execute(select(Stage.number, Stage.id).where(Stage.programme_id == programme.id))
        return {number: stage_id for number, stage_id in rows}


def stage_url(programme, stage_id: int, suffix: str = "") -> str:
    return f"/programmes/{programme.id}/stages/{stage_id}{suffix}"


def stage_facts(app, stage_id: int) -> dict:
    """A stage's plain values with its deliverables, criteria and reviews, read in a fresh session."""
    with app.app_context():
        stage = db.session.get(Stage, stage_id)
        return {
            "closed_at": stage.closed_at, "actual_start": stage.actual_start, "actual_finish": stage.actual_finish,
            "override_reason": stage.override_reason, "override_approver_id": stage.override_approver_id,
            "owner_id": stage.owner_id, "planned_start": stage.planned_start,
            "planned_finish": stage.planned_finish, "goals": stage.goals, "version": stage.version,
            "deliverables": [(d.id, d.title, d.is_done, d.done_on) for d in stage.deliverables],
            "criteria": [(c.id, c.text) for c in stage.criteria],
            "reviews": [{"outcome": r.outcome.value, "reviewed_on": r.reviewed_on, "approved_by_id": r.approved_by_id,
                         "recorded_by_id": r.recorded_by_id, "notes": r.notes,
                         "results": {res.criterion_id: res.is_met for res in r.results}}
                        for r in stage.reviews],
        }


def audit_events(app, object_type: str, object_id: int) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == object_type, AuditEvent.object_id == object_id).order_by(AuditEvent.id)).all()
        for event in events:
            db.session.expunge(event)
        return events


def add_goal(app, programme, title: str, *, kind: str = "company", serves_id: int | None = None,
             baseline=None, target=None, actual=None, unit: str = "%", due_stage_number: int | None = 6) -> int:
    def amount(value):
        return None if value is None else Decimal(str(value))

    with app.app_context():
        goal = services.create_goal(db.session.get(Programme, programme.id), kind=GoalKind(kind), title=title,
                                    serves_id=serves_id, unit=unit, baseline=amount(baseline),
                                    target=amount(target), actual=amount(actual),
                                    due_stage_number=due_stage_number)
        db.session.commit()
        return goal.id


def load_goal(app, goal_id: int) -> Goal | None:
    with app.app_context():
        goal = db.session.get(Goal, goal_id)
        if goal is not None:
            db.session.expunge(goal)
        return goal


def field_errors(html: str, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def version_in(html: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d+)"', html)
    assert match, "no version field in the edit form"
    return match.group(1)
