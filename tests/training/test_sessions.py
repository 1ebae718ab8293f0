"""Training sessions: planning (in the region's zone, no trainer in two places at once), editing (SEQUENCE),
scheduling, manual enrolment, the list with its training-window flag, and the trainer's own sessions."""
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from planner.core.errors import DomainError
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.programmes.models import Programme
from planner.rollout import services as rollout_services
from planner.training import session_queries, sessions as services
from planner.training.models import Enrolment, EnrolmentStatus, SessionStatus, TrainingSession
from tests.conftest import count_queries, csrf_token_from, form_post, log_in
from tests.training.test_sessions_helpers import (
    NOW, UTC, load_session, make_people, make_session, setup,
)


def _form(s, **values) -> dict:
    data = {"course_id": str(s.course_id), "region_id": str(s.region.id), "trainer_id": str(s.trainer.id),
            "start_on": "2026-11-12", "start_time": "09:30", "duration_minutes": "", "location": "Room 4",
            "online_url": "", "capacity": "10"}
    data.update(values)
    return data


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# --- planning --------------------------------------------------------------------------------------------

def test_a_project_manager_plans_a_session_in_the_regions_zone(app, client, factories, login_as, now_is):
    now_is(NOW)
    s = setup(app, factories, time_zone="America/New_York")
    login_as("project_manager", s.programme)
    url = f"/programmes/{s.programme.id}/sessions/new"
    response = form_post(client, url, _form(s))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        session = db.session.scalar(select(TrainingSession).where(TrainingSession.programme_id == s.programme.id))
        assert session.status is SessionStatus.PROPOSED
        assert session.time_zone == "America/New_York"
        assert session.local_start == datetime(2026, 11, 12, 9, 30)
        assert session.starts_at == datetime(2026, 11, 12, 14, 30, tzinfo=UTC)  # EST is UTC-5
        assert session.duration_minutes == 120  # the course's
        assert session.ends_at == session.starts_at + timedelta(minutes=120)
        assert session.uid.startswith(f"training-session-{session.id}@")
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.object_type == "TrainingSession",
                                                             AuditEvent.object_id == session.id))
    page = client.get(response.headers["Location"])
    assert "Helix CRM for sales" in page.get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("online_url", "ftp://files.example.com/x", "must start with https://"),
    ("course_id", "", "Choose a course"),
    ("capacity", "0", "Number must be between 1 and 1000"),
])
def test_bad_input_is_refused_and_nothing_is_written(app, client, factories, login_as, now_is, field, value,
                                                    message):
    now_is(NOW)
    s = setup(app, factories)
    login_as("project_manager", s.programme)
    response = form_post(client, f"/programmes/{s.programme.id}/sessions/new", _form(s, **{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(app, TrainingSession) == 0


def test_a_trainer_cannot_be_in_two_places_at_once_in_any_programme(app, client, factories, login_as, now_is):
    now_is(NOW)
    s = setup(app, factories)
    other = setup(app, factories)
    factories.grant(s.trainer, other.programme, "trainer")
    # 10:00-12:00 Berlin in the other programme, same trainer
    make_session(app, other, trainer_id=s.trainer.id, day=date(2026, 11, 12), at=time(10, 0))
    login_as("project_manager", s.programme)
    url = f"/programmes/{s.programme.id}/sessions/new"
    response = form_post(client, url, _form(s, start_time="11:00"))
    assert response.status_code == 422
    assert "The trainer gives another session at that time" in response.get_data(as_text=True)
    assert _count(app, TrainingSession) == 1
    # ending as the other begins is not a clash
    assert form_post(client, url, _form(s, start_time="08:00")).status_code == 302


def test_a_cancelled_session_does_not_block_its_trainer(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    session_id = make_session(app, s)
    with app.app_context():
        db.session.get(TrainingSession, session_id).status = SessionStatus.CANCELLED
        db.session.commit()
    make_session(app, s)  # the same time: no error


def test_a_time_skipped_by_the_clock_change_is_refused(app, factories):
    s = setup(app, factories)
    with app.app_context(), pytest.raises(DomainError, match="does not exist"):
        services.create_session(db.session.get(Programme, s.programme.id), course_id=s.course_id,
                                region_id=s.region.id, trainer_id=None, start_on=date(2026, 3, 29),
                                start_time=time(2, 30), duration_minutes=60, location="", online_url="",
                                capacity=5)


def test_only_trainers_of_the_programme_can_give_a_session(app, factories):
    s = setup(app, factories)
    stranger = factories.user()
    with app.app_context(), pytest.raises(DomainError, match="Choose a trainer of this programme"):
        services.create_session(db.session.get(Programme, s.programme.id), course_id=s.course_id,
                                region_id=s.region.id, trainer_id=stranger.id, start_on=date(2026, 11, 12),
                                start_time=time(9), duration_minutes=60, location="", online_url="", capacity=5)


# --- editing and scheduling ------------------------------------------------------------------------------

def _edit(client, s, session_id, **values):
    url = f"/programmes/{s.programme.id}/sessions/{session_id}/edit"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    version = html.split('id="version" name="version" type="hidden" value="')[1].split('"')[0]
    return client.post(url, data={"csrf_token": csrf_token_from(html), "version": version, **_form(s, **values)})


def test_moving_a_scheduled_session_raises_its_sequence(app, client, factories, login_as, now_is):
    now_is(NOW)
    s = setup(app, factories)
    proposed = make_session(app, s, day=date(2026, 11, 12))
    scheduled = make_session(app, s, day=date(2026, 11, 13), schedule=True)
    login_as("project_manager", s.programme)
    assert _edit(client, s, proposed, start_on="2026-11-16").status_code == 302
    assert load_session(app, proposed).sequence == 0  # nothing was sent yet
    assert _edit(client, s, scheduled, start_on="2026-11-13", start_time="10:00", capacity="20",
                 location="Room 2").status_code == 302
    assert load_session(app, scheduled).sequence == 0  # only the seats changed
    assert _edit(client, s, scheduled, start_on="2026-11-13", start_time="14:00").status_code == 302
    session = load_session(app, scheduled)
    assert session.sequence == 1 and session.local_start == datetime(2026, 11, 13, 14, 0)


def test_a_stale_edit_is_refused(app, client, factories, login_as, now_is):
    now_is(NOW)
    s = setup(app, factories)
    session_id = make_session(app, s)
    login_as("project_manager", s.programme)
    url = f"/programmes/{s.programme.id}/sessions/{session_id}/edit"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "version": "0", **_form(s, location="Elsewhere")})
    assert response.status_code == 409
    assert load_session(app, session_id).location == "Room 2"


def test_scheduling_confirms_a_proposed_session_once(app, client, factories, login_as, now_is):
    now_is(NOW)
    s = setup(app, factories)
    session_id = make_session(app, s)
    login_as("project_manager", s.programme)
    page = f"/programmes/{s.programme.id}/sessions/{session_id}"
    url = f"{page}/schedule"
    assert form_post(client, url, {}, page_url=page).status_code == 302
    assert load_session(app, session_id).status is SessionStatus.SCHEDULED
    again = form_post(client, url, {}, page_url=page)
    assert again.status_code == 422
    assert "Only a proposed session can be scheduled" in again.get_data(as_text=True)


# --- enrolment ---------------------------------------------------------------------------------------------

def test_manual_enrolment_refuses_a_full_session_and_removal_keeps_the_row(app, client, factories, login_as,
                                                                         now_is):
    now_is(NOW)
    s = setup(app, factories)
    first, second = make_people(factories, s, 2)
    session_id = make_session(app, s, capacity=1)
    login_as("project_manager", s.programme)
    page = f"/programmes/{s.programme.id}/sessions/{session_id}"
    assert form_post(client, f"{page}/enrol", {"person_id": str(first)}, page_url=page).status_code == 302
    full = form_post(client, f"{page}/enrol", {"person_id": str(second)}, page_url=page)
    assert full.status_code == 422
    assert "The session is full" in full.get_data(as_text=True)
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.session_id == session_id))
        assert enrolment.person_id == first and _count(app, Enrolment) == 1
        enrolment_id = enrolment.id
    removed = form_post(client, f"/programmes/{s.programme.id}/enrolments/{enrolment_id}/remove", {},
                        page_url=page)
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.get(Enrolment, enrolment_id).status is EnrolmentStatus.REMOVED
    # the seat is free again
    assert form_post(client, f"{page}/enrol", {"person_id": str(second)}, page_url=page).status_code == 302


