"""Adoption figures: active against licensed users per region and ISO week, through the same services as the entry
page and the CSV import (a figure posted here is recorded with the source "api")."""
from datetime import date, datetime
from typing import Annotated

from flask_login import current_user
from pydantic import Field, StringConstraints

from planner.adoption import queries, services
from planner.adoption.models import AdoptionFigure, AdoptionSource
from planner.api.framework import Resource
from planner.api.schemas import Count, Id, InputModel, OutputModel, partial
from planner.core.permissions import Permission

#: any day of the week ("2026-10-07") or the ISO week ("2026-W41"), as the entry page takes it
Week = Annotated[str, StringConstraints(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2}|\d{4}-W\d{2})$"),
                 Field(description="Any day of the week (2026-10-07) or the ISO week (2026-W41); the figure is "
                                   "stored for the week's Monday.")]


class AdoptionFigureOut(OutputModel):
    id: int
    programme_id: int
    region_id: int
    #: the Monday of the ISO week
    week: date
    active_users: int
    licensed_users: int
    #: active users as a share of licensed users, 0-100
    percent: float
    #: entered on the page, imported from CSV, or posted to the API
    source: AdoptionSource
    recorded_by_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class AdoptionFigureCreate(InputModel):
    """A region's active and licensed users in one week (one that has started, from a year before the programme
    starts). A figure already recorded for the same region and week is replaced by this one (the latest count
    wins, as on the entry page and in the CSV import): the answer is then that figure, with its id."""

    region_id: Id
    week: Week
    active_users: Count
    licensed_users: Count


class AdoptionFigureChange(InputModel):
    """A correction of a figure's counts; its region and week stay (delete it and record another to move it)."""

    active_users: Count
    licensed_users: Count


class AdoptionFigures(Resource):
    name = "adoption_figures"
    title = "adoption figure"
    model = AdoptionFigure
    out = AdoptionFigureOut
    create_schema = AdoptionFigureCreate
    update_schema = partial(AdoptionFigureChange, "AdoptionFigureUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.ADOPTION_MANAGE

    def collection(self, programme):
        return queries.figures_in(programme.id)

    def create(self, programme, values):
        return services.record_figure(programme, source=AdoptionSource.API, recorded_by_id=current_user.id,
                                      **values)

    def update(self, figure, values, expected_version):
        services.update_figure(figure, expected_version=expected_version, recorded_by_id=current_user.id,
                               source=AdoptionSource.API, **values)

    def delete(self, figure):
        services.delete_figure(figure)


resource = AdoptionFigures()
