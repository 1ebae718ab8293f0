"""Two trainers marking the same roster at once lose no mark (QUALITY.md item 16): the marks' upsert statement
run from two connections at the same moment, for different and for the same trainees, on PostgreSQL.

The rows are committed for real (other connections must see them), so this test cleans up after itself.
"""
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, delete, select
from sqlalchemy.orm import Session

from planner.people.models import Person
from planner.programmes.models import Programme, Region
from planner.training.models import AttendanceMark, Course, Enrolment, MarkStatus, TrainingSession
from planner.training.sessions import mark_upsert

UTC = timezone.utc


@pytest.fixture
def committed_roster(database_url):
    """A session with 60 enrolled trainees, committed; removed again afterwards."""
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent upserts are proven on PostgreSQL (SQLite serialises every writer)")
    engine = create_engine(database_url)
    with Session(engine) as session:
        programme = Programme(name=f"Concurrency {datetime.now(UTC).timestamp()}", system_name="Helix CRM",
                              start_date=date(2026, 3, 2), home_time_zone="Europe/Berlin")
        session.add(programme)
        session.flush()
        region = Region(programme_id=programme.id, name="North", time_zone="Europe/Berlin")
        course = Course(programme_id=programme.id, title="Basics")
        session.add_all([region, course])
        session.flush()
        start = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
        training = TrainingSession(
            programme_id=programme.id, course_id=course.id, region_id=region.id,
            uid=f"training-session-concurrency-{programme.id}@localhost", time_zone="Europe/Berlin",
            local_start=datetime(2026, 11, 10, 10, 0), duration_minutes=120, starts_at=start,
            ends_at=start + timedelta(hours=2), capacity=100)
        people = [Person(programme_id=programme.id, full_name=f"Trainee {i}", email=f"t{i}@example.com")
                  for i in range(60)]
        session.add(training)
        session.add_all(people)
        session.flush()
        session.add_all([Enrolment(session_id=training.id, person_id=person.id) for person in people])
        session.commit()
        ids = (programme.id, training.id, [person.id for person in people])
    try:
        yield engine, ids[1], ids[2]
    finally:
        with Session(engine) as session:
            session.execute(delete(Programme).where(Programme.id == ids[0]))
            session.commit()
        engine.dispose()


def _run_at_once(engine, jobs):
    """Run each job (a function of a connection) in its own thread and connection, released together."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        try:
            with engine.connect() as connection:
                barrier.wait(timeout=10)
                job(connection)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _values(session_id, person_id, status, marker):
    return {"session_id": session_id, "person_id": person_id, "status": status, "note": marker,
            "marked_by_id": None, "marked_at": datetime.now(UTC), "source": "trainer"}


def test_two_trainers_tapping_at_once_lose_no_mark(committed_roster):
    engine, session_id, people = committed_roster

    def taps(persons, status, marker):
        def job(connection):
            for person_id in persons:  # one request per tap: one transaction each
                with connection.begin():
                    connection.execute(mark_upsert("postgresql", _values(session_id, person_id, status, marker)))
        return job

    # A marks 0-39, B marks 20-59: 20-39 are tapped by both at the same moments
    errors = _run_at_once(engine, [taps(people[:40], MarkStatus.PRESENT, "A"), taps(people[20:], MarkStatus.LATE, "B")])
    assert errors == []
    with Session(engine) as session:
        marks = {mark.person_id: mark for mark in session.scalars(
            select(AttendanceMark).where(AttendanceMark.session_id == session_id))}
    assert set(marks) == set(people)
    assert all(marks[p].status is MarkStatus.PRESENT for p in people[:20])
    assert all(marks[p].status is MarkStatus.LATE for p in people[40:])
    assert all((marks[p].status, marks[p].note) in {(MarkStatus.PRESENT, "A"), (MarkStatus.LATE, "B")}
               for p in people[20:40])


def test_two_mark_all_present_at_once_lose_no_mark_and_do_not_deadlock(committed_roster):
    """Both in one transaction each, over overlapping trainees in the same (person id) order, as
    ``mark_all_present`` does."""
    engine, session_id, people = committed_roster

    def batch(persons, status):
        def job(connection):
            with connection.begin():
                for person_id in persons:
                    connection.execute(mark_upsert("postgresql", _values(session_id, person_id, status, "")))
        return job

    errors = _run_at_once(engine, [batch(people[:45], MarkStatus.PRESENT), batch(people[15:], MarkStatus.ABSENT)])
    assert errors == []
    with Session(engine) as session:
        count = len(session.scalars(select(AttendanceMark.id).where(AttendanceMark.session_id == session_id)).all())
    assert count == 60