def test_a_person_of_another_programme_cannot_be_enrolled(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    other = setup(app, factories)
    [stranger] = make_people(factories, other, 1)
    session_id = make_session(app, s)
    with app.app_context(), pytest.raises(DomainError, match="Choose a person of this programme"):
        services.enrol_person(db.session.get(TrainingSession, session_id), stranger)


# --- the list and the training window --------------------------------------------------------------------

def test_sessions_outside_the_training_window_are_flagged(app, client, factories, login_as, now_is):
    now_is(NOW)
    s = setup(app, factories)
    unplanned = factories.region(s.programme)
    with app.app_context():
        programme = db.session.get(Programme, s.programme.id)
        # go-live Monday 2026-12-07; defaults: at least 5, at most 20 working days before
        rollout_services.create_wave(programme, name="Pilot", kind="pilot", position=1,
                                     planned_go_live=date(2026, 12, 7), trial_days=20, region_ids=[s.region.id])
        db.session.commit()
    inside = make_session(app, s, day=date(2026, 11, 23))       # 10 working days before
    too_late = make_session(app, s, day=date(2026, 12, 3))      # 2 working days before
    edge = make_session(app, s, day=date(2026, 11, 30))         # exactly 5: inside
    too_early = make_session(app, s, day=date(2026, 10, 1))     # months before
    after = make_session(app, s, day=date(2026, 12, 8))
    no_go_live = make_session(app, s, region_id=unplanned.id, day=date(2026, 12, 9))
    with app.app_context():
        programme = db.session.get(Programme, s.programme.id)
        sessions = db.session.scalars(select(TrainingSession)).all()
        flags = session_queries.window_flags(programme, sessions)
        # the health check reads the same sessions' times only, and gets the same flags
        times = session_queries.planned_session_times(programme.id, [s.region.id, unplanned.id])
        assert sorted((t.id, t.region_id, t.course_id, t.local_start, t.local_end) for t in times) == sorted(
            (x.id, x.region_id, x.course_id, x.local_start, x.local_end) for x in sessions)
        assert session_queries.window_flags(programme, times) == flags
    assert {key: flag.reason for key, flag in flags.items()} == {
        too_late: "too_late", too_early: "too_early", after: "after_go_live"}
    assert inside not in flags and edge not in flags and no_go_live not in flags
    assert flags[too_late].lead_days == 2
    login_as("viewer", s.programme)
    html = client.get(f"/programmes/{s.programme.id}/sessions?when=all").get_data(as_text=True)
    assert html.count("Outside the training window") == 3
    filtered = client.get(f"/programmes/{s.programme.id}/sessions?when=all&region={unplanned.id}")
    assert "2026-12-09" in filtered.get_data(as_text=True)
    assert "2026-11-23" not in filtered.get_data(as_text=True)


def test_the_list_shows_upcoming_or_past_sessions(app, client, factories, login_as, now_is):
    now_is(NOW)
    s = setup(app, factories)
    make_session(app, s, day=date(2026, 11, 2))
    make_session(app, s, day=date(2026, 11, 20))
    login_as("viewer", s.programme)
    upcoming = client.get(f"/programmes/{s.programme.id}/sessions").get_data(as_text=True)
    past = client.get(f"/programmes/{s.programme.id}/sessions?when=past").get_data(as_text=True)
    assert "2026-11-20" in upcoming and "2026-11-02" not in upcoming
    assert "2026-11-02" in past and "2026-11-20" not in past
    assert "Plan a session" not in upcoming  # a viewer cannot


def _grow(app, factories, s, n: int) -> None:
    with app.app_context():
        programme = db.session.get(Programme, s.programme.id)
        rollout_services.create_wave(programme, name="Pilot", kind="pilot", position=1,
                                     planned_go_live=date(2027, 3, 1), trial_days=20, region_ids=[s.region.id])
        db.session.commit()
    people = make_people(factories, s, 2)
    for i in range(n):
        trainer = factories.user_with_role("trainer", s.programme)
        region = factories.region(s.programme)
        make_session(app, s, trainer_id=trainer.id, day=date(2026, 11, 11) + timedelta(days=i),
                     region_id=region.id if i % 2 else None, people=people)


def test_the_list_answers_in_the_same_number_of_queries_for_3_or_30_sessions(app, factories, now_is):
    now_is(NOW)
    counts = []
    for n in (3, 30):
        s = setup(app, factories)
        _grow(app, factories, s, n)
        client = app.test_client()
        log_in(client, factories.user_with_role("project_manager", s.programme).email)
        app.config["ITEMS_PER_PAGE"], saved = 50, app.config["ITEMS_PER_PAGE"]
        try:
            with count_queries(app) as statements:
                response = client.get(f"/programmes/{s.programme.id}/sessions")
        finally:
            app.config["ITEMS_PER_PAGE"] = saved
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("/ 12") == n
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- the trainer's own sessions --------------------------------------------------------------------------

def test_my_sessions_shows_today_this_week_and_open_rosters(app, client, factories, now_is):
    now_is(NOW)  # Tuesday 2026-11-10
    s = setup(app, factories)
    [person] = make_people(factories, s, 1)
    today = make_session(app, s, day=date(2026, 11, 10), at=time(14), schedule=True)
    later = make_session(app, s, day=date(2026, 11, 13), at=time(9), schedule=True)
    next_week = make_session(app, s, day=date(2026, 11, 17), at=time(9), schedule=True)
    open_roster = make_session(app, s, day=date(2026, 11, 5), at=time(9), schedule=True, people=[person])
    done = make_session(app, s, day=date(2026, 11, 4), at=time(9), schedule=True)
    with app.app_context():
        db.session.get(TrainingSession, done).roster_completed_at = NOW
        db.session.commit()
    other_trainer = factories.user_with_role("trainer", s.programme)
    someone_elses = make_session(app, s, trainer_id=other_trainer.id, day=date(2026, 11, 10), at=time(16))
    log_in(client, s.trainer.email)
    html = client.get("/training/my-sessions").get_data(as_text=True)
    today_part, rest = html.split("Later this week")
    week_part, rosters_part = rest.split("Rosters still to complete")
    assert f"/sessions/{today}/roster" in today_part
    assert f"/sessions/{later}/roster" in week_part
    assert f"/sessions/{open_roster}/roster" in rosters_part
    for absent in (next_week, done, someone_elses):
        assert f"/sessions/{absent}/" not in html
    # an account without sessions still gets the page
    fresh = app.test_client()
    log_in(fresh, factories.user().email)
    assert "No sessions today." in fresh.get("/training/my-sessions").get_data(as_text=True)


def test_today_is_the_sessions_own_day(app, client, factories, now_is):
    """23:30 UTC on Tuesday is already Wednesday in Tokyo: a Wednesday session there is today's."""
    now_is(datetime(2026, 11, 10, 23, 30, tzinfo=UTC))
    s = setup(app, factories, time_zone="Asia/Tokyo")
    tokyo = make_session(app, s, day=date(2026, 11, 11), at=time(10))
    log_in(client, s.trainer.email)
    html = client.get("/training/my-sessions").get_data(as_text=True)
    assert f"/sessions/{tokyo}/roster" in html.split("Later this week")[0]
