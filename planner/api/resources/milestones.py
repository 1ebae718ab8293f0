"""Milestones of the plan: full create, read, update and delete through planner/rollout/services, as on the
milestone pages (deleting one removes the dependencies that point at it, as there)."""
from datetime import date, datetime

from planner.api.framework import Resource
from planner.api.schemas import Day, InputModel, Name, OutputModel, partial
from planner.core.permissions import Permission
from planner.rollout import queries, services
from planner.rollout.models import Milestone, MilestoneKind


class MilestoneOut(OutputModel):
    id: int
    programme_id: int
    name: str
    kind: MilestoneKind
    planned_on: date
    #: the day it was reached; null until then
    actual_on: date | None
    version: int
    created_at: datetime
    updated_at: datetime


class MilestoneCreate(InputModel):
    """A milestone: a named day in the plan (kickoff, sign-off, go-live, review ...), and when it was reached."""

    name: Name(200)
    kind: MilestoneKind = MilestoneKind.OTHER
    planned_on: Day
    actual_on: Day | None = None


class Milestones(Resource):
    name = "milestones"
    title = "milestone"
    model = Milestone
    out = MilestoneOut
    create_schema = MilestoneCreate
    update_schema = partial(MilestoneCreate, "MilestoneUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.PLAN_EDIT

    def collection(self, programme):
        return queries.milestones_of(programme.id)

    def create(self, programme, values):
        return services.create_milestone(programme, **values)

    def update(self, milestone, values, expected_version):
        services.update_milestone(milestone, expected_version=expected_version, **values)

    def delete(self, milestone):
        services.delete_milestone(milestone)


resource = Milestones()
