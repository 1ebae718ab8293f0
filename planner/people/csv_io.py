"""People as CSV: a validated, all-or-nothing import and a formula-safe export."""
import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from planner.core.csv_safety import FORMULA_PREFIXES, safe_cell
from planner.core.errors import DomainError
from planner.extensions import db
from planner.people import services
from planner.people.models import Person
from planner.programmes.models import Department, Programme, Region

COLUMNS = ["full_name", "email", "department", "job_role", "region", "is_super_user"]
REQUIRED_COLUMNS = {"full_name", "email"}
TRUE_WORDS = {"yes", "y", "true", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "0", ""}
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class RowProblem:
    line: int
    reason: str


@dataclass
class ImportPlan:
    """What an import would do; nothing is written until ``apply_import`` runs on a valid plan."""

    rows: list[dict] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    new_count: int = 0
    update_count: int = 0
    unchanged_count: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.problems and bool(self.rows)


def decode_upload(raw: bytes) -> str:
    """The file as text; UTF-8 only (with or without BOM), naming the first line that is not."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DomainError(_("Line %(line)d is not valid UTF-8. Save the file as \"CSV UTF-8\" and try again.",
                            line=line)) from None


def _first_line(last_line: int, record: dict) -> int:
    """The line a record starts on: ``csv`` counts to its last line, past any quoted line breaks."""
    values = [value for key, value in record.items() if key is not None and value] + list(record.get(None) or [])
    return last_line - sum(len(LINE_BREAK.findall(value)) for value in values)


def _cell(value: str | None) -> str:
    """A cell's text, without the apostrophe ``export_csv`` puts before formula-like values."""
    text = (value or "").strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _parse_flag(value: str) -> bool | None:
    word = (value or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def plan_import(programme: Programme, text: str) -> ImportPlan:
    """Check every row of a people CSV against the programme and say what importing would change.

    Rows are matched to existing people by email: a known email updates that person. Every bad
    row is reported with its line number; one bad row makes the whole file refused.
    """
    plan = ImportPlan()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    missing = REQUIRED_COLUMNS - set(headers)
    unknown = [h for h in headers if h not in COLUMNS]
    if not headers:
        plan.problems.append(RowProblem(1, _("The file is empty. The first line must name the columns.")))
        return plan
    if missing or unknown:
        if missing:
            plan.problems.append(RowProblem(1, _("Missing column(s): %(cols)s.", cols=", ".join(sorted(missing)))))
        if unknown:
            plan.problems.append(RowProblem(1, _("Unknown column(s): %(cols)s. Expected: %(expected)s.",
                                                 cols=", ".join(unknown), expected=", ".join(COLUMNS))))
        return plan

    regions = {name.lower(): rid for rid, name in db.session.execute(
        select(Region.id, Region.name).where(Region.programme_id == programme.id))}
    departments = {name.lower(): did for did, name in db.session.execute(
        select(Department.id, Department.name).where(Department.programme_id == programme.id))}
    existing = {p.email: p for p in db.session.scalars(select(Person).where(Person.programme_id == programme.id))}
    seen_emails: dict[str, int] = {}

    try:
        records = [(_first_line(reader.line_num, record), record) for record in reader]
    except csv.Error as error:
        plan.problems.append(RowProblem(reader.line_num, _("The file is not readable as CSV: %(error)s",
                                                           error=str(error))))
        return plan
    for line, record in records:
        if None in record:
            plan.problems.append(RowProblem(line, _("This row has more values than there are columns.")))
            continue
        values = {key: _cell(record.get(key)) for key in COLUMNS}
        if not any(values.values()):
            continue
        reasons = []
        if not values["full_name"]:
            reasons.append(_("missing name"))
        email = ""
        if not values["email"]:
            reasons.append(_("missing email"))
        else:
            try:
                email = services.normalise_person_email(values["email"])
            except DomainError:
                reasons.append(_("\"%(email)s\" is not a valid email", email=values["email"]))
        if email and email in seen_emails:
            reasons.append(_("duplicate of line %(line)d (%(email)s)", line=seen_emails[email], email=email))
        region_id = department_id = None
        if values["region"]:
            region_id = regions.get(values["region"].lower())
            if region_id is None:
                reasons.append(_("unknown region \"%(name)s\"", name=values["region"]))
        if values["department"]:
            department_id = departments.get(values["department"].lower())
            if department_id is None:
                reasons.append(_("unknown department \"%(name)s\"", name=values["department"]))
        is_super_user = _parse_flag(values["is_super_user"])
        if is_super_user is None:
            reasons.append(_("is_super_user must be yes or no"))
        if reasons:
            plan.problems.append(RowProblem(line, "; ".join(reasons)))
            continue
        seen_emails[email] = line
        row = {"full_name": values["full_name"], "email": email, "department_id": department_id,
               "job_role": values["job_role"], "region_id": region_id, "is_super_user": is_super_user}
        person = existing.get(email)
        if person is None:
            plan.new_count += 1
        elif all(getattr(person, key) == value for key, value in row.items()):
            plan.unchanged_count += 1
            continue
        else:
            plan.update_count += 1
        plan.rows.append(row)
    if not plan.rows and not plan.problems and not plan.unchanged_count:
        plan.problems.append(RowProblem(2, _("The file has no people in it.")))
    return plan


def apply_import(programme: Programme, text: str) -> ImportPlan:
    """Import a people CSV in full, or not at all: any bad row raises and nothing is written."""
    plan = plan_import(programme, text)
    if plan.problems:
        raise DomainError(_("The file has %(n)d problem(s); nothing was imported.", n=len(plan.problems)))
    existing = {p.email: p for p in db.session.scalars(select(Person).where(Person.programme_id == programme.id))}
    for row in plan.rows:
        person = existing.get(row["email"])
        if person is None:
            services.create_person(programme, **row)
        else:
            services.update_person(person, expected_version=None, **row)
    return plan


def export_csv(programme: Programme) -> str:
    """The programme's people as CSV (the import's columns), safe to open in a spreadsheet."""
    query = (select(Person.full_name, Person.email, Department.name, Person.job_role, Region.name,
                    Person.is_super_user)
             .outerjoin(Department, Department.id == Person.department_id)
             .outerjoin(Region, Region.id == Person.region_id)
             .where(Person.programme_id == programme.id).order_by(Person.full_name, Person.email))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([safe_cell(value) for value in row] for row in db.session.execute(query))
    return buffer.getvalue()
