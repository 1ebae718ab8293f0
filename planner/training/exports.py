"""Training exports as CSV and XLSX: completion (one row per person and required course) and a session's
roster. Every text cell goes through ``safe_cell``, so a spreadsheet never runs a name or note as a formula
(QUALITY.md item 10); XLSX is written with openpyxl in write-only mode."""
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import and_, select

from planner.core.csv_safety import safe_cell
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Department, Region
from planner.training.models import AttendanceMark, Course, Enrolment, EnrolmentStatus, TrainingSession
from planner.training.readiness import completed_pairs, needed_pairs
from planner.training.session_forms import MARK_LABELS

#: file format -> MIME type
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Table:
    """What an export holds: a sheet name, the header and the rows (dates stay dates for XLSX)."""

    #: the XLSX sheet's name, kept in English: a sheet name has a length limit and forbidden characters
    sheet: str
    header: list[str]
    rows: list[list]


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


def _text(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)


def to_csv(table: Table) -> str:
    """The table as CSV text (CRLF lines, as spreadsheets expect)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in table.header])
    writer.writerows([_text(cell) for cell in row] for row in table.rows)
    return buffer.getvalue()


def to_xlsx(table: Table) -> bytes:
    """The table as an XLSX workbook of one sheet with a bold header row; text cells safe as in CSV, dates as
    dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.sheet)
    bold = Font(bold=True)
    header = []
    for title in table.header:
        cell = WriteOnlyCell(sheet, value=_xlsx_text(title))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_text(value) -> str:
    """Control characters are not allowed in XLSX text (openpyxl refuses them): they go first, so that what
    is left is checked for a formula ("\x01=cmd" must not become "=cmd")."""
    if value is None or isinstance(value, bool):
        return safe_cell(value)
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _xlsx_cell(sheet, value):
    if value is None:
        return None
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return _xlsx_text(value)


def render(table: Table, fmt: str) -> bytes | str:
    """The table in ``fmt`` (csv or xlsx)."""
    if fmt == "csv":
        return to_csv(table)
    if fmt == "xlsx":
        return to_xlsx(table)
    raise ValueError(f"Unknown export format {fmt!r}; use csv or xlsx.")
