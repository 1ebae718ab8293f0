"""The committee page: settings, members joining, changing role and leaving (flagged until acknowledged)."""
from datetime import date

import pytest
from sqlalchemy import select

from planner.committee import services as committee_services
from planner.committee.models import Committee, CommitteeMember, CommitteeRole
from planner.extensions import db
from planner.programmes.models import Programme
from tests.committee.test_pages_helpers import NOW, committee_id, flashes, load, outbox, page_errors, seat
from tests.conftest import form_post
from tests.rollout.helpers import field_errors


def test_a_project_manager_adds_a_member(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme = make_programme()
    person = make_person(programme, "Hanna Vogel")
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/committee"

    page = client.get(url).get_data(as_text=True)
    assert "Steering committee" in page and "Nobody sits on the committee yet." in page
    assert "Hanna Vogel &lt;" in page  # offered in the person select

    response = form_post(client, f"{url}/members", {"person_id": person.id, "role": "chair",
                                                     "starts_on": "2026-11-01"}, page_url=url)
    assert response.status_code == 302
    [member] = _members(app, programme)
    assert (member.person_id, member.role, member.starts_on) == (person.id, CommitteeRole.CHAIR, date(2026, 11, 1))
    page = client.get(url).get_data(as_text=True)
    assert "Hanna Vogel joins the committee as Chair." in flashes(page)
    assert "Record leaving" in page


def test_adding_a_member_refuses_bad_input(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, other = make_programme(), make_programme()
    seated = make_person(programme, "Hanna Vogel")
    stranger = make_person(other, "Someone Else")
    seat(app, programme, seated)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/committee"

    no_day = form_post(client, f"{url}/members", {"person_id": seated.id, "role": "chair", "starts_on": ""},
                       page_url=url)
    assert no_day.status_code == 422
    assert field_errors(no_day.get_data(as_text=True), "starts_on")
    nobody = form_post(client, f"{url}/members", {"person_id": "", "role": "chair", "starts_on": "2026-11-01"},
                       page_url=url)
    assert nobody.status_code == 422
    assert "Choose a person of this programme." in field_errors(nobody.get_data(as_text=True), "person_id")

    foreign = form_post(client, f"{url}/members", {"person_id": stranger.id, "role": "chair",
                                                    "starts_on": "2026-11-01"}, page_url=url)
    assert foreign.status_code == 422
    assert field_errors(foreign.get_data(as_text=True), "person_id")

    twice = form_post(client, f"{url}/members", {"person_id": seated.id, "role": "chair",
                                                  "starts_on": "2026-11-01"}, page_url=url)
    assert twice.status_code == 422
    assert "Hanna Vogel already sits on the committee." in field_errors(twice.get_data(as_text=True), "person_id")
    assert len(_members(app, programme)) == 1


def test_committee_settings_are_saved_and_checked(app, client, login_as, make_programme, now_is):
    now_is(NOW)
    programme = make_programme()
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/committee/settings"
    committee = load(app, Committee, committee_id(app, programme))

    page = client.get(url).get_data(as_text=True)
    assert 'value="Steering committee"' in page and 'value="50"' in page

    bad = form_post(client, url, {"name": "SteerCo", "quorum_percent": "0", "agenda_notice_days": "3",
                                  "version": committee.version})
    assert bad.status_code == 422
    assert field_errors(bad.get_data(as_text=True), "quorum_percent")
    stale = form_post(client, url, {"name": "SteerCo", "quorum_percent": "60", "agenda_notice_days": "5",
                                    "version": committee.version + 7})
    assert stale.status_code == 409
    assert load(app, Committee, committee.id).name == "Steering committee"

    saved = form_post(client, url, {"name": "SteerCo", "quorum_percent": "60", "agenda_notice_days": "5",
                                    "version": committee.version})
    assert saved.status_code == 302
    after = load(app, Committee, committee.id)
    assert (after.name, after.quorum_percent, after.quorum_needs_chair, after.agenda_notice_days) == (
        "SteerCo", 60, False, 5)


def test_a_member_leaving_is_flagged_until_a_project_manager_has_seen_it(app, client, login_as, make_programme,
                                                                         make_person, now_is):
    now_is(NOW)
    programme = make_programme()
    chair = make_person(programme, "Hanna Vogel")
    member_id = seat(app, programme, chair, role="chair")
    with app.app_context():
        committee_services.add_action(db.session.get(Programme, programme.id), title="Sign the data policy",
                                      owner_id=chair.id, due_on=date(2026, 12, 1))
        db.session.commit()
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/committee/members/{member_id}/leave"

    early = form_post(client, url, {"ends_on": "2026-08-01", "reason": "", "version": load(
        app, CommitteeMember, member_id).version})
    assert early.status_code == 422
    assert "The last day cannot be before the member joined." in field_errors(early.get_data(as_text=True), "ends_on")
    assert load(app, CommitteeMember, member_id).ends_on is None

    response = form_post(client, url, {"ends_on": "2026-11-30", "reason": "Moves to the Lisbon office",
                                       "version": load(app, CommitteeMember, member_id).version})
    assert response.status_code == 302
    member = load(app, CommitteeMember, member_id)
    assert (member.ends_on, member.leave_reason, member.leave_acknowledged_at) == (
        date(2026, 11, 30), "Moves to the Lisbon office", None)
    # the programme's project managers are told by email, through the outbox
    assert [kind for kind, _to, _subject in outbox(app)] == ["notice"]

    page = client.get(f"/programmes/{programme.id}/committee").get_data(as_text=True)
    assert "Members who left" in page and "Moves to the Lisbon office" in page
    assert "Not yet seen by a project manager" in page and "Sign the data policy" in page

    seen = form_post(client, f"/programmes/{programme.id}/committee/members/{member_id}/acknowledge", {},
                     page_url=f"/programmes/{programme.id}/committee")
    assert seen.status_code == 302
    assert load(app, CommitteeMember, member_id).leave_acknowledged_at is not None
    assert "Not yet seen by a project manager" not in client.get(f"/programmes/{programme.id}/committee").get_data(
        as_text=True)


def test_acknowledging_a_member_who_has_not_left_is_refused(app, client, login_as, make_programme, make_person,
                                                            now_is):
    now_is(NOW)
    programme = make_programme()
    member_id = seat(app, programme, make_person(programme, "Hanna Vogel"))
    login_as("project_manager", programme)
    page_url = f"/programmes/{programme.id}/committee"
    response = form_post(client, f"{page_url}/members/{member_id}/acknowledge", {}, page_url=page_url)
    assert response.status_code == 422
    assert "Hanna Vogel has not left the committee." in page_errors(response.get_data(as_text=True))


def test_a_member_changes_role(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme = make_programme()
    member_id = seat(app, programme, make_person(programme, "Hanna Vogel"))
    login_as("project_manager", programme)
    page_url = f"/programmes/{programme.id}/committee"
    url = f"{page_url}/members/{member_id}/role"
    version = load(app, CommitteeMember, member_id).version

    bad = form_post(client, url, {f"role{member_id}-role": "emperor", f"role{member_id}-version": version},
                    page_url=page_url)
    assert bad.status_code == 422
    assert field_errors(bad.get_data(as_text=True), f"role{member_id}-role")

    response = form_post(client, url, {f"role{member_id}-role": "secretary", f"role{member_id}-version": version},
                         page_url=page_url)
    assert response.status_code == 302
    assert load(app, CommitteeMember, member_id).role is CommitteeRole.SECRETARY


@pytest.mark.parametrize(("role", "shows_names"), [("committee_member", True), ("viewer", False)])
def test_committee_members_and_viewers_read_the_committee_but_do_not_manage_it(app, client, login_as, role,
                                                                              shows_names, make_programme,
                                                                              make_person, now_is):
    now_is(NOW)
    programme = make_programme()
    seat(app, programme, make_person(programme, "Hanna Vogel"))
    login_as(role, programme)
    page = client.get(f"/programmes/{programme.id}/committee").get_data(as_text=True)
    assert ("Hanna Vogel" in page) is shows_names  # viewers may not see the programme's people
    assert "Department representative" in page
    assert "Add a member" not in page and "Record leaving" not in page and "Settings" not in page


def _members(app, programme) -> list[CommitteeMember]:
    with app.app_context():
        rows = db.session.scalars(select(CommitteeMember).join(Committee)
                                  .where(Committee.programme_id == programme.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows
