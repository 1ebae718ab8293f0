"""One meeting of a series: its agenda (add, edit, order, remove, publish), moving or cancelling it, and once it
has started: attendance with the quorum, minutes, decisions and actions; and the printable committee pack."""
from datetime import date, datetime

from sqlalchemy import select

from planner.committee import services as committee_services
from planner.committee.models import (
    ActionItem, AgendaItem, Decision, MeetingAttendance, MeetingOccurrence, OccurrenceStatus,
)
from planner.extensions import db
from planner.lifecycle import services as lifecycle_services
from planner.programmes.models import Programme
from planner.rollout import services as rollout_services
from tests.committee.test_pages_helpers import (
    NOW, add_items, count, flashes, load, outbox, page_errors, past_and_next, schedule, seat,
)
from tests.conftest import form_post, log_in
from tests.rollout.helpers import field_errors


def _series(app, make_programme, make_person, *, send_now: bool = True):
    """A committee of two (chair and a representative) meeting weekly on Tuesdays since 6 October."""
    programme = make_programme()
    chair = make_person(programme, "Hanna Vogel", email="hanna@example.com")
    rep = make_person(programme, "Luis Ortega", email="luis@example.com")
    seat(app, programme, chair, role="chair")
    seat(app, programme, rep)
    meeting_id = schedule(app, programme, send_now=send_now)
    past, upcoming = past_and_next(app, meeting_id)
    return programme, chair, rep, meeting_id, past, upcoming


def _item_titles(app, occurrence_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AgendaItem.title).where(AgendaItem.occurrence_id == occurrence_id)
                                       .order_by(AgendaItem.position, AgendaItem.id)))


