"""Readiness figures on the hand-made programme of test_readiness_helpers.py: completion per region, department
and role, the people still untrained with the days to their go-live, no-shows, and the completion export."""
import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from planner.extensions import db
from planner.programmes.models import Programme
from planner.training import exports, readiness
from planner.training.models import MarkStatus, TrainingSession
from planner.training.session_queries import go_live_by_region
from tests.training.test_readiness_helpers import NOW, TODAY, build


def _figures(rows):
    return [(row.label, row.needing, row.trained) for row in rows]


def test_completion_per_region_department_and_role(app, factories):
    w = build(app, factories)
    with app.app_context():
        figures = readiness.readiness(db.session.get(Programme, w.programme.id))
    assert _figures(figures.by_region) == [("North", 4, 3), ("South", 3, 1), ("No region", 1, 0)]
    assert figures.by_region[0].percent == 75.0 and figures.by_region[0].key == w.regions["North"]
    assert _figures(figures.by_department) == [("Sales", 4, 2), ("Service", 4, 2)]
    roles = {(row.key, row.needing, row.trained) for row in figures.by_role}
    assert roles == {("sales representative", 3, 1), ("service agent", 3, 2), ("team lead", 2, 1)}
    assert (figures.total.needing, figures.total.trained, figures.total.percent) == (8, 4, 50.0)


def test_a_programme_without_requirements_has_no_one_to_train(app, factories):
    programme = factories.programme(regions=["Solo"])
    factories.person(programme)
    with app.app_context():
        figures = readiness.readiness(db.session.get(Programme, programme.id))
    assert _figures(figures.by_region) == [("Solo", 0, 0)]
    assert figures.by_region[0].percent is None and figures.total.percent is None
    assert figures.by_department == [] and figures.by_role == []


def test_untrained_people_soonest_go_live_first_with_what_they_still_need(app, factories):
    w = build(app, factories)
    with app.app_context():
        people = db.session.scalars(readiness.untrained_people(w.programme.id)).all()
        assert [person.full_name for person in people] == ["Hal", "Eve", "Fay", "Gus"]
        missing = readiness.missing_courses(w.programme.id, [person.id for person in people])
        go_lives = go_live_by_region(w.programme.id)
        days = [readiness.days_to_go(go_lives.get(person.region_id), TODAY) for person in people]
        south = db.session.scalars(readiness.untrained_people(w.programme.id, w.regions["South"])).all()
    assert missing == {w.people["Hal"]: ["CRM basics"], w.people["Eve"]: ["CRM basics", "Leading with CRM"],
                       w.people["Fay"]: ["CRM basics"], w.people["Gus"]: ["CRM basics"]}
    assert days == [11, 56, 56, None]
    assert [person.full_name for person in south] == ["Eve", "Fay"]


def test_a_page_of_untrained_people_drawn_from_the_regions_first_to_go_live_is_the_whole_lists_page(app, factories):
    """Hal (North, 1 December), Eve and Fay (South, 15 January), Gus (no region): every page of every size drawn
    from ``regions_first_to_go_live`` equals the page of everyone; then with both regions live on one day."""
    w = build(app, factories)
    with app.app_context():
        from planner.programmes.models import Region

        programme = db.session.get(Programme, w.programme.id)

        def pages() -> tuple[list, list]:
            figures, go_lives = readiness.readiness(programme), go_live_by_region(programme.id)
            drawn, everyone, regions = [], [], []
            for size in range(1, 5):
                for page in range(1, 6):
                    among = readiness.regions_first_to_go_live(figures, go_lives, page * size)
                    regions.append(among)
                    for into, query in ((drawn, readiness.untrained_people(programme.id, among=among)),
                                        (everyone, readiness.untrained_people(programme.id))):
                        into.append([person.full_name for person in
                                     db.paginate(query, page=page, per_page=size, error_out=False).items])
            assert drawn == everyone
            return everyone, regions

        apart, regions_apart = pages()
        db.session.get(Region, w.regions["South"]).live_on = TODAY.replace(day=25)
        db.session.get(Region, w.regions["North"]).live_on = TODAY.replace(day=25)
        db.session.commit()
        together, regions_together = pages()
    north, south = w.regions["North"], w.regions["South"]
    assert apart[:5] == [["Hal"], ["Eve"], ["Fay"], ["Gus"], []]  # one per page, soonest go-live first
    assert regions_apart[:5] == [[north], [north, south], [north, south], None, None]
    assert together[:4] == [["Eve"], ["Fay"], ["Hal"], ["Gus"]]  # one day: by name across both regions
    assert regions_together[0] == [north, south] or regions_together[0] == [south, north]


def test_the_sql_go_live_matches_go_live_by_region(app, factories):
    """The untrained list sorts on an SQL copy of go_live_by_region: a region that went live uses that day."""
    w = build(app, factories)
    with app.app_context():
        from planner.programmes.models import Region

        db.session.get(Region, w.regions["South"]).live_on = TODAY.replace(day=25)  # live before North's wave
        db.session.flush()
        names = [person.full_name for person in db.session.scalars(readiness.untrained_people(w.programme.id))]
        assert go_live_by_region(w.programme.id)[w.regions["South"]] == TODAY.replace(day=25)
        db.session.rollback()
    assert names == ["Eve", "Fay", "Hal", "Gus"]


def test_no_shows_need_a_make_up_unless_they_caught_up(app, factories):
    w = build(app, factories)
    with app.app_context():
        found = readiness.no_shows(w.programme.id, NOW)
        north = readiness.no_shows(w.programme.id, NOW, w.regions["North"])
        first = readiness.no_shows(w.programme.id, NOW, limit=1)
    assert found.total == 2 and north.total == 1
    assert [(n.full_name, n.course_title, n.session_id, n.mark, n.has_make_up) for n in found.shown] == [
        ("Eve", "CRM basics", w.sessions["S2"], MarkStatus.ABSENT, True),
        ("Hal", "CRM basics", w.sessions["S1"], None, False),
    ]
    assert [n.full_name for n in north.shown] == ["Hal"]
    assert [n.full_name for n in first.shown] == ["Eve"] and first.total == 2  # the latest first, all counted


