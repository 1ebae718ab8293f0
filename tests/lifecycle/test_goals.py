"""Goals: company and system goals side by side, the rules that tie them, and stage 6's review."""
import html
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from planner.core.errors import DomainError
from planner.extensions import db
from planner.lifecycle import services
from planner.lifecycle.models import Goal, GoalKind
from planner.programmes.models import Programme
from tests.conftest import csrf_token_from, form_post
from tests.lifecycle.helpers import add_goal, field_errors, load_goal, stage_ids, stage_url, version_in


@pytest.fixture
def programme(make_programme):
    return make_programme()


def goals_url(programme, suffix: str = "") -> str:
    return f"/programmes/{programme.id}/goals{suffix}"


def goal_form(**overrides) -> dict:
    values = {"kind": "system", "title": "Answer enquiries faster", "serves_id": "", "unit": "hours",
              "baseline": "48", "target": "4", "actual": "", "due_stage_number": "6"}
    values.update(overrides)
    return values


def goal_titles(app, programme) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(Goal.title).where(Goal.programme_id == programme.id)))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_system_goal_is_created_serving_a_company_goal(app, client, login_as, programme):
    company = add_goal(app, programme, "Keep more customers")
    login_as("project_manager", programme)

    response = form_post(client, goals_url(programme, "/new"), goal_form(
        serves_id=str(company), baseline="48", target="4.005", actual="12", programme_id="999", version="7"))

    assert response.status_code == 302
    [goal_id] = [gid for gid in _goal_ids(app, programme) if gid != company]
    goal = load_goal(app, goal_id)
    assert (goal.kind, goal.serves_id, goal.unit, goal.baseline, goal.target, goal.actual, goal.due_stage_number,
            goal.programme_id) == (GoalKind.SYSTEM, company, "hours", Decimal("48"), Decimal("4.01"),
                                   Decimal("12"), 6, programme.id)
    assert goal.version == 1


def _goal_ids(app, programme) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Goal.id).where(Goal.programme_id == programme.id)))


def test_the_list_shows_each_company_goal_with_the_system_goals_serving_it(app, client, login_as, programme):
    retention = add_goal(app, programme, "Keep more customers", target=90, actual=85, baseline=80)
    growth = add_goal(app, programme, "Sell more to existing customers")
    add_goal(app, programme, "Answer enquiries within 4 hours", kind="system", serves_id=retention,
             baseline=48, target=4, actual=26, unit="hours", due_stage_number=5)
    add_goal(app, programme, "One customer record for every account", kind="system", serves_id=growth,
             baseline=0, target=100, actual=None)
    login_as("viewer", programme)

    page = text_of(client.get(goals_url(programme)))

    groups = page.split('<tbody class="goal-group">')[1:]
    assert len(groups) == 2
    assert "Keep more customers" in groups[0] and "Answer enquiries within 4 hours" in groups[0]
    assert "Sell more to existing customers" in groups[1] and "One customer record for every account" in groups[1]
    assert "Answer enquiries" not in groups[1]
    assert "50%" in groups[0]  # (48 - 26) / (48 - 4): half way
    assert "5. Implementation and application" in groups[0]
    assert "Not measured" in groups[1]
    assert "New goal" not in page and "/edit" not in page


def test_a_system_goal_must_serve_a_company_goal_of_the_same_programme(app, client, login_as, programme,
                                                                       make_programme):
    other = make_programme()
    foreign = add_goal(app, other, "Someone else's goal")
    own_system = add_goal(app, programme, "Serving", kind="system",
                          serves_id=add_goal(app, programme, "Own company goal"), target=1)
    login_as("project_manager", programme)

    through_page = form_post(client, goals_url(programme, "/new"), goal_form(serves_id=str(foreign)))
    serving_nothing = form_post(client, goals_url(programme, "/new"), goal_form(serves_id=""))
    serving_a_system_goal = form_post(client, goals_url(programme, "/new"), goal_form(serves_id=str(own_system)))

    assert through_page.status_code == 422 and field_errors(text_of(through_page), "serves_id")
    assert serving_nothing.status_code == 422
    assert "A system goal serves one of this programme's company goals" in field_errors(
        text_of(serving_nothing), "serves_id")
    assert serving_a_system_goal.status_code == 422
    assert goal_titles(app, programme) == ["Own company goal", "Serving"]
    with app.app_context(), pytest.raises(DomainError) as refused:
        services.create_goal(db.session.get(Programme, programme.id), kind="system", title="Sneaky",
                             serves_id=foreign, unit="", baseline=None, target=Decimal(1), actual=None,
                             due_stage_number=None)
    assert refused.value.field == "serves_id"


