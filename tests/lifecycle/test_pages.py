"""Every lifecycle page for a reader, refusals for a reader on edits, and query counts that stay flat."""
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.lifecycle import services
from planner.lifecycle.models import Goal
from planner.people import services as people_services
from planner.programmes.models import Programme
from tests.conftest import count_queries, csrf_token_from
from tests.lifecycle.helpers import add_goal, load_goal, stage_facts, stage_ids, stage_url


@pytest.fixture
def programme(make_programme):
    return make_programme(regions=["North"])


def grow(app, programme, size: int) -> None:
    """``size`` more of everything the lifecycle pages show: people owning stages, deliverables (some
    done), criteria, gate reviews with approvers, and company goals each served by system goals."""
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        people = [people_services.create_person(
            target, full_name=f"Grown {programme.id}-{size}-{n}", email=f"g{programme.id}.{size}.{n}@example.com",
            department_id=None, job_role="", region_id=None, is_super_user=False) for n in range(size)]
        db.session.flush()
        for stage in services.stages_of(programme.id):
            services.update_stage(stage, expected_version=None, goals=stage.goals, expertise_needed="x",
                                  owner_id=people[stage.number % size].id, planned_start=date(2026, 3, 2),
                                  planned_finish=date(2026, 4, 2), actual_start=None, actual_finish=None)
            for n in range(size):
                deliverable = services.add_deliverable(stage, f"Extra deliverable {n}")
                if n % 2:
                    services.set_deliverable_done(deliverable, True, date(2026, 3, 10))
                services.add_criterion(stage, f"Extra criterion {n}")
            db.session.flush()
            for n in range(size):
                services.record_gate_review(stage, met_criterion_ids={c.id for c in stage.criteria[::2]},
                                            reviewed_on=date(2026, 4, 1), approved_by_id=people[n].id,
                                            notes=f"Review {n}", recorded_by_id=None)
        for n in range(size):
            company = services.create_goal(target, kind="company", title=f"Company goal {size}-{n}", serves_id=None,
                                           unit="%", baseline=None, target=None, actual=None, due_stage_number=6)
            db.session.flush()
            for m in range(2):
                services.create_goal(target, kind="system", title=f"System goal {size}-{n}-{m}",
                                     serves_id=company.id, unit="days", baseline=10, target=2, actual=5,
                                     due_stage_number=5)
        db.session.commit()


def query_count(app, client, url: str) -> int:
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


@pytest.mark.parametrize("page", ["stages", "stage 1", "stage 6", "goals"])
def test_query_counts_stay_flat_as_data_grows(app, client, login_as, programme, page):
    ids = stage_ids(app, programme)
    url = {"stages": f"/programmes/{programme.id}/stages", "stage 1": stage_url(programme, ids[1]),
           "stage 6": stage_url(programme, ids[6]), "goals": f"/programmes/{programme.id}/goals"}[page]
    login_as("project_manager", programme)  # editors see the most: forms with people to choose from
    grow(app, programme, 1)
    client.get(url)  # warm up: the login's first page view loads the user
    small = query_count(app, client, url)

    grow(app, programme, 12)
    large = query_count(app, client, url)

    assert large == small, f"{page}: {small} queries with little data, {large} with more"
    html = client.get(url).get_data(as_text=True)
    if page in ("stage 1", "goals"):
        assert ("Review 11" in html) if page == "stage 1" else ("System goal 12-11-1" in html)


def test_every_lifecycle_page_renders_for_a_viewer_without_edit_controls(app, client, login_as, programme):
    company = add_goal(app, programme, "Keep more customers", baseline=80, target=90, actual=85)
    add_goal(app, programme, "Answer faster", kind="system", serves_id=company, baseline=48, target=4, actual=12)
    ids = stage_ids(app, programme)
    login_as("viewer", programme)
    urls = [f"/programmes/{programme.id}/stages", f"/programmes/{programme.id}/goals"] + \
        [stage_url(programme, stage_id) for stage_id in ids.values()]

    for url in urls:
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert page.count('<form method="post"') == 1, url  # the logout form in the top bar
        for control in ("Mark done", "Close this stage", "Record a gate review", "Add deliverable", "/edit"):
            assert control not in page, (url, control)


