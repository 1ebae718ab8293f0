"""The curriculum services and the "who needs which course" queries, tested directly."""
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from planner.core.errors import DomainError, StaleEditError
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Department, Programme, Region
from planner.training import queries, services
from planner.training.models import Course, CourseFormat, CourseRequirement


def _course(programme, title="CRM basics", **values) -> Course:
    spec = {"description": "", "duration_minutes": 120, "format": "classroom", "material_links": "", **values}
    return services.create_course(programme, title=title, **spec)


@pytest.fixture
def world(app, factories):
    """A programme with two regions and two departments, and people in them (ids by name)."""
    programme = factories.programme(regions=["North", "South"], departments=["Sales", "Service"])
    with app.app_context():
        regions = {name: oid for name, oid in db.session.execute(
            select(Region.name, Region.id).where(Region.programme_id == programme.id))}
        departments = {name: oid for name, oid in db.session.execute(
            select(Department.name, Department.id).where(Department.programme_id == programme.id))}
    people = {}
    for name, role, department, region in [
            ("Ana", "Sales representative", "Sales", "North"),
            ("Ben", "SALES REPRESENTATIVE", "Service", "North"),
            ("Cem", "Service agent", "Service", "South"),
            ("Dora", "Sales representative", None, "South"),
            ("Eli", "Controller", None, None),
            ("Fay", "", "Sales", "North")]:
        people[name] = factories.person(programme, name, job_role=role, region_id=regions.get(region),
                                        department_id=departments.get(department)).id
    return programme, regions, departments, people


def _names(select_statement) -> list[str]:
    return sorted(person.full_name for person in db.session.scalars(select_statement))


def test_create_update_and_delete_a_course_are_audited(app, make_programme):
    programme = make_programme()
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        course = _course(target, "  CRM   basics ", format="virtual", duration_minutes=90,
                         material_links="https://video.example.com/intro\n\n  http://wiki.example.com/guide  \n")
        assert course.title == "CRM basics"
        assert course.format is CourseFormat.VIRTUAL
        assert course.links == ["https://video.example.com/intro", "http://wiki.example.com/guide"]
        services.update_course(course, expected_version=course.version, title="CRM for sales", description="x",
                               duration_minutes=60, format="self_paced", material_links="")
        assert (course.title, course.duration_minutes, course.format) == ("CRM for sales", 60, CourseFormat.SELF_PACED)
        requirement = services.add_requirement(course, job_role="Sales representative", department_id=None)
        course_id, requirement_id = course.id, requirement.id
        services.delete_course(course)
        assert db.session.get(Course, course_id) is None
        assert db.session.get(CourseRequirement, requirement_id) is None
        logged = db.session.execute(select(AuditEvent.object_type, AuditEvent.action)
                                    .where(AuditEvent.programme_id == programme.id,
                                           AuditEvent.object_type.in_(["Course", "CourseRequirement"]))
                                    .order_by(AuditEvent.id)).all()
        assert logged == [("Course", "create"), ("Course", "update"), ("CourseRequirement", "create"),
                          ("CourseRequirement", "delete"), ("Course", "delete")]


@pytest.mark.parametrize(("values", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "crm BASICS"}, "title"),  # the title is taken, regardless of case
    ({"duration_minutes": 4}, "duration_minutes"),
    ({"duration_minutes": 2881}, "duration_minutes"),
    ({"duration_minutes": None}, "duration_minutes"),
    ({"format": "webinar"}, "format"),
    ({"material_links": "javascript:alert(1)"}, "material_links"),
    ({"material_links": "https://ok.example.com\nftp://files.example.com/a"}, "material_links"),
    ({"material_links": "file:///etc/passwd"}, "material_links"),
    ({"material_links": "https://"}, "material_links"),
    ({"material_links": "www.example.com/guide"}, "material_links"),
    ({"material_links": "https://example.com/a guide"}, "material_links"),
])
def test_bad_course_input_is_refused_at_its_field(app, make_programme, values, field):
    programme = make_programme()
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        _course(target, "CRM basics")
        spec = {"title": "Pipeline reviews", **values}
        with pytest.raises(DomainError) as refused:
            _course(target, **spec)
        assert refused.value.field == field


def test_a_stale_edit_is_refused(app, make_programme):
    programme = make_programme()
    with app.app_context():
        course = _course(db.session.get(Programme, programme.id))
        with pytest.raises(StaleEditError):
            services.update_course(course, expected_version=course.version + 1, title="New", description="",
                                   duration_minutes=60, format="classroom", material_links="")


