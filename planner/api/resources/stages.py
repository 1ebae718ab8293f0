"""The six lifecycle stages of a programme: read them, and change what the stage page lets a project manager
change (goals, expertise, owner, dates). Stages come from the template: none is created or deleted."""
from datetime import date, datetime

from planner.api.framework import Resource
from planner.api.schemas import Day, Id, InputModel, Name, OutputModel, Text, partial
from planner.core import clock
from planner.core.permissions import Permission
from planner.lifecycle import queries, services
from planner.lifecycle.models import Stage, StageStatus


class StageOut(OutputModel):
    id: int
    programme_id: int
    #: 1 overall planning ... 6 continuous improvement
    number: int
    name: str
    goals: str
    expertise_needed: str
    owner_id: int | None
    planned_start: date | None
    planned_finish: date | None
    actual_start: date | None
    actual_finish: date | None
    closed_at: datetime | None
    #: from its dates and gate, today
    status: StageStatus
    version: int
    created_at: datetime
    updated_at: datetime


class StageChange(InputModel):
    """What a project manager may change on a stage; closing it goes through its gate (not in the API yet)."""

    goals: Name(5000)
    expertise_needed: Text(5000) = ""
    owner_id: Id | None = None
    planned_start: Day | None = None
    planned_finish: Day | None = None
    actual_start: Day | None = None
    actual_finish: Day | None = None


class Stages(Resource):
    name = "stages"
    title = "stage"
    model = Stage
    out = StageOut
    update_schema = partial(StageChange, "StageUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.PLAN_EDIT
    operations = ("list", "read", "update")

    def collection(self, programme):
        return queries.stages_with_gates(programme.id)

    def update(self, stage, values, expected_version):
        services.update_stage(stage, expected_version=expected_version, **values)

    def serialize(self, stage):
        return StageOut.model_validate({**{name: getattr(stage, name) for name in StageOut.model_fields
                                           if name != "status"},
                                        "status": stage.status(clock.today())}).model_dump(mode="json")


resource = Stages()
