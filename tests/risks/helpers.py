"""Building risk-register worlds through the real services, for the service and page tests."""
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from planner.extensions import db
from planner.lifecycle.models import Stage
from planner.programmes.models import Programme, Region
from planner.risks import services
from tests.committee.helpers import held_occurrence

#: the clock of these tests
NOW = datetime(2026, 9, 18, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


@dataclass
class World:
    programme_id: int
    region_id: int
    stage_id: int
    occurrence_id: int
    person_id: int


def build_world(app, factories) -> World:
    """A programme with a region, stages, a person and a committee meeting that took place."""
    programme = factories.programme(regions=["Nordic"])
    person = factories.person(programme, "Olga Owner")
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        region = db.session.scalar(select(Region).where(Region.programme_id == target.id))
        stage = db.session.scalar(select(Stage).where(Stage.programme_id == target.id).order_by(Stage.number))
        occurrence = held_occurrence(target, date(2026, 9, 15))
        db.session.flush()
        world = World(target.id, region.id, stage.id, occurrence.id, person.id)
        db.session.commit()
        return world


def risk_fields(**values) -> dict:
    return {"title": "Sponsor leaves", "description": "The sponsor may move to another role.",
            "category": "sponsorship", "likelihood": 3, "impact": 4, "owner_id": None,
            "mitigation": "Name a deputy sponsor.", "trigger": "", "next_review_on": date(2026, 10, 1),
            "status": "open", **values}


def make_risk(programme, changed_by_id=None, **values):
    fields = risk_fields(**values)
    links = {key: fields.pop(key, ()) for key in ("stage_ids", "region_ids", "occurrence_ids")}
    return services.create_risk(programme, changed_by_id=changed_by_id, **links, **fields)
