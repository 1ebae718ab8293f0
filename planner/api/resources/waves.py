"""Waves of the regional rollout: full create, read, update and delete through planner/rollout/services, as on
the wave pages (the same name, freeze-window and one-wave-per-region refusals, audit included). Marking a region
live goes through its gate on the wave page and is not in the API yet."""
from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from planner.api.framework import Resource
from planner.api.schemas import MAX_INT, Day, Id, InputModel, Name, OutputModel, partial
from planner.core.permissions import Permission
from planner.rollout import queries, services
from planner.rollout.models import Wave, WaveKind

#: the rollout order of a wave
Position = Annotated[int, Field(ge=0, le=MAX_INT)]
#: the trial period in working days: up to about eight years, so the plan's date arithmetic stays in range
TrialDays = Annotated[int, Field(ge=0, le=2000)]
#: ids of the programme's regions; a region is in at most one wave
RegionIds = Annotated[list[Id], Field(max_length=500)]


class WaveOut(OutputModel):
    id: int
    programme_id: int
    name: str
    kind: WaveKind
    #: rollout order: a wave's entry gate looks at the wave before it
    position: int
    planned_go_live: date | None
    #: the trial ("running-in") period after go-live, in working days
    trial_days: int
    #: the first day one of its regions went live
    actual_go_live: date | None
    region_ids: list[int]
    version: int
    created_at: datetime
    updated_at: datetime


class WaveCreate(InputModel):
    """A wave: regions that go live together, then run a trial period before the next wave. A planned go-live
    inside a freeze window is refused; a region already in another wave is refused."""

    name: Name(120)
    kind: WaveKind = WaveKind.STANDARD
    position: Position | None = Field(default=None, description="Rollout order; null (or left out when creating): "
                                                                "after the last wave.")
    planned_go_live: Day | None = None
    trial_days: TrialDays = 20
    region_ids: RegionIds = []


class Waves(Resource):
    name = "waves"
    title = "wave"
    model = Wave
    out = WaveOut
    create_schema = WaveCreate
    update_schema = partial(WaveCreate, "WaveUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.PLAN_EDIT

    def collection(self, programme):
        return queries.waves_with_regions(programme.id)

    def create(self, programme, values):
        if values["position"] is None:
            values["position"] = queries.next_wave_position(programme.id)
        return services.create_wave(programme, **values)

    def update(self, wave, values, expected_version):
        if values["position"] is None:  # null keeps the wave where it is
            values["position"] = wave.position
        services.update_wave(wave, expected_version=expected_version, **values)

    def delete(self, wave):
        services.delete_wave(wave)

    def current_values(self, wave):
        return {**{name: getattr(wave, name) for name in WaveCreate.model_fields if name != "region_ids"},
                "region_ids": [region.id for region in wave.regions]}

    def serialize(self, wave):
        return WaveOut.model_validate({**{name: getattr(wave, name) for name in WaveOut.model_fields
                                          if name != "region_ids"},
                                       "region_ids": [region.id for region in wave.regions]}).model_dump(mode="json")


resource = Waves()
