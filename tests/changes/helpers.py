"""Building change-request worlds through the real services, for the service and page tests."""
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from planner.changes import services
from planner.extensions import db
from planner.lifecycle.models import Stage
from planner.programmes.models import Programme, Region
from planner.rollout import services as rollout_services
from tests.committee.helpers import held_occurrence

#: the clock of these tests: a Friday, after the held meeting and before the wave's go-live
NOW = datetime(2026, 9, 18, 9, 0, tzinfo=UTC)
#: the standard wave goes live on a Monday
GO_LIVE = date(2026, 10, 5)
#: the held meeting, in the past of NOW
MEETING_DAY = date(2026, 9, 15)


@dataclass
class World:
    programme_id: int
    region_id: int
    stage_id: int
    wave_key: str
    occurrence_id: int
    person_id: int


def build_world(app, factories) -> World:
    """A programme with a region in a dated wave, a freeze window at the year's end, a person, and a committee
    meeting that took place."""
    programme = factories.programme(regions=["Nordic"])
    person = factories.person(programme, "Ines Requester")
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        region = db.session.scalar(select(Region).where(Region.programme_id == target.id))
        stage = db.session.scalar(select(Stage).where(Stage.programme_id == target.id).order_by(Stage.number))
        wave = rollout_services.create_wave(target, name="Nordic", kind="standard", position=1,
                                            planned_go_live=GO_LIVE, trial_days=10, region_ids=[region.id])
        rollout_services.add_freeze_window(target, name="Year end", start_on=date(2026, 12, 21),
                                           end_on=date(2026, 12, 31))
        occurrence = held_occurrence(target, MEETING_DAY)
        db.session.flush()
        world = World(target.id, region.id, stage.id, f"wave:{wave.id}", occurrence.id, person.id)
        db.session.commit()
        return world


def change_fields(**values) -> dict:
    """The fields of a change request: a schedule change when it names a plan item, else one of kind "other"
    (a schedule change must name its plan item before the assessment); override what the test needs."""
    kind = "schedule" if values.get("plan_item_key") else "other"
    return {"title": "Move the Nordic wave", "kind": kind, "description": "Data migration is late.",
            "requester_id": None, "requested_on": date(2026, 9, 10), "schedule_days": 10, "cost": None,
            "risks": "", "plan_item_key": "", "new_start": None, "new_duration": None, **values}


def submit(programme, **values):
    fields = change_fields(**values)
    region_ids, stage_ids = fields.pop("region_ids", ()), fields.pop("stage_ids", ())
    return services.submit_change(programme, submitted_by_id=None, region_ids=region_ids, stage_ids=stage_ids,
                                  **fields)
