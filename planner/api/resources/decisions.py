"""Committee decisions: listed, read and recorded through planner/committee/services.record_decision, as on the
decisions page (a date and who decided) and the meeting page (taken in a meeting that has taken place, linked to
a milestone, gate review or agenda item of it). A decision is a record of what was decided: the pages neither
edit nor delete one, so the API offers no update or delete."""
from datetime import date, datetime

from flask_babel import gettext as _
from flask_login import current_user

from planner.api.framework import Resource
from planner.api.schemas import Day, Id, InputModel, Name, OutputModel, Text
from planner.committee import queries, services
from planner.committee.models import Decision, MeetingOccurrence
from planner.core.errors import DomainError
from planner.core.permissions import Permission
from planner.extensions import db


class DecisionOut(OutputModel):
    id: int
    programme_id: int
    text: str
    decided_on: date
    #: who decided, as the minutes say it
    decided_by: str
    #: the user account that put it on record
    recorded_by_id: int | None
    #: the meeting occurrence it was taken in
    occurrence_id: int | None
    milestone_id: int | None
    gate_review_id: int | None
    agenda_item_id: int | None
    created_at: datetime
    updated_at: datetime


class DecisionCreate(InputModel):
    """A decision of the committee. Taken in a meeting (``occurrence_id``, one that has taken place): its date and
    committee are the defaults, and it may name an item of that meeting's agenda. Otherwise give ``decided_on``
    and ``decided_by``. Decisions are not changed or deleted once recorded."""

    text: Name(10000)
    decided_on: Day | None = None
    decided_by: Text(300) = ""
    occurrence_id: Id | None = None
    milestone_id: Id | None = None
    gate_review_id: Id | None = None
    agenda_item_id: Id | None = None


class Decisions(Resource):
    name = "decisions"
    title = "decision"
    model = Decision
    out = DecisionOut
    create_schema = DecisionCreate
    read = Permission.PROGRAMME_VIEW
    write = Permission.DECISIONS_RECORD
    operations = ("list", "read", "create")

    def collection(self, programme):
        return queries.decisions_of(programme.id)

    def create(self, programme, values):
        occurrence_id = values.pop("occurrence_id")
        occurrence = None
        if occurrence_id is not None:
            occurrence = db.session.get(MeetingOccurrence, occurrence_id)
            if occurrence is None or occurrence.programme_id != programme.id:
                raise DomainError(_("Choose a meeting of this programme."), field="occurrence_id")
        return services.record_decision(programme, recorded_by_id=current_user.id, occurrence=occurrence, **values)


resource = Decisions()
