"""Enrolment pages: auto-enrol, move, cancel (with the people left without a session), the session page's
waitlist and its query count, and business cancellations in the committee pack."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from planner.extensions import db
from planner.training.models import CancelReason, SessionStatus, TrainingSession
from tests.conftest import count_queries, form_post, log_in
from tests.training.test_enrolment import need, people, statuses, waitlist
from tests.training.test_sessions_helpers import NOW, load_session, make_course, make_session, setup


def _page(s, session_id) -> str:
    return f"/programmes/{s.programme.id}/sessions/{session_id}"


def test_auto_enrol_from_the_session_page(app, client, factories, login_as, now_is):
    now_is(NOW)
    s = setup(app, factories)
    need(app, s)
    ada, ben = people(factories, s, ["Ada Auto", "Ben Auto"])
    session_id = make_session(app, s, capacity=1)
    login_as("project_manager", s.programme)
    page = _page(s, session_id)
    html = client.get(page).get_data(as_text=True)
    assert "Enrol everyone in" in html and "Cancel the session" in html
    response = form_post(client, f"{page}/auto-enrol", {}, page_url=page)
    assert response.status_code == 302
    assert statuses(app, session_id) == {ada: ("enrolled", None), ben: ("waitlisted", 1)}
    html = client.get(page).get_data(as_text=True)
    assert "1 person enrolled. 1 person on the waitlist." in html
    enrolled, waiting = html.split("<h2>Waitlist</h2>")
    assert "Ada Auto" in enrolled and "Ben Auto" in waiting


def test_a_viewer_sees_the_waitlist_but_no_actions(app, client, factories, login_as, now_is):
    now_is(NOW)
    s = setup(app, factories)
    [waiting] = people(factories, s, ["Wanda Waiting"])
    session_id = make_session(app, s, capacity=1)
    waitlist(app, session_id, [waiting])
    login_as("viewer", s.programme)
    html = client.get(_page(s, session_id)).get_data(as_text=True)
    waitlist_part = html.split("<h2>Waitlist</h2>")[1]
    assert "Wanda Waiting" not in waitlist_part and "A trainee" in waitlist_part  # no names without PEOPLE_VIEW
    assert "auto-enrol" not in html and "/move" not in html and "/cancel" not in html


def test_moving_from_the_page_and_bad_input(app, client, factories, login_as, now_is):
    now_is(NOW)
    s = setup(app, factories)
    [mover] = people(factories, s, ["Mo Mover"])
    source = make_session(app, s, people=[mover])
    target = make_session(app, s, day=date(2026, 11, 12))
    foreign = make_session(app, s, day=date(2026, 11, 13), region_id=None)
    other_course = make_course(app, s.programme, title="Other course")
    with app.app_context():
        enrolment_id = db.session.scalar(select(TrainingSession).where(TrainingSession.id == source)).enrolments[0].id
        db.session.get(TrainingSession, foreign).course_id = other_course
        db.session.commit()
    login_as("project_manager", s.programme)
    page = _page(s, source)
    html = client.get(page).get_data(as_text=True)
    assert f'<option value="{target}">' in html and f'<option value="{foreign}">' not in html
    url = f"/programmes/{s.programme.id}/enrolments/{enrolment_id}/move"
    for value in ("", str(foreign), "x"):
        refused = form_post(client, url, {"to_session_id": value}, page_url=page)
        assert refused.status_code == 422, value
        assert "Choose another session of the same course" in refused.get_data(as_text=True)
    assert statuses(app, source) == {mover: ("enrolled", None)}
    moved = form_post(client, url, {"to_session_id": str(target)}, page_url=page)
    assert moved.status_code == 302
    assert statuses(app, target) == {mover: ("enrolled", None)}
    assert "Mo Mover moved to the session of" in client.get(page).get_data(as_text=True)


def test_cancelling_needs_a_reason_and_flags_people_left_without_a_session(app, client, factories, login_as,
                                                                         now_is):
    now_is(NOW)
    s = setup(app, factories)
    lone, covered = people(factories, s, ["Lone Trainee", "Covered Trainee"])
    session_id = make_session(app, s, schedule=True, people=[lone, covered])
    elsewhere = factories.region(s.programme)
    make_session(app, s, day=date(2026, 11, 20), region_id=elsewhere.id, people=[covered])  # not the same region
    login_as("project_manager", s.programme)
    url = f"{_page(s, session_id)}/cancel"
    form = client.get(url).get_data(as_text=True)
    assert "Business priority" in form and "no later session of this course" in form
    for data in ({"reason": "", "note": "x"}, {"reason": "whim"}, {"reason": "other", "note": "x" * 2001}):
        refused = form_post(client, url, data)
        assert refused.status_code == 422, data
    assert load_session(app, session_id).status is SessionStatus.SCHEDULED
    done = form_post(client, url, {"reason": "business_priority", "note": "Quarter-end closing"})
    assert done.status_code == 302
    session = load_session(app, session_id)
    assert (session.status, session.cancel_reason, session.cancel_note) == \
        (SessionStatus.CANCELLED, CancelReason.BUSINESS_PRIORITY, "Quarter-end closing")
    html = client.get(_page(s, session_id)).get_data(as_text=True)
    assert "1 person has no other session yet." in html
    left = html.split("People left without a session")[1].split("</section>")[0]
    assert "Lone Trainee" in left and "Covered Trainee" not in left
    assert "Quarter-end closing" in html and "auto-enrol" not in html
    assert form_post(client, url, {"reason": "other"}).status_code == 422  # already cancelled


def _fill(app, factories, s, n: int) -> int:
    person_ids = people(factories, s, [f"Trainee {i}" for i in range(n + 2)])
    session_id = make_session(app, s, capacity=n, people=person_ids[:n])
    waitlist(app, session_id, person_ids[n:])
    make_session(app, s, day=date(2026, 11, 12))
    make_session(app, s, day=date(2026, 11, 13))
    return session_id


def test_the_session_page_answers_in_the_same_number_of_queries_for_3_or_30_enrolments(app, factories, now_is):
    now_is(NOW)
    counts = []
    for n in (3, 30):
        s = setup(app, factories)
        session_id = _fill(app, factories, s, n)
        client = app.test_client()
        log_in(client, factories.user_with_role("project_manager", s.programme).email)
        with count_queries(app) as statements:
            response = client.get(_page(s, session_id))
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("/move") == n + 2
        counts.append(len(statements))
        with app.app_context():
            db.session.get(TrainingSession, session_id).status = SessionStatus.CANCELLED
            db.session.commit()
        with count_queries(app) as statements:
            assert client.get(_page(s, session_id)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_business_cancellations_since_the_last_meeting_are_in_the_committee_pack(app, client, factories,
                                                                                login_as, now_is):
    from tests.committee.helpers import held_occurrence

    now_is(NOW)
    s = setup(app, factories)
    utc = timezone.utc
    with app.app_context():
        from planner.programmes.models import Programme

        programme = db.session.get(Programme, s.programme.id)
        previous = held_occurrence(programme, day=date(2026, 10, 9))
        upcoming = held_occurrence(programme, day=date(2026, 11, 20), title="Next steering committee")
        db.session.commit()
        upcoming_id = upcoming.id
    cases = {"Recent business": (CancelReason.BUSINESS_PRIORITY, datetime(2026, 11, 1, tzinfo=utc)),
             "Old business": (CancelReason.BUSINESS_PRIORITY, datetime(2026, 10, 1, tzinfo=utc)),
             "Trainer ill": (CancelReason.TRAINER_UNAVAILABLE, datetime(2026, 11, 2, tzinfo=utc))}
    for note, (reason, when) in cases.items():
        session_id = make_session(app, s, day=date(2026, 11, 10) + timedelta(days=len(note)))
        with app.app_context():
            session = db.session.get(TrainingSession, session_id)
            session.status, session.cancel_reason, session.cancel_note = SessionStatus.CANCELLED, reason, note
            db.session.flush()
            session.updated_at = when
            db.session.commit()
    login_as("viewer", s.programme)
    html = client.get(f"/programmes/{s.programme.id}/occurrences/{upcoming_id}/pack").get_data(as_text=True)
    section = html.split("Training cancelled for business reasons since the last meeting")[1].split("</section>")[0]
    assert "Recent business" in section and "Helix CRM for sales" in section
    assert "Old business" not in section and "Trainer ill" not in section
    assert previous is not None
