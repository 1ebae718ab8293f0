"""A small programme for the adoption tests: three regions in three waves, two departments (one IT)."""
from dataclasses import dataclass
from datetime import date

from planner.adoption import services
from planner.extensions import db
from planner.programmes.models import Programme
from planner.rollout import services as rollout_services

#: a Wednesday; its week starts on Monday 2026-10-12
TODAY = date(2026, 10, 14)


@dataclass
class World:
    programme: Programme
    regions: dict[str, int]
    departments: dict[str, int]
    waves: dict[str, int]


def build(app, factories, *, waves: bool = True) -> World:
    programme = factories.programme(regions=["North", "South", "East"], departments=["Sales", "IT"])
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        regions = {region.name: region.id for region in target.regions}
        departments = {department.name: department.id for department in target.departments}
        wave_ids = {}
        if waves:
            for position, (name, region) in enumerate((("Pilot", "North"), ("Key", "South"), ("Rest", "East"))):
                wave = rollout_services.create_wave(target, name=name, kind="standard", position=position + 1,
                                                    planned_go_live=None, trial_days=5, region_ids=[regions[region]])
                db.session.flush()
                wave_ids[name] = wave.id
        db.session.commit()
    return World(programme, regions, departments, wave_ids)


def record(app, world: World, region: str, week: date, active: int, licensed: int, **values):
    with app.app_context():
        figure = services.record_figure(db.session.get(Programme, world.programme.id),
                                        region_id=world.regions[region], week=week, active_users=active,
                                        licensed_users=licensed, today=values.pop("today", TODAY), **values)
        db.session.commit()
        return figure.id
