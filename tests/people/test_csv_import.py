"""People CSV: an import checked row by row with a preview, all or nothing; a formula-safe export."""
import csv
import html
import io
import re

import pytest
from sqlalchemy import func, select

from planner.core.csv_import import decode_upload
from planner.core.errors import DomainError
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.people import csv_io
from planner.people import services as people_services
from planner.people.models import Person
from planner.programmes import services as programme_services
from planner.programmes.models import Programme, Region
from tests.conftest import csrf_token_from

HEADER = "full_name,email,department,job_role,region,is_super_user\n"


@pytest.fixture
def programme(make_programme):
    return make_programme(regions=["North", "South"], departments=["Sales", "IT"])


# --- helpers ---------------------------------------------------------------------------------

def plan_for(app, programme, text: str) -> csv_io.ImportPlan:
    with app.app_context():
        return csv_io.plan_import(db.session.get(Programme, programme.id), text)


def problems_of(plan) -> list[tuple[int, str]]:
    return [(problem.line, problem.reason) for problem in plan.problems]


def people_count(app, programme) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Person.id)).where(Person.programme_id == programme.id))


def person_by_email(app, programme, email: str) -> Person | None:
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.programme_id == programme.id,
                                                        Person.email == email))
        if person is not None:
            db.session.expunge(person)
        return person


def import_url(programme) -> str:
    return f"/programmes/{programme.id}/people/import"


def upload(client, programme, content: bytes, filename: str = "people.csv"):
    token = csrf_token_from(client.get(import_url(programme)).get_data(as_text=True))
    return client.post(import_url(programme), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), filename), "csrf_token": token})


def hidden_csv_text(page_html: str) -> str:
    match = re.search(r'<input[^>]*name="csv_text"[^>]*value="([^"]*)"', page_html)
    assert match, "no confirm form in the preview"
    return html.unescape(match.group(1))


def confirm(client, programme, preview_html: str, csv_text: str | None = None):
    """Press "Import these people" on a preview page (optionally with other file text)."""
    data = {"csrf_token": csrf_token_from(preview_html),
            "csv_text": hidden_csv_text(preview_html) if csv_text is None else csv_text}
    return client.post(f"{import_url(programme)}/confirm", data=data)


def problem_rows(page_html: str) -> list[tuple[int, str]]:
    """The (line, problem) rows of the preview's problem table."""
    table = re.search(r'<table class="problems">(.*?)</table>', page_html, re.S)
    assert table, "no problem table on the page"
    return [(int(line), html.unescape(reason)) for line, reason in
            re.findall(r'<td class="num">(\d+)</td><td>(.*?)</td>', table.group(1), re.S)]


# --- checking rows (service) -----------------------------------------------------------------

def test_every_bad_row_is_reported_with_its_line_and_reason(app, programme):
    text = HEADER + (
        "Ann Good,ann@example.com,Sales,Rep,North,no\n"          # 2 fine
        "Bob Noemail,,Sales,Rep,North,no\n"                       # 3
        "Cy Region,cy@example.com,Sales,Rep,Atlantis,no\n"        # 4
        "Ann Again,ANN@example.com,IT,Rep,South,yes\n"            # 5
        "Dee Bad,not-an-email,,,,\n"                               # 6
        "Eve Dept,eve@example.com,Marketing,,,\n"                 # 7
        "Fay Flag,fay@example.com,,,,maybe\n"                     # 8
        "Gus Extra,gus@example.com,,,,no,surplus\n"               # 9
        ",hal@example.com,,,,\n"                                   # 10
    )
    plan = plan_for(app, programme, text)
    assert problems_of(plan) == [
        (3, "missing email"),
        (4, 'unknown region "Atlantis"'),
        (5, "duplicate of line 2 (ann@example.com)"),
        (6, '"not-an-email" is not a valid email'),
        (7, 'unknown department "Marketing"'),
        (8, "is_super_user must be yes or no"),
        (9, "This row has more values than there are columns."),
        (10, "missing name"),
    ]
    assert not plan.is_valid


def test_a_row_with_several_faults_lists_them_all(app, programme):
    plan = plan_for(app, programme, HEADER + ",,Nowhere,,Atlantis,perhaps\n")
    [(line, reason)] = problems_of(plan)
    assert line == 2
    for part in ("missing name", "missing email", 'unknown region "Atlantis"', 'unknown department "Nowhere"',
                 "is_super_user must be yes or no"):
        assert part in reason


