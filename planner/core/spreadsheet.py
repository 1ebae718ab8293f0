"""Writing tables as CSV and as an XLSX workbook that a spreadsheet opens safely (QUALITY.md item 10).

Every text cell that a spreadsheet could read as a formula (= + - @ first, after any leading whitespace or
control characters, or a tab or a carriage return first) gets a leading apostrophe, in CSV and in XLSX alike
(``planner.core.csv_safety``). Numbers and dates are not text: in XLSX they stay typed (a negative number stays
a number, a date a date), in CSV a number is written as it is. Control characters (but tab and line breaks) are
removed from text in both, as XLSX cannot hold them: what is left is then checked, so that "\\x01=cmd" cannot
turn into "=cmd"."""
import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from planner.core.csv_safety import safe_cell

@dataclass(frozen=True)
class Table:
    """What an export holds: a sheet name, the header and the rows (dates stay dates, numbers numbers)."""

    #: the XLSX sheet's name, kept in English: a sheet name has a length limit and forbidden characters
    sheet: str
    header: list[str]
    rows: list[list]


CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: column widths in characters: never narrower or wider than these
MIN_WIDTH, MAX_WIDTH = 8, 60
#: characters Excel forbids in a sheet name, and its length limit
_SHEET_FORBIDDEN = str.maketrans({character: " " for character in "[]:*?/\\"})
_SHEET_NAME_LENGTH = 31


def is_number(value) -> bool:
    """True for numbers that stay numbers (a bool is a yes/no, not a number)."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def csv_text(value) -> str:
    """One CSV cell: dates as ISO days (a moment with its time), numbers as they are, anything else safe text."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if is_number(value):
        return str(value)
    return safe_cell(value)


def to_csv(table: Table) -> str:
    """The table as CSV text, with CRLF line ends and a byte-order mark so that spreadsheets read UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(str(title)) for title in table.header])
    writer.writerows([csv_text(value) for value in row] for row in table.rows)
    return buffer.getvalue()


def _xlsx_value(sheet, value):
    if value is None:
        return None
    if isinstance(value, datetime):
        # Excel has no time zones: a moment is written as UTC wall time
        moment = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        cell = WriteOnlyCell(sheet, value=moment)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if is_number(value):
        return value
    return safe_cell(value)


def column_widths(table: Table) -> list[float]:
    """A width per column that fits its header and its longest value, within MIN_WIDTH..MAX_WIDTH."""
    widths = [len(str(title)) for title in table.header]
    for row in table.rows:
        for index, value in enumerate(row[:len(widths)]):
            text = csv_text(value)
            longest = max((len(line) for line in text.splitlines()), default=0)
            widths[index] = max(widths[index], longest)
    return [min(MAX_WIDTH, max(MIN_WIDTH, width + 2)) for width in widths]


def sheet_name(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (no forbidden characters, 31 characters at most), unique in the workbook."""
    base = str(name).translate(_SHEET_FORBIDDEN).strip().strip("'")[:_SHEET_NAME_LENGTH] or "Sheet"
    candidate, number = base, 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[:_SHEET_NAME_LENGTH - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def to_xlsx(tables: list[Table]) -> bytes:
    """The tables as one workbook, a sheet each: header row bold and frozen, columns sized to their content,
    dates as dates and numbers as numbers, text safe. Written in openpyxl's write-only mode."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(sheet_name(table.sheet, taken))
        for index, width in enumerate(column_widths(table), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for title in table.header:
            cell = WriteOnlyCell(sheet, value=safe_cell(title))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_xlsx_value(sheet, value) for value in row])
    if not tables:
        workbook.create_sheet("Empty")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
