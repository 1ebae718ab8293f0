"""Reading an uploaded CSV for an import (people, adoption figures): the shared first steps.

An import is planned before anything is written: every bad row is reported with the line it starts on,
and one bad row refuses the whole file. Here: decoding the upload, checking the header, and turning the
rows into cleaned values; each area then checks the values against its own rules.
"""
import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from planner.core.csv_safety import is_formula_like
from planner.core.errors import DomainError

LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class RowProblem:
    line: int
    reason: str


@dataclass
class ImportPlan:
    """What an import would do; nothing is written until the area's ``apply_import`` runs on a valid plan."""

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


def read_cell(value: str | None) -> str:
    """A cell's text, without the apostrophe our exports put before formula-like values."""
    text = (value or "").strip()
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]
    return text


def read_rows(text: str, *, columns: list[str], required: list[str], allowed: list[str],
              problems: list[RowProblem]) -> list[tuple[int, dict]] | None:
    """The non-blank rows of ``text`` as (line, {column: cleaned cell}) for ``columns``.

    Header names are matched without regard to case or surrounding spaces. A header problem (empty file,
    missing, unknown or repeated columns) or an unreadable file is added to ``problems`` and answers None; a row with
    more values than columns is added to ``problems`` and left out.
    """
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [header.strip().lower() for header in (reader.fieldnames or [])]
    reader.fieldnames = headers
    if not headers:
        problems.append(RowProblem(1, _("The file is empty. The first line must name the columns.")))
        return None
    missing = [column for column in required if column not in headers]
    unknown = [header for header in headers if header not in allowed]
    repeated = sorted({header for header in headers if headers.count(header) > 1})
    if repeated:
        problems.append(RowProblem(1, _("Column(s) named twice: %(cols)s.", cols=", ".join(repeated))))
    if missing:
        problems.append(RowProblem(1, _("Missing column(s): %(cols)s.", cols=", ".join(missing))))
    if unknown:
        problems.append(RowProblem(1, _("Unknown column(s): %(cols)s. Expected: %(expected)s.",
                                        cols=", ".join(unknown), expected=", ".join(columns))))
    if missing or unknown or repeated:
        return None
    try:
        records = [(_first_line(reader.line_num, record), record) for record in reader]
    except csv.Error as error:
        problems.append(RowProblem(reader.line_num, _("The file is not readable as CSV: %(error)s",
                                                      error=str(error))))
        return None
    rows = []
    for line, record in records:
        if None in record:
            problems.append(RowProblem(line, _("This row has more values than there are columns.")))
            continue
        values = {key: read_cell(record.get(key)) for key in columns}
        if any(values.values()):
            rows.append((line, values))
    return rows