def test_a_viewer_is_refused_every_edit_and_nothing_changes(app, client, login_as, programme, make_person):
    person = make_person(programme)
    company = add_goal(app, programme, "Keep more customers")
    ids = stage_ids(app, programme)
    stage_1 = ids[1]
    before = stage_facts(app, stage_1)
    deliverable_id, criterion_id = before["deliverables"][0][0], before["criteria"][0][0]
    login_as("viewer", programme)
    token = csrf_token_from(client.get(stage_url(programme, stage_1)).get_data(as_text=True))
    goals = f"/programmes/{programme.id}/goals"
    posts = {
        stage_url(programme, stage_1, "/edit"): {"goals": "Changed", "owner_id": str(person.id), "version": "1"},
        stage_url(programme, stage_1, "/deliverables"): {"title": "Sneaky"},
        stage_url(programme, stage_1, f"/deliverables/{deliverable_id}/toggle"): {"done": "1"},
        stage_url(programme, stage_1, "/criteria"): {"text": "Sneaky"},
        stage_url(programme, stage_1, "/gate-review"): {"met": [str(criterion_id)], "reviewed_on": "2026-05-01"},
        stage_url(programme, stage_1, "/close"): {"override_reason": "Because", "override_approver_id": str(person.id)},
        f"{goals}/new": {"kind": "company", "title": "Sneaky"},
        f"{goals}/{company}/edit": {"kind": "company", "title": "Renamed", "version": "1"},
        f"{goals}/{company}/delete": {},
    }
    gets = [stage_url(programme, stage_1, "/edit"), stage_url(programme, stage_1, "/gate-review"), f"{goals}/new",
            f"{goals}/{company}/edit", f"{goals}/{company}/delete"]

    for url in gets:
        assert client.get(url).status_code == 403, url
    for url, data in posts.items():
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 403, url

    assert stage_facts(app, stage_1) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(Goal.id)).where(Goal.programme_id == programme.id)) == 1
    assert load_goal(app, company).title == "Keep more customers"


@pytest.mark.parametrize(("role", "shows_names"), [("viewer", False), ("committee_member", True)])
def test_stage_owners_and_approvers_are_named_only_to_those_who_may_see_people(app, client, login_as, programme,
                                                                               make_person, role, shows_names):
    """Stage owners, gate review approvers and override approvers are people: viewers (no PEOPLE_VIEW) see that
    someone is named, not who, as on the risk register."""
    owner, reviewer, approver = (make_person(programme, name) for name in ("Olga Owner", "Rita Reviewer",
                                                                          "Anton Approver"))
    ids = stage_ids(app, programme)
    with app.app_context():
        stage = services.stages_of(programme.id)[0]
        services.update_stage(stage, expected_version=None, goals=stage.goals, expertise_needed="",
                              owner_id=owner.id, planned_start=None, planned_finish=None, actual_start=None,
                              actual_finish=None)
        services.record_gate_review(stage, met_criterion_ids=set(), reviewed_on=date(2026, 4, 1),
                                    approved_by_id=reviewer.id, notes="", recorded_by_id=None)
        services.close_stage(stage, closed_on=date(2026, 4, 2), override_reason="Deadline",
                             override_approver_id=approver.id)
        db.session.commit()
    login_as(role, programme)

    stages_page = client.get(f"/programmes/{programme.id}/stages").get_data(as_text=True)
    stage_page = client.get(stage_url(programme, ids[1])).get_data(as_text=True)

    for name, pages in (("Olga Owner", (stages_page, stage_page)), ("Rita Reviewer", (stage_page,)),
                        ("Anton Approver", (stage_page,))):
        for page in pages:
            assert (name in page) is shows_names, name
    assert ("assigned" in stages_page) is not shows_names
    assert (stage_page.count("approved by a named person") == 2) is not shows_names
