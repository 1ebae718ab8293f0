"""The exports page and its downloads: a register as CSV, every register as one XLSX workbook. Anyone with a role
in the programme exports what its pages show them (person names only to those who may see its people)."""
import re
import unicodedata
from datetime import date

from flask import Response, abort, render_template

from planner.core import clock
from planner.core.permissions import Permission, can, login_required
from planner.exports import bp, writers
from planner.exports.registers import REGISTERS, available_registers
from planner.programmes.loading import load_programme


def filename_slug(name: str, fallback: str) -> str:
    """The programme's name as an ASCII file-name part: "Zürich CRM" -> "zurich-crm"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or fallback


def _download(body: str | bytes, mimetype: str, programme, part: str, day: date, extension: str) -> Response:
    slug = filename_slug(programme.name, f"programme-{programme.id}")
    filename = "-".join(filter(None, (slug, part, day.isoformat()))) + f".{extension}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


@bp.route("/programmes/<int:programme_id>/exports")
@login_required
def list_exports(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    return render_template("exports/list.html", programme=programme,
                           registers=available_registers(lambda permission: can(permission, programme)),
                           shows_people=can(Permission.PEOPLE_VIEW, programme),
                           exports_people=can(Permission.PEOPLE_EXPORT, programme))


@bp.route("/programmes/<int:programme_id>/exports/<register>.csv")
@login_required
def export_register(programme_id: int, register: str):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    chosen = REGISTERS.get(register)
    if chosen is None:
        abort(404)
    if not can(chosen.permission, programme):
        abort(403)
    today = clock.today()
    table = chosen.build(programme, today, can(Permission.PEOPLE_VIEW, programme))
    return _download(writers.to_csv(table), writers.CSV_TYPE, programme, chosen.key, today, "csv")


@bp.route("/programmes/<int:programme_id>/exports/programme.xlsx")
@login_required
def export_workbook(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    today = clock.today()
    shows_people = can(Permission.PEOPLE_VIEW, programme)
    tables = [register.build(programme, today, shows_people)
              for register in available_registers(lambda permission: can(permission, programme))]
    return _download(writers.to_xlsx(tables), writers.XLSX_TYPE, programme, "", today, "xlsx")