def test_a_goal_cannot_serve_itself(app, programme):
    company = add_goal(app, programme, "Keep more customers")
    with app.app_context():
        goal = db.session.get(Goal, company)
        with pytest.raises(DomainError) as refused:
            services.update_goal(goal, expected_version=goal.version, kind="system", title=goal.title,
                                 serves_id=goal.id, unit="", baseline=None, target=Decimal(1), actual=None,
                                 due_stage_number=None)
    assert refused.value.field == "serves_id"
    assert load_goal(app, company).kind is GoalKind.COMPANY


def test_a_system_goal_needs_a_measurable_target(app, client, login_as, programme):
    company = add_goal(app, programme, "Keep more customers")
    login_as("project_manager", programme)

    response = form_post(client, goals_url(programme, "/new"), goal_form(serves_id=str(company), target=""))

    assert response.status_code == 422
    assert "A system goal needs a measurable target." in field_errors(text_of(response), "target")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e15", "lots"])
def test_amounts_must_be_numbers_the_column_holds(app, client, login_as, programme, value):
    company = add_goal(app, programme, "Keep more customers")
    login_as("project_manager", programme)

    response = form_post(client, goals_url(programme, "/new"), goal_form(serves_id=str(company), actual=value))

    assert response.status_code == 422 and field_errors(text_of(response), "actual")
    assert _goal_ids(app, programme) == [company]


def test_a_goal_is_edited_and_a_stale_edit_is_refused(app, client, login_as, programme):
    company = add_goal(app, programme, "Keep more customers")
    system = add_goal(app, programme, "Faster answers", kind="system", serves_id=company, baseline=48, target=4)
    login_as("project_manager", programme)
    url = goals_url(programme, f"/{system}/edit")
    page = client.get(url).get_data(as_text=True)
    token, version = csrf_token_from(page), version_in(page)
    assert re.search(rf'<option selected value="{company}">Keep more customers</option>', page)

    saved = client.post(url, data={"csrf_token": token, "version": version,
                                   **goal_form(title="Faster answers", serves_id=str(company), actual="10")})
    stale = client.post(url, data={"csrf_token": token, "version": version,
                                   **goal_form(title="Overwritten", serves_id=str(company))})

    assert saved.status_code == 302
    assert stale.status_code == 409
    goal = load_goal(app, system)
    assert (goal.title, goal.actual) == ("Faster answers", Decimal("10"))


def test_a_served_company_goal_is_not_deleted(app, client, login_as, programme):
    company = add_goal(app, programme, "Keep more customers")
    system = add_goal(app, programme, "Faster answers", kind="system", serves_id=company, target=4)
    login_as("project_manager", programme)

    refused = form_post(client, goals_url(programme, f"/{company}/delete"), {})
    assert refused.status_code == 302
    assert "System goals still serve this goal" in text_of(client.get(refused.headers["Location"]))
    assert load_goal(app, company) is not None

    deleted = form_post(client, goals_url(programme, f"/{system}/delete"), {})
    assert deleted.status_code == 302
    assert load_goal(app, system) is None and load_goal(app, company) is not None


def test_stage_6_shows_every_goal_actual_against_target(app, client, login_as, programme):
    retention = add_goal(app, programme, "Keep more customers", baseline=80, target=90, actual=92, unit="%")
    add_goal(app, programme, "Answer enquiries within 4 hours", kind="system", serves_id=retention,
             baseline=48, target=4, actual=26, unit="hours")
    add_goal(app, programme, "Record every visit", kind="system", serves_id=retention, baseline=10, target=90,
             actual=None)
    login_as("viewer", programme)

    page = text_of(client.get(stage_url(programme, stage_ids(app, programme)[6])))
    earlier_stage = text_of(client.get(stage_url(programme, stage_ids(app, programme)[5])))

    assert "Goals: actual against target" in page and "Goals: actual against target" not in earlier_stage
    table = page.split('<table class="goals">')[1].split("</table>")[0]
    rows = [re.sub(r"<[^>]+>", " ", row).split() for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)][1:]
    assert ["Keep", "more", "customers", "Company", "goal", "80.00", "90.00", "92.00", "%"] == rows[0][:9]
    assert "120%" in rows[0]  # past the target
    start = rows[1].index("48.00")
    assert rows[1][start:start + 4] == ["48.00", "4.00", "26.00", "hours"] and "50%" in rows[1]
    assert "Not measured" in " ".join(rows[2])
