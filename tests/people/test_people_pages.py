"""People pages: list, search and filters, forms, stale edits, mass assignment, and query counts."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.auth import services as auth_services
from planner.auth.models import User
from planner.core.errors import DomainError
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.people import services as people_services
from planner.people.models import Person
from planner.programmes import services as programme_services
from planner.programmes.models import Department, Membership, Programme, Region
from tests.conftest import count_queries, csrf_token_from, form_post, log_in


@pytest.fixture
def programme(make_programme):
    return make_programme(regions=["North", "South"], departments=["Sales", "IT"])


def ids_by_name(app, programme, model) -> dict[str, int]:
    with app.app_context():
        return {name: oid for oid, name in db.session.execute(
            select(model.id, model.name).where(model.programme_id == programme.id))}


def load(app, model, object_id):
    with app.app_context():
        obj = db.session.get(model, object_id)
        if obj is not None:
            db.session.expunge(obj)
        return obj


def people_count(app, programme) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Person.id)).where(Person.programme_id == programme.id))


def add_people(app, programme, count: int, start: int = 0) -> None:
    """``count`` people spread over the programme's regions and departments, written in one go."""
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        regions = db.session.scalars(select(Region.id).where(Region.programme_id == programme.id)).all() or [None]
        departments = db.session.scalars(
            select(Department.id).where(Department.programme_id == programme.id)).all() or [None]
        for n in range(start, start + count):
            people_services.create_person(
                target, full_name=f"Person {n:03d}", email=f"p{n:03d}.{programme.id}@example.com",
                department_id=departments[n % len(departments)], job_role="Rep",
                region_id=regions[n % len(regions)], is_super_user=n % 7 == 0)
        db.session.commit()


def listed_emails(page_html: str) -> list[str]:
    return re.findall(r"<td>([^<>]+@example\.com)</td>", page_html)


def person_form(**overrides) -> dict:
    values = {"full_name": "Ann Example", "email": "ann@example.com", "department_id": "", "job_role": "Rep",
              "region_id": ""}
    values.update(overrides)
    return values


