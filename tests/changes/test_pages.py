"""The change request pages: list, submit, the page with its re-plan preview, the steps, and the agenda link."""
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.changes import services
from planner.changes.models import ChangeRequest, ChangeStatus
from planner.committee import services as committee_services
from planner.committee.models import Decision, MeetingOccurrence
from planner.extensions import db
from planner.programmes.models import Programme
from planner.rollout.models import Wave
from tests.changes.helpers import GO_LIVE, NOW, build_world, submit
from tests.conftest import count_queries, form_post


@pytest.fixture
def world(app, factories, now_is):
    now_is(NOW)
    return build_world(app, factories)


def make_change(app, world, *, assessed=False, approved=False, **values) -> int:
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        change = submit(programme, **values)
        if assessed or approved:
            services.assess_change(change, expected_version=None, assessment="Checked.", schedule_days=10,
                                   cost=None, risks="", assessed_by_id=None)
        if approved:
            services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                                   occurrence_id=world.occurrence_id)
        db.session.commit()
        return change.id


def schedule_change(app, world, **values) -> int:
    return make_change(app, world, plan_item_key=world.wave_key, new_start=date(2026, 10, 19), **values)


def load(app, model, oid):
    with app.app_context():
        obj = db.session.get(model, oid)
        if obj is not None:
            db.session.expunge(obj)
        return obj


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def base(world) -> str:
    return f"/programmes/{world.programme_id}/changes"


