"""Action items: the list with its state and owner filters, and editing or closing an action."""
from datetime import date

import pytest

from planner.committee import services as committee_services
from planner.committee.models import ActionItem, ActionStatus
from planner.extensions import db
from planner.programmes.models import Programme
from tests.committee.helpers import held_occurrence
from tests.committee.test_pages_helpers import NOW, flashes, load
from tests.conftest import form_post
from tests.rollout.helpers import field_errors


def _actions(app, programme, *specs) -> list[int]:
    """Actions from (title, owner, due_on, status) tuples; returns their ids."""
    ids = []
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        for title, owner, due_on, status in specs:
            action = committee_services.add_action(target, title=title, owner_id=owner.id, due_on=due_on)
            db.session.flush()
            if status != "open":
                committee_services.update_action(action, expected_version=None, title=title, owner_id=owner.id,
                                                 due_on=due_on, status=status, notes="")
            ids.append(action.id)
        db.session.commit()
    return ids


@pytest.fixture
def two_owners(app, make_programme, make_person, now_is):
    now_is(NOW)
    programme = make_programme()
    hanna = make_person(programme, "Hanna Vogel")
    luis = make_person(programme, "Luis Ortega")
    ids = _actions(app, programme, ("Late report", hanna, date(2026, 10, 1), "open"),
                   ("Budget draft", luis, date(2026, 12, 1), "open"),
                   ("Old chore", hanna, date(2026, 9, 1), "done"),
                   ("Dropped idea", luis, date(2026, 9, 2), "dropped"))
    return programme, hanna, luis, ids


@pytest.mark.parametrize(("query", "shown"), [
    ("", ["Late report", "Budget draft"]),
    ("?state=overdue", ["Late report"]),
    ("?state=done", ["Old chore", "Dropped idea"]),
    ("?state=all", ["Old chore", "Dropped idea", "Late report", "Budget draft"]),
    ("?state=nonsense", ["Late report", "Budget draft"]),
])
def test_the_action_list_filters_by_state(app, client, login_as, two_owners, query, shown):
    programme, _hanna, _luis, _ids = two_owners
    login_as("viewer", programme)
    page = client.get(f"/programmes/{programme.id}/actions{query}").get_data(as_text=True)
    everything = ["Late report", "Budget draft", "Old chore", "Dropped idea"]
    assert [title for title in everything if title in page] == [title for title in everything if title in shown]
    positions = [page.index(title) for title in shown]
    assert positions == sorted(positions), "soonest due first"


def test_the_action_list_filters_by_owner_and_marks_overdue(app, client, login_as, two_owners):
    programme, hanna, _luis, _ids = two_owners
    login_as("committee_member", programme)
    page = client.get(f"/programmes/{programme.id}/actions?state=all&owner={hanna.id}").get_data(as_text=True)
    assert "Late report" in page and "Old chore" in page and "Budget draft" not in page
    assert page.count('<span class="badge badge-unmet">Overdue</span>') == 1
    assert page.count("Hanna Vogel") == 3  # the owner filter's option and the two rows


def test_viewers_see_actions_without_their_owners_names(app, client, login_as, two_owners):
    """Viewers may not see the programme's people (PEOPLE_VIEW), as on the risk register: no owner names in the
    rows or the filter, and the owner filter is ignored rather than telling whose actions these are."""
    programme, hanna, _luis, _ids = two_owners
    login_as("viewer", programme)
    page = client.get(f"/programmes/{programme.id}/actions?state=all&owner={hanna.id}").get_data(as_text=True)
    assert "Hanna Vogel" not in page and "Luis Ortega" not in page
    assert 'name="owner"' not in page
    assert all(title in page for title in ("Late report", "Old chore", "Budget draft", "Dropped idea"))
    assert page.count(">assigned<") == 4
    assert "/edit" not in page  # viewers do not edit actions


def test_an_action_is_edited_and_closed(app, client, login_as, two_owners):
    programme, _hanna, luis, ids = two_owners
    login_as("committee_member", programme)
    url = f"/programmes/{programme.id}/actions/{ids[0]}/edit"
    assert 'value="Late report"' in client.get(url).get_data(as_text=True)
    version = load(app, ActionItem, ids[0]).version

    blank = form_post(client, url, {"title": "", "owner_id": luis.id, "due_on": "2026-11-20", "status": "done",
                                    "version": version})
    assert blank.status_code == 422
    assert field_errors(blank.get_data(as_text=True), "title")
    stale = form_post(client, url, {"title": "Late report", "owner_id": luis.id, "due_on": "2026-11-20",
                                    "status": "done", "version": version - 1})
    assert stale.status_code == 409
    assert load(app, ActionItem, ids[0]).status is ActionStatus.OPEN

    response = form_post(client, url, {"title": "Late report, final", "owner_id": luis.id, "due_on": "2026-11-20",
                                       "status": "done", "notes": "Sent to the board", "version": version})
    assert response.status_code == 302
    action = load(app, ActionItem, ids[0])
    assert (action.title, action.owner_id, action.status, action.completed_on, action.notes) == (
        "Late report, final", luis.id, ActionStatus.DONE, NOW.date(), "Sent to the board")
    assert "Action saved: Late report, final" in flashes(client.get(response.headers["Location"]).get_data(
        as_text=True))


def test_viewers_cannot_edit_actions(app, client, login_as, two_owners):
    programme, _hanna, _luis, ids = two_owners
    login_as("viewer", programme)
    assert client.get(f"/programmes/{programme.id}/actions/{ids[0]}/edit").status_code == 403


@pytest.mark.parametrize(("role", "shows_names"), [("viewer", False), ("committee_member", True)])
def test_action_owners_on_the_meeting_page_and_pack_are_named_only_to_those_who_may_see_people(
        app, client, login_as, two_owners, role, shows_names):
    """The meeting's "Actions agreed" and the pack's overdue actions name their owners as the action list does."""
    programme, _hanna, luis, _ids = two_owners
    with app.app_context():
        occurrence = held_occurrence(db.session.get(Programme, programme.id))
        db.session.flush()
        committee_services.add_action(occurrence.meeting.committee.programme, title="Agreed here", owner_id=luis.id,
                                      due_on=date(2026, 12, 1), occurrence=occurrence)
        db.session.commit()
        occurrence_id = occurrence.id
    login_as(role, programme)

    meeting_page = client.get(f"/programmes/{programme.id}/occurrences/{occurrence_id}").get_data(as_text=True)
    pack = client.get(f"/programmes/{programme.id}/occurrences/{occurrence_id}/pack").get_data(as_text=True)

    assert "Agreed here" in meeting_page and "Late report" in pack  # Hanna's, overdue since October
    assert ("Luis Ortega" in meeting_page) is shows_names
    assert ("Hanna Vogel" in pack) is shows_names
    assert (">assigned<" in meeting_page and "Late report: owner assigned" in pack) is not shows_names
