"""Regions of a programme (branches, countries, sites): the same services as the regions pages."""
from datetime import date, datetime

from planner.api.framework import Resource
from planner.api.schemas import Count, InputModel, Name, OutputModel, Text, TimeZone, partial
from planner.core.permissions import Permission
from planner.programmes import queries, services
from planner.programmes.models import Region, RegionTier


class RegionOut(OutputModel):
    id: int
    programme_id: int
    name: str
    tier: RegionTier
    time_zone: str
    headcount: int
    site_notes: str
    #: the day the region went live, once it has
    live_on: date | None
    version: int
    created_at: datetime
    updated_at: datetime


class RegionCreate(InputModel):
    """A region: a branch, country or site that goes live in a wave."""

    name: Name(120)
    tier: RegionTier = RegionTier.STANDARD
    time_zone: TimeZone
    headcount: Count = 0
    site_notes: Text(5000) = ""


class Regions(Resource):
    name = "regions"
    title = "region"
    model = Region
    out = RegionOut
    create_schema = RegionCreate
    update_schema = partial(RegionCreate, "RegionUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.STRUCTURE_EDIT

    def collection(self, programme):
        return queries.regions_of(programme.id)

    def create(self, programme, values):
        return services.create_region(programme, **values)

    def update(self, region, values, expected_version):
        services.update_region(region, expected_version=expected_version, **values)

    def delete(self, region):
        services.delete_region(region)


resource = Regions()
