"""Read helpers for the lifecycle pages: each loads what its page shows in a fixed number of queries."""
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from planner.lifecycle.models import GateReview, Goal, GoalKind, Stage


def stages_with_gates(programme_id: int) -> Select:
    """A programme's stages in order, with owner, deliverables and what the gate needs to tell
    met from unmet (criteria, reviews and their results)."""
    return (select(Stage).where(Stage.programme_id == programme_id).order_by(Stage.number)
            .options(joinedload(Stage.owner), joinedload(Stage.override_approver),
                     selectinload(Stage.deliverables), selectinload(Stage.criteria),
                     selectinload(Stage.reviews).selectinload(GateReview.results),
                     selectinload(Stage.reviews).joinedload(GateReview.approved_by)))


def stage_with_gate(programme_id: int, stage_id: int) -> Select:
    """One stage of a programme with everything its page shows."""
    return stages_with_gates(programme_id).where(Stage.id == stage_id)


def goals_of(programme_id: int) -> Select:
    """A programme's goals, company goals first, then by due stage and title."""
    return (select(Goal).where(Goal.programme_id == programme_id)
            .order_by(Goal.kind, Goal.due_stage_number.is_(None), Goal.due_stage_number, Goal.title, Goal.id))


def company_goals_of(programme_id: int, excluding_id: int | None = None) -> Select:
    """(id, title) of the company goals a system goal may serve."""
    query = (select(Goal.id, Goal.title).where(Goal.programme_id == programme_id, Goal.kind == GoalKind.COMPANY)
             .order_by(Goal.title, Goal.id))
    if excluding_id is not None:
        query = query.where(Goal.id != excluding_id)
    return query


def group_goals(goals: list[Goal]) -> tuple[list[tuple[Goal, list[Goal]]], list[Goal]]:
    """Company goals each with the system goals that serve it, and system goals serving none."""
    company = [goal for goal in goals if goal.kind is GoalKind.COMPANY]
    serving: dict[int, list[Goal]] = {goal.id: [] for goal in company}
    unattached = []
    for goal in goals:
        if goal.kind is GoalKind.SYSTEM:
            serving.get(goal.serves_id, unattached).append(goal)
    return [(goal, serving[goal.id]) for goal in company], unattached
