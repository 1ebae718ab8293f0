"""The readiness page, the completion chart and the CSV/XLSX downloads through the test client: what each role
sees, deterministic images, and query counts that do not grow with the number of people."""
import csv
import io
from datetime import date, time

import pytest
from openpyxl import load_workbook

from planner.extensions import db
from planner.people import services as people_services
from planner.programmes.models import Programme
from planner.reports.training_chart import CompletionBar, build_figure, render_completion_chart
from planner.training import sessions
from planner.training.models import TrainingSession
from tests.conftest import count_queries, log_in
from tests.training.test_readiness_helpers import NOW, build


@pytest.fixture
def world(app, factories, now_is):
    now_is(NOW)
    return build(app, factories)


def _url(w, path: str) -> str:
    return f"/programmes/{w.programme.id}/{path}"


def test_the_page_shows_figures_untrained_people_and_no_shows(app, client, login_as, world):
    login_as("project_manager", world.programme)
    response = client.get(_url(world, "training/readiness"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Trained: 4 of 8 people who need training." in html
    assert "75%" in html and "33%" in html
    assert f'/programmes/{world.programme.id}/training/readiness.png' in html
    assert "training/completion.csv" in html and "training/completion.xlsx" in html
    untrained = html.split("Still to train")[1].split("No-shows needing")[0]
    assert [name for name in ("Hal", "Eve", "Fay", "Gus") if f"<td>{name}</td>" in untrained] == [
        "Hal", "Eve", "Fay", "Gus"]
    assert untrained.index("<td>Hal</td>") < untrained.index("<td>Eve</td>") < untrained.index("<td>Gus</td>")
    assert "<td>Ana</td>" not in untrained
    assert "2026-12-01" in untrained and ">11<" in untrained
    no_shows = html.split("No-shows needing")[1]
    assert "<td>Eve</td>" in no_shows and "<td>Hal</td>" in no_shows and "<td>Fay</td>" not in no_shows
    assert "Booked" in no_shows and "Plan a session" in no_shows and "Not marked" in no_shows
    assert "<script>" not in html and "style=" not in html


def test_past_the_limit_the_no_shows_say_how_many_there_are(app, client, login_as, world, monkeypatch):
    from planner.training import readiness

    login_as("project_manager", world.programme)
    monkeypatch.setattr(readiness, "NO_SHOW_LIMIT", 1)
    no_shows = client.get(_url(world, "training/readiness")).get_data(as_text=True).split("No-shows needing")[1]
    assert "<td>Eve</td>" in no_shows and "<td>Hal</td>" not in no_shows  # the latest missed session first
    assert "Showing 1 of 2. Filter by region to see the rest." in no_shows
    monkeypatch.setattr(readiness, "NO_SHOW_LIMIT", 2)
    no_shows = client.get(_url(world, "training/readiness")).get_data(as_text=True).split("No-shows needing")[1]
    assert "<td>Hal</td>" in no_shows and "Showing" not in no_shows


def test_the_untrained_pages_are_counted_from_the_figures(app, client, login_as, world, monkeypatch):
    login_as("project_manager", world.programme)
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 3)
    first = client.get(_url(world, "training/readiness")).get_data(as_text=True)
    untrained = first.split("Still to train")[1].split("No-shows needing")[0]
    assert "Page 1 of 2" in untrained and untrained.count("<tr>") - 1 == 3  # 4 untrained people, 3 a page
    last = client.get(_url(world, "training/readiness?page=2")).get_data(as_text=True)
    untrained = last.split("Still to train")[1].split("No-shows needing")[0]
    assert "Page 2 of 2" in untrained and "<td>Gus</td>" in untrained and untrained.count("<tr>") - 1 == 1
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 1)
    south = client.get(_url(world, f"training/readiness?region={world.regions['South']}")).get_data(as_text=True)
    untrained = south.split("Still to train")[1].split("No-shows needing")[0]
    assert "Page 1 of 2" in untrained  # Eve and Fay in the South


def test_the_region_filter_narrows_the_lists(app, client, login_as, world):
    login_as("project_manager", world.programme)
    html = client.get(_url(world, f"training/readiness?region={world.regions['South']}")).get_data(as_text=True)
    lists = html.split("Still to train")[1]
    assert "<td>Eve</td>" in lists and "<td>Fay</td>" in lists and "<td>Hal</td>" not in lists
    unknown = client.get(_url(world, "training/readiness?region=999999")).get_data(as_text=True)
    assert "<td>Hal</td>" in unknown.split("Still to train")[1]


