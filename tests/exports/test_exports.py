"""Programme exports through the test client: each register as CSV, all of them as one XLSX workbook; what each
role gets; formula injection in CSV and XLSX; a flat query count."""
import csv
import io
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from planner.committee import services as committee_services
from planner.core import spreadsheet as writers
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Programme
from planner.risks import services as risk_services
from planner.core.spreadsheet import Table
from tests.conftest import count_queries
from tests.exports.helpers import NOW, OWNER, add_rows, build_world

XLSX_SHEETS = ["Plan", "Stages", "Waves", "Milestones", "Risks", "Decisions", "Actions", "Training by region",
               "Completion"]


@pytest.fixture
def world(app, factories, now_is):
    now_is(NOW)
    return build_world(app, factories)


def _as(login_as, world, role: str):
    return login_as(role, SimpleNamespace(id=world.programme_id))


def base(world) -> str:
    return f"/programmes/{world.programme_id}/exports"


def csv_rows(client, world, register: str) -> list[list[str]]:
    response = client.get(f"{base(world)}/{register}.csv")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def workbook(client, world):
    response = client.get(f"{base(world)}/programme.xlsx")
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.get_data()))


# --- each register ---------------------------------------------------------------------------------------------

#: register -> (its header, a row the world's records give)
EXPECTED = {
    "plan": (["Item", "Kind", "Start", "Finish", "Late start", "Late finish", "Slack (working days)", "Critical",
              "Late on the critical path"],
             ["Kickoff", "Milestone", "2026-03-02", "2026-03-02"]),
    "stages": (["Number", "Stage", "Planned start", "Planned finish", "Actual start", "Actual finish", "Status", "Gate",
                "Gate criteria unmet", "Override reason"],
               ["1", None, "2026-03-02", "2026-04-30", "2026-03-02", "", "Late"]),
    "waves": (["Position", "Wave", "Kind", "Regions", "Regions live", "Planned go-live", "Actual go-live",
               "Trial period (working days)", "Trial ends"],
              ["1", "Pilot", "Pilot", "North", "1", "2026-09-07", "2026-09-07", "10", "2026-09-21"]),
    "milestones": (["Milestone", "Kind", "Planned on", "Reached on", "Late"],
                   ["Process sign-off", "Process sign-off", "2026-08-03", "", "yes"]),
    "risks": (["Reference", "Title", "Category", "Likelihood", "Impact", "Score", "Owner", "Status", "Next review",
               "Review overdue", "Mitigation", "Trigger"],
              ["R-001", "Key users too busy", "Training", "4", "5", "20", OWNER, "Open", "2026-09-01", "yes",
               "Book their time.", ""]),
    "decisions": (["Decided on", "Meeting", "Decision", "Decided by", "Milestone", "Gate review", "Agenda item",
                   "Regions it let go live"],
                  ["2026-09-15", "Steering committee, 2026-09-15", "Go ahead with the pilot", None, "Kickoff", "",
                   ""]),
    "actions": (["Action", "Owner", "Due on", "Status", "Completed on", "Overdue", "Days overdue", "Agreed in",
                 "Notes"],
                ["Book the trainers", OWNER, "2026-09-10", "Open", "", "yes", "8", "Steering committee, 2026-09-15",
                 ""]),
    "training-by-region": (["Region", "People needing training", "Trained", "Still to train", "Trained (%)"],
                           ["North", "1", "1", "0", "100.0"]),
    "training-completion": (["Person", "Email", "Region", "Department", "Job role", "Course", "Completed",
                             "Completed on"],
                            [OWNER, "olga@example.com", "North", "", "Sales representative", "CRM basics", "yes",
                             "2026-09-02"]),
}


def _matches(row: list[str], expected: list) -> bool:
    """``expected`` is a prefix of ``row``; None matches anything."""
    return len(row) >= len(expected) and all(want is None or got == want for got, want in zip(row, expected))


@pytest.mark.parametrize("register", list(EXPECTED))
def test_each_register_as_csv(app, client, login_as, world, register):
    _as(login_as, world, "project_manager")
    rows = csv_rows(client, world, register)
    header, expected = EXPECTED[register]
    assert rows[0] == header
    assert any(_matches(row, expected) for row in rows[1:]), repr(rows)


