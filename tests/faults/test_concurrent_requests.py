"""Two requests writing the same rows at the same moment, run for real on PostgreSQL: two threads, each with its
own app context (so its own session and connection), on a fresh database, committing for real.

SQLite lets one writer in at a time, so these races cannot happen there and the tests are skipped. Where the
order matters, the first request is held at a chosen statement until the second one is seen waiting for a lock
(``pg_stat_activity``), so the interleaving that used to fail is the one that runs, every time.
"""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from planner.committee import invitations
from planner.committee.models import MeetingInvitee, OccurrenceAnswer
from planner.core import clock
from planner.core.errors import StaleEditError
from planner.extensions import db
from planner.training import enrolment
from planner.training.models import CancelReason, SessionStatus, TrainingSession
from tests.calendar_web.helpers import make_meeting, seat_members
from tests.concurrency import backend_pid, wait_until_blocked
from tests.conftest import Factories
from tests.faults.helpers import ON_POSTGRES
from tests.training.test_sessions_helpers import make_people, make_session, setup

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writers are proven on PostgreSQL "
                                                        "(SQLite serialises every writer)")


@pytest.fixture
def race_app(make_fresh_app):
    return make_fresh_app()


class Request(threading.Thread):
    """One request's work in its own app context, committed; its outcome or error kept."""

    def __init__(self, app, work):
        super().__init__(daemon=True)
        self.app, self.work = app, work
        self.started_work, self.pid, self.outcome, self.error = threading.Event(), None, None, None

    def run(self):
        with self.app.app_context():
            try:
                self.pid = backend_pid(db.session)
                self.started_work.set()
                self.outcome = self.work()
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported by the test
                self.error = error
                db.session.rollback()
            finally:
                self.started_work.set()


def run_second_while_first_is_held(app, first_work, second_work, *markers: str) -> tuple[Request, Request]:
    """Run ``first_work``, hold it right after its first statement containing one of ``markers``, run
    ``second_work`` until it waits for a lock, then let both finish; returns the two finished requests."""
    one, two = Request(app, first_work), Request(app, second_work)
    reached, release = threading.Event(), threading.Event()

    def hold(_conn, _cursor, statement, *_args):
        if (threading.current_thread() is one and any(marker in statement for marker in markers)
                and not reached.is_set()):
            reached.set()
            release.wait(timeout=60)  # released below, or by the finally on failure

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", hold)
    try:
        one.start()
        assert reached.wait(timeout=10), "the first request never ran the statement to hold it at"
        two.start()
        two.started_work.wait(timeout=10)
        wait_until_blocked(engine, two.pid)
        release.set()
        one.join(timeout=30)
        two.join(timeout=30)
        assert not one.is_alive() and not two.is_alive()
    finally:
        release.set()
        event.remove(engine, "after_cursor_execute", hold)
    return one, two


def test_two_sessions_cancelled_at_once_each_the_others_next_do_not_deadlock(race_app):
    """A and B are the course's two upcoming sessions in the region, so each is the other's next. Cancelling both
    at once used to lock them in opposite orders: a deadlock, a 500 for one manager. Now both lock in id order:
    the first cancellation moves A's people to B; the second one finds its next session changed while it waited
    and is refused as a stale edit (409), and tried again it flags B's people, as no session is left."""
    factories = Factories(race_app)
    s = setup(race_app, factories)
    with race_app.app_context():
        day = clock.today() + timedelta(days=30)
    ada, bo = make_people(factories, s, 2)
    first = make_session(race_app, s, day=day, people=[ada])
    second = make_session(race_app, s, day=day + timedelta(days=7), people=[bo])

    def cancel(session_id):
        def work():  # the people moved to the next session
            outcome = enrolment.cancel_session(db.session.get(TrainingSession, session_id),
                                               reason=CancelReason.OTHER, note="")
            return [moved.person_id for moved in outcome.moved]
        return work

    # the first is held once it holds its first lock: a session locked for its seats (or, as cancelling once
    # did, updated)
    one, two = run_second_while_first_is_held(race_app, cancel(first), cancel(second),
                                              "FOR UPDATE", "UPDATE training_session")

    assert one.error is None, one.error
    assert one.outcome == [ada]
    assert isinstance(two.error, StaleEditError), two.error
    with race_app.app_context():
        outcome = enrolment.cancel_session(db.session.get(TrainingSession, second), reason=CancelReason.OTHER,
                                           note="")
        db.session.commit()
        assert outcome.next_session is None and sorted(e.person_id for e in outcome.flagged) == [ada, bo]
        assert set(db.session.scalars(select(TrainingSession.status).where(
            TrainingSession.id.in_([first, second])))) == {SessionStatus.CANCELLED}


def test_the_same_answer_for_one_occurrence_sent_twice_at_once_is_stored_once(race_app):
    """A double click on "decline this one": both requests find no answer yet and insert one. The second insert
    used to hit the unique key (a 500); now it waits for the first, keeps its row and updates it."""
    factories = Factories(race_app)
    programme = factories.programme()
    seat_members(race_app, factories, programme, ["chair@example.com"])
    with race_app.app_context():
        start = clock.now().replace(tzinfo=None, microsecond=0) + timedelta(days=30)
    meeting = make_meeting(race_app, programme, start=start)
    invitee_id = meeting.invitees["chair@example.com"]

    def answer():
        invitee = db.session.get(MeetingInvitee, invitee_id)
        invitations.record_answer(invitee, "DECLINED", comment="Travelling",
                                  occurrence=invitee.meeting.occurrences[0])

    # the first is held once its answer is inserted, not yet committed
    one, two = run_second_while_first_is_held(race_app, answer, answer, "INSERT INTO occurrence_answer")

    assert (one.error, two.error) == (None, None)
    with race_app.app_context():
        answers = db.session.execute(select(OccurrenceAnswer.answer, OccurrenceAnswer.comment)
                                     .where(OccurrenceAnswer.invitee_id == invitee_id)).all()
    assert [(answer.value, comment) for answer, comment in answers] == [("DECLINED", "Travelling")]
