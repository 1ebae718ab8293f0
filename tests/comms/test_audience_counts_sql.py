"""Audience membership in SQL (``audiences.membership``, used by the list page's counts, sends, surveys and status
updates) agrees with the rule as the ``Audience`` model states it, written here once more in plain Python and
read from the audience's own relationships: everyone; or the people listed by name plus those matching every
dimension that is set (regions, departments, job roles compared with spaces collapsed and case folded)."""
import itertools
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from planner.comms import audiences
from planner.comms.models import Audience
from planner.extensions import db
from planner.people import services as people_services
from planner.people.models import Person
from planner.programmes import services as programme_services
from planner.programmes.models import Department, Programme, Region
from tests.comms.helpers import make_audience
from tests.conftest import count_queries

#: job roles as people and audiences write them: case, spaces, "ß"/"ss", accents, the Turkish dotted I
ROLES = ["Sales rep", "SALES REP", "  sales   rep ", "Ärztin", "ärztin", "Arztin", "Außendienst", "AUSSENDIENST",
         "İzmir office", "izmir office", "Controller", ""]


def _role_key(role: str) -> str:
    return " ".join(role.split()).casefold()


def _python_members(audience: Audience, people: list[Person]) -> set[int]:
    """Who is in ``audience``, by the rule in words, evaluated in Python over every person of the programme."""
    if audience.is_everyone:
        return {person.id for person in people}
    listed = {person.id for person in audience.people}
    wanted = [({region.id for region in audience.regions}, lambda person: person.region_id),
              ({department.id for department in audience.departments}, lambda person: person.department_id),
              ({_role_key(role) for role in audience.job_role_list}, lambda person: _role_key(person.job_role))]
    wanted = [(values, value_of) for values, value_of in wanted if values]

    def matches(person) -> bool:
        return bool(wanted) and all(value_of(person) in values for values, value_of in wanted)

    return {person.id for person in people if person.id in listed or matches(person)}


def _assert_sql_agrees_with_python(app, programme_id: int) -> dict[int, int]:
    """For every audience of the programme: the batched counts, the single count and the member ids agree with
    ``_python_members``. Returns the counts."""
    with app.app_context():
        listed = db.session.scalars(audiences.audiences_of(programme_id)).all()
        people = db.session.scalars(select(Person).where(Person.programme_id == programme_id)).all()
        expected = {audience.id: _python_members(audience, people) for audience in listed}
        counts = audiences.member_counts(programme_id, listed)
        assert counts == {audience_id: len(members) for audience_id, members in expected.items()}
        for audience in listed:
            assert set(db.session.scalars(audiences.member_ids_query(audience))) == expected[audience.id], \
                audience.name
            assert audiences.member_count(audience) == len(expected[audience.id]), audience.name
        return {audience.name: counts[audience.id] for audience in listed}


def test_every_kind_of_rule_counts_the_same_in_sql_and_in_python(app, factories):
    programme = factories.programme(regions=["Hamburg", "Boston", "Closed"], departments=["Sales", "IT", "Gone"])
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        regions = {region.name: region.id for region in target.regions}
        departments = {department.name: department.id for department in target.departments}
    people = {}
    for n, (region, department, role, is_super_user) in enumerate([
            ("Hamburg", "Sales", "Sales rep", False), ("Hamburg", "IT", "Controller", True),
            ("Boston", "Sales", "  SALES   rep ", False), ("Boston", None, "Ärztin", False),
            (None, "Sales", "ärztin", True), (None, None, "", False), ("Closed", "Gone", "Außendienst", False),
            ("Closed", "Sales", "AUSSENDIENST", False), ("Hamburg", "Gone", "Arztin", False),
            (None, "IT", "İzmir office", False)]):
        people[n] = factories.person(programme, f"Person {n:02}", region_id=regions.get(region),
                                     department_id=departments.get(department), job_role=role,
                                     is_super_user=is_super_user)
    other = factories.programme(regions=["Hamburg"])
    factories.person(other, "Outsider", job_role="Sales rep")
    specs = {
        "Everyone": {"is_everyone": True},
        "Hamburg": {"region_ids": [regions["Hamburg"]]},
        "Two regions": {"region_ids": [regions["Hamburg"], regions["Boston"]]},
        "Sales": {"department_ids": [departments["Sales"]]},
        "Reps": {"job_roles": "sales REP"},
        "Doctors": {"job_roles": "ÄRZTIN\nizmir OFFICE"},
        "Field": {"job_roles": "außendienst"},
        "Sales in Hamburg": {"region_ids": [regions["Hamburg"]], "department_ids": [departments["Sales"]]},
        "Boston reps in sales": {"region_ids": [regions["Boston"]], "department_ids": [departments["Sales"]],
                                 "job_roles": "Sales rep"},
        "Nobody matches": {"region_ids": [regions["Boston"]], "job_roles": "Controller"},
        "Listed only": {"person_ids": [people[5].id, people[9].id]},
        "Boston plus listed": {"region_ids": [regions["Boston"]], "person_ids": [people[2].id, people[5].id]},
        "Closed region": {"region_ids": [regions["Closed"]]},
        "Closed region plus a role": {"region_ids": [regions["Closed"]], "job_roles": "Sales rep"},
        "Closed region plus listed": {"region_ids": [regions["Closed"]], "person_ids": [people[0].id]},
        "Gone department": {"department_ids": [departments["Gone"]]},
        "Only a leaver": {"person_ids": [people[7].id]},
        "Everyone, regions ignored": {"is_everyone": True, "region_ids": [regions["Boston"]]},
    }
    for name, values in specs.items():
        make_audience(app, programme, name, **values)
    before = _assert_sql_agrees_with_python(app, programme.id)
    # "İ" folds to "i" plus a combining dot, so "izmir office" is another role than "İzmir office"
    assert before["Everyone"] == 10 and before["Reps"] == 2 and before["Doctors"] == 2 and before["Field"] == 2
    assert before["Boston plus listed"] == 3 and before["Nobody matches"] == 0

    with app.app_context():  # a region and a department closed, a listed person gone
        programme_services.delete_region(db.session.get(Region, regions["Closed"]))
        programme_services.delete_department(db.session.get(Department, departments["Gone"]))
        people_services.delete_person(db.session.get(Person, people[7].id))
        db.session.commit()
    after = _assert_sql_agrees_with_python(app, programme.id)
    assert after["Closed region"] == 0 and after["Gone department"] == 0 and after["Only a leaver"] == 0
    assert after["Closed region plus a role"] == 2  # the region went: the role alone is left
    assert after["Closed region plus listed"] == 1
    assert after["Everyone"] == 9