def test_csv_download_is_named_after_the_programme_and_the_day(app, client, login_as, world):
    _as(login_as, world, "project_manager")
    response = client.get(f"{base(world)}/risks.csv")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=zurich-crm-rollout-risks-2026-09-18.csv; "
        "filename*=UTF-8''z%C3%BCrich-crm-rollout-risks-2026-09-18.csv")
    assert "no-store" in response.headers["Cache-Control"]
    assert response.get_data(as_text=True).startswith("\ufeff")
    response = client.get(f"{base(world)}/programme.xlsx")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=zurich-crm-rollout-2026-09-18.xlsx; "
        "filename*=UTF-8''z%C3%BCrich-crm-rollout-2026-09-18.xlsx")
    assert response.mimetype == writers.XLSX_TYPE
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("name, fallback, utf8", [
    ("Plain Rollout", "plain-rollout-risks-2026-09-18.csv", None),
    # letters with no ASCII form: Werkzeug drops them from the ASCII name, the programme's id stays
    ("Москва CRM", "programme-{id}--crm-risks-2026-09-18.csv",
     "programme-{id}-%D0%BC%D0%BE%D1%81%D0%BA%D0%B2%D0%B0-crm-risks-2026-09-18.csv"),
    ("東京", "programme-{id}--risks-2026-09-18.csv", "programme-{id}-%E6%9D%B1%E4%BA%AC-risks-2026-09-18.csv"),
    ('Evil"; name=\\x.csv', "evil-name-x-csv-risks-2026-09-18.csv", None),
])
def test_the_download_name_keeps_the_programmes_own_letters(app, client, login_as, factories, today_is, name,
                                                            fallback, utf8):
    """An ASCII name for old clients, the name in its own script for the rest (RFC 6266), nothing that
    could break out of the header."""
    from werkzeug.http import parse_options_header

    today_is(date(2026, 9, 18))
    target = factories.programme(name=name)
    login_as("project_manager", target)
    response = client.get(f"/programmes/{target.id}/exports/risks.csv")
    assert response.status_code == 200
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    raw = response.headers["Content-Disposition"]
    assert disposition == "attachment"
    assert f"filename={fallback.format(id=target.id)}" in raw
    if utf8 is None:
        assert "filename*" not in raw
    else:
        assert raw.endswith(f"filename*=UTF-8''{utf8.format(id=target.id)}")
    assert '"' not in options["filename"] and ";" not in options["filename"]


def test_an_unknown_register_is_404(app, client, login_as, world):
    _as(login_as, world, "project_manager")
    assert client.get(f"{base(world)}/salaries.csv").status_code == 404
    assert client.get(f"{base(world)}/risks.xlsx").status_code == 404


def test_the_exports_page_links_every_register_and_the_workbook(app, client, login_as, world):
    _as(login_as, world, "project_manager")
    html = client.get(base(world)).get_data(as_text=True)
    for register in EXPECTED:
        assert f'{base(world)}/{register}.csv"' in html
    assert f'{base(world)}/programme.xlsx"' in html


# --- the workbook -------------------------------------------------------------------------------------------------

def _as_csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return _number_or_text(str(value))


def _number_or_text(text: str):
    """100.0 in CSV is 100 once read back from XLSX: compare numbers as numbers."""
    try:
        return float(text)
    except ValueError:
        return text


