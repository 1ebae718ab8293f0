"""People as CSV: a validated, all-or-nothing import and a formula-safe export."""
import csv
import io

from flask_babel import gettext as _
from sqlalchemy import select

from planner.core.csv_import import ImportPlan, RowProblem, read_rows
from planner.core.csv_safety import safe_cell
from planner.core.errors import DomainError
from planner.extensions import db
from planner.people import services
from planner.people.models import Person
from planner.programmes.models import Department, Programme, Region

COLUMNS = ["full_name", "email", "department", "job_role", "region", "is_super_user"]
REQUIRED_COLUMNS = ["full_name", "email"]
TRUE_WORDS = {"yes", "y", "true", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


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
    records = read_rows(text, columns=COLUMNS, required=REQUIRED_COLUMNS, allowed=COLUMNS, problems=plan.problems)
    if records is None:
        return plan

    regions = {name.lower(): rid for rid, name in db.session.execute(
        select(Region.id, Region.name).where(Region.programme_id == programme.id))}
    departments = {name.lower(): did for did, name in db.session.execute(
        select(Department.id, Department.name).where(Department.programme_id == programme.id))}
    existing = {p.email: p for p in db.session.scalars(select(Person).where(Person.programme_id == programme.id))}
    seen_emails: dict[str, int] = {}

    for line, values in records:
        reasons = []
        if not values["full_name"]:
            reasons.append(_("missing name"))
        elif len(values["full_name"]) > services.MAX_NAME_LENGTH:
            reasons.append(_("name longer than %(n)d characters", n=services.MAX_NAME_LENGTH))
        if len(values["job_role"]) > services.MAX_JOB_ROLE_LENGTH:
            reasons.append(_("job role longer than %(n)d characters", n=services.MAX_JOB_ROLE_LENGTH))
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
    plan.problems.sort(key=lambda problem: problem.line)  # structure and value problems, by line
    return plan


def apply_import(programme: Programme, text: str) -> ImportPlan:
    """Import a people CSV in full, or not at all: any bad row raises and nothing is written."""
    plan = plan_import(programme, text)
    if plan.problems:
        raise DomainError(_("The file has %(n)d problem(s); nothing was imported.", n=len(plan.problems)))
    existing = {p.email: p for p in db.session.scalars(select(Person).where(Person.programme_id == programme.id))}
    services.update_imported_people([(existing[row["email"]], row) for row in plan.rows if row["email"] in existing])
    services.import_new_people(programme, [row for row in plan.rows if row["email"] not in existing])
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
