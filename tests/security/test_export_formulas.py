"""No export hands a spreadsheet a formula (QUALITY.md item 10), over every export the app has.

Every free-text column of every row of programme A is overwritten with a formula-looking value (each of
``= + - @``, a leading tab, CR, line feed or space, all unique and marked ``PWN``). Then every GET route is opened
as an admin with every value its format placeholders take (``<register>``, ``<export_format>``, ``<fmt>``), and
every response that is CSV or XLSX is an export: each must contain seeded values, and no cell of any of them may
start with a trigger (numbers in CSV aside) or be an XLSX formula.
"""
import csv
import io
import re
from itertools import cycle, product

from openpyxl import Workbook, load_workbook
from sqlalchemy import Enum, String, Text, update

from planner.exports.registers import REGISTERS
from planner.extensions import db
from planner.training import progress
from tests.security.helpers import Ownership, tables
from tests.test_access_matrix import act_as, app_rules, build_world, fill_url

#: what the placeholders of download routes take
FORMAT_VALUES = {"register": tuple(REGISTERS), "export_format": ("csv", "xlsx", "png", "svg"),
                 "fmt": ("csv", "xlsx", "png", "svg")}
CSV_TYPES = ("text/csv",)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: text columns that are not free text: identifiers, keys, codes, secrets, machine-written values
NOT_FREE_TEXT = {"time_zone", "home_time_zone", "working_weekdays", "key", "kind", "recurrence",
                 "recurrence_weekdays", "uid", "job_role_key", "salt", "token_hash", "prefix", "preferred_language",
                 "password_hash", "session_token", "calendar_salt", "calendar_token_hash", "checkin_salt",
                 "link_salt", "link_token_hash", "rsvp_salt", "rsvp_token_hash", "plan_item_key", "rule_key",
                 "subject_key", "covered_region_ids", "ics_role", "last_method_sent", "trainer_method_sent", "source",
                 "action", "object_type", "body_html", "recipient", "trainer_email_sent"}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = ('=HYPERLINK("http://evil.example/PWN{n}","x")', "+PWN{n}+1", "-PWN{n}+1", "@SUM(PWN{n})",
            "\t=PWN{n}", "\r=PWN{n}", " =PWN{n}", "\n@PWN{n}", "\x01=PWN{n}")
#: a number written as it is: a spreadsheet reads "-3" as minus three, never as a formula
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def seed_formulas(connection, programme_id: int) -> int:
    """Overwrite every free-text cell of the programme's rows with a unique formula-looking value."""
    ownership = Ownership(connection)
    numbers, payloads, seeded = iter(range(1, 10**6)), cycle(PAYLOADS), 0
    for table in tables():
        columns = [column for column in table.columns
                   if isinstance(column.type, String | Text) and not isinstance(column.type, Enum)
                   and column.name not in NOT_FREE_TEXT and not column.foreign_keys]
        if not columns or table.name in ("user_account", "audit_event", "outbox_message", "login_throttle",
                                         "training_kind"):  # kept from the people's rows: worked out below
            continue
        key = list(table.primary_key.columns)[0]
        for row_id in ownership.ids_in(table.name, programme_id):
            values = {}
            for column in columns:
                value = next(payloads).format(n=next(numbers))
                if column.name == "email" or column.name.endswith("_email"):
                    value = value.replace('"', "") + "@example.com"
                values[column.name] = value[:column.type.length] if column.type.length else value
            connection.execute(update(table).where(key == row_id).values(**values))
            seeded += len(values)
    return seeded


def cell_problems(text: str) -> list[str]:
    """What is wrong with one text cell."""
    if PLAIN_NUMBER.match(text):
        return []
    if text[:1] in TRIGGERS:
        return [f"starts with {text[:1]!r}: {text[:40]!r}"]
    if text.lstrip()[:1] in ("=", "+", "-", "@") and not text.startswith("'"):
        return [f"starts with a trigger after white space: {text[:40]!r}"]
    if any(ord(character) < 32 and character not in "\t\n\r" for character in text):
        return [f"holds a control character: {text[:40]!r}"]
    return []


def export_cells(response) -> list[tuple[str, str | None, str]]:
    """(where, XLSX data type or None, text) of every cell of a CSV or XLSX response."""
    if response.mimetype in CSV_TYPES:
        reader = csv.reader(io.StringIO(response.get_data(as_text=True), newline=""))
        return [(f"row {number} column {column}", None, cell) for number, row in enumerate(reader, 1)
                for column, cell in enumerate(row, 1)]
    workbook = load_workbook(io.BytesIO(response.get_data()), data_only=False)
    return [(f"{sheet.title}!{cell.coordinate}", cell.data_type, str(cell.value))
            for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _urls(rule, values):
    names = [name for name in FORMAT_VALUES if name in rule.arguments]
    for choice in product(*(FORMAT_VALUES[name] for name in names)):
        yield fill_url(rule, {**values, **dict(zip(names, choice))})


def test_every_csv_and_xlsx_export_defuses_formulas(app, client, factories, _rolled_back):
    world = build_world(factories)
    act_as(client, factories, world, "admin")
    assert seed_formulas(_rolled_back, world.a.programme.id) > 150
    with app.app_context():  # the roles' spellings were written outside the app: the kept kinds are worked out
        progress.rebuild(world.a.programme.id)
        db.session.commit()
    values = world.a.url_values()
    exports, problems = {}, []
    for rule in app_rules(app):
        if "GET" not in rule.methods:
            continue
        for url in _urls(rule, values):
            response = client.get(url)
            if response.mimetype in CSV_TYPES or response.mimetype == XLSX_TYPE:
                assert response.status_code == 200, url
                exports[url] = rule.endpoint
                cells = export_cells(response)
                if not any("PWN" in text for _where, _kind, text in cells):
                    problems.append(f"{url}: no seeded value reached this export")
                for where, kind, text in cells:
                    if kind == "f":
                        problems.append(f"{url} {where}: an XLSX formula {text[:40]!r}")
                    problems += [f"{url} {where}: {problem}" for problem in cell_problems(text)]
            elif rule.endpoint.startswith("exports.") and response.status_code == 200 and "." in url.rsplit("/", 1)[1]:
                problems.append(f"{url}: a download that is neither CSV nor XLSX ({response.mimetype})")
    assert not problems, "\n".join(problems[:60])
    assert {"people.export_people", "adoption.export_figures", "exports.export_register", "exports.export_workbook",
            "training.export_roster", "training.export_completion"} <= set(exports.values()), exports
    assert len([url for url, endpoint in exports.items() if endpoint == "exports.export_register"]) == len(REGISTERS)


def test_the_cell_check_catches_formulas_in_both_formats(client):
    for bad in ("=1+1", "+1", "-A1", "@SUM(A1)", "\t=1", "\r=1", " =1", "\n@x", "a\x01b"):
        assert cell_problems(bad), bad
    for good in ("'=1+1", "' =1", "-3", "12.5", "Plain text", "a = b", ""):
        assert not cell_problems(good), good
    workbook = Workbook()
    workbook.active["A1"] = "=SUM(1,2)"
    data = io.BytesIO()
    workbook.save(data)
    response = client.get("/login")
    response.set_data(data.getvalue())
    response.mimetype = XLSX_TYPE
    assert [kind for _where, kind, _text in export_cells(response)] == ["f"]