def test_the_workbook_has_a_sheet_per_register_with_the_csv_rows(app, client, login_as, world):
    _as(login_as, world, "project_manager")
    book = workbook(client, world)
    assert book.sheetnames == XLSX_SHEETS
    for register, sheet_name in zip(EXPECTED, XLSX_SHEETS):
        sheet = book[sheet_name]
        cells = [[_as_csv_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        assert cells == [[_number_or_text(text) for text in row] for row in csv_rows(client, world, register)], \
            register
        assert all(cell.font.b for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert 8 <= sheet.column_dimensions["A"].width <= 60
    risks = book["Risks"]
    header = [cell.value for cell in risks[1]]
    row = [cell for cell in risks[2]]
    review = row[header.index("Next review")]
    assert isinstance(review.value, datetime) and review.value.date() == date(2026, 9, 1)
    assert review.number_format == "yyyy-mm-dd"
    assert row[header.index("Score")].value == 20  # a number, not text
    assert book["Waves"].column_dimensions["D"].width >= len("Regions") + 2


def test_a_long_text_column_is_capped_in_width(app):
    table = Table("Notes", ["Note"], [["x" * 500]])
    sheet = load_workbook(io.BytesIO(writers.to_xlsx([table])))["Notes"]
    assert sheet.column_dimensions["A"].width == 60


def test_sheet_names_are_made_acceptable_and_unique():
    taken: set[str] = set()
    assert writers.sheet_name("Risks", taken) == "Risks"
    assert writers.sheet_name("risks", taken) == "risks (2)"
    assert writers.sheet_name("A/B: [draft]?", taken) == "A B   draft"
    assert len(writers.sheet_name("x" * 40, taken)) == 31


# --- formula injection -----------------------------------------------------------------------------------------------

@pytest.fixture
def hostile(app, world):
    """A risk titled as a formula, owned by someone whose name starts with a tab; an action "+1"; a decision
    "@SUM(A1)"."""
    with app.app_context():
        target = db.session.get(Programme, world.programme_id)
        owner = db.session.get(Person, world.owner_id)
        owner.full_name = "\tTabby"  # the people service strips names; an older import may not have
        risk_services.create_risk(target, title='=HYPERLINK("http://x")', category="scope", likelihood=5, impact=5,
                                  owner_id=owner.id, trigger="-3 days of slack left")
        committee_services.add_action(target, title="+1", owner_id=owner.id, due_on=date(2026, 10, 1))
        committee_services.record_decision(target, text="@SUM(A1)", decided_on=date(2026, 9, 16),
                                           decided_by="Steering committee", recorded_by_id=None)
        db.session.commit()
    return world


def test_formulas_are_neutralised_in_csv(app, client, login_as, hostile):
    _as(login_as, hostile, "project_manager")
    risks = csv_rows(client, hostile, "risks")
    risk = next(row for row in risks if "HYPERLINK" in row[1])
    assert risk[1] == '\'=HYPERLINK("http://x")'
    assert risk[6] == "'\tTabby" and risk[11] == "'-3 days of slack left"
    actions = csv_rows(client, hostile, "actions")
    assert ["'+1", "'\tTabby"] in [row[:2] for row in actions]
    decisions = csv_rows(client, hostile, "decisions")
    assert "'@SUM(A1)" in [row[2] for row in decisions]
    completion = csv_rows(client, hostile, "training-completion")
    assert completion[1][0] == "'\tTabby"


def test_formulas_are_neutralised_in_xlsx(app, client, login_as, hostile):
    _as(login_as, hostile, "project_manager")
    book = workbook(client, hostile)
    texts = {sheet: [value for row in book[sheet].iter_rows(values_only=True) for value in row]
             for sheet in ("Risks", "Actions", "Decisions", "Completion")}
    assert '\'=HYPERLINK("http://x")' in texts["Risks"] and "'\tTabby" in texts["Risks"]
    assert "'+1" in texts["Actions"] and "'@SUM(A1)" in texts["Decisions"]
    assert "'\tTabby" in texts["Completion"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_numbers_and_dates_stay_typed_and_control_characters_go():
    table = Table("Mixed", ["=Header", "Number", "Amount", "Day", "Text"],
                  [[True, -3, Decimal("-2.50"), date(2026, 9, 1), "\x01=cmd|' /C calc'!A0"],
                   [None, 0, 1.5, None, "\r-1"], [None, 1, 2, None, ' =HYPERLINK("http://x")']])
    rows = list(csv.reader(io.StringIO(writers.to_csv(table).lstrip("\ufeff"))))
    assert rows[0][0] == "'=Header"
    assert rows[1][:4] == ["yes", "-3", "-2.50", "2026-09-01"]  # a negative number stays a number
    assert rows[1][4] == "'=cmd|' /C calc'!A0"  # CSV drops the control character too, then makes it safe
    assert rows[2][4] == "'\r-1"
    assert rows[3][4] == '\' =HYPERLINK("http://x")'  # leading spaces do not hide a formula
    sheet = load_workbook(io.BytesIO(writers.to_xlsx([table])))["Mixed"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "'=Header"
    assert values[1][1] == -3 and sheet["B2"].data_type == "n"
    assert values[1][2] == pytest.approx(-2.5) and sheet["C2"].data_type == "n"
    assert values[1][3] == datetime(2026, 9, 1)
    assert values[1][4] == "'=cmd|' /C calc'!A0"  # the control character removed, then made safe
    assert values[2][4] == "'\r-1"  # XLSX may hold a carriage return: it is kept, behind the apostrophe
    assert values[3][4] == '\' =HYPERLINK("http://x")'


# --- who gets what -----------------------------------------------------------------------------------------------

def test_a_viewer_gets_no_person_names(app, client, login_as, world):
    _as(login_as, world, "viewer")
    html = client.get(base(world)).get_data(as_text=True)
    assert "training-completion.csv" not in html and "leave out owners" in html
    assert client.get(f"{base(world)}/training-completion.csv").status_code == 403
    everything = []
    for register in EXPECTED:
        if register == "training-completion":
            continue
        rows = csv_rows(client, world, register)
        assert "Owner" not in rows[0]
        everything += [cell for row in rows for cell in row]
    assert not any(OWNER in cell or "olga@" in cell for cell in everything)
    assert csv_rows(client, world, "risks")[1][:6] == ["R-001", "Key users too busy", "Training", "4", "5", "20"]
    book = workbook(client, world)
    assert book.sheetnames == XLSX_SHEETS[:-1]
    cells = [str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row]
    assert not any(OWNER in cell for cell in cells)


@pytest.mark.parametrize("role", ["trainer", "committee_member"])
def test_people_viewers_see_owners_but_export_training_per_region_only(app, client, login_as, world, role):
    _as(login_as, world, role)
    assert OWNER in [row[6] for row in csv_rows(client, world, "risks")]
    assert OWNER in [row[1] for row in csv_rows(client, world, "actions")]
    assert client.get(f"{base(world)}/training-completion.csv").status_code == 403
    assert workbook(client, world).sheetnames == XLSX_SHEETS[:-1]


def test_another_programme_is_404_and_anonymous_goes_to_login(app, client, factories, login_as, world):
    urls = [base(world), f"{base(world)}/risks.csv", f"{base(world)}/programme.xlsx"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    other = factories.programme()
    login_as("project_manager", other)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.get(f"/programmes/{other.id}/exports/risks.csv").status_code == 200


# --- speed --------------------------------------------------------------------------------------------------------

def test_the_workbook_query_count_does_not_grow_with_the_registers(app, client, login_as, world):
    _as(login_as, world, "project_manager")
    add_rows(app, world, 2)
    with count_queries(app) as few:
        body_few = client.get(f"{base(world)}/programme.xlsx").get_data()
    add_rows(app, world, 27, prefix="More")
    with count_queries(app) as many:
        body_many = client.get(f"{base(world)}/programme.xlsx").get_data()
    assert len(load_workbook(io.BytesIO(body_many))["Risks"]["A"]) == 1 + 30
    assert len(load_workbook(io.BytesIO(body_few))["Risks"]["A"]) == 1 + 3
    assert len(many) == len(few), (len(few), len(many))
    assert len(few) <= 40, len(few)


def test_a_moment_is_written_as_utc_wall_time():
    from datetime import UTC, timedelta, timezone

    moment = datetime(2026, 9, 18, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    table = Table("Moments", ["At"], [[moment]])
    assert writers.to_csv(table).splitlines()[1] == "2026-09-18 11:30+02:00"
    cell = load_workbook(io.BytesIO(writers.to_xlsx([table])))["Moments"]["A2"]
    assert cell.value == datetime(2026, 9, 18, 9, 30) and moment.astimezone(UTC).hour == 9
