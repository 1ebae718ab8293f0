"""A small feedback world: a programme with two regions, people in them, and a helper to submit as them."""
from dataclasses import dataclass
from datetime import datetime, timezone

from planner.extensions import db
from planner.feedback import services
from planner.people.models import Person
from planner.programmes.models import Programme

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@dataclass
class World:
    programme: object
    north: object
    south: object
    ana: object
    ben: object


def build(factories) -> World:
    programme = factories.programme()
    north = factories.region(programme, "North")
    south = factories.region(programme, "South")
    ana = factories.person(programme, "Ana", region_id=north.id)
    ben = factories.person(programme, "Ben", region_id=south.id)
    return World(programme, north, south, ana, ben)


def submit(programme, person=None, *, user_id=None, text="How do I log in?", kind="question", topic="system",
           region_id=None):
    """Submit through the service inside an app context (the caller commits)."""
    target = db.session.get(Programme, programme.id)
    who = db.session.get(Person, person.id) if person is not None else None
    return services.submit_feedback(target, kind=kind, topic=topic, text=text, region_id=region_id, person=who,
                                    user_id=user_id)
