"""The session planner with the database: who still needs a course, the preview and the confirm on the page, a
trainer busy in another programme, too few trainers, and the sessions a moved go-live leaves outside the window."""
from datetime import date, datetime, time

from sqlalchemy import func, select

from planner.extensions import db
from planner.programmes.models import Programme
from planner.rollout import services as rollout_services
from planner.rollout.models import Wave
from planner.training import planner as session_planner
from planner.training import services as training_services
from planner.training import sessions as services
from planner.training.models import Course, SessionStatus, TrainingSession
from tests.conftest import count_queries, form_post
from tests.training.test_sessions_helpers import NOW, make_people, make_session, setup

#: a Monday: the window is Mon 16 Nov to Mon 7 Dec 2026 (20 to 5 working days before)
GO_LIVE = date(2026, 12, 14)


def _planned(app, factories, *, go_live=GO_LIVE, people=5, with_trainer=True):
    """A programme whose region goes live on ``go_live``, a course everyone with the default job role needs, and
    ``people`` such people."""
    s = setup(app, factories)
    with app.app_context():
        programme = db.session.get(Programme, s.programme.id)
        rollout_services.create_wave(programme, name="Pilot", kind="pilot", position=1, planned_go_live=go_live,
                                     trial_days=20, region_ids=[s.region.id])
        training_services.add_requirement(db.session.get(Course, s.course_id), job_role="Sales representative",
                                          department_id=None)
        if not with_trainer:
            from planner.programmes.models import Membership
            db.session.execute(Membership.__table__.delete().where(Membership.user_id == s.trainer.id))
        db.session.commit()
    return s, make_people(factories, s, people)


def _sessions(app, programme_id):
    with app.app_context():
        return list(db.session.scalars(select(TrainingSession).where(TrainingSession.programme_id == programme_id)
                                       .order_by(TrainingSession.starts_at)))


def test_people_enrolled_waiting_or_trained_are_not_counted(app, factories, now_is):
    now_is(NOW)
    s, people = _planned(app, factories)
    make_session(app, s, day=date(2026, 11, 12), people=people[:1])  # enrolled
    past = make_session(app, s, day=date(2026, 11, 10), at=time(10, 0), people=people[1:2], schedule=True)
    with app.app_context():
        session = db.session.get(TrainingSession, past)
        services.mark_attendance(session, person_id=people[1], status="present", note="", marked_by_id=None,
                                 now=session.starts_at)
        db.session.commit()
        needs = session_planner.count_needs(s.programme.id, [s.region.id])
    assert [(need.region_id, need.course_id, need.people, need.duration_minutes) for need in needs] == \
        [(s.region.id, s.course_id, 3, 120)]


def test_a_person_trained_in_one_course_is_still_counted_for_the_other(app, factories, now_is):
    """The count looks only at people whose progress misses a course: one trained in everything drops out, one
    trained in one of two courses is counted for the other; marks not yet committed count too."""
    from dataclasses import replace

    from tests.training.test_sessions_helpers import make_course

    now_is(NOW)
    s, people = _planned(app, factories, people=3)
    second = replace(s, course_id=make_course(app, s.programme, "Helix CRM reports", duration_minutes=60))
    with app.app_context():
        training_services.add_requirement(db.session.get(Course, second.course_id), job_role="Sales representative",
                                          department_id=None)
        db.session.commit()
    first_course = make_session(app, s, day=date(2026, 11, 10), people=people[:2], schedule=True)
    second_course = make_session(app, second, day=date(2026, 11, 11), people=people[:1], schedule=True)
    with app.app_context():
        for session_id, trainees in ((first_course, people[:2]), (second_course, people[:1])):
            session = db.session.get(TrainingSession, session_id)
            for person_id in trainees:
                services.mark_attendance(session, person_id=person_id, status="present", note="",
                                         marked_by_id=None, now=session.starts_at)
        needs = session_planner.count_needs(s.programme.id, [s.region.id])  # before the commit
        db.session.commit()
        committed = session_planner.count_needs(s.programme.id, [s.region.id])
    expected = [(s.region.id, s.course_id, 1), (s.region.id, second.course_id, 2)]
    assert sorted((need.region_id, need.course_id, need.people) for need in needs) == expected
    assert sorted((need.region_id, need.course_id, need.people) for need in committed) == expected


