"""Programmes: the user's programmes; creating one is for admins, as on the pages."""
from datetime import date, datetime

from flask_login import current_user

from planner.api.framework import Resource
from planner.api.schemas import Day, Id, InputModel, Name, OutputModel, Text, TimeZone, partial
from planner.core.permissions import Permission, require
from planner.programmes import queries, services
from planner.programmes.loading import load_programme
from planner.programmes.models import Programme


class ProgrammeOut(OutputModel):
    id: int
    name: str
    #: the enterprise system being rolled out
    system_name: str
    description: str
    start_date: date
    home_time_zone: str
    #: the executive sponsor (a person of the programme)
    sponsor_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class ProgrammeCreate(InputModel):
    """A new programme; it starts with the six lifecycle stages and a steering committee."""

    name: Name(200)
    system_name: Name(200)
    start_date: Day
    home_time_zone: TimeZone
    description: Text(5000) = ""


class ProgrammeChange(ProgrammeCreate):
    """A programme's description, dates, home zone and sponsor."""

    sponsor_id: Id | None = None


class Programmes(Resource):
    name = "programmes"
    title = "programme"
    model = Programme
    out = ProgrammeOut
    create_schema = ProgrammeCreate
    update_schema = partial(ProgrammeChange, "ProgrammeUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.PROGRAMME_EDIT  # creating needs PROGRAMME_CREATE, deleting PROGRAMME_DELETE: see permission()
    collection_rule = "/programmes"
    item_rule = "/programmes/<int:programme_id>"

    def permission(self, op):
        return {"list": Permission.PROGRAMME_VIEW, "read": Permission.PROGRAMME_VIEW,
                "create": Permission.PROGRAMME_CREATE, "update": Permission.PROGRAMME_EDIT,
                "delete": Permission.PROGRAMME_DELETE}[op]

    def load_owner(self, op, **_path):
        if op == "create":
            require(Permission.PROGRAMME_CREATE)
        return None

    def load_item(self, op, programme_id, **_path):
        return load_programme(programme_id, self.permission(op))

    def item_path(self, programme):
        return {"programme_id": programme.id}

    def collection(self, _owner):
        return queries.visible_programmes(current_user)

    def create(self, _owner, values):
        return services.create_programme(**values)

    def update(self, programme, values, expected_version):
        services.update_programme(programme, expected_version=expected_version, **values)

    def delete(self, programme):
        services.delete_programme(programme)


resource = Programmes()
