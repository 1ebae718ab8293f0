"""Change requests: submitted (project managers and committee members), edited while pending and deleted before
the assessment (project managers), then assessed, decided by a committee decision taken in a meeting, implemented
or rejected, each step through planner/changes/services as on the request's page (the re-plan of an approved
schedule change, the audit and the same refusals included)."""
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from flask_login import current_user
from pydantic import Field
from sqlalchemy.orm import selectinload

from planner.api.framework import Resource, operation, parse_body
from planner.api.schemas import Day, Id, InputModel, Name, OutputModel, Text, no_default, partial
from planner.changes import queries, services
from planner.changes.models import ChangeKind, ChangeRequest, ChangeStatus
from planner.core.permissions import Permission
from planner.extensions import db
from planner.programmes.loading import load_in_programme

#: the schedule impact in working days (negative when the change saves time)
Days = Annotated[int, Field(ge=-1000, le=1000)]
#: extra cost in the budget currency (negative for a saving), to the cent
Cost = Annotated[Decimal, Field(max_digits=14, decimal_places=2, ge=-services.MAX_COST, le=services.MAX_COST,
                                description='At most two decimals, as a number or a string such as "1250.50".')]
#: ids of affected regions or stages (of the same programme)
Links = Annotated[list[Id], Field(max_length=200)]
#: the version you read; a newer one on the server gives 409
Version = Annotated[Id | None, Field(description="The version you read; a newer one on the server gives 409.")]


class ChangeRequestOut(OutputModel):
    id: int
    programme_id: int
    #: numbered per programme from 1
    number: int
    #: CR-001
    reference: str
    title: str
    kind: ChangeKind
    description: str
    requester_id: int | None
    requested_on: date
    status: ChangeStatus
    schedule_days: int
    cost: Annotated[Decimal | None, Field(description='The extra cost as a string, such as "1250.50"; null when '
                                                      'unknown.')]
    risks: str
    #: schedule changes: "stage:<id>", "wave:<id>" or "milestone:<id>", and how it moves
    plan_item_key: str
    new_start: date | None
    new_duration: int | None
    region_ids: list[int]
    stage_ids: list[int]
    submitted_by_id: int | None
    submitted_at: datetime
    assessment: str
    assessed_by_id: int | None
    assessed_at: datetime | None
    #: the committee decision that approved or rejected it
    decision_id: int | None
    decided_by_id: int | None
    decided_at: datetime | None
    rejection_reason: str
    rejected_by_id: int | None
    rejected_at: datetime | None
    implemented_by_id: int | None
    implemented_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class ChangeRequestCreate(InputModel):
    """A change request and its expected impact. A schedule change may name the plan item it moves (plan_item_key)
    with its new start and/or duration; other kinds ignore those. Editing (PATCH) is possible while the request
    is submitted or assessed; an edit of an assessed request sends it back to the assessment."""

    title: Name(200)
    kind: ChangeKind = ChangeKind.OTHER
    description: Text(10000) = ""
    #: the person of the programme who asks for it
    requester_id: Id | None = None
    requested_on: Day
    schedule_days: Days = 0
    cost: Cost | None = None
    risks: Text(10000) = ""
    plan_item_key: Text(40) = ""
    new_start: Day | None = None
    new_duration: Annotated[int, Field(ge=0, le=2000)] | None = None
    region_ids: Links = []
    stage_ids: Links = []


class ChangeRequestAssess(InputModel):
    """The impact assessment (project managers); the request then waits for the committee. Fields left out keep
    the request's values."""

    assessment: Name(10000)
    schedule_days: Days = Field(default=0, json_schema_extra=no_default)
    cost: Cost | None = Field(default=None, json_schema_extra=no_default)
    risks: Text(10000) = Field(default="", json_schema_extra=no_default)
    version: Version = None


class ChangeRequestDecide(InputModel):
    """The committee's decision on an assessed request: a decision of this programme taken in a committee meeting
    (record it with the meeting first), not deciding another request already."""

    outcome: Literal["approve", "reject"]
    decision_id: Id
    version: Version = None


class ChangeRequestImplement(InputModel):
    """Mark an approved request implemented; a schedule change naming a plan item is re-planned in the same step
    (refused whole when a go-live would land in a freeze window)."""

    version: Version = None


class ChangeRequestReject(InputModel):
    """Turn a submitted request down, or withdraw an approved one that will not be implemented (an assessed one
    is rejected by the committee: decide it)."""

    reason: Name(5000)
    version: Version = None


