"""The communication plan and its log. Plan items (what is said to which audience, once or repeating) have full
create, read, update and delete through planner/comms/services, as on the plan pages. The log (what was sent or
held) is read-only here, at ``communication_log``: it is written by sending and by recording held meetings on the
pages, which the API does not offer (the send page limits an email to the dates that are due; the API does not
send email)."""
from datetime import date, datetime

from planner.api.framework import Resource, install
from planner.api.schemas import Day, Id, InputModel, Name, OutputModel, Text, partial
from planner.comms import queries, services
from planner.comms.models import CommsChannel, CommsPurpose, CommunicationItem, CommunicationLog
from planner.core.permissions import Permission


class CommunicationOut(OutputModel):
    id: int
    programme_id: int
    title: str
    purpose: CommsPurpose
    audience_id: int
    channel: CommsChannel
    #: the person of the programme responsible for it
    owner_id: int | None
    message: str
    #: the date of a one-off item, or the first date of a repeating one
    planned_on: date
    #: an RRULE without DTSTART ("FREQ=WEEKLY;INTERVAL=2"); empty for a one-off item
    recurrence: str
    #: go-live notices: the region whose go-live is announced
    region_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class CommunicationCreate(InputModel):
    """A planned message or meeting for an audience of the programme: once on planned_on, or repeating from it by
    an RRULE such as FREQ=WEEKLY;INTERVAL=2 (at most two years ahead). Dates run from a year before the programme
    starts to five years from today. Deleting an item keeps what was sent or held in the log."""

    title: Name(200)
    purpose: CommsPurpose
    audience_id: Id
    channel: CommsChannel
    owner_id: Id | None = None
    message: Text(20000) = ""
    planned_on: Day
    recurrence: Text(500) = ""
    region_id: Id | None = None


class CommunicationLogOut(OutputModel):
    """One message sent or meeting held (read-only)."""

    id: int
    programme_id: int
    #: the plan item and the date of it this fulfils, if any
    item_id: int | None
    occurrence_on: date | None
    audience_id: int | None
    #: the audience's name when it was sent
    audience_name: str
    purpose: CommsPurpose
    channel: CommsChannel
    subject: str
    body: str
    #: when it was sent or held (UTC)
    happened_at: datetime
    #: the day it was held, as recorded (None for emails the planner sent)
    held_on: date | None
    recorded_by_id: int | None
    #: people the email was queued for, or who were invited
    recipients_count: int
    #: people of the audience without an email address
    without_email_count: int
    region_id: int | None
    created_at: datetime


class Communications(Resource):
    name = "communications"
    title = "communication plan item"
    model = CommunicationItem
    out = CommunicationOut
    create_schema = CommunicationCreate
    update_schema = partial(CommunicationCreate, "CommunicationUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.COMMS_MANAGE

    def collection(self, programme):
        return queries.items_of(programme.id)

    def create(self, programme, values):
        return services.create_item(programme, **values)

    def update(self, item, values, expected_version):
        services.update_item(item, expected_version=expected_version, **values)

    def delete(self, item):
        services.delete_item(item)


class CommunicationLogEntries(Resource):
    name = "communication_log"
    title = "communication log entry (read-only: written by sending and recording on the pages)"
    model = CommunicationLog
    out = CommunicationLogOut
    read = Permission.PROGRAMME_VIEW
    operations = ("list", "read")

    def collection(self, programme):
        return queries.log_of(programme.id)


resource = Communications()
#: the log, read-only: a second resource of this module (the package installs ``resource`` only)
install(CommunicationLogEntries())