def field_errors(page_html: str, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', page_html, re.S)
    return match.group(1) if match else ""


def edit_page(client, url: str) -> tuple[str, str]:
    """The edit form's CSRF token and the version it was rendered with."""
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert version, "no version field in the edit form"
    return csrf_token_from(page), version.group(1)


# --- listing ---------------------------------------------------------------------------------

def test_people_list_paginates_25_per_page(app, client, login_as, programme):
    add_people(app, programme, 30)
    login_as("committee_member", programme)
    first = client.get(f"/programmes/{programme.id}/people").get_data(as_text=True)
    assert listed_emails(first) == [f"p{n:03d}.{programme.id}@example.com" for n in range(25)]
    assert "30 people" in first and "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get(f"/programmes/{programme.id}/people?page=2").get_data(as_text=True)
    assert listed_emails(second) == [f"p{n:03d}.{programme.id}@example.com" for n in range(25, 30)]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    beyond = client.get(f"/programmes/{programme.id}/people?page=9")
    assert beyond.status_code == 200 and listed_emails(beyond.get_data(as_text=True)) == []


def test_people_list_searches_and_filters(app, client, login_as, programme, make_person, make_programme):
    regions = ids_by_name(app, programme, Region)
    departments = ids_by_name(app, programme, Department)
    make_person(programme, "Anna North", email="anna@example.com", region_id=regions["North"],
                department_id=departments["Sales"])
    make_person(programme, "Bob South", email="bob@example.com", region_id=regions["South"],
                department_id=departments["Sales"])
    make_person(programme, "Cid North", email="cid.hannah@example.com", region_id=regions["North"],
                department_id=departments["IT"])
    make_person(make_programme(), "Anna Elsewhere", email="anna.elsewhere@example.com")
    login_as("committee_member", programme)
    url = f"/programmes/{programme.id}/people"

    def emails(query: str) -> list[str]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        return listed_emails(response.get_data(as_text=True))

    assert emails("") == ["anna@example.com", "bob@example.com", "cid.hannah@example.com"]
    assert emails("q=ANNA") == ["anna@example.com", "cid.hannah@example.com"]  # name or email, any case
    assert emails("q=bob%40") == ["bob@example.com"]
    assert emails(f"region={regions['North']}") == ["anna@example.com", "cid.hannah@example.com"]
    assert emails(f"department={departments['Sales']}") == ["anna@example.com", "bob@example.com"]
    assert emails(f"region={regions['North']}&department={departments['IT']}") == ["cid.hannah@example.com"]
    assert emails(f"q=anna&region={regions['South']}") == []
    assert emails("q=100%25") == []  # a % is searched for, not a wildcard


# --- query counts: a page's queries must not grow with its rows -------------------------------

def queries_for(app, client, url: str) -> int:
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_people_list_query_count_does_not_grow(app, client, login_as, make_programme):
    # a region and department per person on a page, so a lazy load per row would show in the count
    programme = make_programme(regions=[f"Region {n:02d}" for n in range(30)],
                               departments=[f"Dept {n:02d}" for n in range(30)])
    add_people(app, programme, 5)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/people"
    few = queries_for(app, client, url)
    add_people(app, programme, 55, start=5)
    assert queries_for(app, client, url) == few
    assert queries_for(app, client, f"{url}?q=person&region={ids_by_name(app, programme, Region)['Region 01']}") == few


def test_regions_and_departments_query_counts_do_not_grow(app, client, login_as, make_programme):
    programme = make_programme(regions=[f"Region {n}" for n in range(5)],
                               departments=[f"Dept {n}" for n in range(5)])
    add_people(app, programme, 10)
    login_as("project_manager", programme)
    regions_url = f"/programmes/{programme.id}/regions"
    departments_url = f"/programmes/{programme.id}/departments"
    few_regions = queries_for(app, client, regions_url)
    few_departments = queries_for(app, client, departments_url)
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        for n in range(5, 60):
            programme_services.create_region(target, name=f"Region {n}", tier="standard",
                                             time_zone="Asia/Tokyo", headcount=n, site_notes="")
            programme_services.create_department(target, name=f"Dept {n}", is_it=False)
        db.session.commit()
    add_people(app, programme, 60, start=10)
    assert queries_for(app, client, regions_url) == few_regions
    assert queries_for(app, client, departments_url) == few_departments
    assert queries_for(app, client, f"{regions_url}?page=3") == few_regions


def test_regions_and_departments_count_their_people_of_every_role(app, client, login_as, make_programme):
    """The people columns of the regions, departments and programme pages count the programme's people of every
    job role, those without a role too (summed from the kept kinds), and follow a person moved."""
    programme = make_programme(regions=["North", "South"], departments=["Sales", "IT"])
    other = make_programme(regions=["North"], departments=["Sales"])
    add_people(app, other, 4)
    regions, departments = ids_by_name(app, programme, Region), ids_by_name(app, programme, Department)
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        for n, (region, department, role) in enumerate([("North", "Sales", "Rep"), ("North", "Sales", "Lead"),
                                                        ("North", "IT", ""), ("South", "Sales", "Rep"),
                                                        (None, "IT", "Rep"), (None, None, "")]):
            people_services.create_person(target, full_name=f"Counted {n}", email=f"counted{n}@example.com",
                                          department_id=departments.get(department), job_role=role,
                                          region_id=regions.get(region), is_super_user=False)
        db.session.commit()
    login_as("project_manager", programme)

    def people_columns(page: str) -> dict[str, str]:
        html = client.get(f"/programmes/{programme.id}{page}").get_data(as_text=True)
        return {name: count for name, count in re.findall(
            r"<tr>\s*<td>(?:<a [^>]*>)?(North|South|Sales|IT)(?:</a>)?</td>.*?<td class=\"num\">(\d+)</td>", html,
            re.S)}

    assert people_columns("/regions") == {"North": "3", "South": "1"}
    assert people_columns("/departments") == {"Sales": "3", "IT": "2"}
    with app.app_context():
        moved = db.session.scalar(select(Person).where(Person.email == "counted3@example.com"))
        moved.region_id, moved.department_id = regions["North"], departments["IT"]
        db.session.commit()
    assert people_columns("/regions") == {"North": "4", "South": "0"}
    assert people_columns("/departments") == {"Sales": "2", "IT": "3"}
    assert people_columns("") == {"North": "4", "South": "0"}  # the programme's page


def test_programme_list_query_count_does_not_grow(app, client, factories):
    user = factories.user()
    with app.app_context():
        member = db.session.get(User, user.id)
        for n in range(5):
            target = programme_services.create_programme(name=f"Listed {n:02d}", system_name="CRM",
                                                         start_date=date(2026, 1, 5),
                                                         home_time_zone="UTC")
            programme_services.grant_role(target, member, "viewer")
        db.session.commit()
    log_in(client, user.email)
    few = queries_for(app, client, "/")
    with app.app_context():
        member = db.session.get(User, user.id)
        for n in range(5, 60):
            target = programme_services.create_programme(name=f"Listed {n:02d}", system_name="CRM",
                                                         start_date=date(2026, 1, 5),
                                                         home_time_zone="UTC")
            programme_services.grant_role(target, member, "viewer")
        db.session.commit()
    assert queries_for(app, client, "/") == few
    assert "Listed 24" in client.get("/").get_data(as_text=True)


def test_members_and_audit_query_counts_do_not_grow(app, client, login_as, programme):
    def add_members(count: int, start: int) -> None:
        with app.app_context():
            target = db.session.get(Programme, programme.id)
            for n in range(start, start + count):
                user = auth_services.create_user(f"member{n:03d}@example.com", "long enough password")
                programme_services.grant_role(target, user, ("viewer", "trainer", "committee_member")[n % 3])
            db.session.commit()

    add_members(5, 0)
    add_people(app, programme, 5)
    login_as("project_manager", programme)
    members_url = f"/programmes/{programme.id}/members"
    audit_url = f"/programmes/{programme.id}/audit"
    few_members = queries_for(app, client, members_url)
    few_audit = queries_for(app, client, audit_url)
    add_members(55, 5)
    add_people(app, programme, 55, start=5)
    assert queries_for(app, client, members_url) == few_members
    assert queries_for(app, client, audit_url) == few_audit
    assert queries_for(app, client, f"{audit_url}?page=3") == few_audit


# --- create, edit, delete ---------------------------------------------------------------------

def test_create_edit_and_delete_a_person_through_the_forms(app, client, login_as, programme):
    regions = ids_by_name(app, programme, Region)
    departments = ids_by_name(app, programme, Department)
    login_as("project_manager", programme)
    new_url = f"/programmes/{programme.id}/people/new"
    response = form_post(client, new_url, person_form(email="Ann@Example.com", region_id=str(regions["North"]),
                                                      department_id=str(departments["IT"]), is_super_user="y"))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.programme_id == programme.id))
        person_id = person.id
        assert (person.email, person.region_id, person.department_id, person.is_super_user) == \
            ("ann@example.com", regions["North"], departments["IT"], True)
    assert "Ann Example added." in client.get(response.headers["Location"]).get_data(as_text=True)

    edit_url = f"/programmes/{programme.id}/people/{person_id}/edit"
    token, version = edit_page(client, edit_url)
    response = client.post(edit_url, data={"csrf_token": token, "version": version,
                                           **person_form(full_name="Ann Renamed", region_id="")})
    assert response.status_code == 302
    edited = load(app, Person, person_id)
    assert (edited.full_name, edited.region_id, edited.is_super_user, edited.version) == \
        ("Ann Renamed", None, False, 2)

    delete_url = f"/programmes/{programme.id}/people/{person_id}/delete"
    assert "Ann Renamed" in client.get(delete_url).get_data(as_text=True)
    assert form_post(client, delete_url, {}).status_code == 302
    assert load(app, Person, person_id) is None
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "Person", AuditEvent.object_id == person_id).order_by(AuditEvent.id)).all()
    assert actions == ["create", "update", "delete"]


