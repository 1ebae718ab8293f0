"""The risk register pages: the register with its charts, record, edit, review, show, delete; who may do what;
query counts; the agenda link and the committee pack's top risks."""
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.committee.models import AgendaItem, MeetingOccurrence
from planner.extensions import db
from planner.programmes.models import Programme
from planner.risks.models import Risk, RiskScoreChange, RiskStatus
from tests.conftest import count_queries, form_post, log_in
from tests.risks.helpers import NOW, build_world, make_risk


@pytest.fixture
def world(app, factories, now_is):
    now_is(NOW)
    return build_world(app, factories)


def _programme(app, world):
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        db.session.expunge(programme)
        return programme


def add_risk(app, world, **values) -> int:
    with app.app_context():
        risk = make_risk(db.session.get(Programme, world.programme_id), **values)
        db.session.commit()
        return risk.id


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def base(world) -> str:
    return f"/programmes/{world.programme_id}/risks"


FORM = {"title": "Key users too busy", "category": "training", "likelihood": "4", "impact": "4",
        "status": "open", "mitigation": "Book their time with their managers.", "next_review_on": "2026-10-02"}


def test_a_project_manager_records_a_risk(app, client, login_as, world):
    login_as("project_manager", _programme(app, world))
    response = form_post(client, f"{base(world)}/new", {
        **FORM, "owner_id": str(world.person_id), "region_ids": str(world.region_id),
        "stage_ids": str(world.stage_id), "occurrence_ids": str(world.occurrence_id),
        "programme_id": "999", "number": "77"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        risk = db.session.scalar(select(Risk))
        assert (risk.reference, risk.score, risk.programme_id, risk.owner_id) == (
            "R-001", 16, world.programme_id, world.person_id)
        assert [r.id for r in risk.regions] == [world.region_id]
        assert len(risk.history) == 1 and risk.history[0].changed_by_id is not None
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Olga Owner" in html and "Key users too busy" in html


@pytest.mark.parametrize("values", [{}, {**FORM, "likelihood": "7"}, {**FORM, "title": ""},
                                    {**FORM, "owner_id": "999999"}, {**FORM, "region_ids": "999999"}])
def test_an_empty_or_bad_form_answers_422_and_writes_nothing(app, client, login_as, world, values):
    login_as("project_manager", _programme(app, world))
    assert form_post(client, f"{base(world)}/new", values).status_code == 422
    assert count(app, Risk) == 0 and count(app, RiskScoreChange) == 0


@pytest.mark.parametrize("role", ["committee_member", "trainer", "viewer"])
def test_only_project_managers_write(app, client, login_as, world, role):
    risk_id = add_risk(app, world)
    login_as(role, _programme(app, world))
    assert client.get(base(world)).status_code == 200
    assert client.get(f"{base(world)}/{risk_id}").status_code == 200
    assert client.get(f"{base(world)}/new").status_code == 403
    response = client.post(f"{base(world)}/{risk_id}/delete")
    assert response.status_code in (400, 403)
    assert count(app, Risk) == 1


def test_edit_with_a_stale_version_is_refused(app, client, login_as, world):
    risk_id = add_risk(app, world)
    login_as("project_manager", _programme(app, world))
    url = f"{base(world)}/{risk_id}/edit"
    response = form_post(client, url, {**FORM, "version": "99"})
    assert response.status_code == 409
    response = form_post(client, url, {**FORM, "version": "1", "likelihood": "5"})
    assert response.status_code == 302
    with app.app_context():
        risk = db.session.get(Risk, risk_id)
        assert risk.likelihood == 5 and len(risk.history) == 2


def test_review_page(app, client, login_as, world):
    risk_id = add_risk(app, world)
    login_as("project_manager", _programme(app, world))
    url = f"{base(world)}/{risk_id}/review"
    assert form_post(client, url, {"version": "1", "next_review_on": "2026-09-01"}).status_code == 422
    response = form_post(client, url, {"version": "1", "next_review_on": "2026-10-20", "status": "mitigating",
                                       "note": "Deputy found."})
    assert response.status_code == 302
    html = client.get(f"{base(world)}/{risk_id}").get_data(as_text=True)
    assert "Deputy found." in html and "Mitigating" in html


def test_delete(app, client, login_as, world):
    risk_id = add_risk(app, world)
    login_as("project_manager", _programme(app, world))
    response = form_post(client, f"{base(world)}/{risk_id}/delete", {})
    assert response.status_code == 302
    assert count(app, Risk) == 0 and count(app, RiskScoreChange) == 0


def test_the_register_flags_overdue_reviews_and_filters(app, client, login_as, world):
    add_risk(app, world, title="Late review", next_review_on=date(2026, 9, 1))
    add_risk(app, world, title="Closed late", status="closed", next_review_on=date(2026, 9, 1))
    add_risk(app, world, title="On time", category="scope", likelihood=5, impact=5)
    login_as("project_manager", _programme(app, world))
    html = client.get(base(world)).get_data(as_text=True)
    assert html.count(">overdue<") == 1 and "Reviews overdue: 1" in html
    assert html.index("On time") < html.index("Late review")  # by score, highest first
    html = client.get(f"{base(world)}?overdue=y").get_data(as_text=True)
    assert "Late review" in html and "On time" not in html and "Closed late" not in html
    html = client.get(f"{base(world)}?category=scope&status=bogus").get_data(as_text=True)
    assert "On time" in html and "Late review" not in html
    html = client.get(f"{base(world)}?owner={world.person_id}").get_data(as_text=True)
    assert "No risks here." in html


def test_viewers_see_assigned_not_names(app, client, login_as, world):
    risk_id = add_risk(app, world, owner_id=world.person_id)
    login_as("viewer", _programme(app, world))
    for url in (base(world), f"{base(world)}/{risk_id}"):
        html = client.get(url).get_data(as_text=True)
        assert "Olga Owner" not in html and "assigned" in html


def test_the_register_does_not_query_per_row(app, client, login_as, world):
    login_as("project_manager", _programme(app, world))
    for n in range(3):
        add_risk(app, world, title=f"Risk {n}", owner_id=world.person_id)
    with count_queries(app) as few:
        assert client.get(base(world)).status_code == 200
    for n in range(27):
        add_risk(app, world, title=f"More {n}", owner_id=world.person_id)
    with count_queries(app) as many:
        assert client.get(base(world)).status_code == 200
    assert len(few) == len(many), (len(few), len(many))


@pytest.mark.parametrize("chart", ["heat-map", "trend"])
def test_charts(app, client, login_as, world, chart):
    add_risk(app, world, likelihood=5, impact=5)
    login_as("viewer", _programme(app, world))
    png = client.get(f"{base(world)}/{chart}.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    svg = client.get(f"{base(world)}/{chart}.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get(f"{base(world)}/{chart}.gif").status_code == 404


def test_another_programmes_risk_is_out_of_reach(app, client, login_as, world, factories):
    risk_id = add_risk(app, world)
    other = factories.programme()
    login_as("project_manager", other)
    assert client.get(f"/programmes/{other.id}/risks/{risk_id}").status_code == 404


def test_agenda_item_names_a_risk_through_the_pages(app, client, login_as, world):
    risk_id = add_risk(app, world, title="Sponsor may leave", likelihood=4, impact=5)
    closed_id = add_risk(app, world, title="Closed one", status="closed")
    login_as("project_manager", _programme(app, world))
    occurrence_url = f"/programmes/{world.programme_id}/occurrences/{world.occurrence_id}"
    page = client.get(occurrence_url).get_data(as_text=True)
    assert "R-001 Sponsor may leave (20)" in page and "Closed one" not in page
    response = form_post(client, f"{occurrence_url}/agenda", {
        "agenda-title": "The sponsor", "agenda-minutes_allotted": "10", "agenda-risk_id": str(risk_id)},
        page_url=occurrence_url)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.occurrence_id == world.occurrence_id))
        assert item.risk_id == risk_id
        item_id = item.id
    html = client.get(occurrence_url).get_data(as_text=True)
    assert f"/risks/{risk_id}" in html and "score 20" in html
    assert "The sponsor" in client.get(f"{base(world)}/{risk_id}").get_data(as_text=True)
    edit_url = f"/programmes/{world.programme_id}/agenda-items/{item_id}/edit"
    response = form_post(client, edit_url, {"title": "The sponsor", "minutes_allotted": "10", "version": "1",
                                            "risk_id": str(closed_id)})
    assert response.status_code == 422  # a closed risk is not among the choices
    response = form_post(client, edit_url, {"title": "The sponsor", "minutes_allotted": "10", "version": "1",
                                            "risk_id": ""})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(AgendaItem, item_id).risk_id is None


def test_deleting_a_risk_keeps_the_agenda_item(app, world):
    from planner.committee import services as committee_services
    risk_id = add_risk(app, world)
    with app.app_context():
        occurrence = db.session.get(MeetingOccurrence, world.occurrence_id)
        item = committee_services.add_agenda_item(occurrence, title="Risk talk", risk_id=risk_id)
        db.session.commit()
        item_id = item.id
    with app.app_context():
        from planner.risks import services
        services.delete_risk(db.session.get(Risk, risk_id))
        db.session.commit()
    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        assert item is not None and item.risk_id is None


def test_the_pack_lists_the_five_top_open_risks(app, client, login_as, world, factories):
    for n in range(6):
        add_risk(app, world, title=f"Risk {n}", likelihood=1 + n % 5, impact=5, owner_id=world.person_id)
    add_risk(app, world, title="Closed big one", likelihood=5, impact=5, status="closed")
    pack_url = f"/programmes/{world.programme_id}/occurrences/{world.occurrence_id}/pack"
    login_as("viewer", _programme(app, world))
    html = client.get(pack_url).get_data(as_text=True)
    section = html[html.index("Top risks"):]
    section = section[:section.index("</section>")]
    assert section.count("<li>") == 5
    assert "Closed big one" not in section and "Risk 5" not in section  # Risk 5 is 1x5, the sixth
    assert section.index("Risk 4") < section.index("Risk 3")  # 25 before 20
    assert "Olga Owner" not in section and "owner assigned" in section
    manager, pm_client = factories.user_with_role("project_manager", _programme(app, world)), app.test_client()
    log_in(pm_client, manager.email)
    assert "Olga Owner" in pm_client.get(pack_url).get_data(as_text=True)


def test_agenda_service_refuses_a_foreign_risk(app, world, factories):
    from planner.committee import services as committee_services
    from planner.core.errors import DomainError
    other = factories.programme()
    with app.app_context():
        foreign = make_risk(db.session.get(Programme, other.id))
        occurrence = db.session.get(MeetingOccurrence, world.occurrence_id)
        with pytest.raises(DomainError) as caught:
            committee_services._check_risk(occurrence, foreign.id)
        assert caught.value.field == "risk_id"
        assert RiskStatus.OPEN


def test_saving_a_risk_keeps_its_link_to_a_meeting_cancelled_since(app, client, login_as, world):
    """The edit form offers the meetings the risk links already, cancelled or not, so a save drops no link."""
    risk_id = add_risk(app, world, occurrence_ids=[world.occurrence_id])
    with app.app_context():
        db.session.get(MeetingOccurrence, world.occurrence_id).is_cancelled = True
        db.session.commit()
    login_as("project_manager", _programme(app, world))
    url = f"{base(world)}/{risk_id}/edit"
    assert f'value="{world.occurrence_id}"' in client.get(url).get_data(as_text=True)
    response = form_post(client, url, {**FORM, "version": "1", "title": "Renamed",
                                       "occurrence_ids": str(world.occurrence_id)})
    assert response.status_code == 302
    with app.app_context():
        risk = db.session.get(Risk, risk_id)
        assert risk.title == "Renamed" and [occurrence.id for occurrence in risk.occurrences] == [world.occurrence_id]