def test_a_committee_member_submits_a_request(app, client, login_as, world):
    login_as("committee_member", _programme(app, world))
    response = form_post(client, f"{base(world)}/new", {
        "title": "Move the Nordic wave", "kind": "schedule", "requested_on": "2026-09-15",
        "requester_id": str(world.person_id), "schedule_days": "10", "cost": "12000.50",
        "region_ids": str(world.region_id), "stage_ids": str(world.stage_id), "risks": "Trainers booked twice",
        "plan_item_key": world.wave_key, "new_start": "2026-10-19", "description": "Data migration is late.",
        "status": "implemented", "programme_id": "999", "number": "77"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        change = db.session.scalar(select(ChangeRequest))
        assert (change.reference, change.status, change.programme_id) == ("CR-001", ChangeStatus.SUBMITTED,
                                                                          world.programme_id)
        assert str(change.cost) == "12000.50" and change.plan_item_key == world.wave_key


def _programme(app, world):
    return load(app, Programme, world.programme_id)


def test_an_empty_or_bad_form_answers_422_and_writes_nothing(app, client, login_as, world):
    login_as("project_manager", _programme(app, world))
    assert form_post(client, f"{base(world)}/new", {}).status_code == 422
    response = form_post(client, f"{base(world)}/new", {
        "title": "Move it", "kind": "schedule", "requested_on": "2026-09-15", "new_start": "2026-10-19"})
    assert response.status_code == 422
    assert "Choose the plan item that moves." in response.get_data(as_text=True)
    assert count(app, ChangeRequest) == 0


def test_viewers_and_trainers_cannot_submit(app, client, login_as, world):
    login_as("viewer", _programme(app, world))
    assert client.get(f"{base(world)}/new").status_code == 403


def test_the_page_shows_the_re_plan_preview_before_the_decision(app, client, login_as, world):
    change_id = schedule_change(app, world, assessed=True)
    login_as("project_manager", _programme(app, world))
    html = client.get(f"{base(world)}/{change_id}").get_data(as_text=True)
    assert "Impact on the plan" in html and "Wave: Nordic" in html
    assert "Oct 19, 2026" in html and '<td class="num">10</td>' in html
    assert "Record the committee's decision" in html


def test_a_preview_the_re_plan_refuses_is_said_not_a_500(app, client, login_as, world):
    change_id = schedule_change(app, world)
    with app.app_context():
        db.session.get(Wave, int(world.wave_key.split(":")[1])).planned_go_live = None
        db.session.commit()
    login_as("project_manager", _programme(app, world))
    response = client.get(f"{base(world)}/{change_id}")
    assert response.status_code == 200
    assert "Choose a dated stage, wave or milestone." in response.get_data(as_text=True)


def test_the_list_counts_and_filters(app, client, login_as, world):
    make_change(app, world, title="First", kind="schedule")
    make_change(app, world, title="Second", kind="process", assessed=True)
    login_as("project_manager", _programme(app, world))
    html = client.get(base(world)).get_data(as_text=True)
    assert "Submitted: 1" in html and "Assessed: 1" in html and "First" in html and "Second" in html
    html = client.get(f"{base(world)}?status=assessed").get_data(as_text=True)
    assert "Second" in html and ">First<" not in html
    html = client.get(f"{base(world)}?kind=schedule&status=bogus").get_data(as_text=True)
    assert "First" in html and "Second" not in html


def test_viewers_read_requests_without_names(app, client, login_as, world):
    change_id = make_change(app, world, requester_id=world.person_id)
    login_as("viewer", _programme(app, world))
    for url in (base(world), f"{base(world)}/{change_id}"):
        response = client.get(url)
        assert response.status_code == 200 and "Ines Requester" not in response.get_data(as_text=True)


def test_the_list_page_does_not_query_per_row(app, client, login_as, world):
    login_as("project_manager", _programme(app, world))
    for n in range(3):
        make_change(app, world, title=f"Change {n}", requester_id=world.person_id)
    with count_queries(app) as few:
        assert client.get(base(world)).status_code == 200
    for n in range(27):
        make_change(app, world, title=f"More {n}", requester_id=world.person_id)
    with count_queries(app) as many:
        assert client.get(base(world)).status_code == 200
    assert len(few) == len(many), (len(few), len(many))


def test_the_committee_decides_in_a_meeting_and_the_pm_implements_the_re_plan(app, client, login_as, world):
    change_id = schedule_change(app, world, assessed=True)
    programme = _programme(app, world)
    login_as("committee_member", programme)
    url = f"{base(world)}/{change_id}/decide"
    assert form_post(client, url, {"outcome": "approve"}).status_code == 422  # no meeting, no decision
    version = load(app, ChangeRequest, change_id).version
    response = form_post(client, url, {"outcome": "approve", "occurrence_id": str(world.occurrence_id),
                                       "version": str(version)})
    assert response.status_code == 302
    change = load(app, ChangeRequest, change_id)
    assert change.status is ChangeStatus.APPROVED
    assert load(app, Decision, change.decision_id).occurrence_id == world.occurrence_id
    assert client.post(f"{base(world)}/{change_id}/implement").status_code in (400, 403)  # no CSRF token, no right
    form_post(client, "/logout", {}, page_url=f"{base(world)}/{change_id}")
    login_as("project_manager", programme)
    show = f"{base(world)}/{change_id}"
    html = client.get(show).get_data(as_text=True)
    assert "Implement and re-plan" in html and "Impact on the plan" in html  # shown again before implementing
    response = form_post(client, f"{show}/implement", {"version": str(change.version)}, page_url=show)
    assert response.status_code == 302
    assert load(app, ChangeRequest, change_id).status is ChangeStatus.IMPLEMENTED
    assert load(app, Wave, int(world.wave_key.split(":")[1])).planned_go_live == date(2026, 10, 19)


def test_a_freeze_conflict_at_implementation_is_refused_with_the_message(app, client, login_as, world):
    change_id = make_change(app, world, approved=True, plan_item_key=world.wave_key, new_start=date(2026, 10, 19))
    with app.app_context():
        db.session.get(ChangeRequest, change_id).new_start = date(2026, 12, 22)
        db.session.commit()
    login_as("project_manager", _programme(app, world))
    show = f"{base(world)}/{change_id}"
    version = load(app, ChangeRequest, change_id).version
    response = form_post(client, f"{show}/implement", {"version": str(version)}, page_url=show)
    assert response.status_code == 422
    assert "freeze window" in response.get_data(as_text=True)
    assert load(app, ChangeRequest, change_id).status is ChangeStatus.APPROVED
    assert load(app, Wave, int(world.wave_key.split(":")[1])).planned_go_live == GO_LIVE


def test_a_stale_implement_button_is_refused(app, client, login_as, world):
    change_id = make_change(app, world, approved=True, kind="process")
    login_as("project_manager", _programme(app, world))
    show = f"{base(world)}/{change_id}"
    response = form_post(client, f"{show}/implement", {"version": "1"}, page_url=show)
    assert response.status_code == 409
    assert load(app, ChangeRequest, change_id).status is ChangeStatus.APPROVED


def test_assess_reject_edit_and_delete_pages(app, client, login_as, world):
    first, second, third = (make_change(app, world, title=t) for t in ("One", "Two", "Three"))
    login_as("project_manager", _programme(app, world))
    assert form_post(client, f"{base(world)}/{first}/assess", {}).status_code == 422
    response = form_post(client, f"{base(world)}/{first}/assess", {
        "assessment": "Two weeks, no cost.", "schedule_days": "10", "version": "1"})
    assert response.status_code == 302 and load(app, ChangeRequest, first).status is ChangeStatus.ASSESSED
    response = form_post(client, f"{base(world)}/{first}/reject", {"reason": "No.", "version": "2"})
    assert response.status_code == 422  # assessed: the committee decides
    response = form_post(client, f"{base(world)}/{second}/reject", {"reason": "Not in phase one.", "version": "1"})
    assert response.status_code == 302 and load(app, ChangeRequest, second).status is ChangeStatus.REJECTED
    response = form_post(client, f"{base(world)}/{third}/edit", {
        "title": "Three, clearer", "kind": "other", "requested_on": "2026-09-10", "version": "1"})
    assert response.status_code == 302 and load(app, ChangeRequest, third).title == "Three, clearer"
    assert form_post(client, f"{base(world)}/{third}/delete", {}).status_code == 302
    assert load(app, ChangeRequest, third) is None
    form_post(client, f"{base(world)}/{first}/delete", {})
    assert load(app, ChangeRequest, first) is not None  # assessed: refused


def test_another_programmes_request_is_not_found(app, client, login_as, factories, world):
    change_id = make_change(app, world)
    other = factories.programme()
    login_as("project_manager", other)
    assert client.get(f"/programmes/{other.id}/changes/{change_id}").status_code == 404
    assert client.get(f"{base(world)}/{change_id}").status_code == 404


def test_an_agenda_item_links_a_request_shown_on_the_meeting_and_the_pack(app, client, login_as, world):
    change_id = make_change(app, world, title="Move the Nordic wave", assessed=True)
    with app.app_context():
        occurrence = db.session.get(MeetingOccurrence, world.occurrence_id)
        committee_services.add_agenda_item(occurrence, title="Nordic data migration",
                                           change_request_id=change_id)
        db.session.commit()
    login_as("project_manager", _programme(app, world))
    occurrence_url = f"/programmes/{world.programme_id}/occurrences/{world.occurrence_id}"
    for url in (occurrence_url, f"{occurrence_url}/pack"):
        html = client.get(url).get_data(as_text=True)
        assert "CR-001" in html and "Move the Nordic wave" in html
    html = client.get(f"{base(world)}/{change_id}").get_data(as_text=True)
    assert "Nordic data migration" in html and occurrence_url in html


def test_the_agenda_form_offers_pending_requests(app, client, login_as, world, now_is):
    from datetime import UTC, datetime
    pending = make_change(app, world, title="Pending one")
    done = make_change(app, world, title="Turned down one")
    with app.app_context():
        services.reject_change(db.session.get(ChangeRequest, done), expected_version=None, reason="No.",
                               rejected_by_id=None)
        db.session.commit()
    now_is(datetime(2026, 9, 1, 9, tzinfo=UTC))  # the meeting is still to come
    login_as("project_manager", _programme(app, world))
    occurrence_url = f"/programmes/{world.programme_id}/occurrences/{world.occurrence_id}"
    html = client.get(occurrence_url).get_data(as_text=True)
    assert "Change requests waiting for the committee" in html
    assert f'value="{pending}">CR-001 Pending one' in html and "Turned down one</option>" not in html
    response = form_post(client, f"{occurrence_url}/agenda", {
        "agenda-title": "Pending one", "agenda-minutes_allotted": "15",
        "agenda-change_request_id": str(pending)}, page_url=occurrence_url)
    assert response.status_code == 302
    html = client.get(occurrence_url).get_data(as_text=True)
    assert "Change requests waiting for the committee" not in html


def test_a_new_start_too_far_away_is_said_on_every_page_not_a_500(app, client, login_as, world):
    change_id = schedule_change(app, world, assessed=True)
    with app.app_context():  # stored before the bound existed: the re-plan's calendar runs out of years
        db.session.get(ChangeRequest, change_id).new_start = date(9999, 12, 27)
        db.session.commit()
    login_as("project_manager", _programme(app, world))
    for page in ("", "/assess", "/decide"):
        response = client.get(f"{base(world)}/{change_id}{page}")
        assert response.status_code == 200, page
        assert "This date is too far away to plan" in response.get_data(as_text=True)
    response = form_post(client, f"{base(world)}/new", {
        "title": "Far", "kind": "schedule", "requested_on": "2026-09-15", "plan_item_key": world.wave_key,
        "new_start": "9999-12-27"})
    assert response.status_code == 422 and "a year before the programme starts" in response.get_data(as_text=True)
    assert count(app, ChangeRequest) == 1


@pytest.mark.parametrize("cost", ["1e26", "-1e30", "99999999999999999999999999999"])
def test_a_huge_cost_answers_422_with_a_message(app, client, login_as, world, cost):
    login_as("project_manager", _programme(app, world))
    response = form_post(client, f"{base(world)}/new", {
        "title": "Costly", "kind": "other", "requested_on": "2026-09-15", "cost": cost})
    assert response.status_code == 422
    assert "Enter a number up to 999,999,999,999.99." in response.get_data(as_text=True)
    assert count(app, ChangeRequest) == 0


def test_an_approval_with_a_freeze_conflict_is_refused_on_the_page(app, client, login_as, world):
    change_id = schedule_change(app, world, assessed=True)
    with app.app_context():
        db.session.get(ChangeRequest, change_id).new_start = date(2026, 12, 22)
        db.session.commit()
    login_as("committee_member", _programme(app, world))
    response = form_post(client, f"{base(world)}/{change_id}/decide", {
        "outcome": "approve", "occurrence_id": str(world.occurrence_id), "version": "3"})
    assert response.status_code == 422 and "freeze window" in response.get_data(as_text=True)
    assert load(app, ChangeRequest, change_id).status is ChangeStatus.ASSESSED and count(app, Decision) == 0


def test_the_pm_withdraws_an_approved_request(app, client, login_as, world):
    change_id = make_change(app, world, approved=True, kind="process")
    login_as("project_manager", _programme(app, world))
    show = f"{base(world)}/{change_id}"
    assert "Withdraw" in client.get(show).get_data(as_text=True)
    version = load(app, ChangeRequest, change_id).version
    response = form_post(client, f"{show}/reject", {"reason": "Superseded by CR-009.", "version": str(version)})
    assert response.status_code == 302
    change = load(app, ChangeRequest, change_id)
    assert change.status is ChangeStatus.REJECTED and change.rejection_reason.startswith("Withdrawn")
    html = client.get(show).get_data(as_text=True)
    assert "Withdrawn after the approval" in html and "Nothing left to do." in html


def test_editing_an_assessed_request_on_the_page_sends_it_back(app, client, login_as, world):
    change_id = make_change(app, world, assessed=True, title="One")
    login_as("project_manager", _programme(app, world))
    version = load(app, ChangeRequest, change_id).version
    response = form_post(client, f"{base(world)}/{change_id}/edit", {
        "title": "One, changed", "kind": "other", "requested_on": "2026-09-10", "version": str(version)})
    assert response.status_code == 302
    change = load(app, ChangeRequest, change_id)
    assert change.status is ChangeStatus.SUBMITTED and change.assessment == ""
