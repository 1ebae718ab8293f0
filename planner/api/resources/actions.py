"""Committee action items: listed, read, agreed and changed through planner/committee/services, as on the
meeting page (agreeing one) and the actions page (editing one, or closing it as done or dropped). The pages
delete no action (one that is no longer needed is dropped), so neither does the API."""
from datetime import date, datetime

from flask_babel import gettext as _

from planner.api.framework import Resource
from planner.api.schemas import Day, Id, InputModel, Name, OutputModel, Text, partial
from planner.committee import queries, services
from planner.committee.models import ActionItem, ActionStatus, MeetingOccurrence
from planner.core import clock
from planner.core.errors import DomainError
from planner.core.permissions import Permission
from planner.extensions import db


class ActionOut(OutputModel):
    id: int
    programme_id: int
    #: the meeting occurrence that agreed it
    occurrence_id: int | None
    decision_id: int | None
    title: str
    notes: str
    #: the person who owns it
    owner_id: int | None
    due_on: date
    status: ActionStatus
    #: the day it was closed (done or dropped)
    completed_on: date | None
    #: open and past its due day, today
    is_overdue: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ActionCreate(InputModel):
    """An action agreed by the committee: what, who (a person of the programme), by when; usually in a meeting
    (``occurrence_id``) and perhaps following a decision. A new action is open."""

    title: Name(300)
    owner_id: Id
    due_on: Day
    notes: Text(10000) = ""
    occurrence_id: Id | None = None
    decision_id: Id | None = None


class ActionChange(InputModel):
    """An action's what, who and by when, and its status: closing it (done or dropped) sets ``completed_on``,
    opening it again clears it."""

    title: Name(300)
    owner_id: Id
    due_on: Day
    status: ActionStatus
    notes: Text(10000)


class Actions(Resource):
    name = "actions"
    title = "action"
    model = ActionItem
    out = ActionOut
    create_schema = ActionCreate
    update_schema = partial(ActionChange, "ActionUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.DECISIONS_RECORD
    operations = ("list", "read", "create", "update")

    def collection(self, programme):
        return queries.actions_of(programme.id, state="all", today=clock.today())

    def create(self, programme, values):
        occurrence_id = values.pop("occurrence_id")
        occurrence = None
        if occurrence_id is not None:
            occurrence = db.session.get(MeetingOccurrence, occurrence_id)
            if occurrence is None or occurrence.programme_id != programme.id:
                raise DomainError(_("Choose a meeting of this programme."), field="occurrence_id")
        return services.add_action(programme, occurrence=occurrence, **values)

    def update(self, action, values, expected_version):
        services.update_action(action, expected_version=expected_version, **values)

    def serialize(self, action):
        return ActionOut.model_validate({**{name: getattr(action, name) for name in ActionOut.model_fields
                                            if name != "is_overdue"},
                                         "is_overdue": action.is_overdue(clock.today())}).model_dump(mode="json")


resource = Actions()
