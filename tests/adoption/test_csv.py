"""Adoption figures from CSV: every row checked and reported by line, nothing written unless the whole file is
valid, and an export that round-trips and is safe to open in a spreadsheet."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from planner.adoption import csv_io
from planner.adoption.models import AdoptionFigure, AdoptionSource
from planner.core.errors import DomainError
from planner.extensions import db
from planner.programmes.models import Programme, Region
from tests.adoption.helpers import TODAY, build, record
from tests.conftest import count_queries


def _plan(app, world, text):
    with app.app_context():
        return csv_io.plan_import(db.session.get(Programme, world.programme.id), text, today=TODAY)


def test_a_valid_file_is_planned_then_imported(app, factories):
    world = build(app, factories)
    record(app, world, "North", date(2026, 10, 5), 10, 100)
    record(app, world, "South", date(2026, 10, 5), 10, 100)
    text = ("region,week,active,licensed\r\n"
            "north,2026-W40,20,100\r\n"          # new, region matched without regard to case
            "North,2026-10-07,30,100\r\n"        # replaces the figure of that week
            "South,2026-10-09,10,100\r\n"        # the same as recorded: unchanged
            ",,,\r\n")                           # an empty row is skipped
    plan = _plan(app, world, text)
    assert (plan.problems, plan.new_count, plan.update_count, plan.unchanged_count) == ([], 1, 1, 1)
    assert [(row["week"], row["active_users"]) for row in plan.rows] == [(date(2026, 9, 28), 20),
                                                                         (date(2026, 10, 5), 30)]
    with app.app_context():
        assert db.session.scalar(select(func.count(AdoptionFigure.id))) == 2  # planning writes nothing
        csv_io.apply_import(db.session.get(Programme, world.programme.id), text)
        rows = db.session.execute(select(AdoptionFigure.week, AdoptionFigure.active_users, AdoptionFigure.source)
                                  .where(AdoptionFigure.region_id == world.regions["North"])
                                  .order_by(AdoptionFigure.week)).all()
        assert rows == [(date(2026, 9, 28), 20, AdoptionSource.CSV), (date(2026, 10, 5), 30, AdoptionSource.CSV)]
        db.session.rollback()


def test_every_bad_row_is_reported_and_nothing_is_imported(app, factories):
    world = build(app, factories)
    text = ("region,week,active,licensed\n"
            "North,2026-W41,20,100\n"
            "Atlantis,2026-W41,1,2\n"
            "South,someday,1,2\n"
            "South,2026-W41,3,2\n"
            "East,2026-W41,,2\n"
            "East,2026-W41,1,two\n"
            "North,2026-10-06,1,2\n"
            "East,2026-W43,1,2\n"
            "East,2026-W41,1,2,9\n")
    plan = _plan(app, world, text)
    reasons = {problem.line: problem.reason for problem in plan.problems}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "unknown region \"Atlantis\"" in reasons[3]
    assert "is not a week" in reasons[4]
    assert "cannot be more than licensed" in reasons[5]
    assert "missing active" in reasons[6]
    assert "licensed must be a whole number" in reasons[7]
    assert "the same region and week as line 2" in reasons[8]
    assert "has not started yet" in reasons[9]
    assert "more values" in reasons[10]
    with app.app_context():
        with pytest.raises(DomainError):
            csv_io.apply_import(db.session.get(Programme, world.programme.id), text)
        assert db.session.scalar(select(func.count(AdoptionFigure.id))) == 0


@pytest.mark.parametrize("text, expected", [
    ("", "The file is empty"),
    ("region,week,active\nNorth,2026-W41,1\n", "Missing column(s): licensed"),
    ("region,week,active,licensed,colour\n", "Unknown column(s): colour"),
    ("region,week,active,licensed\n", "no figures"),
])
def test_a_file_of_the_wrong_shape_is_refused(app, factories, text, expected):
    world = build(app, factories)
    plan = _plan(app, world, text)
    assert not plan.is_valid and expected in plan.problems[0].reason


def test_the_export_is_formula_safe_and_imports_back(app, factories):
    world = build(app, factories)
    with app.app_context():
        db.session.get(Region, world.regions["East"]).name = "=HYPERLINK(\"x\")"
        db.session.commit()
    record(app, world, "North", date(2026, 10, 5), 30, 100)
    record(app, world, "East", date(2026, 10, 12), 1, 3)
    with app.app_context():
        text = csv_io.export_csv(db.session.get(Programme, world.programme.id))
    lines = text.split("\r\n")
    assert lines[0] == "region,week,active,licensed,adoption_pct,source"
    assert lines[1] == '"\'=HYPERLINK(""x"")",2026-10-12,1,3,33.3,entered'
    assert lines[2] == "North,2026-10-05,30,100,30.0,entered"
    plan = _plan(app, world, text)
    assert (plan.problems, plan.unchanged_count) == ([], 2)


def test_a_week_more_than_a_year_before_the_programme_is_a_row_error(app, factories):
    # the programme starts on Monday 2026-03-02: the first week that may be recorded starts on 2025-02-24
    world = build(app, factories)
    plan = _plan(app, world, "region,week,active,licensed\r\nNorth,2025-02-23,1,10\r\nSouth,2025-W09,1,10\r\n")
    assert [(problem.line, "more than a year before the programme starts" in problem.reason)
            for problem in plan.problems] == [(2, True)]
    assert [row["week"] for row in plan.rows] == [date(2025, 2, 24)]


def test_an_import_reads_the_figures_once_however_many_rows(app, factories, today_is):
    today_is(TODAY)
    world = build(app, factories)

    def selects(weeks: int) -> int:
        record(app, world, "North", date(2026, 10, 5), 1, 100)  # one of the rows replaces it
        text = "region,week,active,licensed\r\n" + "".join(
            f"{name},{date(2026, 10, 5) - timedelta(weeks=week)},{week + 2},100\r\n"
            for week in range(weeks) for name in ("North", "South", "East"))
        with app.app_context():
            with count_queries(app) as statements:
                plan = csv_io.apply_import(db.session.get(Programme, world.programme.id), text)
            db.session.commit()
            assert (plan.new_count, plan.update_count) == (weeks * 3 - 1, 1)
            count = sum(1 for statement in statements if statement.lstrip().upper().startswith("SELECT"))
            db.session.execute(AdoptionFigure.__table__.delete())
            db.session.commit()
            return count

    assert selects(1) == selects(10)