def test_a_course_with_sessions_cannot_be_deleted(app, make_programme):
    from datetime import UTC, datetime

    from planner.training.models import TrainingSession

    programme = make_programme(regions=["North"])
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        course = _course(target)
        region_id = db.session.scalar(select(Region.id).where(Region.programme_id == programme.id))
        db.session.add(TrainingSession(programme_id=programme.id, course_id=course.id, region_id=region_id,
                                       uid="training-session-test@example.com", time_zone="Europe/Berlin",
                                       local_start=datetime(2026, 11, 3, 9), duration_minutes=120,
                                       starts_at=datetime(2026, 11, 3, 8, tzinfo=UTC),
                                       ends_at=datetime(2026, 11, 3, 10, tzinfo=UTC)))
        db.session.flush()
        with pytest.raises(DomainError, match="sessions"):
            services.delete_course(course)
        assert db.session.get(Course, course.id) is not None


def test_requirements_refuse_duplicates_and_foreign_departments(app, world, make_programme):
    programme, _regions, departments, _people = world
    other = make_programme(departments=["Finance"])
    with app.app_context():
        course = _course(db.session.get(Programme, programme.id))
        services.add_requirement(course, job_role="Sales  representative", department_id=None)
        services.add_requirement(course, job_role="", department_id=None)
        services.add_requirement(course, job_role="Sales representative", department_id=departments["Sales"])
        with pytest.raises(DomainError) as refused:
            services.add_requirement(course, job_role=" sales REPRESENTATIVE ", department_id=None)
        assert refused.value.field == "job_role"
        with pytest.raises(DomainError):
            services.add_requirement(course, job_role="", department_id=None)
        with pytest.raises(DomainError):
            services.add_requirement(course, job_role="SALES representative", department_id=departments["Sales"])
        finance = db.session.scalar(select(Department.id).where(Department.programme_id == other.id))
        with pytest.raises(DomainError) as refused:
            services.add_requirement(course, job_role="", department_id=finance)
        assert refused.value.field == "department_id"
        with pytest.raises(DomainError) as refused:
            services.add_requirement(course, job_role="x" * 121, department_id=None)
        assert refused.value.field == "job_role"
        assert db.session.scalar(select(func.count(CourseRequirement.id))
                                 .where(CourseRequirement.course_id == course.id)) == 3


def test_who_needs_a_course_follows_the_matching_rule(app, world):
    programme, regions, departments, people = world
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        by_role = _course(target, "Selling with the CRM")
        services.add_requirement(by_role, job_role="sales representative", department_id=None)
        by_both = _course(target, "Service cases")
        services.add_requirement(by_both, job_role="Service agent", department_id=departments["Service"])
        by_department = _course(target, "Sales dashboards")
        services.add_requirement(by_department, job_role="", department_id=departments["Sales"])
        unused = _course(target, "Admin console")
        db.session.flush()

        assert _names(queries.people_needing(by_role)) == ["Ana", "Ben", "Dora"]  # case-insensitive role
        assert _names(queries.people_needing(by_both)) == ["Cem"]
        assert _names(queries.people_needing(by_department)) == ["Ana", "Fay"]
        assert _names(queries.people_needing(unused)) == []
        assert sorted(db.session.scalars(services.required_person_ids(by_department))) == \
            sorted([people["Ana"], people["Fay"]])

        # the SQL agrees with CourseRequirement.matches for every person and course
        everyone = db.session.scalars(select(Person).where(Person.programme_id == programme.id)).all()
        for course in (by_role, by_both, by_department, unused):
            requirements = db.session.scalars(queries.requirements_of(course.id)).all()
            expected = sorted(p.full_name for p in everyone if any(r.matches(p) for r in requirements))
            assert _names(queries.people_needing(course)) == expected

        assert [c.title for c in services.needed_courses(db.session.get(Person, people["Ana"]))] == \
            ["Sales dashboards", "Selling with the CRM"]
        assert [c.title for c in services.needed_courses(db.session.get(Person, people["Eli"]))] == []
        assert [c.title for c in services.needed_courses(db.session.get(Person, people["Cem"]))] == \
            ["Service cases"]

        assert _names(queries.people_without_requirement(programme.id)) == ["Eli"]
        assert _names(queries.people_without_requirement(programme.id, regions["North"])) == []
        needs = queries.need_counts(programme.id)
        assert needs.unrequired == {None: 1}
        assert needs.per_region_course == {
            (regions["North"], by_role.id): 2, (regions["South"], by_role.id): 1,
            (regions["South"], by_both.id): 1,
            (regions["North"], by_department.id): 2,
        }
        assert needs.people == len(everyone)
        # the counts agree with CourseRequirement.matches person by person
        requirements = db.session.scalars(select(CourseRequirement).where(
            CourseRequirement.programme_id == programme.id)).all()
        matched = {}
        for person in everyone:
            for course_id in {r.course_id for r in requirements if r.matches(person)}:
                matched[(person.region_id, course_id)] = matched.get((person.region_id, course_id), 0) + 1
        assert needs.per_region_course == matched
        per_course = {}
        for (_region_id, course_id), count in matched.items():
            per_course[course_id] = per_course.get(course_id, 0) + count
        assert queries.people_per_course(programme.id) == per_course  # counted per role and department only
        for course in (by_role, by_both, by_department, unused):
            assert per_course.get(course.id, 0) == len(_names(queries.people_needing(course)))
        # the health check counts from the people per kind readiness read in its pass (Eli needs no course)
        from planner.training.readiness import readiness
        figures = readiness(programme)
        assert queries.need_counts(programme.id, figures.kinds) == needs
        assert sum(people for *_kind, people in figures.kinds) == len(everyone)
        assert "controller" not in [row.key for row in figures.by_role]  # kinds that need nothing list nowhere else
        assert all(row.needing for row in figures.by_department + figures.by_role)
        figures = queries.course_figures(programme.id, [by_role.id, by_both.id, by_department.id, unused.id])
        assert figures == {by_role.id: (1, 3), by_both.id: (1, 1), by_department.id: (1, 2), unused.id: (0, 0)}


