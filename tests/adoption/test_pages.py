"""Adoption pages: the region x week table and the entry form, CSV import (preview, confirm) and export, the
chart, the super-users page; refusals answer 422 and write nothing; query counts do not grow with the rows."""
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from planner.adoption.models import AdoptionFigure
from planner.extensions import db
from planner.people.models import Person
from tests.adoption.helpers import TODAY, build, record
from tests.conftest import count_queries, csrf_token_from, form_post


@pytest.fixture
def world(app, factories, today_is):
    today_is(TODAY)
    return build(app, factories)


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AdoptionFigure.id)))


def test_the_page_shows_the_latest_week_against_the_gate(app, client, login_as, world):
    record(app, world, "North", date(2026, 10, 5), 30, 100)
    record(app, world, "North", date(2026, 10, 12), 75, 100)
    record(app, world, "South", date(2026, 10, 12), 10, 40)
    login_as("viewer", world.programme)
    page = client.get(f"/programmes/{world.programme.id}/adoption")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2026-W42" in html and "75%" in html and "30%" in html and "25%" in html
    assert "below 60%" in html and "No figures recorded yet" in html
    assert "Record a week" not in html and "/adoption/import" not in html  # viewers only read
    assert "/adoption/export.csv" in html


def test_the_region_tables_show_a_page_of_regions_and_the_figures_list_keeps_its_own_page(
        app, client, login_as, world, monkeypatch):
    """Both region tables show the same page of regions by name (``?regions_page=``), each with its own figures;
    the list of every figure pages on ``?page=`` independently."""
    record(app, world, "East", date(2026, 10, 12), 45, 100)
    record(app, world, "North", date(2026, 10, 5), 30, 100)
    record(app, world, "North", date(2026, 10, 12), 75, 100)
    record(app, world, "South", date(2026, 10, 12), 10, 40)
    login_as("viewer", world.programme)
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 2)
    url = f"/programmes/{world.programme.id}/adoption"

    def region_tables(html: str) -> tuple[list[str], list[str]]:
        latest = html[html.index('id="regions"'):html.index("Recent weeks")]
        recent = html[html.index("Recent weeks"):html.index("All figures")]
        return (re.findall(r"<tr>\s*<td>([^<]+)</td>", latest), re.findall(r"<tr><td>([^<]+)</td>", recent))

    first = client.get(f"{url}?page=2").get_data(as_text=True)
    second = client.get(f"{url}?regions_page=2&page=2").get_data(as_text=True)
    assert region_tables(first) == (["East", "North"], ["East", "North"])
    assert "45%" in first.split("Recent weeks")[0] and "75%" in first.split("Recent weeks")[0]
    assert region_tables(second) == (["South"], ["South"])
    assert "25%" in second.split("Recent weeks")[0] and "75%" not in second.split("Recent weeks")[0]
    pagers = re.findall(r'<nav class="pager".*?</nav>', first, re.DOTALL)
    assert len(pagers) == 2 and "regions_page=2" in pagers[0] and pagers[0].count("#regions") == 1
    all_figures = [html[html.index("All figures"):] for html in (first, second)]
    assert all("Page 2 of 2" in listed and "2026-10-05" in listed for listed in all_figures)  # the oldest figure
    beyond = client.get(f"{url}?regions_page=5").get_data(as_text=True)
    assert region_tables(beyond) == ([], []) and "No regions on this page." in beyond


def test_a_project_manager_records_a_week(app, client, login_as, world):
    login_as("project_manager", world.programme)
    url = f"/programmes/{world.programme.id}/adoption/figures/new"
    response = form_post(client, url, {"region_id": world.regions["North"], "week": "2026-W41",
                                       "active_users": "40", "licensed_users": "80"})
    assert response.status_code == 302
    with app.app_context():
        figure = db.session.scalar(select(AdoptionFigure))
        assert (figure.week, figure.percent, figure.source.value) == (date(2026, 10, 5), 50.0, "entered")
        assert figure.recorded_by_id is not None


@pytest.mark.parametrize("values, message", [
    ({"active_users": "90", "licensed_users": "80"}, "cannot be more than licensed users"),
    ({"week": "2026-W44"}, "has not started yet"),
    ({"week": "whenever"}, "is not a week"),
    ({"week": "2025-W08"}, "more than a year before the programme starts"),
    ({"week": "0001-01-01"}, "more than a year before the programme starts"),
    ({"active_users": "many"}, "Not a valid integer value"),
    ({"region_id": ""}, "This field is required"),
])
def test_a_bad_figure_is_shown_on_the_form_with_422_and_nothing_written(app, client, login_as, world, values,
                                                                      message):
    login_as("project_manager", world.programme)
    url = f"/programmes/{world.programme.id}/adoption/figures/new"
    data = {"region_id": world.regions["North"], "week": "2026-W41", "active_users": "40", "licensed_users": "80",
            **values}
    response = form_post(client, url, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(app) == 0


def test_only_project_managers_write(app, client, login_as, world):
    login_as("committee_member", world.programme)
    url = f"/programmes/{world.programme.id}/adoption/figures/new"
    token = csrf_token_from(client.get(f"/programmes/{world.programme.id}/waves").get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "region_id": world.regions["North"], "week": "2026-W41",
                                      "active_users": "1", "licensed_users": "2"})
    assert response.status_code == 403
    assert _count(app) == 0