def test_the_sponsor_cannot_be_deleted(app, client, login_as, programme, make_person):
    sponsor = make_person(programme, "Sam Sponsor")
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        programme_services.update_programme(target, expected_version=None, name=target.name,
                                            system_name=target.system_name, start_date=target.start_date,
                                            home_time_zone=target.home_time_zone, description="",
                                            sponsor_id=sponsor.id)
        db.session.commit()
    login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/people/{sponsor.id}/delete", {})
    assert response.status_code == 302
    assert "executive sponsor" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert load(app, Person, sponsor.id) is not None


def test_a_stale_edit_is_refused_with_409_and_saves_nothing(app, client, login_as, programme, make_person):
    person = make_person(programme, "Original Name", email="orig@example.com")
    login_as("project_manager", programme)
    edit_url = f"/programmes/{programme.id}/people/{person.id}/edit"
    token, version = edit_page(client, edit_url)
    with app.app_context():  # a colleague saves first
        colleague_copy = db.session.get(Person, person.id)
        people_services.update_person(colleague_copy, expected_version=int(version), full_name="Colleague Name",
                                      email="orig@example.com", department_id=None, job_role="Lead",
                                      region_id=None, is_super_user=False)
        db.session.commit()
    response = client.post(edit_url, data={"csrf_token": token, "version": version,
                                           **person_form(full_name="My Name", email="orig@example.com")})
    assert response.status_code == 409
    assert "Someone else changed this record while you were editing it" in response.get_data(as_text=True)
    saved = load(app, Person, person.id)
    assert (saved.full_name, saved.job_role, saved.version) == ("Colleague Name", "Lead", 2)


