"""The curriculum pages: courses, their requirements, the people who need them, and the requirement map."""
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from planner.core.models import AuditEvent
from planner.extensions import db
from planner.programmes.models import Department, Programme, Region
from planner.training import services
from planner.training.models import Course, CourseRequirement, TrainingSession
from tests.conftest import log_in, count_queries, form_post
from tests.rollout.helpers import field_errors

COURSE = {"title": "Selling with Helix", "format": "classroom", "duration_minutes": "90",
          "description": "Pipeline, quotes and forecasts on real accounts.",
          "material_links": "https://video.example.com/helix-sales\nhttps://wiki.example.com/quotes"}


def flashes(html: str) -> list[str]:
    return re.findall(r'<p class="flash flash-\w+">(.*?)</p>', html, re.DOTALL)


def make_course(app, programme, title: str = "Selling with Helix", requirements=(), **values) -> int:
    """A course with requirements given as (job role, department id) pairs; returns its id."""
    with app.app_context():
        course = services.create_course(db.session.get(Programme, programme.id), title=title,
                                        description=values.get("description", ""),
                                        duration_minutes=values.get("duration_minutes", 120),
                                        format=values.get("format", "classroom"),
                                        material_links=values.get("material_links", ""))
        for job_role, department_id in requirements:
            services.add_requirement(course, job_role=job_role, department_id=department_id)
        db.session.commit()
        return course.id


def ids_by_name(app, model, programme) -> dict[str, int]:
    with app.app_context():
        return {name: oid for name, oid in db.session.execute(
            select(model.name, model.id).where(model.programme_id == programme.id))}


def count(app, model, **where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


@pytest.fixture
def programme(make_programme):
    return make_programme(regions=["North", "South"], departments=["Sales", "Service"])


# --- courses ----------------------------------------------------------------------------------------------

def test_a_project_manager_adds_a_course(app, client, login_as, programme):
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/courses/new"
    response = form_post(client, url, COURSE)
    assert response.status_code == 302
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.programme_id == programme.id))
        assert (course.title, course.duration_minutes, course.format.value) == ("Selling with Helix", 90, "classroom")
        assert course.links == ["https://video.example.com/helix-sales", "https://wiki.example.com/quotes"]
    assert response.headers["Location"].endswith(f"/programmes/{programme.id}/courses/{course.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Course added: Selling with Helix" in " ".join(flashes(page))
    assert '<a href="https://video.example.com/helix-sales"' in page


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"material_links": "javascript:alert(1)"}, "material_links", "http"),
    ({"material_links": "https://ok.example.com\nwww.example.com"}, "material_links", "www.example.com"),
    ({"title": ""}, "title", ""),
    ({"duration_minutes": "3"}, "duration_minutes", ""),
    ({"format": "webinar"}, "format", ""),
])
def test_bad_course_input_is_shown_and_nothing_is_written(app, client, login_as, programme, values, field,
                                                          message):
    login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/courses/new", {**COURSE, **values})
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True), field)
    assert errors and message in errors
    assert count(app, Course, programme_id=programme.id) == 0


def test_a_taken_title_is_refused(app, client, login_as, programme):
    make_course(app, programme, "Selling with Helix")
    login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/courses/new", {**COURSE, "title": "SELLING with helix"})
    assert response.status_code == 422
    assert "Another course" in field_errors(response.get_data(as_text=True), "title")
    assert count(app, Course, programme_id=programme.id) == 1


def test_editing_a_course_and_a_stale_edit(app, client, login_as, programme):
    course_id = make_course(app, programme)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/courses/{course_id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Selling with Helix"' in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = form_post(client, url, {**COURSE, "title": "Helix for sales", "format": "virtual",
                                       "version": version})
    assert response.status_code == 302
    stale = form_post(client, url, {**COURSE, "title": "Something else", "version": version})
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.get_data(as_text=True)
    with app.app_context():
        course = db.session.get(Course, course_id)
        assert (course.title, course.format.value) == ("Helix for sales", "virtual")