def test_a_viewer_sees_the_figures_but_no_names_and_no_downloads(app, client, login_as, world):
    login_as("viewer", world.programme)
    response = client.get(_url(world, "training/readiness"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Trained: 4 of 8" in html
    assert "Still to train" not in html and "<td>Hal</td>" not in html
    assert "completion.csv" not in html
    assert client.get(_url(world, "training/completion.csv")).status_code == 403


@pytest.mark.parametrize(("fmt", "mimetype", "start"), [("png", "image/png", b"\x89PNG"),
                                                        ("svg", "image/svg+xml", b"<?xml")])
def test_the_chart_is_an_image_with_the_same_bytes_for_the_same_data(app, client, login_as, world, fmt,
                                                                    mimetype, start):
    login_as("viewer", world.programme)
    first = client.get(_url(world, f"training/readiness.{fmt}"))
    second = client.get(_url(world, f"training/readiness.{fmt}"))
    assert first.status_code == 200 and first.mimetype == mimetype
    assert first.data.startswith(start) and first.data == second.data
    assert client.get(_url(world, "training/readiness.gif")).status_code == 404


def test_the_chart_draws_a_bar_per_region_and_the_gate_line(app):
    bars = [CompletionBar("North", 4, 3), CompletionBar("South $x$", 3, 1), CompletionBar("Empty", 0, 0)]
    with app.test_request_context():
        figure = build_figure(bars, gate_pct=90)
        ax = figure.axes[0]
        drawn = sorted(patch.get_label() for patch in ax.patches)
        gate = [line for line in ax.lines if line.get_label() == "_gate"]
        texts = [text.get_text() for text in ax.texts]
        labels = [label.get_text() for label in ax.get_yticklabels()]
        empty = render_completion_chart([], gate_pct=90, fmt="svg")
    assert drawn == ["_bar:North", "_bar:South $x$"]
    assert gate and gate[0].get_xdata()[0] == 90
    assert "75% (3/4)" in texts and "33% (1/3)" in texts and "No one needs training here" in texts
    assert labels == ["North", "South $x$", "Empty"]
    assert b"<svg" in empty
    with pytest.raises(ValueError):
        render_completion_chart(bars, gate_pct=90, fmt="gif")


def test_completion_download_as_csv_and_xlsx(app, client, login_as, world):
    login_as("project_manager", world.programme)
    response = client.get(_url(world, "training/completion.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="training-completion-programme-{world.programme.id}.csv"')
    assert len(list(csv.reader(io.StringIO(response.get_data(as_text=True))))) == 11
    xlsx = client.get(_url(world, "training/completion.xlsx"))
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(xlsx.data))["Completion"]
    assert sheet.max_row == 11 and sheet.cell(1, 7).value == "Completed"
    assert client.get(_url(world, "training/completion.pdf")).status_code == 404


def test_roster_download_for_managers_and_the_sessions_own_trainer(app, client, factories, world):
    trainer = factories.user_with_role("trainer", world.programme)
    other_trainer = factories.user_with_role("trainer", world.programme)
    with app.app_context():
        session = db.session.get(TrainingSession, world.sessions["S2"])
        session.trainer_id = trainer.id
        db.session.commit()
    url = _url(world, f"sessions/{world.sessions['S2']}/roster.xlsx")
    log_in(client, other_trainer.email)
    assert client.get(url).status_code == 403
    own = app.test_client()
    log_in(own, trainer.email)
    response = own.get(url)
    assert response.status_code == 200
    rows = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(response.data))["Roster"].iter_rows()]
    assert [row[0] for row in rows] == ["Person", "Dee", "Eve", "Fay"]
    assert own.get(_url(world, f"sessions/{world.sessions['S2']}/roster.csv")).status_code == 200
    assert own.get(_url(world, "training/completion.csv")).status_code == 403


# --- query counts ---------------------------------------------------------------------------------------------

def _grow(app, w, start: int, n: int) -> None:
    """n more people, alternating regions, departments and roles, half of them trained in a new session each."""
    with app.app_context():
        programme = db.session.get(Programme, w.programme.id)
        regions, departments = list(w.regions.values()), list(w.departments.values())
        session = sessions.create_session(programme, course_id=w.courses["basics"], region_id=regions[0],
                                          trainer_id=None, start_on=date(2026, 11, 16), start_time=time(8, 0),
                                          duration_minutes=60, location="Hall", online_url="", capacity=1000)
        for i in range(start, start + n):
            person = people_services.create_person(
                programme, full_name=f"Grown {i:03d}", email=f"grown{i}@example.com",
                department_id=departments[i % 2], job_role=("Clerk", "Team lead", "Buyer")[i % 3],
                region_id=regions[i % 2], is_super_user=False)
            db.session.flush()
            sessions.enrol_person(session, person.id)
            sessions.mark_attendance(session, person_id=person.id, status=("present", "absent")[i % 2], note="",
                                     marked_by_id=None, now=session.starts_at)
        db.session.commit()


def test_query_counts_do_not_grow_with_people(app, client, login_as, world):
    _grow(app, world, 0, 2)  # 10 people
    login_as("project_manager", world.programme)
    urls = [_url(world, path) for path in (
        "training/readiness", "training/readiness?region={south}&page=1", "training/readiness.svg",
        "training/completion.csv", "training/completion.xlsx", "sessions/{s1}/roster.csv")]
    urls = [url.format(south=world.regions["South"], s1=world.sessions["S1"]) for url in urls]

    def counts() -> list[int]:
        result = []
        for url in urls:
            with count_queries(app) as statements:
                assert client.get(url).status_code == 200, url
            result.append(len(statements))
        return result

    few = counts()
    _grow(app, world, 2, 50)  # 60 people
    assert counts() == few
