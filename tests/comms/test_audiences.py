"""Audiences resolve to people when used: everyone, dimensions combined, people listed by name."""
import pytest

from planner.comms import audiences
from planner.comms.models import Audience
from planner.core.errors import DomainError
from planner.extensions import db
from planner.programmes.models import Programme


@pytest.fixture
def world(app, factories):
    programme = factories.programme(regions=["Hamburg", "Boston"], departments=["Sales", "IT"])
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        regions = {region.name: region.id for region in target.regions}
        departments = {department.name: department.id for department in target.departments}
    people = {
        "ana": factories.person(programme, "Ana", region_id=regions["Hamburg"], department_id=departments["Sales"],
                                job_role="Sales representative"),
        "ben": factories.person(programme, "Ben", region_id=regions["Hamburg"], department_id=departments["IT"],
                                job_role="Administrator"),
        "cy": factories.person(programme, "Cy", region_id=regions["Boston"], department_id=departments["Sales"],
                               job_role="sales REPRESENTATIVE"),
        "dee": factories.person(programme, "Dee", region_id=None, department_id=None, job_role=""),
    }
    return programme, regions, departments, people


def _make(app, programme, **values):
    spec = {"name": "Audience", "description": "", "is_everyone": False, "region_ids": [], "department_ids": [],
            "job_roles": "", "person_ids": []}
    spec.update(values)
    with app.app_context():
        audience = audiences.create_audience(db.session.get(Programme, programme.id), **spec)
        db.session.commit()
        return audience.id


def _names(app, audience_id):
    with app.app_context():
        audience = db.session.get(Audience, audience_id)
        return [person.full_name for person in db.session.scalars(audiences.members_query(audience))]


def test_everyone_is_every_person_of_the_programme(app, factories, world):
    programme, _regions, _departments, _people = world
    other = factories.programme()
    factories.person(other, "Outsider")
    assert _names(app, _make(app, programme, is_everyone=True)) == ["Ana", "Ben", "Cy", "Dee"]


def test_dimensions_combine_and_values_within_one_are_alternatives(app, world):
    programme, regions, departments, people = world
    sales_in_hamburg = _make(app, programme, name="Sales HH", region_ids=[regions["Hamburg"]],
                             department_ids=[departments["Sales"]])
    assert _names(app, sales_in_hamburg) == ["Ana"]
    both_regions = _make(app, programme, name="Both", region_ids=list(regions.values()))
    assert _names(app, both_regions) == ["Ana", "Ben", "Cy"]
    reps = _make(app, programme, name="Reps", job_roles="Sales Representative\n\nsales representative")
    assert _names(app, reps) == ["Ana", "Cy"]


def test_people_listed_by_name_join_whatever_the_rule(app, world):
    programme, regions, _departments, people = world
    audience_id = _make(app, programme, region_ids=[regions["Boston"]], person_ids=[people["dee"].id])
    assert _names(app, audience_id) == ["Cy", "Dee"]
    with app.app_context():
        assert audiences.member_count(db.session.get(Audience, audience_id)) == 2


def test_membership_is_resolved_when_used_not_when_defined(app, factories, world):
    programme, regions, _departments, _people = world
    audience_id = _make(app, programme, region_ids=[regions["Boston"]])
    factories.person(programme, "Eve", region_id=regions["Boston"])
    assert _names(app, audience_id) == ["Cy", "Eve"]


@pytest.mark.parametrize(("values", "field"), [
    ({"name": "  "}, "name"),
    ({}, "is_everyone"),
    ({"job_roles": "x" * 121}, "job_roles"),
])
def test_bad_audiences_are_refused_with_the_field_at_fault(app, world, values, field):
    programme = world[0]
    with pytest.raises(DomainError) as refused:
        _make(app, programme, **values)
    assert refused.value.field == field


