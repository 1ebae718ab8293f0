"""The demo's adoption: the pilot region's share of active users climbing week by week since its go-live, and
one more business super-user nominated in the pilot (people.csv already leaves one region without a super-user
and another with only an IT one). Loading again creates nothing."""
from datetime import date, timedelta

from sqlalchemy import select

from planner.adoption import services
from planner.adoption.models import AdoptionFigure
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Programme, Region


def pilot_weeks(go_live: date, on_day: date) -> list[date]:
    """The Mondays from the go-live week to last week (the current week is not over yet)."""
    first, last = services.week_start(go_live), services.week_start(on_day) - timedelta(weeks=1)
    return [first + timedelta(weeks=index) for index in range((last - first).days // 7 + 1)] if last >= first else []


def climbing_shares(first_pct: float, last_pct: float, count: int) -> list[float]:
    """``count`` shares evenly spaced from ``first_pct`` to ``last_pct`` (just the last one when count is 1)."""
    if count <= 1:
        return [last_pct] * count
    return [first_pct + (last_pct - first_pct) * index / (count - 1) for index in range(count)]


def load_adoption(programme: Programme, spec: dict, on_day: date) -> int:
    """Record the pilot's weekly adoption and the spec's super-user nominations that are missing; returns how
    many figures and nominations it created (0 the second time)."""
    created = 0
    region = db.session.scalar(select(Region).where(Region.programme_id == programme.id,
                                                    Region.name == spec["pilot_region"]))
    if region is not None and region.live_on is not None and region.headcount > 0:
        weeks = pilot_weeks(region.live_on, on_day)
        recorded = set(db.session.scalars(select(AdoptionFigure.week).where(AdoptionFigure.region_id == region.id)))
        for week, share in zip(weeks, climbing_shares(spec["first_week_pct"], spec["last_week_pct"], len(weeks))):
            if week not in recorded:
                services.record_figure(programme, region_id=region.id, week=week,
                                       active_users=round(region.headcount * share / 100),
                                       licensed_users=region.headcount, source=spec["source"], today=on_day)
                created += 1
    for email in spec.get("nominate_super_users", []):
        person = db.session.scalar(select(Person).where(Person.programme_id == programme.id, Person.email == email))
        if person is not None and person.region_id is not None:
            created += services.set_super_user(programme, person, True)
    return created