def test_no_shows_cut_at_the_limit_inside_one_session_keep_its_people_by_name(app, factories):
    w = build(app, factories)
    with app.app_context():
        from planner.training import sessions

        s2 = db.session.get(TrainingSession, w.sessions["S2"])
        for person in ("Fay", "Dee"):  # Dee was present: absent now, and no longer trained in basics
            sessions.mark_attendance(s2, person_id=w.people[person], status="absent", note="", marked_by_id=None,
                                     now=s2.starts_at)
        db.session.commit()
        cuts = [readiness.no_shows(w.programme.id, NOW, limit=limit) for limit in (1, 2, 3, 4, 5)]
    assert [[n.full_name for n in cut.shown] for cut in cuts] == [
        ["Dee"], ["Dee", "Eve"], ["Dee", "Eve", "Fay"], ["Dee", "Eve", "Fay", "Hal"], ["Dee", "Eve", "Fay", "Hal"]]
    assert {cut.total for cut in cuts} == {4}


def test_a_second_miss_of_the_same_course_is_listed_once(app, factories):
    w = build(app, factories)
    with app.app_context():
        from planner.training import sessions

        s6 = db.session.get(TrainingSession, w.sessions["S6"])
        sessions.mark_attendance(s6, person_id=w.people["Eve"], status="absent", note="", marked_by_id=None,
                                 now=s6.starts_at)
        found = readiness.no_shows(w.programme.id, s6.ends_at + timedelta(days=1))
        db.session.rollback()
    eve = [n for n in found.shown if n.full_name == "Eve"]
    assert [(n.session_id, n.has_make_up) for n in eve] == [(w.sessions["S6"], False)]


def test_completion_export_lists_each_person_and_course(app, factories):
    w = build(app, factories)
    with app.app_context():
        text = exports.render(exports.completion_table(w.programme.id), "csv")
    assert text.startswith("\ufeff")  # a byte-order mark, so that spreadsheets read UTF-8 names right
    text = text.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Person", "Email", "Region", "Department", "Job role", "Course", "Completed", "Completed on"]
    assert len(rows) == 1 + 10
    assert ["Ben", "ben@example.com", "North", "Sales", "Team Lead", "Leading with CRM", "yes",
            "2026-11-12"] in rows
    assert ["Cai", "cai@example.com", "North", "Service", "Service agent", "CRM basics", "yes", "2026-11-13"] in rows
    assert ["Fay", "fay@example.com", "South", "Service", "Sales representative", "CRM basics", "no", ""] in rows
    assert [row[2] for row in rows[1:]] == ["North"] * 5 + ["South"] * 4 + [""]  # no region last


def test_exports_neutralise_formulas_in_csv_and_xlsx(app, factories):
    w = build(app, factories)
    with app.app_context():
        from planner.people.models import Person

        person = db.session.get(Person, w.people["Gus"])
        person.full_name = '=HYPERLINK("http://evil.example","click")'
        person.job_role = "\x01@SUM(A1)"
        db.session.flush()
        table = exports.completion_table(w.programme.id)
        text = exports.render(table, "csv").removeprefix("\ufeff")
        workbook = load_workbook(io.BytesIO(exports.render(table, "xlsx")))
        db.session.rollback()
    row = next(r for r in csv.reader(io.StringIO(text)) if "HYPERLINK" in r[0])
    assert row[0] == '\'=HYPERLINK("http://evil.example","click")'
    assert workbook.sheetnames == ["Completion"]
    sheet = workbook["Completion"]
    cells = [[cell.value for cell in r] for r in sheet.iter_rows()]
    assert cells[0][0] == "Person" and sheet.cell(1, 1).font.b
    evil = next(r for r in cells if "HYPERLINK" in str(r[0]))
    assert evil[0] == '\'=HYPERLINK("http://evil.example","click")'
    assert evil[4] == "'@SUM(A1)"  # the control character is dropped and what is left is still neutralised
    assert all(sheet.cell(r, c).data_type != "f" for r in range(1, sheet.max_row + 1)
               for c in range(1, sheet.max_column + 1))
    dates = [r[7] for r in cells[1:] if r[7] is not None]
    assert dates and all(hasattr(day, "year") for day in dates)


def test_roster_export_has_marks_and_notes(app, factories):
    w = build(app, factories)
    with app.app_context():
        from planner.training import sessions

        s2 = db.session.get(TrainingSession, w.sessions["S2"])
        sessions.mark_attendance(s2, person_id=w.people["Eve"], status="absent", note="-1 sick note",
                                 marked_by_id=None, now=s2.starts_at)
        table = exports.roster_table(s2)
        text = exports.render(table, "csv").removeprefix("\ufeff")
        workbook = load_workbook(io.BytesIO(exports.render(table, "xlsx")))
        db.session.rollback()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["Person", "Email", "Department", "Job role", "Mark", "Note"],
                    ["Dee", "dee@example.com", "Service", "Service agent", "Present", ""],
                    ["Eve", "eve@example.com", "Sales", "Team lead", "Absent", "'-1 sick note"],
                    ["Fay", "fay@example.com", "Service", "Sales representative", "", ""]]
    assert workbook.sheetnames == ["Roster"]
    assert [[cell.value for cell in r] for r in workbook["Roster"].iter_rows()][2][4:] == ["Absent",
                                                                                          "'-1 sick note"]