def test_deleting_a_course(app, client, login_as, programme):
    course_id = make_course(app, programme, requirements=[("Sales representative", None)])
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/courses/{course_id}/delete"
    assert "Delete the course Selling with Helix?" in client.get(url).get_data(as_text=True)
    response = form_post(client, url, {})
    assert response.status_code == 302
    assert count(app, Course, id=course_id) == 0
    assert count(app, CourseRequirement, course_id=course_id) == 0


def test_a_course_with_sessions_is_not_deleted(app, client, login_as, programme):
    course_id = make_course(app, programme)
    region_id = ids_by_name(app, Region, programme)["North"]
    with app.app_context():
        db.session.add(TrainingSession(programme_id=programme.id, course_id=course_id, region_id=region_id,
                                       uid=f"training-session-pages-{course_id}@example.com",
                                       time_zone="Europe/Berlin", local_start=datetime(2026, 11, 3, 9),
                                       duration_minutes=120, starts_at=datetime(2026, 11, 3, 8, tzinfo=UTC),
                                       ends_at=datetime(2026, 11, 3, 10, tzinfo=UTC)))
        db.session.commit()
    login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/courses/{course_id}/delete", {})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot be deleted" in " ".join(flashes(page))
    assert count(app, Course, id=course_id) == 1


def test_the_course_list_shows_figures_and_hides_writes_from_viewers(app, client, login_as, programme,
                                                                    make_person):
    sales = ids_by_name(app, Department, programme)["Sales"]
    make_course(app, programme, "Selling with Helix", requirements=[("Sales representative", None), ("", sales)])
    make_course(app, programme, "Admin console")
    make_person(programme, "Ana", job_role="Sales representative", department_id=sales)
    make_person(programme, "Ben", job_role="sales representative")
    make_person(programme, "Cem", job_role="Controller")
    login_as("viewer", programme)
    page = client.get(f"/programmes/{programme.id}/courses").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL)
    selling = next(row for row in rows if "Selling with Helix" in row)
    assert re.findall(r"<td>(\d+)", selling) == ["120", "2", "2"]  # minutes, requirements, people
    admin = next(row for row in rows if "Admin console" in row)
    assert "Nobody is required" in admin
    assert "Add a course" not in page
    assert client.get(f"/programmes/{programme.id}/courses/new").status_code == 403


# --- requirements on the course page ------------------------------------------------------------------------

def test_adding_and_removing_requirements(app, client, login_as, programme, make_person):
    departments = ids_by_name(app, Department, programme)
    course_id = make_course(app, programme)
    make_person(programme, "Ana Lima", job_role="Sales representative", department_id=departments["Sales"])
    make_person(programme, "Cem Kaya", job_role="Service agent", department_id=departments["Service"])
    login_as("project_manager", programme)
    course_url = f"/programmes/{programme.id}/courses/{course_id}"
    page = client.get(course_url).get_data(as_text=True)
    assert '<option value="Sales representative">' in page  # job roles offered from the people list
    response = form_post(client, f"{course_url}/requirements",
                         {"job_role": "sales representative", "department_id": str(departments["Sales"])},
                         page_url=course_url)
    assert response.status_code == 302
    page = client.get(course_url).get_data(as_text=True)
    assert "Requirement added: sales representative in Sales." in " ".join(flashes(page))
    assert "Ana Lima" in page and "Cem Kaya" not in page
    assert "1 person needs it" in page

    everyone = form_post(client, f"{course_url}/requirements", {"job_role": "", "department_id": ""},
                         page_url=course_url)
    assert everyone.status_code == 302
    page = client.get(course_url).get_data(as_text=True)
    assert "Requirement added: everyone." in " ".join(flashes(page))
    assert "Ana Lima" in page and "Cem Kaya" in page

    with app.app_context():
        requirement_id = db.session.scalar(select(CourseRequirement.id).where(CourseRequirement.job_role == ""))
    removed = form_post(client, f"/programmes/{programme.id}/requirements/{requirement_id}/delete", {},
                        page_url=course_url)
    assert removed.status_code == 302
    page = client.get(course_url).get_data(as_text=True)
    assert "Requirement removed: everyone." in " ".join(flashes(page))
    assert "Cem Kaya" not in page
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "CourseRequirement",
                                                                 AuditEvent.object_id == requirement_id)
                                 .order_by(AuditEvent.id.desc()).limit(1)) == "delete"