def test_building_the_agenda(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, chair, _rep, _meeting, _past, upcoming = _series(app, make_programme, make_person)
    login_as("project_manager", programme)
    page_url = f"/programmes/{programme.id}/occurrences/{upcoming}"

    for title, minutes in (("Pilot status", "30"), ("Budget", "20"), ("Go-live north", "25")):
        response = form_post(client, f"{page_url}/agenda", {"agenda-title": title, "agenda-minutes_allotted": minutes,
                                                             "agenda-presenter_id": chair.id}, page_url=page_url)
        assert response.status_code == 302
    assert _item_titles(app, upcoming) == ["Pilot status", "Budget", "Go-live north"]
    page = client.get(page_url).get_data(as_text=True)
    assert "Added to the agenda: Go-live north" in flashes(page)
    assert "Total: 75 of 60 minutes." in page and "The agenda runs 15 minutes over the meeting's length." in page
    assert "Agenda late" in page  # tomorrow, and not published

    [first, second, third] = _ids(app, upcoming)
    moved = form_post(client, f"/programmes/{programme.id}/agenda-items/{third}/move", {"step": "-1"},
                      page_url=page_url)
    assert moved.status_code == 302
    assert _item_titles(app, upcoming) == ["Pilot status", "Go-live north", "Budget"]

    edit_url = f"/programmes/{programme.id}/agenda-items/{second}/edit"
    assert 'value="Budget"' in client.get(edit_url).get_data(as_text=True)
    version = load(app, AgendaItem, second).version
    stale = form_post(client, edit_url, {"title": "Budget 2027", "minutes_allotted": "10", "version": version + 3})
    assert stale.status_code == 409
    saved = form_post(client, edit_url, {"title": "Budget 2027", "minutes_allotted": "5", "version": version})
    assert saved.status_code == 302
    assert (load(app, AgendaItem, second).title, load(app, AgendaItem, second).minutes_allotted) == ("Budget 2027", 5)

    removed = form_post(client, f"/programmes/{programme.id}/agenda-items/{first}/delete", {}, page_url=page_url)
    assert removed.status_code == 302
    assert _item_titles(app, upcoming) == ["Go-live north", "Budget 2027"]
    assert "Total: 30 of 60 minutes." in client.get(page_url).get_data(as_text=True)


def test_a_bad_agenda_item_is_refused(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep, _meeting, _past, upcoming = _series(app, make_programme, make_person)
    other = make_programme()
    foreign = make_person(other, "Someone Else")
    login_as("project_manager", programme)
    page_url = f"/programmes/{programme.id}/occurrences/{upcoming}"

    untitled = form_post(client, f"{page_url}/agenda", {"agenda-title": "", "agenda-minutes_allotted": "0"},
                         page_url=page_url)
    assert untitled.status_code == 422
    page = untitled.get_data(as_text=True)
    assert field_errors(page, "agenda-title") and field_errors(page, "agenda-minutes_allotted")
    stranger = form_post(client, f"{page_url}/agenda", {"agenda-title": "Budget", "agenda-minutes_allotted": "10",
                                                         "agenda-presenter_id": foreign.id}, page_url=page_url)
    assert stranger.status_code == 422
    assert _item_titles(app, upcoming) == []


def test_publishing_the_agenda_emails_everyone_invited(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep, _meeting, _past, upcoming = _series(app, make_programme, make_person)
    login_as("project_manager", programme)
    page_url = f"/programmes/{programme.id}/occurrences/{upcoming}"

    empty = form_post(client, f"{page_url}/publish-agenda", {}, page_url=page_url)
    assert empty.status_code == 422
    assert "The agenda is empty" in page_errors(empty.get_data(as_text=True))
    assert outbox(app, "agenda") == []

    [item] = add_items(app, upcoming, 1)
    response = form_post(client, f"{page_url}/publish-agenda", {}, page_url=page_url)
    assert response.status_code == 302
    assert sorted(to for _kind, to, _subject in outbox(app, "agenda")) == ["hanna@example.com", "luis@example.com"]
    page = client.get(page_url).get_data(as_text=True)
    assert "Agenda published. 2 emails queued." in flashes(page)
    assert "Agenda late" not in page and "Published" in page

    with app.app_context():
        committee_services.update_agenda_item(db.session.get(AgendaItem, item), expected_version=None, title="Changed",
                                              notes="", presenter_id=None, minutes_allotted=10, milestone_id=None,
                                              gate_review_id=None)
        db.session.commit()
    page = client.get(page_url).get_data(as_text=True)
    assert "Edited since publishing" in page and "Send the updated agenda" in page


def test_moving_one_occurrence(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep, _meeting, _past, upcoming = _series(app, make_programme, make_person)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/occurrences/{upcoming}/move"
    form = client.get(url).get_data(as_text=True)
    assert 'value="2026-11-03"' in form and 'value="10:00"' in form
    version = load(app, MeetingOccurrence, upcoming).version

    short = form_post(client, url, {"start_on": "2026-11-04", "start_time": "15:00", "duration_minutes": "2",
                                    "version": version})
    assert short.status_code == 422
    assert field_errors(short.get_data(as_text=True), "duration_minutes")

    response = form_post(client, url, {"start_on": "2026-11-04", "start_time": "15:00", "duration_minutes": "60",
                                       "version": version})
    assert response.status_code == 302
    occurrence = load(app, MeetingOccurrence, upcoming)
    assert (occurrence.original_start, occurrence.local_start) == (datetime(2026, 11, 3, 10), datetime(2026, 11, 4, 15))
    assert len(outbox(app, "update")) == 2
    page = client.get(f"/programmes/{programme.id}/occurrences/{upcoming}").get_data(as_text=True)
    assert "Wed 2026-11-04 15:00-16:00 (Europe/Berlin)" in page and "Originally" in page and "Moved" in page


def test_cancelling_one_occurrence(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep, meeting_id, _past, upcoming = _series(app, make_programme, make_person)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/occurrences/{upcoming}/cancel"
    assert "Only this meeting of Steering committee is cancelled" in client.get(url).get_data(as_text=True)
    version = load(app, MeetingOccurrence, upcoming).version

    stale = form_post(client, url, {"reason": "Holiday", "version": version + 1})
    assert stale.status_code == 409
    assert not load(app, MeetingOccurrence, upcoming).is_cancelled

    response = form_post(client, url, {"reason": "Half the committee is at the vendor fair", "version": version})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting_id}")
    assert load(app, MeetingOccurrence, upcoming).is_cancelled
    assert sorted(subject for _kind, _to, subject in outbox(app, "cancel")) == [
        "Cancelled: Steering committee on 2026-11-03"] * 2
    page = client.get(f"/programmes/{programme.id}/occurrences/{upcoming}").get_data(as_text=True)
    assert "Cancelled" in page and "Half the committee is at the vendor fair" in page


def test_attendance_is_taken_once_the_meeting_has_started(app, client, login_as, make_programme, make_person,
                                                         now_is):
    now_is(NOW)
    programme, chair, rep, _meeting, past, upcoming = _series(app, make_programme, make_person)
    login_as("committee_member", programme)

    ahead = f"/programmes/{programme.id}/occurrences/{upcoming}"
    assert "Save attendance" not in client.get(ahead).get_data(as_text=True)
    early = form_post(client, f"{ahead}/attendance", {f"attendance-status_{chair.id}": "present"}, page_url=ahead)
    assert early.status_code == 422
    assert "Attendance is taken once the meeting has started." in page_errors(early.get_data(as_text=True))

    page_url = f"/programmes/{programme.id}/occurrences/{past}"
    nobody = form_post(client, f"{page_url}/attendance", {}, page_url=page_url)
    assert nobody.status_code == 422
    assert "Mark who was present" in page_errors(nobody.get_data(as_text=True))
    unnamed = form_post(client, f"{page_url}/attendance", {f"attendance-status_{chair.id}": "present",
                                                           f"attendance-status_{rep.id}": "delegate"},
                        page_url=page_url)
    assert unnamed.status_code == 422
    assert "Name the delegate who came instead." in page_errors(unnamed.get_data(as_text=True))
    assert count(app, MeetingAttendance) == 0

    response = form_post(client, f"{page_url}/attendance", {
        f"attendance-status_{chair.id}": "present", f"attendance-status_{rep.id}": "delegate",
        f"attendance-delegate_{rep.id}": "Ana Ruiz"}, page_url=page_url)
    assert response.status_code == 302
    with app.app_context():
        marks = {row.person_id: (row.status.value, row.delegate_name)
                 for row in db.session.scalars(select(MeetingAttendance).where(MeetingAttendance.occurrence_id == past))}
    assert marks == {chair.id: ("present", ""), rep.id: ("delegate", "Ana Ruiz")}
    assert load(app, MeetingOccurrence, past).status is OccurrenceStatus.HELD
    page = client.get(page_url).get_data(as_text=True)
    assert "Quorum met" in page and "2 of 2 serving members present or represented; 1 needed." in page
    assert 'checked id="attendance-status_%d-2"' % rep.id in page and 'value="Ana Ruiz"' in page


def test_minutes_decisions_and_actions_of_a_meeting(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, chair, _rep, _meeting, past, _upcoming = _series(app, make_programme, make_person)
    [item] = add_items(app, past, 1)
    user = login_as("committee_member", programme)
    page_url = f"/programmes/{programme.id}/occurrences/{past}"

    version = load(app, MeetingOccurrence, past).version
    blank = form_post(client, f"{page_url}/minutes", {"minutes-minutes": "", "minutes-version": version},
                      page_url=page_url)
    assert blank.status_code == 422
    assert field_errors(blank.get_data(as_text=True), "minutes-minutes")
    minutes = form_post(client, f"{page_url}/minutes", {"minutes-minutes": "The pilot runs well.",
                                                        "minutes-version": version}, page_url=page_url)
    assert minutes.status_code == 302
    occurrence = load(app, MeetingOccurrence, past)
    assert (occurrence.minutes, occurrence.status) == ("The pilot runs well.", OccurrenceStatus.MINUTED)

    no_text = form_post(client, f"{page_url}/decisions", {"decision-text": ""}, page_url=page_url)
    assert no_text.status_code == 422
    assert field_errors(no_text.get_data(as_text=True), "decision-text")
    decided = form_post(client, f"{page_url}/decisions", {"decision-text": "The north goes live on 16 November.",
                                                          "decision-agenda_item_id": item}, page_url=page_url)
    assert decided.status_code == 302
    with app.app_context():
        decision = db.session.scalar(select(Decision).where(Decision.occurrence_id == past))
        assert (decision.decided_on, decision.decided_by, decision.agenda_item_id, decision.recorded_by_id) == (
            date(2026, 10, 27), "Steering committee, meeting of 2026-10-27", item, user.id)
    decisions_page = client.get(f"/programmes/{programme.id}/decisions").get_data(as_text=True)
    assert f'href="/programmes/{programme.id}/occurrences/{past}">Steering committee, 2026-10-27</a>' in decisions_page

    ownerless = form_post(client, f"{page_url}/actions", {"action-title": "Brief the north", "action-owner_id": "",
                                                          "action-due_on": "2026-11-13"}, page_url=page_url)
    assert ownerless.status_code == 422
    assert "Choose who owns the action." in field_errors(ownerless.get_data(as_text=True), "action-owner_id")
    agreed = form_post(client, f"{page_url}/actions", {"action-title": "Brief the north",
                                                       "action-owner_id": chair.id, "action-due_on": "2026-11-13"},
                       page_url=page_url)
    assert agreed.status_code == 302
    with app.app_context():
        action = db.session.scalar(select(ActionItem).where(ActionItem.occurrence_id == past))
        assert (action.title, action.owner_id, action.due_on) == ("Brief the north", chair.id, date(2026, 11, 13))
    page = client.get(page_url).get_data(as_text=True)
    assert "The north goes live on 16 November." in page and "Brief the north" in page


def test_viewers_read_an_occurrence_without_forms(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, _chair, _rep, _meeting, past, _upcoming = _series(app, make_programme, make_person)
    add_items(app, past, 2)
    login_as("viewer", programme)
    page = client.get(f"/programmes/{programme.id}/occurrences/{past}").get_data(as_text=True)
    assert "Item 1" in page and "Item 2" in page
    for text in ("Add an agenda item", "Save attendance", "Save the minutes", "Record a decision", "Agree an action",
                 "Move", "Cancel this meeting"):
        assert text not in page, text


def test_the_committee_pack(app, client, login_as, factories, make_programme, make_person, now_is):
    now_is(NOW)
    programme, chair, _rep, _meeting, past, upcoming = _series(app, make_programme, make_person)
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        due = rollout_services.create_milestone(target, name="Vendor selected", kind="vendor_selected",
                                                planned_on=date(2026, 11, 20), actual_on=None)
        rollout_services.create_milestone(target, name="Process sign-off", kind="process_sign_off",
                                          planned_on=date(2026, 10, 1), actual_on=None)
        rollout_services.create_milestone(target, name="Far away", kind="review", planned_on=date(2027, 6, 1),
                                          actual_on=None)
        rollout_services.create_wave(target, name="Pilot", kind="pilot", position=1,
                                     planned_go_live=date(2026, 11, 30), trial_days=10, region_ids=[])
        occurrence = db.session.get(MeetingOccurrence, past)
        committee_services.record_decision(target, text="Pilot in the north", recorded_by_id=None,
                                           occurrence=occurrence)
        committee_services.record_decision(target, text="An old decision", decided_on=date(2026, 1, 5),
                                           decided_by="Board", recorded_by_id=None)
        committee_services.add_action(target, title="Send the budget", owner_id=chair.id, due_on=date(2026, 10, 30))
        committee_services.add_action(target, title="Not due yet", owner_id=chair.id, due_on=date(2026, 12, 30))
        db.session.flush()
        stage = lifecycle_services.stages_of(target.id)[0]
        db.session.commit()
        due_id, stage_name = due.id, stage.name
    add_items(app, upcoming, 2, presenter=chair, milestone_id=due_id)
    pack_url = f"/programmes/{programme.id}/occurrences/{upcoming}/pack"
    login_as("viewer", programme)
    viewed = client.get(pack_url).get_data(as_text=True)
    assert "Item 1" in viewed and "Hanna Vogel" not in viewed  # viewers may not see the programme's people
    assert viewed.count("presenter assigned") == 2
    member = app.test_client()
    log_in(member, factories.user_with_role("committee_member", programme).email)

    page = member.get(pack_url).get_data(as_text=True)
    assert "Item 1" in page and "Item 2" in page and page.count("Hanna Vogel") == 3  # two presentations, an action
    assert "This agenda is not published yet." in page
    assert stage_name in page and "Pilot" in page
    assert "Vendor selected" in page and "Process sign-off" in page and "Far away" not in page
    assert "overdue" in page
    assert "Decisions since the last meeting" in page and "Pilot in the north" in page
    assert "An old decision" not in page
    assert "Send the budget" in page and "Not due yet" not in page


def test_the_pack_warns_when_the_agenda_runs_over(app, client, login_as, make_programme, make_person, now_is):
    now_is(NOW)
    programme, *_rest, upcoming = _series(app, make_programme, make_person)
    with app.app_context():
        length = db.session.get(MeetingOccurrence, upcoming).duration_minutes
    pack_url = f"/programmes/{programme.id}/occurrences/{upcoming}/pack"
    add_items(app, upcoming, length // 10)
    login_as("committee_member", programme)
    assert "minutes over the meeting's length" not in client.get(pack_url).get_data(as_text=True)

    add_items(app, upcoming, 1)
    page = client.get(pack_url).get_data(as_text=True)
    over = (length // 10 + 1) * 10 - length
    assert f"The agenda runs {over} minutes over the meeting's length." in page


def _ids(app, occurrence_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(AgendaItem.id).where(AgendaItem.occurrence_id == occurrence_id)
                                       .order_by(AgendaItem.position, AgendaItem.id)))
