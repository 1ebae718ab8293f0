"""Found in review: "mark all present" keeps a mark taken meanwhile, capacity and course stay consistent with
the people enrolled, a larger capacity seats the waitlist, and viewers see no trainee names."""
from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from planner.core.errors import DomainError
from planner.extensions import db
from planner.training import enrolment as enrolment_services
from planner.training import sessions as services
from planner.training.models import AttendanceMark, Course, EnrolmentStatus, MarkStatus, TrainingSession
from tests.conftest import log_in
from tests.training.test_sessions_helpers import NOW, UTC, make_people, make_session, setup


def fields(s, **changes):
    values = dict(course_id=s.course_id, region_id=s.region.id, trainer_id=s.trainer.id, start_on=date(2026, 11, 20),
                  start_time=time(10, 0), duration_minutes=None, location="Room 2", online_url="", capacity=12)
    values.update(changes)
    return values


def test_mark_all_present_keeps_a_mark_another_trainer_took_meanwhile(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    people = make_people(factories, s, 2)
    session_id = make_session(app, s, day=date(2026, 11, 10), at=time(9, 0), people=people)
    now_is(datetime(2026, 11, 10, 8, 30, tzinfo=UTC))
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        # the other trainer's "absent" lands between reading who is unmarked and writing
        services.upsert_mark({"session_id": session_id, "person_id": people[0], "status": MarkStatus.ABSENT,
                              "note": "Called in sick", "marked_by_id": None, "marked_at": NOW, "source": "trainer"})
        original = services.mark_insert_if_absent
        assert services.mark_all_present(session, marked_by_id=None) == 1
        assert original is services.mark_insert_if_absent
        marks = {m.person_id: m for m in db.session.scalars(select(AttendanceMark)
                                                              .where(AttendanceMark.session_id == session_id))}
        assert (marks[people[0]].status, marks[people[0]].note) == (MarkStatus.ABSENT, "Called in sick")
        assert marks[people[1]].status is MarkStatus.PRESENT
        db.session.rollback()


def test_capacity_cannot_drop_below_the_seats_taken_and_a_raise_seats_the_waitlist(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    people = make_people(factories, s, 3)
    session_id = make_session(app, s, day=date(2026, 11, 20), capacity=2, people=people[:2])
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        enrolment_services.add_to_waitlist(session, people[2])
        with pytest.raises(DomainError) as refused:
            services.update_session(session, expected_version=None, **fields(s, capacity=1))
        assert refused.value.field == "capacity"
        enrolment_services.update_session(session, expected_version=None, **fields(s, capacity=3))
        statuses = {e.person_id: e.status for e in session.enrolments}
        assert statuses[people[2]] is EnrolmentStatus.ENROLLED
        db.session.rollback()


def test_the_course_of_a_session_with_people_stays(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    session_id = make_session(app, s, day=date(2026, 11, 20), people=make_people(factories, s, 1))
    with app.app_context():
        other = Course(programme_id=s.programme.id, title="Another course", duration_minutes=60)
        db.session.add(other)
        db.session.flush()
        with pytest.raises(DomainError) as refused:
            services.update_session(db.session.get(TrainingSession, session_id), expected_version=None,
                                    **fields(s, course_id=other.id))
        assert refused.value.field == "course_id"
        db.session.rollback()


def test_viewers_see_no_trainee_names(app, client, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    person = factories.person(s.programme, "Zelda Quist", region_id=s.region.id)
    session_id = make_session(app, s, day=date(2026, 11, 20), people=[person.id])
    viewer = factories.user_with_role("viewer", s.programme)
    log_in(client, viewer.email)
    page = client.get(f"/programmes/{s.programme.id}/sessions/{session_id}").get_data(as_text=True)
    assert "Zelda Quist" not in page and "A trainee" in page