def test_a_duplicate_or_foreign_requirement_is_refused(app, client, login_as, programme, make_programme):
    sales = ids_by_name(app, Department, programme)["Sales"]
    course_id = make_course(app, programme, requirements=[("Sales representative", sales)])
    other = make_programme(departments=["Finance"])
    finance = ids_by_name(app, Department, other)["Finance"]
    login_as("project_manager", programme)
    course_url = f"/programmes/{programme.id}/courses/{course_id}"
    duplicate = form_post(client, f"{course_url}/requirements",
                          {"job_role": " SALES representative ", "department_id": str(sales)}, page_url=course_url)
    assert duplicate.status_code == 422
    assert "already has this requirement" in field_errors(duplicate.get_data(as_text=True), "job_role")
    foreign = form_post(client, f"{course_url}/requirements", {"job_role": "", "department_id": str(finance)},
                        page_url=course_url)
    assert foreign.status_code == 422
    assert field_errors(foreign.get_data(as_text=True), "department_id")
    too_long = form_post(client, f"{course_url}/requirements", {"job_role": "x" * 121, "department_id": ""},
                         page_url=course_url)
    assert too_long.status_code == 422
    assert count(app, CourseRequirement, course_id=course_id) == 1


def test_the_people_needing_a_course_are_paginated(app, client, factories, login_as, programme, make_person):
    course_id = make_course(app, programme, requirements=[("Sales representative", None)])
    for i in range(27):
        make_person(programme, f"Seller {i:02d}", job_role="Sales representative")
    login_as("trainer", programme)  # may see people, may not change the curriculum
    url = f"/programmes/{programme.id}/courses/{course_id}"
    first = client.get(url).get_data(as_text=True)
    assert "27 people need it" in first
    assert "Seller 00" in first and "Seller 24" in first and "Seller 25" not in first
    second = client.get(f"{url}?page=2").get_data(as_text=True)
    assert "Seller 25" in second and "Seller 26" in second and "Seller 00" not in second
    assert "Add a requirement" not in first and "Remove" not in first
    viewer_client = app.test_client()
    log_in(viewer_client, factories.user_with_role("viewer", programme).email)
    as_viewer = viewer_client.get(url).get_data(as_text=True)  # the count, not the names (no PEOPLE_VIEW)
    assert "27 people need it" in as_viewer and "Seller 00" not in as_viewer


def test_the_course_page_counts_a_person_matched_twice_once_and_suggests_each_role_once(
        app, client, login_as, programme, make_person):
    departments = ids_by_name(app, Department, programme)
    course_id = make_course(app, programme, requirements=[("Sales representative", None),
                                                          ("", departments["Sales"])])
    make_person(programme, "Ana Lima", job_role="Sales representative", department_id=departments["Sales"])
    make_person(programme, "Ben Ode", job_role="SALES REPRESENTATIVE")
    make_person(programme, "Cem Ulu", job_role="Controller", department_id=departments["Sales"])
    make_person(programme, "Dan Roe", job_role="Controller")
    make_person(programme, "Eve Sol", job_role="")
    login_as("project_manager", programme)
    page = client.get(f"/programmes/{programme.id}/courses/{course_id}").get_data(as_text=True)
    assert "3 people need it" in page  # Ana by both requirements, once; Ben by role; Cem by department
    assert "Dan Roe" not in page and "Eve Sol" not in page
    datalist = re.search(r'<datalist id="job-roles">(.*?)</datalist>', page).group(1)
    suggestions = re.findall(r'<option value="([^"]*)">', datalist)
    assert len(suggestions) == 2 and suggestions[0] == "Controller"  # one spelling of each role, empty left out
    assert suggestions[1] in ("Sales representative", "SALES REPRESENTATIVE")


