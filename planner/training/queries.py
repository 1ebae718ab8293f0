"""Read helpers of the curriculum pages: who needs which course.

A person needs a course when one of its requirements matches them (``CourseRequirement.matches``): the
requirement's job role is empty or equal to the person's without regard to case, and its department is empty
or the person's. Lists of people are worked out in SQL (``requirement_matches``); counts are worked out per kind
of person (``need_counts``). Every helper here answers in a fixed number of queries, however many people there
are.
"""
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, literal, or_, select
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


def course_figures(programme_id: int, course_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{course id: (number of requirements, number of people needing it)} for a page of the programme's
    courses, in three queries."""
    if not course_ids:
        return {}
    people = people_per_course(programme_id)
    figures = {course_id: (0, people.get(course_id, 0)) for course_id in course_ids}
    for course_id, requirements in db.session.execute(
            select(CourseRequirement.course_id, func.count(CourseRequirement.id))
            .where(CourseRequirement.course_id.in_(course_ids)).group_by(CourseRequirement.course_id)):
        figures[course_id] = (requirements, figures[course_id][1])
    return figures


@dataclass(frozen=True)
class NeedCounts:
    """How many of a programme's people need each course, per region, and how many need none (``need_counts``).
    Region None holds the people without a region."""

    #: {(region id, course id): people of the region who need the course}, pairs with nobody left out
    per_region_course: dict[tuple[int | None, int], int]
    #: {region id: people of the region no requirement matches}, regions with nobody left out
    unrequired: dict[int | None, int]
    #: the programme's people in all
    people: int


class CoursesNeeded:
    """Which courses a kind of person (job role key, department) needs, from the programme's requirements read
    in one query; each kind is matched by ``CourseRequirement.applies_to``, so a person matched twice counts
    once. A page counting needs more than one way passes one to each (``courses_needed=``)."""

    def __init__(self, programme_id: int):
        self._by_role: dict[str, list[CourseRequirement]] = defaultdict(list)  # a requirement applies to its role
        for requirement in db.session.scalars(select(CourseRequirement)
                                              .where(CourseRequirement.programme_id == programme_id)):
            self._by_role[requirement.job_role_key].append(requirement)
        self._known: dict[tuple[str, int | None], frozenset[int]] = {}

    def __call__(self, role_key: str | None, department_id: int | None) -> frozenset[int]:
        role_key = role_key or ""
        if (role_key, department_id) not in self._known:
            candidates = (*self._by_role.get("", ()), *(self._by_role.get(role_key, ()) if role_key else ()))
            self._known[(role_key, department_id)] = frozenset(
                requirement.course_id for requirement in candidates
                if requirement.applies_to(role_key, department_id))
        return self._known[(role_key, department_id)]


def need_counts(programme_id: int, kinds=None, *, region_ids: Collection[int | None] | None = None,
                courses_needed: CoursesNeeded | None = None) -> NeedCounts:
    """Who needs which course per region, counted, in two queries: the programme's requirements, and its people
    counted per kind (people alike in region, department and job role need the same courses, and a programme has
    a few hundred to a couple of thousand kinds against tens of thousands of people, kept counted:
    ``progress.person_kinds``). ``kinds``: the people counted per kind already, as ``Readiness.kinds`` holds them
    (then one query). ``region_ids``: only these regions (None in it: the people without a region), as a page of
    the requirement map shows them."""
    courses_needed = CoursesNeeded(programme_id) if courses_needed is None else courses_needed
    per_region_course: dict[tuple[int | None, int], int] = defaultdict(int)
    unrequired: dict[int | None, int] = defaultdict(int)
    total = 0
    if kinds is None:
        from planner.training.progress import person_kinds  # progress matches requirements with this module

        kept = person_kinds(programme_id)
        query = select(kept.c.region_id, kept.c.department_id, kept.c.job_role_key, kept.c.people)
        if region_ids is not None:
            named = [region_id for region_id in region_ids if region_id is not None]
            query = query.where(or_(kept.c.region_id.in_(named),
                                    kept.c.region_id.is_(None) if None in region_ids else false()))
        kinds = db.session.execute(query)
    for region_id, department_id, role_key, people in kinds:
        courses = courses_needed(role_key, department_id)
        for course_id in courses:
            per_region_course[(region_id, course_id)] += people
        if not courses:
            unrequired[region_id] += people
        total += people
    return NeedCounts(dict(per_region_course), dict(unrequired), total)


@dataclass(frozen=True)
class NeedTotals:
    """How many people need each course, and how many need none, across a programme or one of its regions
    (``need_totals``)."""

    #: {course id: people who need it}, courses nobody needs left out
    per_course: dict[int, int]
    #: people no requirement matches
    unrequired: int


def need_totals(programme_id: int, region_id: int | None = None, *,
                courses_needed: CoursesNeeded | None = None) -> NeedTotals:
    """The totals of ``need_counts`` across the programme (or one region), in two queries (one given
    ``courses_needed``): the requirements, and the kept kinds summed per job role and department in SQL (a couple
    of dozen rows, however many regions)."""
    courses_needed = CoursesNeeded(programme_id) if courses_needed is None else courses_needed
    per_course: dict[int, int] = defaultdict(int)
    unrequired = 0
    for kind in people_per_role_and_department(programme_id, region_id=region_id):
        courses = courses_needed(kind.role_key, kind.department_id)
        for course_id in courses:
            per_course[course_id] += kind.people
        if not courses:
            unrequired += kind.people
    return NeedTotals(dict(per_course), unrequired)


@dataclass(frozen=True)
class RoleKind:
    """The people of a programme alike in job role (without regard to case) and department: they need the same
    courses."""

    department_id: int | None
    role_key: str
    #: one spelling of the role as typed (the first in sort order)
    role: str
    people: int


def people_per_role_and_department(programme_id: int, *, region_id: int | None = None) -> list[RoleKind]:
    """The programme's people (or one region's) counted per job role and department: a couple of dozen kinds however
    many people and regions there are, summed from the kept kinds (``progress.person_kinds``)."""
    from planner.training.progress import person_kinds  # progress matches requirements with this module

    kinds = person_kinds(programme_id)
    query = (select(kinds.c.department_id, kinds.c.job_role_key, func.min(kinds.c.job_role), func.sum(kinds.c.people))
             .group_by(kinds.c.job_role_key, kinds.c.department_id))
    if region_id is not None:
        query = query.where(kinds.c.region_id == region_id)
    return [RoleKind(department_id, role_key or "", role or "", people)
            for department_id, role_key, role, people in db.session.execute(query)]


def people_per(programme_id: int, field: str, ids: Collection[int]) -> dict[int, int]:
    """{id: how many people of the programme it has} for ``ids``, regions or departments as ``field`` says
    (``"region_id"``, ``"department_id"``), those without people left out: summed from the kept kinds
    (``progress.person_kinds``, 1,500 rows for 20,000 people) rather than counted among every person. One query,
    none for no ids."""
    from planner.training.progress import person_kinds  # progress matches requirements with this module

    if not ids:
        return {}
    kinds = person_kinds(programme_id)
    column = kinds.c[field]
    rows = db.session.execute(select(column, func.sum(kinds.c.people)).where(column.in_(ids)).group_by(column))
    return {key: int(people) for key, people in rows}


def people_per_course(programme_id: int, kinds: list[RoleKind] | None = None) -> dict[int, int]:
    """{course id: people of the programme who need it}, courses nobody needs left out, in two queries (one when
    ``kinds`` are given); ``need_counts`` gives the same per region."""
    courses_needed = CoursesNeeded(programme_id)
    totals: dict[int, int] = defaultdict(int)
    for kind in people_per_role_and_department(programme_id) if kinds is None else kinds:
        for course_id in courses_needed(kind.role_key, kind.department_id):
            totals[course_id] += kind.people
    return dict(totals)


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


def region_choices(programme_id: int) -> list[tuple[int, str]]:
    """(id, name) of the programme's regions by name, for a region filter."""
    return [(region_id, name) for region_id, name in db.session.execute(
        select(Region.id, Region.name).where(Region.programme_id == programme_id).order_by(Region.name, Region.id))]


def department_choices(programme_id: int) -> list[tuple[int, str]]:
    """(id, name) of the programme's departments by name, for the requirement form."""
    return [(department_id, name) for department_id, name in db.session.execute(
        select(Department.id, Department.name).where(Department.programme_id == programme_id)
        .order_by(Department.name))]


def job_roles_among(kinds: list[RoleKind]) -> list[str]:
    """The job roles of these kinds of people, one spelling per role whatever its case (as requirements match
    them), by name: the suggestions when adding a requirement."""
    spelling: dict[str, str] = {}
    for kind in kinds:
        if kind.role_key and (kind.role_key not in spelling or kind.role < spelling[kind.role_key]):
            spelling[kind.role_key] = kind.role
    return sorted(spelling.values(), key=str.casefold)
