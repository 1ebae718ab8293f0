"""Training exports as CSV and XLSX: completion (one row per person and required course) and a session's
roster, written by ``core.spreadsheet`` like every export (no cell a spreadsheet would run as a formula, QUALITY.md
item 10)."""
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, select

from planner.core import spreadsheet
from planner.core.spreadsheet import Table
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Department, Region
from planner.training.models import AttendanceMark, Course, Enrolment, EnrolmentStatus, TrainingSession
from planner.training.progress import completed_pairs, needed_pairs
from planner.training.session_forms import MARK_LABELS

#: file format -> MIME type
EXPORT_TYPES = {"csv": spreadsheet.CSV_TYPE, "xlsx": spreadsheet.XLSX_TYPE}


def completion_table(programme_id: int) -> Table:
    """One row per person and course they need, by region (people without one last) and name: who, where, which
    course, completed yes/no and when (the local day of the session that completed it). One query."""
    needed = needed_pairs(programme_id).subquery("needed")
    completed = completed_pairs(programme_id).subquery("completed")
    rows = db.session.execute(
        select(Person.full_name, Person.email, Region.name, Department.name, Person.job_role, Course.title,
               completed.c.completed_on)
        .select_from(needed).join(Person, Person.id == needed.c.person_id)
        .join(Course, Course.id == needed.c.course_id)
        .outerjoin(Region, Region.id == Person.region_id).outerjoin(Department, Department.id == Person.department_id)
        .outerjoin(completed, and_(completed.c.person_id == needed.c.person_id,
                                   completed.c.course_id == needed.c.course_id))
        .order_by(Region.name.is_(None), Region.name, Person.full_name, Person.id, Course.title, Course.id))
    header = [_("Person"), _("Email"), _("Region"), _("Department"), _("Job role"), _("Course"), _("Completed"),
              _("Completed on")]
    return Table("Completion", header, [
        [name, email, region or "", department or "", job_role or "", title, completed_on is not None,
         _day(completed_on)]
        for name, email, region, department, job_role, title, completed_on in rows])


def roster_table(session: TrainingSession) -> Table:
    """The people enrolled in a session with their mark and the trainer's note, by name. One query."""
    rows = db.session.execute(
        select(Person.full_name, Person.email, Department.name, Person.job_role, AttendanceMark.status,
               AttendanceMark.note)
        .select_from(Enrolment).join(Person, Person.id == Enrolment.person_id)
        .outerjoin(Department, Department.id == Person.department_id)
        .outerjoin(AttendanceMark, and_(AttendanceMark.session_id == Enrolment.session_id,
                                        AttendanceMark.person_id == Enrolment.person_id))
        .where(Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.ENROLLED)
        .order_by(Person.full_name, Person.id))
    header = [_("Person"), _("Email"), _("Department"), _("Job role"), _("Mark"), _("Note")]
    return Table("Roster", header, [
        [name, email, department or "", job_role or "", str(MARK_LABELS[mark]) if mark else "", note or ""]
        for name, email, department, job_role, mark, note in rows])


def _day(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def render(table: Table, fmt: str) -> bytes | str:
    """The table in ``fmt`` (csv or xlsx), written as every export of the planner is (``core.spreadsheet``)."""
    if fmt == "csv":
        return spreadsheet.to_csv(table)
    if fmt == "xlsx":
        return spreadsheet.to_xlsx([table])
    raise ValueError(f"Unknown export format {fmt!r}; use csv or xlsx.")
