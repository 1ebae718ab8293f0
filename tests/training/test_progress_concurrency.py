"""Two transactions that change the same person's training progress and commit at the same moment keep the kept
row right (planner/training/progress.py), on PostgreSQL: neither fails and neither loses the other's mark.

Each commit works its noted people out again: it deletes their kept rows and inserts them anew. Without a lock,
a second commit whose delete waited on the first one's found nothing left to delete (the row it waited for was
gone, the first one's new row was not yet visible to it), and its insert then hit the first one's new row: a
unique-key error, a 500 for the trainer. The rows are committed for real here, so the test cleans up after
itself.
"""
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, delete, event, select
from sqlalchemy.orm import Session

from planner.people.models import Person
from planner.programmes.models import Programme, Region
from planner.training.models import Course, CourseRequirement, MarkStatus, TrainingProgress, TrainingSession
from planner.training.progress import worked_out
from planner.training.sessions import mark_upsert
from tests.concurrency import backend_pid, wait_until_blocked

UTC = timezone.utc


@pytest.fixture
def committed_trainee(app, database_url):
    """A programme whose one trainee needs two courses, each with a session; committed, removed afterwards."""
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent commits are proven on PostgreSQL (SQLite serialises every writer)")
    engine = create_engine(database_url)
    with Session(engine) as session:
        programme = Programme(name=f"Progress race {datetime.now(UTC).timestamp()}", system_name="Helix CRM",
                              start_date=date(2026, 3, 2), home_time_zone="Europe/Berlin")
        session.add(programme)
        session.flush()
        region = Region(programme_id=programme.id, name="North", time_zone="Europe/Berlin")
        courses = [Course(programme_id=programme.id, title=title) for title in ("Basics", "Reports")]
        trainee = Person(programme_id=programme.id, full_name="Trainee", email="trainee@example.com")
        session.add_all([region, trainee, *courses])
        session.flush()
        session.add_all([CourseRequirement(programme_id=programme.id, course_id=course.id) for course in courses])
        start = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
        trainings = [TrainingSession(
            programme_id=programme.id, course_id=course.id, region_id=region.id,
            uid=f"progress-race-{programme.id}-{course.id}@localhost", time_zone="Europe/Berlin",
            local_start=datetime(2026, 11, 10, 10, 0), duration_minutes=120, starts_at=start,
            ends_at=start + timedelta(hours=2), capacity=10) for course in courses]
        session.add_all(trainings)
        session.commit()
        ids = programme.id, trainee.id, [training.id for training in trainings]
    try:
        yield engine, *ids
    finally:
        with Session(engine) as session:
            session.execute(delete(Programme).where(Programme.id == ids[0]))
            session.commit()
        engine.dispose()


def _mark(session: Session, training_id: int, person_id: int) -> None:
    session.execute(mark_upsert("postgresql", {
        "session_id": training_id, "person_id": person_id, "status": MarkStatus.PRESENT, "note": "",
        "marked_by_id": None, "marked_at": datetime.now(UTC), "source": "trainer"}))


def test_two_commits_reworking_one_person_at_once_neither_fail_nor_lose_a_mark(committed_trainee):
    engine, programme_id, person_id, (basics, reports) = committed_trainee
    first, second = Session(engine), Session(engine)
    deleted, go_on, errors = threading.Event(), threading.Event(), []

    _mark(first, basics, person_id)
    connection = first.connection()

    @event.listens_for(engine, "after_cursor_execute")
    def hold_after_the_delete(conn, _cursor, statement, *_args):
        """The first commit stops once it deleted the kept row, until the second one is under way."""
        if conn is connection and statement.startswith("DELETE FROM training_progress"):
            deleted.set()
            go_on.wait(timeout=60)

    def commit(session):
        try:
            session.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
            session.rollback()

    try:
        one = threading.Thread(target=commit, args=(first,))
        one.start()
        assert deleted.wait(timeout=10)
        _mark(second, reports, person_id)
        second_pid = backend_pid(second)
        two = threading.Thread(target=commit, args=(second,))
        two.start()
        wait_until_blocked(engine, second_pid)  # the second commit now waits for the first
        go_on.set()
        one.join(timeout=30)
        two.join(timeout=30)
        assert not one.is_alive() and not two.is_alive()
    finally:
        event.remove(engine, "after_cursor_execute", hold_after_the_delete)
        go_on.set()
        first.close()
        second.close()

    assert errors == []
    with Session(engine) as session:
        kept = session.execute(select(TrainingProgress.needed, TrainingProgress.completed)
                               .where(TrainingProgress.person_id == person_id)).one()
        fresh = session.execute(worked_out(programme_id=programme_id)).one()
    assert tuple(kept) == (2, 2) == (fresh.needed, fresh.completed)