def test_another_programmes_regions_and_people_are_refused(app, factories, world):
    programme = world[0]
    other = factories.programme(regions=["Elsewhere"])
    stranger = factories.person(other, "Stranger")
    with app.app_context():
        foreign_region = db.session.get(Programme, other.id).regions[0].id
    with pytest.raises(DomainError) as refused:
        _make(app, programme, region_ids=[foreign_region])
    assert refused.value.field == "region_ids"
    with pytest.raises(DomainError) as refused:
        _make(app, programme, person_ids=[stranger.id])
    assert refused.value.field == "person_ids"


def test_duplicate_names_are_refused_and_an_edit_moves_the_version(app, world):
    programme, regions, _departments, people = world
    first = _make(app, programme, name="Pilot users", is_everyone=True)
    with pytest.raises(DomainError):
        _make(app, programme, name="pilot USERS", is_everyone=True)
    with app.app_context():
        audience = db.session.get(Audience, first)
        audiences.update_audience(audience, expected_version=1, name="Pilot users", description="", is_everyone=False,
                                  region_ids=[], department_ids=[], job_roles="", person_ids=[people["ana"].id])
        db.session.commit()
        assert audience.version == 2
    assert _names(app, first) == ["Ana"]


def test_batched_member_counts_agree_with_the_sql_rule(app, world):
    programme, regions, departments, people = world
    ids = [
        _make(app, programme, name="All", is_everyone=True),
        _make(app, programme, name="Sales HH", region_ids=[regions["Hamburg"]], department_ids=[departments["Sales"]]),
        _make(app, programme, name="Reps", job_roles="SALES representative"),
        _make(app, programme, name="Boston plus Dee", region_ids=[regions["Boston"]], person_ids=[people["dee"].id]),
        _make(app, programme, name="Only Ben", person_ids=[people["ben"].id]),
        _make(app, programme, name="IT admins", department_ids=[departments["IT"]], job_roles="administrator"),
    ]
    with app.app_context():
        listed = [db.session.get(Audience, audience_id) for audience_id in ids]
        batched = audiences.member_counts(programme.id, listed)
        assert batched == {audience.id: audiences.member_count(audience) for audience in listed}
        assert list(batched.values()) == [4, 1, 2, 2, 1, 1]


def test_covering_a_region_means_everyone_in_it(app, world):
    programme, regions, departments, _people = world
    ids = [_make(app, programme, name="All", is_everyone=True),
           _make(app, programme, name="HH", region_ids=[regions["Hamburg"]]),
           _make(app, programme, name="HH sales", region_ids=[regions["Hamburg"]],
                 department_ids=[departments["Sales"]])]
    with app.app_context():
        rules = audiences.rules_of([db.session.get(Audience, audience_id) for audience_id in ids])
        assert [audiences.covers_region(rules[audience_id], regions["Hamburg"]) for audience_id in ids] == [
            True, True, False]
        assert audiences.covers_region(rules[ids[1]], regions["Boston"]) is False


def test_non_ascii_job_roles_match_the_same_in_sql_and_in_python(app, factories, world):
    """SQLite's lower() knows ASCII only and casefold("ß") is "ss": both sides compare case-folded in Python."""
    programme, _regions, _departments, _people = world
    for name, role in (("Eva", "Ärztin"), ("Fay", "ärztin"), ("Gus", "Außendienst"), ("Hal", "AUSSENDIENST"),
                       ("Ida", "Arztin")):
        factories.person(programme, name, job_role=role)
    doctors = _make(app, programme, name="Doctors", job_roles="ÄRZTIN")
    field = _make(app, programme, name="Field", job_roles="außendienst")
    with app.app_context():
        listed = [db.session.get(Audience, doctors), db.session.get(Audience, field)]
        assert audiences.member_counts(programme.id, listed) == {doctors: 2, field: 2}
        assert [audiences.member_count(audience) for audience in listed] == [2, 2]
        assert _names(app, doctors) == ["Eva", "Fay"]
        assert _names(app, field) == ["Gus", "Hal"]
