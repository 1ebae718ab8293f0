"""The risk register: full create, read, update and delete through planner/risks/services, as on the pages
(score history, audit and the same refusals included)."""
from datetime import date, datetime
from typing import Annotated

from flask_login import current_user
from pydantic import Field
from sqlalchemy.orm import selectinload

from planner.api.framework import Resource
from planner.api.schemas import Day, Id, InputModel, Name, OutputModel, Text, partial
from planner.core.permissions import Permission
from planner.risks import queries, services
from planner.risks.models import Risk, RiskCategory, RiskStatus

#: likelihood and impact are scored 1 (rare, negligible) to 5 (almost certain, severe)
Level = Annotated[int, Field(ge=1, le=5)]
#: ids of linked stages, regions or meeting occurrences (of the same programme)
Links = Annotated[list[Id], Field(max_length=200)]


class RiskOut(OutputModel):
    id: int
    programme_id: int
    #: R-001, numbered per programme
    reference: str
    title: str
    description: str
    category: RiskCategory
    likelihood: int
    impact: int
    #: likelihood x impact
    score: int
    owner_id: int | None
    mitigation: str
    trigger: str
    next_review_on: date | None
    status: RiskStatus
    stage_ids: list[int]
    region_ids: list[int]
    occurrence_ids: list[int]
    version: int
    created_at: datetime
    updated_at: datetime


class RiskCreate(InputModel):
    """A risk: what may go wrong, how likely and how bad, who watches it, and what it concerns."""

    title: Name(200)
    category: RiskCategory
    description: Text(10000) = ""
    likelihood: Level
    impact: Level
    status: RiskStatus = RiskStatus.OPEN
    #: a person of the programme
    owner_id: Id | None = None
    mitigation: Text(10000) = ""
    trigger: Text(5000) = ""
    next_review_on: Day | None = None
    stage_ids: Links = []
    region_ids: Links = []
    occurrence_ids: Links = []


def _link_ids(risk: Risk) -> dict:
    return {"stage_ids": [stage.id for stage in risk.stages], "region_ids": [region.id for region in risk.regions],
            "occurrence_ids": [occurrence.id for occurrence in risk.occurrences]}


class Risks(Resource):
    name = "risks"
    title = "risk"
    model = Risk
    out = RiskOut
    create_schema = RiskCreate
    update_schema = partial(RiskCreate, "RiskUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.RISKS_MANAGE

    def collection(self, programme):
        return queries.risks_of(programme.id).options(
            selectinload(Risk.stages), selectinload(Risk.regions), selectinload(Risk.occurrences))

    def create(self, programme, values):
        return services.create_risk(programme, changed_by_id=current_user.id, **values)

    def update(self, risk, values, expected_version):
        services.update_risk(risk, expected_version=expected_version, changed_by_id=current_user.id, **values)

    def delete(self, risk):
        services.delete_risk(risk)

    def current_values(self, risk):
        fields = set(RiskCreate.model_fields) - set(_link_ids(risk))
        return {**{name: getattr(risk, name) for name in fields}, **_link_ids(risk)}

    def serialize(self, risk):
        fields = set(RiskOut.model_fields) - {"stage_ids", "region_ids", "occurrence_ids"}
        return RiskOut.model_validate({**{name: getattr(risk, name) for name in fields},
                                       **_link_ids(risk)}).model_dump(mode="json")


resource = Risks()