def test_line_numbers_count_the_lines_of_quoted_multi_line_fields(app, programme):
    """A line number points at the line in the file where the row starts, as a text editor shows it."""
    text = HEADER + (
        'Ann Good,ann@example.com,Sales,"Rep,\nnorth side\nand more",North,no\n'  # lines 2-4
        "Bob Noemail,,Sales,Rep,North,no\n"                                        # line 5
        'Cy Region,cy@example.com,Sales,"Two\r\nlines",Atlantis,no\r\n'            # lines 6-7
        "\n"                                                                       # line 8, blank
        "Dee Bad,,,,,\n"                                                           # line 9
    )
    plan = plan_for(app, programme, text)
    assert problems_of(plan) == [(5, "missing email"), (6, 'unknown region "Atlantis"'), (9, "missing email")]


def test_missing_and_unknown_columns_are_reported_on_line_one(app, programme):
    plan = plan_for(app, programme, "full_name,mail,team\nAnn,ann@example.com,x\n")
    assert problems_of(plan) == [
        (1, "Missing column(s): email."),
        (1, "Unknown column(s): mail, team. Expected: " + ", ".join(csv_io.COLUMNS) + "."),
    ]


def test_only_the_required_columns_are_needed_and_headers_may_be_padded(app, programme):
    plan = plan_for(app, programme, " email , full_name\nann@example.com,Ann\n")
    assert plan.problems == []
    assert plan.rows == [{"full_name": "Ann", "email": "ann@example.com", "department_id": None,
                          "job_role": "", "region_id": None, "is_super_user": False}]


def test_empty_file_and_header_only_file_are_refused(app, programme):
    assert problems_of(plan_for(app, programme, "")) == [
        (1, "The file is empty. The first line must name the columns.")]
    assert problems_of(plan_for(app, programme, HEADER)) == [(2, "The file has no people in it.")]


def test_region_and_department_match_names_ignoring_case(app, programme):
    plan = plan_for(app, programme, HEADER + "Ann,ann@example.com,sales,Rep,NORTH,Yes\n")
    assert plan.problems == []
    with app.app_context():
        north = db.session.scalar(select(Region.id).where(Region.programme_id == programme.id,
                                                          Region.name == "North"))
    assert plan.rows[0]["region_id"] == north
    assert plan.rows[0]["is_super_user"] is True


def test_another_programmes_region_is_unknown(app, programme, make_programme):
    make_programme(regions=["Elsewhere"])
    plan = plan_for(app, programme, HEADER + "Ann,ann@example.com,,Rep,Elsewhere,no\n")
    assert problems_of(plan) == [(2, 'unknown region "Elsewhere"')]


def test_decoding_accepts_utf8_with_bom_and_names_the_first_bad_line():
    assert decode_upload("\ufefffull_name,email\n".encode("utf-8")) == "full_name,email\n"
    raw = HEADER.encode() + b'"Ann\nB",ann@example.com,,,,\n' + "Jürgen,j@example.com,,,,\n".encode("latin-1")
    with pytest.raises(DomainError) as caught:
        decode_upload(raw)
    assert "Line 4 is not valid UTF-8" in caught.value.message


def test_apply_import_refuses_a_file_with_any_bad_row_and_writes_nothing(app, programme, make_person):
    make_person(programme, "Old Name", email="old@example.com")
    text = HEADER + ("Ann,ann@example.com,Sales,Rep,North,no\n"
                     "Old Renamed,old@example.com,,,,no\n"
                     "Bob,,Sales,Rep,North,no\n")
    with app.app_context():
        with pytest.raises(DomainError, match="1 problem"):
            csv_io.apply_import(db.session.get(Programme, programme.id), text)
        db.session.commit()
    assert people_count(app, programme) == 1
    assert person_by_email(app, programme, "old@example.com").full_name == "Old Name"
    assert person_by_email(app, programme, "ann@example.com") is None


