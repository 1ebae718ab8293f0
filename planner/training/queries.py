"""Read helpers of the curriculum pages: who needs which course, worked out in SQL.

A person needs a course when one of its requirements matches them (``CourseRequirement.matches``): the
requirement's job role is empty or equal to the person's without regard to case, and its department is empty
or the person's. Every helper here answers in a fixed number of queries, however many people there are.
"""
from sqlalchemy import ColumnElement, Integer, Select, and_, cast, exists, func, literal, or_, select
from sqlalchemy.orm import joinedload

from planner.extensions import db
from planner.people.models import Person, job_role_key
from planner.programmes.models import Department, Region
from planner.training.models import Course, CourseRequirement


def requirement_matches(role_key, department_id) -> ColumnElement[bool]:
    """SQL form of ``CourseRequirement.matches`` for a person whose role key (``job_role_key``) and department
    are the given expressions (columns of a person row, or literal values)."""
    return and_(
        or_(CourseRequirement.job_role_key == "", CourseRequirement.job_role_key == func.coalesce(role_key, "")),
        or_(CourseRequirement.department_id.is_(None), CourseRequirement.department_id == department_id))


def person_meets_requirement() -> ColumnElement[bool]:
    return requirement_matches(Person.job_role_key, Person.department_id)


def _needs(course_id) -> ColumnElement[bool]:
    """The person row needs the course: one of its requirements matches them."""
    return exists(select(CourseRequirement.id).where(CourseRequirement.course_id == course_id,
                                                     person_meets_requirement()))


def _needs_anything(programme_id: int) -> ColumnElement[bool]:
    return exists(select(CourseRequirement.id).where(CourseRequirement.programme_id == programme_id,
                                                     person_meets_requirement()))


def courses_of(programme_id: int) -> Select:
    """The programme's courses by title."""
    return select(Course).where(Course.programme_id == programme_id).order_by(Course.title, Course.id)


def course_figures(course_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{course id: (number of requirements, number of people needing it)} for a page of courses, in two
    queries."""
    if not course_ids:
        return {}
    figures = {course_id: (0, 0) for course_id in course_ids}
    for course_id, requirements in db.session.execute(
            select(CourseRequirement.course_id, func.count(CourseRequirement.id))
            .where(CourseRequirement.course_id.in_(course_ids)).group_by(CourseRequirement.course_id)):
        figures[course_id] = (requirements, 0)
    programme_id = select(Course.programme_id).where(Course.id == course_ids[0]).scalar_subquery()
    for course_id, people in db.session.execute(_people_per_course(programme_id, (), CourseRequirement.course_id
                                                                                  .in_(course_ids))):
        figures[course_id] = (figures[course_id][0], people)
    return figures


def _people_per_course(programme_id, groups: tuple, *conditions) -> Select:
    """(*groups, course id, people needing it) of the programme's people, counted by kind of person first: people
    with the same job role and department (and ``groups``, columns of Person) need the same courses, and a
    programme has a few hundred such kinds against thousands of people."""
    kinds = (select(*groups, Person.job_role_key, Person.department_id, func.count(Person.id).label("people"))
             .where(Person.programme_id == programme_id)
             .group_by(*groups, Person.job_role_key, Person.department_id).subquery("kinds"))
    grouped = [kinds.c[column.key] for column in groups]
    needs = (select(*grouped, CourseRequirement.course_id, kinds.c.job_role_key, kinds.c.department_id,
                    kinds.c.people)
             .join(CourseRequirement, and_(CourseRequirement.programme_id == programme_id,
                                           requirement_matches(kinds.c.job_role_key, kinds.c.department_id)))
             .where(*conditions).distinct().subquery("needs"))  # once per kind, however many requirements match
    columns = [needs.c[column.key] for column in groups]
    return (select(*columns, needs.c.course_id, cast(func.sum(needs.c.people), Integer))  # PostgreSQL sums to numeric
            .group_by(*columns, needs.c.course_id))


def requirements_of(course_id: int) -> Select:
    """The course's requirements with their department loaded, roles first, then departments."""
    return (select(CourseRequirement).where(CourseRequirement.course_id == course_id)
            .options(joinedload(CourseRequirement.department))
            .order_by(CourseRequirement.job_role_key, CourseRequirement.department_id, CourseRequirement.id))


def required_person_ids(course: Course) -> Select:
    """Ids of the people who need the course (for the session planner and readiness)."""
    return select(Person.id).where(Person.programme_id == course.programme_id, _needs(course.id))


def people_needing(course: Course) -> Select:
    """The people who need the course, by name, with their region and department loaded."""
    return (select(Person).where(Person.programme_id == course.programme_id, _needs(course.id))
            .options(joinedload(Person.region), joinedload(Person.department))
            .order_by(Person.full_name, Person.id))


def people_without_requirement(programme_id: int, region_id: int | None = None) -> Select:
    """People no requirement matches (DOMAIN.md: everybody who will use the system needs training), by name,
    optionally only those of one region."""
    query = (select(Person).where(Person.programme_id == programme_id, ~_needs_anything(programme_id))
             .options(joinedload(Person.region), joinedload(Person.department))
             .order_by(Person.full_name, Person.id))
    if region_id is not None:
        query = query.where(Person.region_id == region_id)
    return query


def requirement_counts(programme_id: int) -> dict[tuple[int | None, int], int]:
    """{(region id, course id): how many people of the region need the course}; people without a region
    count under region None. One query."""
    rows = db.session.execute(_people_per_course(programme_id, (Person.region_id,)))
    return {(region_id, course_id): count for region_id, course_id, count in rows}


def unrequired_counts(programme_id: int) -> dict[int | None, int]:
    """{region id: how many of its people no requirement matches}; None for people without a region."""
    rows = db.session.execute(
        select(Person.region_id, func.count(Person.id))
        .where(Person.programme_id == programme_id, ~_needs_anything(programme_id))
        .group_by(Person.region_id))
    return {region_id: count for region_id, count in rows}


def needed_courses(person: Person) -> list[Course]:
    """The courses the person must take, by title."""
    department = (CourseRequirement.department_id.is_(None) if person.department_id is None
                  else or_(CourseRequirement.department_id.is_(None),
                           CourseRequirement.department_id == person.department_id))
    role = or_(CourseRequirement.job_role_key == "",
               CourseRequirement.job_role_key == literal(job_role_key(person.job_role)))
    return list(db.session.scalars(
        select(Course).where(Course.programme_id == person.programme_id,
                             exists(select(CourseRequirement.id).where(CourseRequirement.course_id == Course.id,
                                                                       role, department)))
        .order_by(Course.title, Course.id)))


def regions_of(programme_id: int) -> list[Region]:
    """The programme's regions by name."""
    return list(db.session.scalars(select(Region).where(Region.programme_id == programme_id).order_by(Region.name)))


def department_choices(programme_id: int) -> list[tuple[int, str]]:
    """(id, name) of the programme's departments by name, for the requirement form."""
    return [(department_id, name) for department_id, name in db.session.execute(
        select(Department.id, Department.name).where(Department.programme_id == programme_id)
        .order_by(Department.name))]


def job_roles_of(programme_id: int) -> list[str]:
    """The distinct job roles of the programme's people, offered as suggestions when adding a requirement."""
    return list(db.session.scalars(select(Person.job_role).where(Person.programme_id == programme_id,
                                                                 Person.job_role != "")
                                   .group_by(Person.job_role).order_by(Person.job_role)))