def _link_ids(change: ChangeRequest) -> dict:
    return {"region_ids": [region.id for region in change.regions], "stage_ids": [stage.id for stage in change.stages]}


class ChangeRequests(Resource):
    name = "change_requests"
    title = "change request"
    model = ChangeRequest
    out = ChangeRequestOut
    create_schema = ChangeRequestCreate
    update_schema = partial(ChangeRequestCreate, "ChangeRequestUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.CHANGES_MANAGE  # submitting needs CHANGES_SUBMIT only: see permission()

    def permission(self, op):
        return Permission.CHANGES_SUBMIT if op == "create" else super().permission(op)

    def collection(self, programme):
        return queries.changes_of(programme.id).options(selectinload(ChangeRequest.regions),
                                                        selectinload(ChangeRequest.stages))

    def create(self, programme, values):
        return services.submit_change(programme, submitted_by_id=current_user.id, **values)

    def update(self, change, values, expected_version):
        services.update_change(change, expected_version=expected_version, **values)

    def delete(self, change):
        services.delete_change(change)

    def current_values(self, change):
        fields = set(ChangeRequestCreate.model_fields) - set(_link_ids(change))
        return {**{name: getattr(change, name) for name in fields}, **_link_ids(change)}

    def serialize(self, change):
        fields = set(ChangeRequestOut.model_fields) - {"region_ids", "stage_ids"}
        return ChangeRequestOut.model_validate({**{name: getattr(change, name) for name in fields},
                                                **_link_ids(change)}).model_dump(mode="json")


resource = ChangeRequests()

# --- the steps after submitting, as on the request's page ------------------------------------------------------

STEP_RULE = "/programmes/<int:programme_id>/change_requests/<int:item_id>/{step}"
STEP_ERRORS = (400, 409, 413, 422)


def _change(programme_id: int, item_id: int, permission: Permission) -> ChangeRequest:
    return load_in_programme(ChangeRequest, programme_id, item_id, permission)[1]


def _done(change: ChangeRequest) -> dict:
    db.session.flush()
    return resource.serialize(change)


@operation(STEP_RULE.format(step="assess"), "POST", endpoint="change_requests_assess", tag="change_requests",
           summary="Assess a change request (project managers)", body=ChangeRequestAssess,
           response=ChangeRequestOut, errors=STEP_ERRORS)
def assess_change(programme_id: int, item_id: int):
    change = _change(programme_id, item_id, Permission.CHANGES_MANAGE)
    sent = parse_body(ChangeRequestAssess).model_dump(exclude_unset=True)
    values = {"schedule_days": change.schedule_days, "cost": change.cost, "risks": change.risks, **sent}
    expected_version = values.pop("version", None)
    services.assess_change(change, expected_version=expected_version, assessed_by_id=current_user.id, **values)
    return _done(change)


@operation(STEP_RULE.format(step="decide"), "POST", endpoint="change_requests_decide", tag="change_requests",
           summary="Put the committee's decision (taken in a meeting) on an assessed change request",
           body=ChangeRequestDecide, response=ChangeRequestOut, errors=STEP_ERRORS)
def decide_change(programme_id: int, item_id: int):
    change = _change(programme_id, item_id, Permission.DECISIONS_RECORD)
    body = parse_body(ChangeRequestDecide)
    services.decide_change(change, expected_version=body.version, approve=body.outcome == "approve",
                           decided_by_id=current_user.id, decision_id=body.decision_id)
    return _done(change)


@operation(STEP_RULE.format(step="implement"), "POST", endpoint="change_requests_implement", tag="change_requests",
           summary="Implement an approved change request (re-plans a schedule change)", body=ChangeRequestImplement,
           response=ChangeRequestOut, errors=STEP_ERRORS)
def implement_change(programme_id: int, item_id: int):
    change = _change(programme_id, item_id, Permission.CHANGES_MANAGE)
    body = parse_body(ChangeRequestImplement)
    services.implement_change(change, expected_version=body.version, implemented_by_id=current_user.id)
    return _done(change)


@operation(STEP_RULE.format(step="reject"), "POST", endpoint="change_requests_reject", tag="change_requests",
           summary="Turn down a submitted change request, or withdraw an approved one", body=ChangeRequestReject,
           response=ChangeRequestOut, errors=STEP_ERRORS)
def reject_change(programme_id: int, item_id: int):
    change = _change(programme_id, item_id, Permission.CHANGES_MANAGE)
    body = parse_body(ChangeRequestReject)
    services.reject_change(change, expected_version=body.version, reason=body.reason,
                           rejected_by_id=current_user.id)
    return _done(change)