@pytest.mark.parametrize("version", ["", "abc", "99", "0"])
def test_a_made_up_version_is_refused(app, client, login_as, programme, make_person, version):
    person = make_person(programme, "Original Name", email="orig@example.com")
    login_as("project_manager", programme)
    edit_url = f"/programmes/{programme.id}/people/{person.id}/edit"
    token, _current = edit_page(client, edit_url)
    response = client.post(edit_url, data={"csrf_token": token, "version": version,
                                           **person_form(full_name="Forced", email="orig@example.com")})
    assert response.status_code == 409
    assert load(app, Person, person.id).full_name == "Original Name"


def test_a_bad_email_is_shown_at_the_field_and_nothing_saved(app, client, login_as, programme, make_person):
    make_person(programme, "Taken", email="taken@example.com")
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/people/new"
    response = form_post(client, url, person_form(email="not an email"))
    assert response.status_code == 422
    assert "Invalid email address." in field_errors(response.get_data(as_text=True), "email")
    response = form_post(client, url, person_form(full_name="Twin", email="TAKEN@example.com"))
    assert response.status_code == 422
    assert "Someone in this programme already has this email." in \
        field_errors(response.get_data(as_text=True), "email")
    assert people_count(app, programme) == 1


def test_another_programmes_region_or_department_is_refused(app, client, login_as, programme, make_programme,
                                                            make_person):
    other = make_programme(regions=["Far Away"], departments=["Their Dept"])
    their_region = ids_by_name(app, other, Region)["Far Away"]
    their_department = ids_by_name(app, other, Department)["Their Dept"]
    person = make_person(programme, "Stays Put", email="stays@example.com")
    login_as("project_manager", programme)
    new_url = f"/programmes/{programme.id}/people/new"
    response = form_post(client, new_url, person_form(region_id=str(their_region)))
    assert response.status_code == 422
    assert "Not a valid choice" in field_errors(response.get_data(as_text=True), "region_id")
    response = form_post(client, new_url, person_form(department_id=str(their_department)))
    assert response.status_code == 422
    assert "Not a valid choice" in field_errors(response.get_data(as_text=True), "department_id")

    edit_url = f"/programmes/{programme.id}/people/{person.id}/edit"
    token, version = edit_page(client, edit_url)
    response = client.post(edit_url, data={"csrf_token": token, "version": version,
                                           **person_form(email="stays@example.com", region_id=str(their_region))})
    assert response.status_code == 422
    assert people_count(app, programme) == 1
    assert load(app, Person, person.id).region_id is None


def test_the_service_refuses_another_programmes_region_and_department(app, programme, make_programme):
    other = make_programme(regions=["Far Away"], departments=["Their Dept"])
    their_region = ids_by_name(app, other, Region)["Far Away"]
    their_department = ids_by_name(app, other, Department)["Their Dept"]
    values = {"full_name": "Ann", "email": "ann@example.com", "job_role": "", "is_super_user": False}
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        with pytest.raises(DomainError) as caught:
            people_services.create_person(target, department_id=None, region_id=their_region, **values)
        assert caught.value.field == "region_id"
        with pytest.raises(DomainError) as caught:
            people_services.create_person(target, department_id=their_department, region_id=None, **values)
        assert caught.value.field == "department_id"
        person = people_services.create_person(target, department_id=None, region_id=None, **values)
        with pytest.raises(DomainError) as caught:
            people_services.update_person(person, expected_version=None, department_id=None,
                                          region_id=their_region, **values)
        assert caught.value.field == "region_id"


def test_a_person_of_another_programme_is_not_found_through_this_one(client, login_as, programme,
                                                                     make_programme, make_person):
    other_person = make_person(make_programme())
    login_as("project_manager", programme)
    assert client.get(f"/programmes/{programme.id}/people/{other_person.id}/edit").status_code == 404


