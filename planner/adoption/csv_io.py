"""Adoption figures as CSV: a validated, all-or-nothing import with a preview, and a formula-safe export.

Columns: region (its name), week (an ISO date of any day in the week, or "2026-W41"), active, licensed. The
export adds adoption_pct and source, which the import accepts and ignores, so an export can be edited and
imported back.
"""
import csv
import io
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from planner.adoption import queries, services
from planner.adoption.models import AdoptionFigure, AdoptionSource
from planner.core import audit, clock
from planner.core.csv_import import ImportPlan, RowProblem, read_rows
from planner.core.csv_safety import safe_cell
from planner.core.errors import DomainError
from planner.extensions import db
from planner.programmes.models import Programme, Region

COLUMNS = ["region", "week", "active", "licensed"]
EXPORT_COLUMNS = COLUMNS + ["adoption_pct", "source"]


def _count(text: str, label: str, reasons: list[str]) -> int | None:
    try:
        value = int(text)
    except ValueError:
        reasons.append(_("%(column)s must be a whole number, not \"%(text)s\"", column=label, text=text)
                       if text else _("missing %(column)s", column=label))
        return None
    return value


def plan_import(programme: Programme, text: str, today: date | None = None) -> ImportPlan:
    """Check every row of an adoption CSV and say what importing would change. A row for a region and week
    already recorded replaces that figure. Every bad row is reported with its line; one makes the file refused."""
    today = today or clock.today()
    plan = ImportPlan()
    records = read_rows(text, columns=COLUMNS, required=COLUMNS, allowed=EXPORT_COLUMNS, problems=plan.problems)
    if records is None:
        return plan

    regions = {name.lower(): region_id for region_id, name in db.session.execute(
        select(Region.id, Region.name).where(Region.programme_id == programme.id))}
    existing = {(region_id, week): (active, licensed) for region_id, week, active, licensed in db.session.execute(
        select(AdoptionFigure.region_id, AdoptionFigure.week, AdoptionFigure.active_users,
               AdoptionFigure.licensed_users).where(AdoptionFigure.programme_id == programme.id))}
    seen: dict[tuple[int, date], int] = {}
    earliest = services.earliest_week(programme)
    for line, values in records:
        reasons: list[str] = []
        region_id = None
        if not values["region"]:
            reasons.append(_("missing region"))
        else:
            region_id = regions.get(values["region"].lower())
            if region_id is None:
                reasons.append(_("unknown region \"%(name)s\"", name=values["region"]))
        week = None
        try:
            week = (services.checked_week(services.parse_week(values["week"]), today, earliest)
                    if values["week"] else None)
            if week is None:
                reasons.append(_("missing week"))
        except DomainError as error:
            reasons.append(error.message)
        active = _count(values["active"], "active", reasons)
        licensed = _count(values["licensed"], "licensed", reasons)
        if active is not None and licensed is not None:
            try:
                services.checked_counts(active, licensed)
            except DomainError as error:
                reasons.append(error.message)
        if region_id is not None and week is not None and (region_id, week) in seen:
            reasons.append(_("the same region and week as line %(line)d", line=seen[(region_id, week)]))
        if reasons:
            plan.problems.append(RowProblem(line, "; ".join(reasons)))
            continue
        seen[(region_id, week)] = line
        before = existing.get((region_id, week))
        if before is None:
            plan.new_count += 1
        elif before == (active, licensed):
            plan.unchanged_count += 1
            continue
        else:
            plan.update_count += 1
        plan.rows.append({"region_id": region_id, "region": values["region"], "week": week,
                          "active_users": active, "licensed_users": licensed})
    if not plan.rows and not plan.problems and not plan.unchanged_count:
        plan.problems.append(RowProblem(2, _("The file has no figures in it.")))
    plan.problems.sort(key=lambda problem: problem.line)  # structure and value problems, by line
    return plan


def apply_import(programme: Programme, text: str, recorded_by_id: int | None = None) -> ImportPlan:
    """Import an adoption CSV in full, or not at all: any bad row raises and nothing is written."""
    plan = plan_import(programme, text)
    if plan.problems:
        raise DomainError(_("The file has %(n)d problem(s); nothing was imported.", n=len(plan.problems)))
    if not plan.rows:
        return plan
    weeks = {row["week"] for row in plan.rows}
    existing = {(figure.region_id, figure.week): figure for figure in db.session.scalars(
        select(AdoptionFigure).where(AdoptionFigure.programme_id == programme.id, AdoptionFigure.week.in_(weeks)))}
    created = []
    for row in plan.rows:
        figure = existing.get((row["region_id"], row["week"]))
        if figure is None:
            created.append(AdoptionFigure(programme_id=programme.id, region_id=row["region_id"], week=row["week"],
                                          active_users=row["active_users"], licensed_users=row["licensed_users"],
                                          source=AdoptionSource.CSV, recorded_by_id=recorded_by_id))
        else:
            audit.record_update(figure, audit.apply_changes(figure, {
                "active_users": row["active_users"], "licensed_users": row["licensed_users"],
                "source": AdoptionSource.CSV, "recorded_by_id": recorded_by_id}))
    try:
        with db.session.begin_nested():  # one batch; a week recorded meanwhile by someone else refuses the file
            db.session.add_all(created)
            db.session.flush()
    except IntegrityError:
        raise DomainError(_("Figures were recorded for the same weeks while you imported: import the file "
                            "again.")) from None
    for figure in created:
        audit.record_create(figure)
    return plan


def export_csv(programme: Programme) -> str:
    """The programme's figures as CSV (the import's columns plus the share and the source), latest week first,
    safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for figure in db.session.scalars(queries.figures_in(programme.id)):
        writer.writerow([safe_cell(value) for value in (
            figure.region.name, figure.week.isoformat(), figure.active_users, figure.licensed_users,
            f"{figure.percent:.1f}", figure.source.value)])
    return buffer.getvalue()
