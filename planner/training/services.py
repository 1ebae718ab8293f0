"""Use-cases of training: the curriculum (courses and the requirement map from job role and department to
courses). Sessions, enrolment and attendance live in ``sessions``."""
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select

from planner.core import audit
from planner.core.errors import DomainError, check_version
from planner.extensions import db
from planner.people.models import Person, job_role_key
from planner.programmes.models import Department, Programme
from planner.training import queries
from planner.training.models import Course, CourseFormat, CourseRequirement, TrainingSession

MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 2880
MAX_LINKS = 50


# --- courses --------------------------------------------------------------------------------------------

def _clean_title(course_programme_id: int, title: str, course_id: int | None) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Give the course a title."), field="title")
    if len(title) > 200:
        raise DomainError(_("The title is longer than 200 characters."), field="title")
    query = select(Course.id).where(Course.programme_id == course_programme_id,
                                    func.lower(Course.title) == title.lower())
    if course_id is not None:
        query = query.where(Course.id != course_id)
    if db.session.scalar(query):
        raise DomainError(_("Another course of this programme has this title."), field="title")
    return title


def _clean_format(value) -> CourseFormat:
    try:
        return CourseFormat(value)
    except ValueError:
        raise DomainError(_("Choose classroom, virtual or self-paced."), field="format") from None


def _clean_duration(minutes: int | None) -> int:
    if minutes is None or not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
        raise DomainError(_("A course lasts between %(low)d and %(high)d minutes.", low=MIN_DURATION_MINUTES,
                            high=MAX_DURATION_MINUTES), field="duration_minutes")
    return minutes


def clean_material_links(text: str) -> str:
    """The material links one per line, blank lines dropped; only http and https addresses are accepted, so a
    link on the course page can never run script (javascript:) or open a local file."""
    links = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(links) > MAX_LINKS:
        raise DomainError(_("At most %(num)d links.", num=MAX_LINKS), field="material_links")
    for link in links:
        parts = urlsplit(link)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in link) \
                or len(link) > 2000:
            raise DomainError(_("%(link)s is not a web address starting with http:// or https://; give one link "
                                "per line.", link=link[:100]), field="material_links")
    return "\n".join(links)


def _course_values(programme_id: int, course_id: int | None, *, title: str, description: str,
                   duration_minutes: int | None, format: str, material_links: str) -> dict:
    return {"title": _clean_title(programme_id, title, course_id),
            "description": (description or "").strip()[:5000],
            "duration_minutes": _clean_duration(duration_minutes), "format": _clean_format(format),
            "material_links": clean_material_links(material_links)}


def create_course(programme: Programme, *, title: str, description: str, duration_minutes: int | None,
                  format: str, material_links: str) -> Course:
    """Add a course to the programme's curriculum. Material links (videos, guides handed out in advance) must be
    http or https addresses."""
    course = Course(programme_id=programme.id, **_course_values(
        programme.id, None, title=title, description=description, duration_minutes=duration_minutes,
        format=format, material_links=material_links))
    db.session.add(course)
    audit.record_create(course)
    return course


def update_course(course: Course, *, expected_version: int | None, title: str, description: str,
                  duration_minutes: int | None, format: str, material_links: str) -> None:
    """Change a course's title, description, duration, format or material links."""
    check_version(course, expected_version)
    values = _course_values(course.programme_id, course.id, title=title, description=description,
                            duration_minutes=duration_minutes, format=format, material_links=material_links)
    changes = audit.apply_changes(course, values)
    db.session.flush()
    audit.record_update(course, changes)


def delete_course(course: Course) -> None:
    """Remove a course and its requirements. Refused while the course has sessions (planned, held or cancelled):
    their rosters and attendance are the training record."""
    sessions = db.session.scalar(select(func.count(TrainingSession.id))
                                 .where(TrainingSession.course_id == course.id))
    if sessions:
        raise DomainError(_("%(title)s has %(num)d sessions; a course with sessions cannot be deleted.",
                            title=course.title, num=sessions))
    for requirement in db.session.scalars(select(CourseRequirement).where(CourseRequirement.course_id == course.id)):
        audit.delete(requirement)
    audit.delete(course)


def add_requirement(course: Course, *, job_role: str, department_id: int | None) -> CourseRequirement:
    """People with this job role (empty: any role) in this department (empty: any) must take the course. Both
    empty means everyone in the programme. The same role (regardless of case) and department twice is refused."""
    job_role = " ".join((job_role or "").split())
    if len(job_role) > 120:
        raise DomainError(_("The job role is longer than 120 characters."), field="job_role")
    department = None
    if department_id is not None:
        department = db.session.get(Department, department_id)
        if department is None or department.programme_id != course.programme_id:
            raise DomainError(_("Choose a department of this programme."), field="department_id")
    same_department = (CourseRequirement.department_id.is_(None) if department_id is None
                       else CourseRequirement.department_id == department_id)
    duplicate = db.session.scalar(select(CourseRequirement.id).where(
        CourseRequirement.course_id == course.id, CourseRequirement.job_role_key == job_role_key(job_role),
        same_department))
    if duplicate:
        raise DomainError(_("%(title)s already has this requirement.", title=course.title), field="job_role")
    requirement = CourseRequirement(programme_id=course.programme_id, course_id=course.id, job_role=job_role,
                                    department_id=department_id, department=department)
    db.session.add(requirement)
    audit.record_create(requirement)
    return requirement


def delete_requirement(requirement: CourseRequirement) -> None:
    """Drop one requirement of a course; people it matched no longer need the course unless another one does."""
    audit.delete(requirement)


def needed_courses(person: Person) -> list[Course]:
    """The courses the person must take (for readiness and the session planner)."""
    return queries.needed_courses(person)


def required_person_ids(course: Course):
    """A Select of the ids of the people who need the course."""
    return queries.required_person_ids(course)