def test_apply_import_creates_updates_and_counts(app, programme, make_person):
    make_person(programme, "Same Person", email="same@example.com", job_role="Rep")
    make_person(programme, "Old Name", email="old@example.com", job_role="Rep")
    text = HEADER + ("Same Person,same@example.com,,Rep,,no\n"
                     "New Name,OLD@example.com,IT,Lead,South,yes\n"
                     "Ann,ann@example.com,Sales,Rep,North,no\n")
    with app.app_context():
        plan = csv_io.apply_import(db.session.get(Programme, programme.id), text)
        db.session.commit()
    assert (plan.new_count, plan.update_count, plan.unchanged_count) == (1, 1, 1)
    updated = person_by_email(app, programme, "old@example.com")
    assert (updated.full_name, updated.job_role, updated.is_super_user) == ("New Name", "Lead", True)
    assert updated.version == 2
    assert person_by_email(app, programme, "same@example.com").version == 1
    assert people_count(app, programme) == 3


def _import_updating(app, programme, make_person, count: int, prefix: str) -> list[str]:
    """Import a file that changes the job role of ``count`` existing people; the statements it sent."""
    from tests.conftest import count_queries

    for number in range(count):
        make_person(programme, f"{prefix} {number}", email=f"{prefix}{number}@example.com", job_role="Rep")
    text = HEADER + "".join(f"{prefix} {number},{prefix}{number}@example.com,IT,Lead,South,no\n"
                            for number in range(count))
    with count_queries(app) as statements:
        with app.app_context():
            plan = csv_io.apply_import(db.session.get(Programme, programme.id), text)
            db.session.commit()
    assert plan.update_count == count
    return [statement for statement in statements if not statement.lstrip().upper().startswith("PRAGMA")]


def test_an_import_updating_people_writes_each_row_once_and_checks_nothing_again(app, programme, make_person):
    """Updates are written as new people are: the file was checked against the programme in bulk, so a row
    costs its UPDATE and its audit entry (which the database driver may batch), not an email-clash check, two
    ownership checks and a flush of its own as well (5 statements a row before)."""
    few = _import_updating(app, programme, make_person, 3, "few")
    many = _import_updating(app, programme, make_person, 30, "many")
    assert len(many) - len(few) <= 2 * 27, (len(few), len(many))
    with app.app_context():
        people = db.session.scalars(select(Person).where(Person.email.like("many%"))).all()
        assert {(person.job_role, person.version) for person in people} == {("Lead", 2)}
        logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "update",
                                                             AuditEvent.object_type == "Person")).all()
        assert len(logged) == 33
        assert {tuple(sorted(event.changes)) for event in logged} == {("department_id", "job_role", "region_id")}


# --- the upload and confirm pages ------------------------------------------------------------

def test_preview_lists_problems_by_line_and_writes_nothing(app, client, login_as, programme):
    login_as("project_manager", programme)
    content = (HEADER + "Ann,ann@example.com,Sales,Rep,North,no\n"
               'Bob,,Sales,"multi\nline",North,no\n'
               "Cy,cy@example.com,,,Atlantis,no\n"
               "Ann Twin,ann@example.com,,,,no\n").encode()
    response = upload(client, programme, content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert problem_rows(page) == [(3, "missing email"), (5, 'unknown region "Atlantis"'),
                                  (6, "duplicate of line 2 (ann@example.com)")]
    assert "3 problems found. Nothing was imported" in page
    assert 'name="csv_text"' not in page  # no way to confirm a bad file
    assert people_count(app, programme) == 0


def test_a_valid_preview_shows_counts_and_writes_nothing(app, client, login_as, programme, make_person):
    make_person(programme, "Old", email="old@example.com", job_role="Rep")
    login_as("project_manager", programme)
    response = upload(client, programme, (HEADER + "Ann,ann@example.com,Sales,Rep,North,no\n"
                                          "Old,old@example.com,,Lead,,no\n").encode())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r"<strong>1</strong>\s*new", page) and re.search(r"<strong>1</strong>\s*updated", page)
    assert "Import these people" in page
    assert people_count(app, programme) == 1
    assert person_by_email(app, programme, "old@example.com").job_role == "Rep"