def test_edit_and_delete_a_figure(app, client, login_as, world):
    figure_id = record(app, world, "North", date(2026, 10, 5), 30, 100)
    login_as("project_manager", world.programme)
    base = f"/programmes/{world.programme.id}/adoption/figures/{figure_id}"
    stale = form_post(client, f"{base}/edit", {"active_users": "31", "licensed_users": "100", "version": "99"})
    assert stale.status_code == 409
    saved = form_post(client, f"{base}/edit", {"active_users": "31", "licensed_users": "100", "version": "1"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(AdoptionFigure, figure_id).active_users == 31
    assert form_post(client, f"{base}/delete", {}).status_code == 302
    assert _count(app) == 0


def test_import_previews_then_imports_all_or_nothing(app, client, login_as, world):
    login_as("project_manager", world.programme)
    url = f"/programmes/{world.programme.id}/adoption/import"
    bad = b"region,week,active,licensed\nNorth,2026-W41,1,2\nNowhere,2026-W41,1,2\n"
    response = form_post(client, url, {"file": (io.BytesIO(bad), "adoption.csv")},
                         content_type="multipart/form-data")
    assert response.status_code == 422
    assert "unknown region" in response.get_data(as_text=True)
    assert _count(app) == 0

    good = b"region,week,active,licensed\nNorth,2026-W41,10,20\nSouth,2026-W41,5,20\n"
    preview = form_post(client, url, {"file": (io.BytesIO(good), "adoption.csv")},
                        content_type="multipart/form-data")
    assert preview.status_code == 200
    assert _count(app) == 0
    html = preview.get_data(as_text=True)
    confirm = client.post(f"{url}/confirm", data={"csrf_token": csrf_token_from(html),
                                                  "csv_text": good.decode()})
    assert confirm.status_code == 302
    assert _count(app) == 2

    tampered = client.post(f"{url}/confirm", data={"csrf_token": csrf_token_from(html),
                                                   "csv_text": "region,week,active,licensed\nEast,2026-W41,1,2\n"
                                                               "East,2026-W41,3,2\n"})
    assert tampered.status_code == 422
    assert _count(app) == 2


def test_a_file_that_is_not_utf8_is_refused(app, client, login_as, world):
    login_as("project_manager", world.programme)
    url = f"/programmes/{world.programme.id}/adoption/import"
    response = form_post(client, url, {"file": (io.BytesIO("region\nZürich".encode("latin-1")), "a.csv")},
                         content_type="multipart/form-data")
    assert response.status_code == 422
    assert "not valid UTF-8" in response.get_data(as_text=True)


def test_the_export_downloads_for_readers(app, client, login_as, world):
    record(app, world, "North", date(2026, 10, 5), 30, 100)
    login_as("viewer", world.programme)
    response = client.get(f"/programmes/{world.programme.id}/adoption/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).splitlines()[1] == "North,2026-10-05,30,100,30.0,entered"


@pytest.mark.parametrize("fmt, mimetype, magic", [("png", "image/png", b"\x89PNG"), ("svg", "image/svg+xml", b"<?xml")])
def test_the_chart_is_drawn_the_same_twice(app, client, login_as, world, fmt, mimetype, magic):
    with app.app_context():
        from planner.programmes.models import Region

        db.session.get(Region, world.regions["North"]).live_on = date(2026, 9, 30)
        db.session.commit()
    for weeks_ago, active in ((3, 20), (2, 40), (1, 55), (0, 70)):
        record(app, world, "North", TODAY - timedelta(weeks=weeks_ago), active, 100)
    record(app, world, "South", TODAY, 5, 10)
    login_as("viewer", world.programme)
    first = client.get(f"/programmes/{world.programme.id}/adoption/chart.{fmt}")
    second = client.get(f"/programmes/{world.programme.id}/adoption/chart.{fmt}")
    assert first.status_code == 200 and first.mimetype == mimetype
    assert first.data.startswith(magic) and first.data == second.data
    assert client.get(f"/programmes/{world.programme.id}/adoption/chart.gif").status_code == 404


def test_the_chart_draws_lines_go_live_and_the_gate(app, world):
    from planner.reports.adoption_chart import AdoptionLine, build_figure

    lines = [AdoptionLine("North", [(date(2026, 9, 28), 30.0), (date(2026, 10, 5), 60.0)], date(2026, 9, 30)),
             AdoptionLine("South", [], None)]
    with app.test_request_context():
        figure = build_figure(lines, gate_pct=60, title="Demo")
    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    assert "_line:North" in labels and "_go_live:North" in labels and "_gate" in labels
    assert not any("South" in label for label in labels)


def _page_queries(app, client, url) -> int:
    with count_queries(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_adoption_page_and_chart_ask_a_fixed_number_of_queries(app, client, factories, login_as, world):
    login_as("project_manager", world.programme)
    page = f"/programmes/{world.programme.id}/adoption"
    chart = f"/programmes/{world.programme.id}/adoption/chart.svg"
    for region in ("North", "South", "East"):
        record(app, world, region, TODAY, 1, 2)
    few = (_page_queries(app, client, page), _page_queries(app, client, chart))
    for index in range(7):
        factories.region(world.programme, f"Extra {index}")
    with app.app_context():
        from planner.programmes.models import Region

        world.regions.update({name: region_id for region_id, name in db.session.execute(
            select(Region.id, Region.name).where(Region.programme_id == world.programme.id))})
    for region in world.regions:
        for weeks_ago in range(3):
            record(app, world, region, TODAY - timedelta(weeks=weeks_ago), 1, 2)
    assert _count(app) == 30
    assert (_page_queries(app, client, page), _page_queries(app, client, chart)) == few


# --- super-users -------------------------------------------------------------------------------------------

def _people(factories, world):
    sales, it = world.departments["Sales"], world.departments["IT"]
    return {
        "Ada": factories.person(world.programme, "Ada Sales", region_id=world.regions["North"], department_id=sales,
                                is_super_user=True).id,
        "Ian": factories.person(world.programme, "Ian Tech", region_id=world.regions["South"], department_id=it,
                                is_super_user=True).id,
        "Sam": factories.person(world.programme, "Sam Seller", region_id=world.regions["South"],
                                department_id=sales).id,
        "Eve": factories.person(world.programme, "Eve East", region_id=world.regions["East"]).id,
    }


def test_viewers_see_counts_and_flags_but_no_names(app, client, factories, login_as, world):
    _people(factories, world)
    login_as("viewer", world.programme)
    html = client.get(f"/programmes/{world.programme.id}/super-users").get_data(as_text=True)
    assert "No super-user" in html and "Only in IT" in html
    assert "Ada Sales" not in html and "Ian Tech" not in html and "Nominate" not in html


def test_project_managers_nominate_and_remove_super_users(app, client, factories, login_as, world):
    people = _people(factories, world)
    login_as("project_manager", world.programme)
    listing = client.get(f"/programmes/{world.programme.id}/super-users").get_data(as_text=True)
    assert "Ada Sales" in listing and "Ian Tech" in listing
    url = f"/programmes/{world.programme.id}/super-users/regions/{world.regions['South']}/nominate"
    form = client.get(url).get_data(as_text=True)
    assert "Sam Seller" in form and "Ada Sales" not in form and "Eve East" not in form
    # someone of another region is not a choice
    assert form_post(client, url, {"person_id": people["Eve"]}).status_code == 422
    assert form_post(client, url, {}).status_code == 422
    assert form_post(client, url, {"person_id": people["Sam"]}).status_code == 302
    remove = f"/programmes/{world.programme.id}/super-users/{people['Ian']}/remove"
    assert client.post(remove, data={"csrf_token": csrf_token_from(form)}).status_code == 302
    with app.app_context():
        flags = dict(db.session.execute(select(Person.full_name, Person.is_super_user)
                                        .where(Person.programme_id == world.programme.id)).all())
    assert flags == {"Ada Sales": True, "Ian Tech": False, "Sam Seller": True, "Eve East": False}


def test_committee_members_cannot_nominate(app, client, factories, login_as, world):
    people = _people(factories, world)
    login_as("committee_member", world.programme)
    url = f"/programmes/{world.programme.id}/super-users/regions/{world.regions['South']}/nominate"
    assert client.get(url).status_code == 403
    token = csrf_token_from(client.get(f"/programmes/{world.programme.id}/waves").get_data(as_text=True))
    remove = f"/programmes/{world.programme.id}/super-users/{people['Ian']}/remove"
    assert client.post(remove, data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.get(Person, people["Ian"]).is_super_user


def test_the_super_users_page_asks_a_fixed_number_of_queries(app, client, factories, login_as, world):
    _people(factories, world)
    login_as("project_manager", world.programme)
    url = f"/programmes/{world.programme.id}/super-users"
    few = _page_queries(app, client, url)
    for index in range(27):
        factories.person(world.programme, region_id=world.regions["East"], is_super_user=True,
                         department_id=world.departments["Sales"] if index % 2 else None)
    assert _page_queries(app, client, url) == few
