"""The exports page and its downloads: a register as CSV, every register as one XLSX workbook. Anyone with a role
in the programme exports what its pages show them (person names only to those who may see its people)."""
import io
import re
import unicodedata
from datetime import date

from flask import Response, abort, render_template, send_file

from planner.core import clock
from planner.core.permissions import Permission, can, login_required
from planner.core import spreadsheet as writers
from planner.exports import bp
from planner.exports.registers import REGISTERS, available_registers
from planner.programmes.loading import load_programme


def filename_slug(name: str, fallback: str) -> str:
    """The programme's name as a file-name part, in its own letters: "Zürich CRM" -> "zürich-crm".

    Old clients get the name in ASCII, which Werkzeug derives by dropping what has no ASCII form ("zurich-crm");
    a name with letters that would vanish there ("Москва CRM", "東京") is led by ``fallback``, so that the ASCII
    name still says which programme it is."""
    slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", name).lower()).strip("-")[:60].strip("-")
    if all(_has_ascii_form(character) for character in slug):
        return slug or fallback
    return f"{fallback}-{slug}"


def _has_ascii_form(character: str) -> bool:
    return bool(unicodedata.normalize("NFKD", character).encode("ascii", "ignore"))


def _download(body: str | bytes, mimetype: str, programme, part: str, day: date, extension: str) -> Response:
    """The file as an attachment named after the programme, the part and the day. Werkzeug writes the name both
    as plain ASCII and, when it has other letters, as ``filename*=UTF-8''...`` (RFC 6266 / 5987)."""
    slug = filename_slug(programme.name, f"programme-{programme.id}")
    filename = "-".join(filter(None, (slug, part, day.isoformat()))) + f".{extension}"
    data = body.encode("utf-8") if isinstance(body, str) else body
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename,
                         conditional=False, etag=False, max_age=None)
    response.headers["Cache-Control"] = "private, no-store"
    return response


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