def test_confirm_imports_everything_and_reports_counts(app, client, login_as, programme, make_person):
    make_person(programme, "Same", email="same@example.com", job_role="Rep")
    make_person(programme, "Old", email="old@example.com", job_role="Rep")
    user = login_as("project_manager", programme)
    content = (HEADER + "Ann,ann@example.com,Sales,Rep,North,no\n"
               "Ben,ben@example.com,IT,\"Admin,\nsecond line\",South,yes\n"
               "Same,same@example.com,,Rep,,no\n"
               "Old,old@example.com,,Lead,,no\n").encode()
    preview = upload(client, programme, content)
    assert preview.status_code == 200
    response = confirm(client, programme, preview.get_data(as_text=True))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/programmes/{programme.id}/people")
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported: 2 new, 1 updated, 1 unchanged." in listing
    assert people_count(app, programme) == 4
    ben = person_by_email(app, programme, "ben@example.com")
    assert ben.job_role == "Admin,\nsecond line" and ben.is_super_user
    assert person_by_email(app, programme, "old@example.com").job_role == "Lead"
    with app.app_context():
        events = db.session.execute(select(AuditEvent.action, AuditEvent.object_label, AuditEvent.actor_label)
                                    .where(AuditEvent.programme_id == programme.id,
                                           AuditEvent.object_type == "Person",
                                           AuditEvent.actor_label == user.email)).all()
    assert sorted(events) == sorted([("create", "Person Ann", user.email), ("create", "Person Ben", user.email),
                                     ("update", "Person Old", user.email)])


def test_confirm_checks_the_file_again(app, client, login_as, programme):
    """Between preview and confirm a region can go away: the import is then refused as a whole."""
    login_as("project_manager", programme)
    preview = upload(client, programme, (HEADER + "Ann,ann@example.com,,Rep,,no\n"
                                         "Bob,bob@example.com,,Rep,North,no\n").encode())
    assert preview.status_code == 200
    with app.app_context():
        north = db.session.scalar(select(Region).where(Region.programme_id == programme.id,
                                                       Region.name == "North"))
        programme_services.delete_region(north)
        db.session.commit()
    response = confirm(client, programme, preview.get_data(as_text=True))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The file has 1 problem(s); nothing was imported." in page
    assert problem_rows(page) == [(3, 'unknown region "North"')]
    assert people_count(app, programme) == 0


def test_a_tampered_confirm_with_a_bad_row_writes_nothing(app, client, login_as, programme):
    login_as("project_manager", programme)
    preview = upload(client, programme, (HEADER + "Ann,ann@example.com,,Rep,,no\n").encode())
    tampered = HEADER + "Ann,ann@example.com,,Rep,,no\nEve,,,,,no\n"
    response = confirm(client, programme, preview.get_data(as_text=True), csv_text=tampered)
    assert response.status_code == 422
    assert problem_rows(response.get_data(as_text=True)) == [(3, "missing email")]
    assert people_count(app, programme) == 0


def test_upload_with_bom_is_accepted(client, login_as, programme):
    login_as("project_manager", programme)
    response = upload(client, programme, b"\xef\xbb\xbf" + (HEADER + "Ann,ann@example.com,,,,no\n").encode())
    assert response.status_code == 200
    assert re.search(r"<strong>1</strong>\s*new", response.get_data(as_text=True))