# --- mass assignment: the form is the allow-list (QUALITY.md item 7) ---------------------------

SMUGGLED = {"is_admin": "y", "role": "project_manager", "user_id": "1", "sponsor_id": "1",
            "created_at": "2001-01-01T00:00:00", "password_hash": "x", "session_token": "stolen"}


def test_person_forms_ignore_smuggled_fields(app, client, login_as, programme, make_programme, make_person):
    other = make_programme()
    bystander = make_person(other, "Bystander", email="bystander@example.com")
    user = login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/people/new",
                         {**person_form(), **SMUGGLED, "programme_id": str(other.id), "id": "987654",
                          "version": "41", "user_id": str(user.id)})
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalar(select(Person).where(Person.email == "ann@example.com"))
        assert (created.programme_id, created.version) == (programme.id, 1)
        assert created.id != 987654
        created_id = created.id
    edit_url = f"/programmes/{programme.id}/people/{created_id}/edit"
    token, version = edit_page(client, edit_url)
    response = client.post(edit_url, data={"csrf_token": token, "version": version, **SMUGGLED,
                                           **person_form(full_name="Ann Edited"), "programme_id": str(other.id),
                                           "id": str(bystander.id), "user_id": str(user.id)})
    assert response.status_code == 302
    edited = load(app, Person, created_id)
    assert (edited.full_name, edited.programme_id, edited.version) == ("Ann Edited", programme.id, 2)
    assert load(app, Person, bystander.id).full_name == "Bystander"
    with app.app_context():
        assert not db.session.get(User, user.id).is_admin
        assert db.session.scalars(select(Membership.role).where(Membership.user_id == user.id)).all() == \
            ["project_manager"]
        assert db.session.get(Programme, programme.id).sponsor_id is None
        assert db.session.get(Programme, other.id).sponsor_id is None


def test_a_non_admin_cannot_make_themselves_admin(app, client, login_as, programme):
    user = login_as("project_manager", programme)
    response = form_post(client, f"/admin/users/{user.id}/edit",
                         {"email": user.email, "is_admin": "y", "is_active": "y", "version": "1",
                          "preferred_language": "", "person_id": ""}, page_url="/account")
    assert response.status_code == 403
    response = form_post(client, "/admin/users/new",
                         {"email": "sneaky@example.com", "is_admin": "y", "is_active": "y",
                          "new_password": "long enough password", "preferred_language": "", "person_id": ""},
                         page_url="/account")
    assert response.status_code == 403
    response = form_post(client, "/account", {"preferred_language": "en", "is_admin": "y", "is_active": "",
                                              "email": "changed@example.com", "session_token": "chosen"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.is_admin, saved.is_active, saved.email, saved.preferred_language) == \
            (False, True, user.email, "en")
        assert saved.session_token != "chosen"
        assert db.session.scalar(select(User.id).where(User.email == "sneaky@example.com")) is None


def test_structure_and_member_forms_ignore_smuggled_fields(app, client, login_as, programme, make_programme,
                                                           make_user):
    other = make_programme()
    user = login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/regions/new",
                         {"name": "Smuggled", "tier": "key", "time_zone": "UTC", "headcount": "3", "site_notes": "",
                          "programme_id": str(other.id), "id": "987654", **SMUGGLED})
    assert response.status_code == 302
    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.name == "Smuggled"))
        assert (region.programme_id, region.version) == (programme.id, 1)
    response = form_post(client, f"/programmes/{programme.id}/departments/new",
                         {"name": "Smuggled Dept", "programme_id": str(other.id), **SMUGGLED})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Department.programme_id).where(Department.name == "Smuggled Dept")) == \
            programme.id

    colleague = make_user()
    members_url = f"/programmes/{programme.id}/members"
    response = form_post(client, members_url, {"user_id": str(colleague.id), "role": "trainer",
                                               "programme_id": str(other.id), "is_admin": "y"})
    assert response.status_code == 302
    refused = form_post(client, members_url, {"user_id": str(colleague.id), "role": "admin"})
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.execute(select(Membership.programme_id, Membership.role)
                                  .where(Membership.user_id == colleague.id)).all() == [(programme.id, "trainer")]
        assert not db.session.get(User, colleague.id).is_admin
        assert not db.session.get(User, user.id).is_admin