def test_a_project_manager_previews_then_creates_proposed_sessions(app, client, factories, login_as, now_is):
    now_is(NOW)
    s, _people = _planned(app, factories, people=30)
    login_as("project_manager", s.programme)
    url = f"/programmes/{s.programme.id}/training/plan"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Mon 2026-12-07 09:00" in html and "Fri 2026-12-04 09:00" in html and "Thu 2026-12-03 09:00" in html
    assert _sessions(app, s.programme.id) == []  # a preview writes nothing

    smaller = client.get(url, query_string={"capacity": "10", "start_time": "13:30"})
    assert smaller.get_data(as_text=True).count(" 13:30</td>") == 3

    response = form_post(client, url, {"capacity": "12", "start_time": "09:00", "confirm": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    sessions = _sessions(app, s.programme.id)
    assert [(x.local_start, x.status, x.trainer_id, x.capacity) for x in sessions] == [
        (datetime(2026, 12, day, 9, 0), SessionStatus.PROPOSED, s.trainer.id, 12) for day in (3, 4, 7)]
    with app.app_context():
        programme = db.session.get(Programme, s.programme.id)
        from planner.training.session_queries import window_flags
        assert window_flags(programme, sessions) == {}


def test_a_trainer_busy_in_another_programme_is_planned_around(app, client, factories, login_as, now_is):
    now_is(NOW)
    s, _people = _planned(app, factories)
    other = setup(app, factories)
    factories.grant(s.trainer, other.programme, "trainer")
    make_session(app, other, trainer_id=s.trainer.id, day=date(2026, 12, 7), at=time(10, 0))
    with app.app_context():
        plan = session_planner.propose_sessions(db.session.get(Programme, s.programme.id), now=NOW)
    assert [proposal.day for proposal in plan.proposals] == [date(2026, 12, 4)]


def test_without_a_free_trainer_the_page_says_so_and_creates_nothing(app, client, factories, login_as, now_is):
    now_is(NOW)
    s, _people = _planned(app, factories, with_trainer=False)
    login_as("project_manager", s.programme)
    url = f"/programmes/{s.programme.id}/training/plan"
    html = client.get(url).get_data(as_text=True)
    assert "No trainer free for 1 sessions of Helix CRM for sales in" in html
    response = form_post(client, url, {"capacity": "12", "start_time": "09:00", "confirm": "1"})
    assert response.status_code == 422
    assert "nothing to plan" in response.get_data(as_text=True)
    assert _sessions(app, s.programme.id) == []


def test_bad_planner_values_are_refused(app, client, factories, login_as, now_is):
    now_is(NOW)
    s, _people = _planned(app, factories)
    login_as("project_manager", s.programme)
    url = f"/programmes/{s.programme.id}/training/plan"
    response = form_post(client, url, {"capacity": "0", "start_time": "09:00", "confirm": "1"})
    assert response.status_code == 422
    assert _sessions(app, s.programme.id) == []


def test_sessions_a_moved_go_live_leaves_outside_the_window_are_listed(app, client, factories, login_as, now_is):
    now_is(NOW)
    s, people = _planned(app, factories)
    inside = make_session(app, s, day=date(2026, 12, 7), schedule=True)
    login_as("project_manager", s.programme)
    url = f"/programmes/{s.programme.id}/training/plan"
    assert "Every upcoming session is inside its training window." in client.get(url).get_data(as_text=True)
    with app.app_context():  # a re-plan moves the go-live five weeks later
        wave = db.session.scalar(select(Wave).where(Wave.programme_id == s.programme.id))
        wave.planned_go_live = date(2027, 1, 18)
        db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert f"/sessions/{inside}/edit" in html
    assert "2027-01-18" in html and "Too early before go-live" in html
    assert "2026-12-21 – 2027-01-11" in html  # 20 and 5 working days before the new go-live


def test_the_page_query_count_does_not_grow_with_regions_and_sessions(app, client, factories, login_as, now_is):
    now_is(NOW)
    login_as("admin")
    counts = []
    for regions in (1, 4):
        s, _people = _planned(app, factories)
        make_session(app, s, day=date(2026, 11, 12))  # too early: listed to reschedule
        for n in range(regions - 1):
            region = factories.region(s.programme)
            with app.app_context():
                rollout_services.create_wave(db.session.get(Programme, s.programme.id), name=f"Wave {n}",
                                             kind="standard", position=n + 2, planned_go_live=date(2027, 2, 1),
                                             trial_days=20, region_ids=[region.id])
                db.session.commit()
            factories.person(s.programme, region_id=region.id)
            make_session(app, s, day=date(2026, 11, 23 + n), region_id=region.id)
        with count_queries(app) as statements:
            response = client.get(f"/programmes/{s.programme.id}/training/plan")
        assert response.status_code == 200
        counts.append(len(statements))
        with app.app_context():
            assert db.session.scalar(select(func.count(TrainingSession.id)).where(
                TrainingSession.programme_id == s.programme.id)) == regions
    assert counts[0] == counts[1], counts


def test_seats_free_in_sessions_already_planned_are_not_planned_again(app, client, factories, login_as, now_is):
    now_is(NOW)
    s, _people = _planned(app, factories, people=15)
    login_as("project_manager", s.programme)
    url = f"/programmes/{s.programme.id}/training/plan"
    assert form_post(client, url, {"capacity": "12", "start_time": "09:00", "confirm": "1"}).status_code == 302
    assert len(_sessions(app, s.programme.id)) == 2
    with app.app_context():
        plan = session_planner.propose_sessions(db.session.get(Programme, s.programme.id), now=NOW)
    assert plan.proposals == [] and plan.problems == []
    assert "No session is needed" in client.get(url).get_data(as_text=True)