def test_upload_that_is_not_utf8_names_the_line(app, client, login_as, programme):
    login_as("project_manager", programme)
    content = HEADER.encode() + b"Ann,ann@example.com,,,,no\n" + "Jürgen,j@example.com,,,,no\n".encode("cp1252")
    response = upload(client, programme, content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Line 3 is not valid UTF-8" in html.unescape(page)
    assert people_count(app, programme) == 0


def test_upload_without_a_file_is_refused(client, login_as, programme):
    login_as("project_manager", programme)
    token = csrf_token_from(client.get(import_url(programme)).get_data(as_text=True))
    response = client.post(import_url(programme), data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a CSV file." in response.get_data(as_text=True)


def test_upload_larger_than_the_limit_gets_413_page(app, client, login_as, programme):
    login_as("project_manager", programme)
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 5 * 1024 * 1024
    content = HEADER.encode() + b"Ann,ann@example.com,,,,no\n" * (limit // 25 + 10)
    token = csrf_token_from(client.get(import_url(programme)).get_data(as_text=True))
    # the multipart body is built here: werkzeug's test client would spool it to a file it never closes
    body = (b"--B\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + token.encode()
            + b"\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\n" + content + b"\r\n--B--\r\n")
    response = client.post(import_url(programme), data=body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Too large" in page and "larger than the planner accepts (5 MB)" in page
    assert people_count(app, programme) == 0


def test_import_pages_need_people_edit(client, login_as, programme):
    login_as("committee_member", programme)
    assert client.get(import_url(programme)).status_code == 403


# --- export ----------------------------------------------------------------------------------

def test_export_lists_people_with_the_import_columns(client, login_as, programme, app):
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        north = db.session.scalar(select(Region.id).where(Region.programme_id == programme.id,
                                                          Region.name == "North"))
        people_services.create_person(target, full_name="Zoe Last", email="zoe@example.com", department_id=None,
                                      job_role="Rep", region_id=north, is_super_user=True)
        people_services.create_person(target, full_name="Al First", email="al@example.com", department_id=None,
                                      job_role="", region_id=None, is_super_user=False)
        db.session.commit()
    login_as("project_manager", programme)
    response = client.get(f"/programmes/{programme.id}/people/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert rows == [csv_io.COLUMNS,
                    ["Al First", "al@example.com", "", "", "", "no"],
                    ["Zoe Last", "zoe@example.com", "", "Rep", "North", "yes"]]


def test_export_defuses_cells_a_spreadsheet_would_run(app, client, login_as, programme):
    dangerous = ["=HYPERLINK(\"http://evil\")", "+1 555", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        for n, value in enumerate(dangerous):
            person = people_services.create_person(target, full_name=f"Person {n}", email=f"p{n}@example.com",
                                                   department_id=None, job_role="x", region_id=None,
                                                   is_super_user=False)
            person.job_role = value  # stored as is: the service would strip a leading tab or CR
        people_services.create_person(target, full_name="=cmd|' /C calc'!A0", email="calc@example.com",
                                      department_id=None, job_role="Analyst", region_id=None,
                                      is_super_user=False)
        db.session.commit()
    login_as("project_manager", programme)
    rows = list(csv.reader(io.StringIO(client.get(f"/programmes/{programme.id}/people/export.csv")
                                       .get_data(as_text=True), newline="")))
    by_email = {row[1]: row for row in rows[1:]}
    for n, value in enumerate(dangerous):
        assert by_email[f"p{n}@example.com"][3] == "'" + value
    assert by_email["calc@example.com"][0] == "'=cmd|' /C calc'!A0"
    assert by_email["calc@example.com"][3] == "Analyst"


def test_export_then_import_changes_nothing(app, client, login_as, programme):
    """An exported file imported back, even with defused formula-like cells, finds everyone unchanged."""
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        ops = programme_services.create_department(target, name="-Ops", is_it=False)
        south = db.session.scalar(select(Region.id).where(Region.programme_id == programme.id,
                                                          Region.name == "South"))
        specs = [("Ann Plain", "ann@example.com", None, "Rep", south, True),
                 ("=Formula Name", "formula@example.com", ops.id, "+Lead", None, False),
                 ("Dash Email", "-dash@example.com", ops.id, "@mentions", south, False),
                 ("Quote \"Q\", Comma", "quote@example.com", None, "Two\nlines", None, True)]
        for full_name, email, department_id, job_role, region_id, is_super_user in specs:
            people_services.create_person(target, full_name=full_name, email=email, department_id=department_id,
                                          job_role=job_role, region_id=region_id, is_super_user=is_super_user)
        db.session.commit()
    login_as("project_manager", programme)
    exported = client.get(f"/programmes/{programme.id}/people/export.csv").get_data()
    assert b"'=Formula Name" in exported and b"'-Ops" in exported
    plan = plan_for(app, programme, decode_upload(exported))
    assert plan.problems == []
    assert (plan.new_count, plan.update_count, plan.unchanged_count) == (0, 0, 4)
    preview = upload(client, programme, exported)
    assert preview.status_code == 200
    assert re.search(r"<strong>4</strong>\s*unchanged", preview.get_data(as_text=True))
    assert people_count(app, programme) == 4


def test_a_column_named_twice_whatever_its_case_is_refused(app, make_programme):
    programme = make_programme()
    plan = plan_for(app, programme, "full_name,email,Email\nAnna,anna@work.example,anna@private.example\n")
    assert [(problem.line, problem.reason) for problem in plan.problems] == [(1, "Column(s) named twice: email.")]
    assert not plan.rows


def test_names_and_roles_too_long_for_the_table_are_row_problems(app, make_programme):
    programme = make_programme()
    plan = plan_for(app, programme, "full_name,email,job_role\n"
                                    f"{'N' * 201},long@example.com,Rep\nShort,short@example.com,{'r' * 121}\n")
    assert [(problem.line, problem.reason) for problem in plan.problems] == [
        (2, "name longer than 200 characters"), (3, "job role longer than 120 characters")]