def test_a_person_matched_twice_counts_once_and_everyone_reaches_everyone(app, world):
    programme, regions, departments, _people = world
    with app.app_context():
        course = _course(db.session.get(Programme, programme.id))
        services.add_requirement(course, job_role="Sales representative", department_id=None)
        services.add_requirement(course, job_role="", department_id=departments["Sales"])
        needs = queries.need_counts(programme.id).per_region_course
        assert needs[(regions["North"], course.id)] == 3  # Ana once, Ben, Fay
        assert queries.people_per_course(programme.id) == {course.id: sum(needs.values())}
        assert sum(needs.values()) == len(_names(queries.people_needing(course)))
        services.add_requirement(course, job_role="", department_id=None)
        assert _names(queries.people_without_requirement(programme.id)) == []
        assert queries.course_figures(programme.id, [course.id]) == {course.id: (3, 6)}


def test_the_database_refuses_a_requirement_twice_whatever_its_case_and_without_a_department(app, world):
    """Two requests adding the same requirement at once both pass the service's check, so the database must refuse
    the second row: also when it has no department (NULL, which a plain unique key lets through twice) and when
    the role is spelled in another case (requirements match roles by their folded key)."""
    programme, _regions, departments, _people = world
    with app.app_context():
        course = _course(db.session.get(Programme, programme.id))
        for department_id in (None, departments["Sales"]):
            db.session.add(CourseRequirement(programme_id=programme.id, course_id=course.id,
                                             job_role="Sales representative", department_id=department_id))
            db.session.flush()
            for spelling in ("Sales representative", "SALES  representative"):
                with pytest.raises(IntegrityError), db.session.begin_nested():
                    db.session.add(CourseRequirement(programme_id=programme.id, course_id=course.id,
                                                     job_role=spelling, department_id=department_id))
                    db.session.flush()
        db.session.add(CourseRequirement(programme_id=programme.id, course_id=course.id, job_role="",
                                         department_id=None))
        db.session.flush()
        assert db.session.scalar(select(func.count(CourseRequirement.id))
                                 .where(CourseRequirement.course_id == course.id)) == 3


def test_deleting_a_requirement_stops_the_need(app, world):
    programme, _regions, _departments, _people = world
    with app.app_context():
        course = _course(db.session.get(Programme, programme.id))
        requirement = services.add_requirement(course, job_role="Controller", department_id=None)
        assert _names(queries.people_needing(course)) == ["Eli"]
        services.delete_requirement(requirement)
        assert _names(queries.people_needing(course)) == []
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "CourseRequirement")
                                 .order_by(AuditEvent.id.desc()).limit(1)) == "delete"