# --- the requirement map ----------------------------------------------------------------------------------

def test_the_requirement_map_counts_per_region_and_warns_about_people_without_any(app, client, login_as,
                                                                                 programme, make_person):
    regions = ids_by_name(app, Region, programme)
    departments = ids_by_name(app, Department, programme)
    make_course(app, programme, "Selling with Helix", requirements=[("Sales representative", None)])
    make_course(app, programme, "Service cases", requirements=[("", departments["Service"])])
    make_person(programme, "Ana Lima", job_role="Sales representative", region_id=regions["North"])
    make_person(programme, "Ben Ode", job_role="Sales representative", region_id=regions["South"],
                department_id=departments["Service"])
    make_person(programme, "Cora Nix", job_role="Data steward", region_id=regions["North"])
    make_person(programme, "Dan Roe", job_role="Report reader", region_id=regions["South"])
    make_person(programme, "Eve Sol", job_role="Controller")
    login_as("trainer", programme)
    url = f"/programmes/{programme.id}/training/requirements"
    page = client.get(url).get_data(as_text=True)
    rows = {re.search(r"<td>(.*?)</td>", row).group(1): re.findall(r"<td>(?:<a[^>]*><span[^>]*>)?(\d+)", row)
            for row in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL) if "<td>" in row}
    assert rows["North"] == ["1", "0", "1"]
    assert rows["South"] == ["1", "1", "1"]
    assert rows["No region"] == ["0", "0", "1"]
    warning = page[page.index("People with no training requirement"):]
    assert all(name in warning for name in ("Cora Nix", "Dan Roe", "Eve Sol"))
    assert "Ana Lima" not in warning and "Ben Ode" not in warning

    north = client.get(f"{url}?region={regions['North']}").get_data(as_text=True)
    warning = north[north.index("People with no training requirement"):]
    assert "Cora Nix" in warning and "Dan Roe" not in warning and "Eve Sol" not in warning
    nonsense = client.get(f"{url}?region=999999").get_data(as_text=True)
    assert "Eve Sol" in nonsense


def test_the_warning_list_is_paginated(app, client, login_as, programme, make_person, monkeypatch):
    """Its pages come from the counts the map shows (no count of its own), for all regions or one."""
    regions = ids_by_name(app, Region, programme)
    for i in range(26):
        make_person(programme, f"Reader {i:02d}", job_role="Report reader",
                    region_id=regions["North"] if i < 5 else None)
    login_as("trainer", programme)  # may see people
    url = f"/programmes/{programme.id}/training/requirements"
    page_one = client.get(url).get_data(as_text=True)
    assert "Reader 25" not in page_one and "Page 1 of 2" in page_one
    assert "Reader 25" in client.get(f"{url}?page=2").get_data(as_text=True)
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 2)
    north = client.get(f"{url}?region={regions['North']}").get_data(as_text=True)
    assert "Page 1 of 3" in north and "Reader 00" in north and "Reader 05" not in north
    assert "Reader 04" in client.get(f"{url}?region={regions['North']}&page=3").get_data(as_text=True)