def test_the_counts_of_a_page_take_two_statements_for_3_or_30_audiences(app, factories):
    programme = factories.programme(regions=["North", "South"], departments=["Sales"])
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        region_ids = [region.id for region in target.regions]
        department_id = target.departments[0].id
    people = [factories.person(programme, f"P{n:02}", region_id=region_ids[n % 2],
                               department_id=department_id if n % 3 else None, job_role=ROLES[n % len(ROLES)])
              for n in range(12)]
    kinds = [{"is_everyone": True}, {"region_ids": region_ids[:1]}, {"job_roles": "sales rep\nÄrztin"},
             {"department_ids": [department_id], "person_ids": [people[0].id]}, {"person_ids": [people[1].id]}]
    measured = []
    for total in (3, 30):
        with app.app_context():
            have = len(db.session.scalars(audiences.audiences_of(programme.id)).all())
        for n in range(have, total):
            make_audience(app, programme, f"Audience {n:02}", **kinds[n % len(kinds)])
        with app.app_context():
            listed = db.session.scalars(audiences.audiences_of(programme.id)).all()
            with count_queries(app) as statements:
                counts = audiences.member_counts(programme.id, listed)
            measured.append(len(statements))
            assert len(counts) == total
    assert measured == [2, 2], measured
    _assert_sql_agrees_with_python(app, programme.id)


def test_no_audiences_need_no_query(app):
    with app.app_context(), count_queries(app) as statements:
        assert audiences.member_counts(1, []) == {}
    assert statements == []


_generated = itertools.count(1)
_person = st.tuples(st.integers(0, 3), st.integers(0, 3), st.sampled_from(ROLES))  # region/department 3: none
_rule = st.fixed_dictionaries({
    "is_everyone": st.sampled_from([False, False, False, True]),
    "regions": st.sets(st.integers(0, 2), max_size=3),
    "departments": st.sets(st.integers(0, 2), max_size=3),
    "roles": st.lists(st.sampled_from(ROLES[:-1]), max_size=3),
    "people": st.sets(st.integers(0, 11), max_size=3),
})


@settings(deadline=None, database=None, derandomize=True, max_examples=40,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(people=st.lists(_person, min_size=1, max_size=12), rules=st.lists(_rule, min_size=1, max_size=6),
       closed=st.sets(st.sampled_from(["region", "department", "person"])))
def test_any_rules_and_people_count_the_same_in_sql_and_in_python(app, people, rules, closed):
    """Generated people and rules; then perhaps a region, a department and a listed person are deleted, which
    can leave a rule with no dimension at all."""
    with app.app_context():
        programme = programme_services.create_programme(
            name=f"Generated {next(_generated)}", system_name="Helix CRM", start_date=date(2026, 3, 2),
            home_time_zone="Europe/Berlin", description="")
        regions = [programme_services.create_region(programme, name=f"R{n}", tier="standard",
                                                    time_zone="Europe/Berlin", headcount=10, site_notes="")
                   for n in range(3)]
        departments = [programme_services.create_department(programme, name=f"D{n}", is_it=False) for n in range(3)]
        db.session.flush()
        made = [people_services.create_person(
            programme, full_name=f"Person {n}", email=f"generated{n}@example.com",
            region_id=regions[region].id if region < 3 else None,
            department_id=departments[department].id if department < 3 else None,
            job_role=role, is_super_user=n % 2 == 0) for n, (region, department, role) in enumerate(people)]
        db.session.flush()
        for n, rule in enumerate(rules):
            listed = [made[index].id for index in rule["people"] if index < len(made)]
            if not (rule["is_everyone"] or rule["regions"] or rule["departments"] or rule["roles"] or listed):
                listed = [made[0].id]
            audiences.create_audience(
                programme, name=f"Audience {n}", description="", is_everyone=rule["is_everyone"],
                region_ids=[regions[index].id for index in rule["regions"]],
                department_ids=[departments[index].id for index in rule["departments"]],
                job_roles="\n".join(rule["roles"]), person_ids=listed)
        db.session.flush()
        if "region" in closed:
            programme_services.delete_region(regions[0])
        if "department" in closed:
            programme_services.delete_department(departments[0])
        if "person" in closed:
            people_services.delete_person(made[0])
        db.session.commit()
        programme_id = programme.id
    _assert_sql_agrees_with_python(app, programme_id)
