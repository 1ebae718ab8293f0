"""The health check's pages: findings with evidence and advice, acknowledging and withdrawing, thresholds, the
overview's card; who may do what; query counts. Driven by test-only rules (tests/health/conftest.py)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.health.findings import Severity
from planner.health.models import FindingAcknowledgement, HealthThreshold
from planner.people.models import Person
from planner.programmes.models import Programme
from tests.conftest import count_queries, form_post
from tests.health.conftest import HEADCOUNT_THRESHOLD, REGION_RULE, scripted_finding


@pytest.fixture
def world(factories, today_is, region_rule):
    """A programme with one crowded region (150 people, one listed) and a quiet one."""
    today_is(date(2026, 10, 1))
    programme = factories.programme()
    crowded = factories.region(programme, name="Harbour", headcount=150)
    factories.region(programme, name="Hill", headcount=20)
    person = factories.person(programme, "Petra Person", region_id=crowded.id)
    return {"programme": programme, "region": crowded, "person": person,
            "url": f"/programmes/{programme.id}/health"}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def acknowledge(client, world, reason="Training is split already", subject=None, rule=REGION_RULE):
    return form_post(client, f"{world['url']}/acknowledge", {
        "rule": rule, "subject": subject or f"region:{world['region'].id}", "reason": reason},
        page_url=world["url"])


def test_findings_show_with_their_advice_and_evidence_links(client, login_as, world):
    login_as("project_manager", world["programme"])
    html = client.get(world["url"]).get_data(as_text=True)
    programme_id, region_id = world["programme"].id, world["region"].id
    assert "Harbour is crowded: 150 people" in html and "Hill is crowded" not in html
    assert "Crowded regions" in html and "Split the region&#39;s training into more sessions." in html
    assert f'href="/programmes/{programme_id}/regions/{region_id}/edit">Region Harbour</a>' in html
    assert f'href="/programmes/{programme_id}/people/{world["person"].id}/edit">Petra Person</a>' in html
    assert html.index(">Medium<") < html.index("Harbour is crowded")
    assert 'action="/programmes/%d/health/acknowledge"' % programme_id in html
    assert 'aria-current="page">Health<' in html  # the programme's menu has the page


def test_a_viewer_sees_no_names_and_no_acknowledge_form(client, login_as, world):
    login_as("viewer", world["programme"])
    html = client.get(world["url"]).get_data(as_text=True)
    assert "Harbour is crowded: 150 people" in html and "Region Harbour" in html
    assert "Petra Person" not in html and "1 person" in html
    assert "/health/acknowledge" not in html and "/health/thresholds" not in html


def test_the_findings_are_grouped_high_first(app, client, login_as, world, factories):
    factories.region(world["programme"], name="Metropolis", headcount=400)
    login_as("viewer", world["programme"])
    html = client.get(world["url"]).get_data(as_text=True)
    html = html[html.index("Needs attention"):]
    assert html.index(">High<") < html.index("Metropolis is crowded") < html.index(">Medium<") \
        < html.index("Harbour is crowded")


def test_a_project_manager_acknowledges_and_withdraws(app, client, login_as, world):
    login_as("project_manager", world["programme"])
    response = acknowledge(client, world)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    html = client.get(world["url"]).get_data(as_text=True)
    attention = html[html.index("Needs attention"):html.index("<h2>Acknowledged")]
    assert "Harbour is crowded" not in attention and "Nothing needs attention today" in attention
    acknowledged = html[html.index("<h2>Acknowledged"):]
    assert "Harbour is crowded: 150 people" in acknowledged and "Training is split already" in acknowledged
    with app.app_context():
        ack = db.session.scalar(select(FindingAcknowledgement))
        assert (ack.programme_id, ack.rule_key, ack.severity, ack.measure) == (
            world["programme"].id, REGION_RULE, Severity.MEDIUM, 150)
    assert f"/health/acknowledgements/{ack.id}/withdraw" in acknowledged
    response = form_post(client, f"{world['url']}/acknowledgements/{ack.id}/withdraw", {}, page_url=world["url"])
    assert response.status_code == 302
    assert count(app, FindingAcknowledgement) == 0
    html = client.get(world["url"]).get_data(as_text=True)
    assert "<h2>Acknowledged" not in html and "Harbour is crowded" in html


def test_a_finding_that_got_worse_is_open_again_with_a_note(app, client, login_as, world):
    login_as("project_manager", world["programme"])
    assert acknowledge(client, world).status_code == 302
    with app.app_context():
        from planner.programmes.models import Region
        db.session.get(Region, world["region"].id).headcount = 170
        db.session.commit()
    html = client.get(world["url"]).get_data(as_text=True)
    assert "Harbour is crowded: 170 people" in html and "it has got worse" in html


@pytest.mark.parametrize("change", [
    {"rule": "no_such_rule"},
    {"subject": "region:999999"},
    {"reason": ""},
    {"reason": "x" * 2001},
    {"rule": "", "subject": ""},
])
def test_acknowledging_what_is_not_open_is_refused_cleanly(app, client, login_as, world, change):
    login_as("project_manager", world["programme"])
    data = {"rule": REGION_RULE, "subject": f"region:{world['region'].id}", "reason": "Because", **change}
    response = form_post(client, f"{world['url']}/acknowledge", data, page_url=world["url"])
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'role="alert"' in html
    assert "Harbour is crowded" in html  # the page shows the current findings again
    assert count(app, FindingAcknowledgement) == 0


def test_acknowledging_twice_is_refused_the_second_time(app, client, login_as, world):
    login_as("project_manager", world["programme"])
    assert acknowledge(client, world).status_code == 302
    response = acknowledge(client, world, reason="Again")
    assert response.status_code == 422 and "not open any more" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(FindingAcknowledgement.reason)) == "Training is split already"


@pytest.mark.parametrize("role", ["committee_member", "trainer", "viewer"])
def test_only_project_managers_acknowledge_and_set_thresholds(app, client, login_as, world, role, factories):
    with app.app_context():
        from planner.health import services
        ack = services.acknowledge_finding(db.session.get(Programme, world["programme"].id),
                                           scripted_finding("x", Severity.LOW, 1), "Known")
        db.session.commit()
        ack_id = ack.id
    login_as(role, world["programme"])
    assert client.get(world["url"]).status_code == 200
    assert acknowledge(client, world).status_code == 403
    assert form_post(client, f"{world['url']}/acknowledgements/{ack_id}/withdraw", {},
                     page_url=world["url"]).status_code == 403
    assert client.get(f"{world['url']}/thresholds").status_code == 403
    assert form_post(client, f"{world['url']}/thresholds", {HEADCOUNT_THRESHOLD: "50"},
                     page_url=world["url"]).status_code == 403
    assert count(app, FindingAcknowledgement) == 1 and count(app, HealthThreshold) == 0


def test_another_programme_is_out_of_reach(app, client, login_as, world, factories):
    other = factories.programme()
    with app.app_context():
        from planner.health import services
        ack = services.acknowledge_finding(db.session.get(Programme, world["programme"].id),
                                           scripted_finding("x", Severity.LOW, 1), "Known")
        db.session.commit()
        ack_id = ack.id
    login_as("project_manager", other)
    assert client.get(world["url"]).status_code == 404
    page = f"/programmes/{other.id}/health"
    assert form_post(client, f"{page}/acknowledgements/{ack_id}/withdraw", {}, page_url=page).status_code == 404
    assert count(app, FindingAcknowledgement) == 1


def test_thresholds_page_saves_and_refuses(app, client, login_as, world):
    login_as("project_manager", world["programme"])
    url = f"{world['url']}/thresholds"
    html = client.get(url).get_data(as_text=True)
    assert "Crowded regions" in html and "People in a region before it counts as crowded" in html
    assert "Default 100; between 10 and 1000." in html and 'value="100"' in html
    for bad in ("5", "1001", "lots", ""):
        response = form_post(client, url, {HEADCOUNT_THRESHOLD: bad})
        assert response.status_code == 422, bad
        assert "Choose a whole number between 10 and 1000." in response.get_data(as_text=True) or bad == "lots"
        assert count(app, HealthThreshold) == 0
    response = form_post(client, url, {HEADCOUNT_THRESHOLD: "160", "programme_id": "999"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(HealthThreshold))
        assert (row.programme_id, row.key, row.value) == (world["programme"].id, HEADCOUNT_THRESHOLD, 160)
    assert 'value="160"' in client.get(url).get_data(as_text=True)
    html = client.get(world["url"]).get_data(as_text=True)
    assert "Harbour is crowded" not in html and "Crowded regions" in html[html.index("<h2>Passed"):]


def test_an_empty_health_page(client, login_as, factories, region_rule, today_is):
    today_is(date(2026, 10, 1))
    programme = factories.programme()
    login_as("viewer", programme)
    html = client.get(f"/programmes/{programme.id}/health").get_data(as_text=True)
    assert "Nothing needs attention today" in html
    assert "Crowded regions" in html[html.index("<h2>Passed"):]


def test_a_rule_that_fails_is_named_and_the_page_still_shows(client, login_as, world, scripted):
    scripted.error = RuntimeError("the rule has a bug")
    login_as("viewer", world["programme"])
    response = client.get(world["url"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "could not run" in html and "Scripted test rule" in html
    assert "Harbour is crowded" in html


def test_the_health_page_does_not_query_per_finding(app, client, login_as, world, factories):
    from planner.health import services

    login_as("project_manager", world["programme"])

    def grow(n: int, start: int):
        for i in range(start, start + n):
            region = factories.region(world["programme"], name=f"Big {i}", headcount=150 + i)
            factories.person(world["programme"], f"Person {i}", region_id=region.id)
            if i % 2:  # every other one acknowledged, each by someone else
                user = factories.user()
                with app.app_context():
                    from planner.auth.models import User
                    from planner.health.findings import Finding
                    services.acknowledge_finding(
                        db.session.get(Programme, world["programme"].id),
                        Finding(rule=REGION_RULE, subject=f"region:{region.id}", severity=Severity.HIGH,
                                title=f"Big {i}", advice="", measure=10_000),
                        "Known", by_user=db.session.get(User, user.id))
                    db.session.commit()

    def queries() -> int:
        with count_queries(app) as statements:
            assert client.get(world["url"]).status_code == 200
        return len(statements)

    grow(2, 0)
    few = queries()
    grow(27, 2)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)) == 30
        assert db.session.scalar(select(func.count()).select_from(FindingAcknowledgement)) == 14
    assert queries() == few


def test_the_overview_card(app, client, login_as, world, factories, scripted):
    scripted.findings = [("a", Severity.LOW, 1), ("b", Severity.HIGH, 2), ("c", Severity.HIGH, 3)]
    login_as("viewer", world["programme"])
    html = client.get(f"/programmes/{world['programme'].id}").get_data(as_text=True)
    card = html[html.index("<h2>Health check</h2>"):]
    card = card[:card.index("</div>")]
    assert "High 2" in card and "Medium 1" in card and "Low 1" in card
    assert card.count("<li>") == 3 and "Scripted problem at a" not in card  # the three most severe
    assert card.index("Scripted problem at b") < card.index("Harbour is crowded")
    assert f'href="/programmes/{world["programme"].id}/health"' in card