def test_the_requirement_map_shows_a_page_of_regions_with_the_programme_totals(app, client, login_as,
                                                                                make_programme, make_person,
                                                                                monkeypatch):
    """Regions by name, a page at a time (its own page argument, so the people list keeps its page); the people
    without a region after the last region; the totals row counts every region on every page."""
    programme = make_programme(regions=["Delta", "Alpha", "Echo", "Bravo", "Charlie"], departments=[])
    regions = ids_by_name(app, Region, programme)
    make_course(app, programme, "Selling with Helix", requirements=[("Sales representative", None)])
    for name, sellers, readers in (("Alpha", 1, 0), ("Bravo", 2, 1), ("Charlie", 0, 0), ("Delta", 4, 0),
                                   ("Echo", 0, 2)):
        for i in range(sellers):
            make_person(programme, f"Seller {name} {i}", job_role="Sales representative", region_id=regions[name])
        for i in range(readers):
            make_person(programme, f"Reader {name} {i}", job_role="Report reader", region_id=regions[name])
    make_person(programme, "Nobody's seller", job_role="Sales representative")
    make_person(programme, "Nobody's reader", job_role="Report reader")
    login_as("trainer", programme)
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 2)
    url = f"/programmes/{programme.id}/training/requirements"

    def map_rows(page: str) -> dict[str, list[str]]:
        table = page[page.index('id="map"'):page.index("People with no training requirement")]
        return {re.search(r"<t[dh][^>]*>(.*?)</t[dh]>", row).group(1):
                re.findall(r"<td>(?:<a[^>]*><span[^>]*>)?(\d+)", row)
                for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL) if "<td>" in row}

    first, second, third = (client.get(f"{url}?regions_page={number}&page=2").get_data(as_text=True)
                            for number in (1, 2, 3))
    totals = {"All regions": ["8", "4"]}  # sellers and readers of every region, and of none
    assert map_rows(first) == {"Alpha": ["1", "0"], "Bravo": ["2", "1"], **totals}
    assert map_rows(second) == {"Charlie": ["0", "0"], "Delta": ["4", "0"], **totals}
    assert map_rows(third) == {"Echo": ["0", "2"], "No region": ["1", "1"], **totals}
    assert "Page 2 of 3" in second
    next_link = re.search(r'href="([^"]*)" rel="next"', second[:second.index("People with no")]).group(1)
    assert next_link.endswith("#map") and "regions_page=3" in next_link and "page=2" in next_link
    # the people list keeps its own page: 4 readers, 2 a page, the second page whatever the regions' page
    assert all("Page 2 of 2" in page and "Reader Echo 1" in page for page in (first, second, third))
    # the region filter lists every region, not only the page's
    assert all(f'<option value="{region_id}"' in first for region_id in regions.values())
    beyond = client.get(f"{url}?regions_page=9").get_data(as_text=True)
    assert map_rows(beyond) == totals and "No regions on this page." in beyond


# --- query counts -----------------------------------------------------------------------------------------

def grow(app, programme, n: int) -> int:
    """n courses with two requirements each, and n people in each region; returns the first course's id."""
    regions = ids_by_name(app, Region, programme)
    departments = ids_by_name(app, Department, programme)
    with app.app_context():
        from planner.people import services as people_services

        target = db.session.get(Programme, programme.id)
        first = None
        for i in range(n):
            course = services.create_course(target, title=f"Course {i:02d}", description="", duration_minutes=60,
                                            format="virtual", material_links=f"https://example.com/{i}")
            services.add_requirement(course, job_role=f"Role {i}", department_id=None)
            services.add_requirement(course, job_role="", department_id=departments["Sales"])
            first = first or course.id
            for region_id in regions.values():
                people_services.create_person(target, full_name=f"P{i}-{region_id}", email=f"p{i}.{region_id}@ex.com",
                                              department_id=departments["Sales"] if i % 2 else None,
                                              job_role=f"Role {i}" if i % 3 else "Other", region_id=region_id,
                                              is_super_user=False)
        db.session.commit()
        return first


@pytest.mark.parametrize("page", ["courses", "courses/{course}", "training/requirements",
                                  "training/requirements?region={region}"])
def test_curriculum_pages_answer_in_a_constant_number_of_queries(app, client, login_as, make_programme, page):
    small = make_programme(regions=["North", "South"], departments=["Sales"])
    big = make_programme(regions=["North", "South"], departments=["Sales"])
    small_course, big_course = grow(app, small, 3), grow(app, big, 30)
    login_as("admin")
    counts = []
    for programme, course_id in ((small, small_course), (big, big_course)):
        url = f"/programmes/{programme.id}/" + page.format(course=course_id,
                                                           region=ids_by_name(app, Region, programme)["North"])
        client.get(url)
        with count_queries(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries with 3 of everything, {counts[1]} with 30"
