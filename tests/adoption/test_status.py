"""The overview card's adoption status and the super-user flags of the health check."""
from datetime import date

from planner.adoption.status import adoption_status
from planner.adoption.super_users import FlagKind, RegionFlag, super_user_flags, super_users_by_region
from planner.extensions import db
from planner.programmes.models import Programme, Region
from tests.adoption.helpers import TODAY, build, record
from tests.conftest import count_queries


def _go_live(app, world, region: str, day: date) -> None:
    with app.app_context():
        db.session.get(Region, world.regions[region]).live_on = day
        db.session.commit()


def test_adoption_status_of_live_regions(app, factories):
    world = build(app, factories)
    _go_live(app, world, "North", date(2026, 9, 21))
    _go_live(app, world, "South", date(2026, 10, 1))
    _go_live(app, world, "East", date(2026, 10, 20))  # not yet
    record(app, world, "North", date(2026, 10, 5), 70, 100)
    record(app, world, "East", date(2026, 10, 5), 1, 100)  # early figures of a region not live: not counted
    with app.app_context():
        status = adoption_status(db.session.get(Programme, world.programme.id), TODAY)
    assert status.regions_live == 2 and status.regions_total == 3
    assert [(region.name, region.latest.percent if region.latest else None) for region in status.live_regions] == [
        ("North", 70.0), ("South", None)]
    assert status.below_threshold == []
    assert [region.name for region in status.without_figures] == ["South"]
    record(app, world, "North", date(2026, 10, 12), 50, 100)
    with app.app_context():
        status = adoption_status(db.session.get(Programme, world.programme.id), TODAY)
    assert [region.name for region in status.below_threshold] == ["North"]
    assert {flag.region for flag in status.super_user_flags} == {"East", "North", "South"}


def test_regions_without_super_users_or_only_in_it_are_flagged(app, factories):
    world = build(app, factories, waves=False)
    sales, it = world.departments["Sales"], world.departments["IT"]
    factories.person(world.programme, "Ada", region_id=world.regions["North"], department_id=sales,
                     is_super_user=True)
    factories.person(world.programme, "Bob", region_id=world.regions["North"], department_id=it, is_super_user=True)
    factories.person(world.programme, "Cy", region_id=world.regions["South"], department_id=it, is_super_user=True)
    factories.person(world.programme, "Di", region_id=world.regions["East"], department_id=sales)
    factories.person(world.programme, "Ed", department_id=sales, is_super_user=True)  # no region: ignored
    with app.app_context():
        flags = super_user_flags(world.programme.id)
        regions = super_users_by_region(world.programme.id)
    assert flags == [RegionFlag(world.regions["East"], "East", FlagKind.NONE),
                     RegionFlag(world.regions["South"], "South", FlagKind.IT_ONLY)]
    assert [[person.full_name for person in region.super_users] for region in regions] == [[], ["Ada", "Bob"], ["Cy"]]
    with app.test_request_context():
        assert flags[0].message == "East has no super-user."
        assert "only in IT" in flags[1].message


def test_flags_take_a_fixed_number_of_queries(app, factories):
    world = build(app, factories, waves=False)

    def count() -> int:
        with app.app_context(), count_queries(app) as statements:
            super_user_flags(world.programme.id)
        return len(statements)

    few = count()
    for index in range(12):
        factories.person(world.programme, region_id=world.regions["North"], is_super_user=True,
                         department_id=world.departments["IT"] if index % 2 else None)
    assert count() == few == 2


def test_a_super_user_without_a_department_is_unknown_not_business(app, factories):
    world = build(app, factories, waves=False)
    sales, it = world.departments["Sales"], world.departments["IT"]
    factories.person(world.programme, "Ann", region_id=world.regions["North"], is_super_user=True)  # unknown
    factories.person(world.programme, "Ben", region_id=world.regions["South"], is_super_user=True)
    factories.person(world.programme, "Cat", region_id=world.regions["South"], department_id=it, is_super_user=True)
    factories.person(world.programme, "Dan", region_id=world.regions["East"], is_super_user=True)
    factories.person(world.programme, "Eve", region_id=world.regions["East"], department_id=sales,
                     is_super_user=True)
    with app.app_context():
        flags = super_user_flags(world.programme.id)
    assert flags == [RegionFlag(world.regions["North"], "North", FlagKind.NO_BUSINESS),
                     RegionFlag(world.regions["South"], "South", FlagKind.NO_BUSINESS)]
    with app.test_request_context():
        assert "no department" in flags[0].message and "business department" in flags[0].message
