"""Enrolment rules: auto-enrolment of the people who still need a course, the waitlist that promotes when a seat
frees, moving a person to another session, and cancelling a session (people go to the next session's waitlist
or are flagged)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from planner.core.errors import DomainError
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.training import enrolment as services
from planner.training import sessions
from planner.training.models import (
    AttendanceMark, CancelReason, CourseRequirement, Enrolment, EnrolmentStatus, MarkStatus, SessionStatus,
    TrainingSession,
)
from tests.training.test_sessions_helpers import NOW, make_course, make_session, setup


def need(app, s, course_id=None, job_role="Sales representative") -> None:
    """Everyone with ``job_role`` needs the course (the setup's by default)."""
    with app.app_context():
        db.session.add(CourseRequirement(programme_id=s.programme.id, course_id=course_id or s.course_id,
                                         job_role=job_role))
        db.session.commit()


def people(factories, s, names, **values) -> list[int]:
    values.setdefault("region_id", s.region.id)
    return [factories.person(s.programme, name, **values).id for name in names]


def statuses(app, session_id) -> dict[int, tuple[str, int | None]]:
    """{person id: (status, waitlist position)} of a session's enrolments."""
    with app.app_context():
        return {e.person_id: (e.status.value, e.waitlist_position) for e in db.session.scalars(
            select(Enrolment).where(Enrolment.session_id == session_id))}


def waitlist(app, session_id, person_ids) -> None:
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        for person_id in person_ids:
            services.add_to_waitlist(session, person_id)
        db.session.commit()


# --- auto-enrolment -------------------------------------------------------------------------------------

def test_auto_enrol_takes_the_region_s_people_who_still_need_the_course(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    need(app, s)
    ada, ben, cleo, dana = people(factories, s, ["Ada", "Ben", "Cleo", "Dana"])
    [elsewhere] = people(factories, s, ["Other region"], region_id=factories.region(s.programme).id)
    [no_need] = people(factories, s, ["Not needing"], job_role="Warehouse")
    booked, attended, in_cancelled = people(factories, s, ["Booked", "Attended", "In a cancelled one"])
    make_session(app, s, day=date(2026, 11, 20), people=[booked])
    past = make_session(app, s, day=date(2026, 11, 2), people=[attended])
    cancelled = make_session(app, s, day=date(2026, 11, 21), people=[in_cancelled])
    with app.app_context():
        db.session.add(AttendanceMark(session_id=past, person_id=attended, status=MarkStatus.PRESENT,
                                      marked_at=NOW))
        db.session.get(TrainingSession, cancelled).status = SessionStatus.CANCELLED
        db.session.commit()
    session_id = make_session(app, s, day=date(2026, 11, 12), capacity=3)
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        assert services.people_to_auto_enrol(session) == [ada, ben, cleo, dana, in_cancelled]
        enrolled, waitlisted = services.auto_enrol(session)
        db.session.commit()
        assert [e.person_id for e in enrolled] == [ada, ben, cleo]
        assert [e.person_id for e in waitlisted] == [dana, in_cancelled]
    assert statuses(app, session_id) == {ada: ("enrolled", None), ben: ("enrolled", None),
                                         cleo: ("enrolled", None), dana: ("waitlisted", 1),
                                         in_cancelled: ("waitlisted", 2)}
    assert not {elsewhere, no_need, booked, attended} & statuses(app, session_id).keys()
    with app.app_context():  # a second run finds nobody new
        assert services.auto_enrol(db.session.get(TrainingSession, session_id)) == ([], [])


def test_auto_enrol_seats_those_already_waiting_first(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    need(app, s)
    [newcomer] = people(factories, s, ["Newcomer"])
    [waiting] = people(factories, s, ["Waiting"], job_role="Warehouse")
    session_id = make_session(app, s, capacity=1)
    waitlist(app, session_id, [waiting])
    with app.app_context():
        services.auto_enrol(db.session.get(TrainingSession, session_id))
        db.session.commit()
    assert statuses(app, session_id) == {waiting: ("enrolled", None), newcomer: ("waitlisted", 1)}


def test_a_cancelled_or_finished_session_is_not_auto_enrolled(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    over = make_session(app, s, day=date(2026, 11, 9))
    with app.app_context(), pytest.raises(DomainError, match="over"):
        services.auto_enrol(db.session.get(TrainingSession, over))


# --- the waitlist ----------------------------------------------------------------------------------------

def test_a_freed_seat_goes_to_the_first_person_waiting(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    seated, first, second = people(factories, s, ["Seated", "First", "Second"])
    session_id = make_session(app, s, capacity=1, people=[seated])
    waitlist(app, session_id, [first, second])
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        with pytest.raises(DomainError, match="already on the waitlist"):
            services.add_to_waitlist(session, first)
        with pytest.raises(DomainError, match="already has a seat"):
            services.add_to_waitlist(session, seated)
        # leaving the waitlist frees no seat
        assert services.remove_person(_enrolment(session_id, second)) == []
        promoted = services.remove_person(_enrolment(session_id, seated))
        db.session.commit()
        assert [e.person_id for e in promoted] == [first]
        events = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.object_type == "Enrolment"))
        assert events >= 5
    assert statuses(app, session_id) == {seated: ("removed", None), first: ("enrolled", None),
                                         second: ("removed", None)}


def _enrolment(session_id, person_id) -> Enrolment:
    return db.session.scalar(select(Enrolment).where(Enrolment.session_id == session_id,
                                                     Enrolment.person_id == person_id))


def test_nobody_is_promoted_in_a_cancelled_session(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    [waiting] = people(factories, s, ["Waiting"])
    session_id = make_session(app, s, capacity=1)
    waitlist(app, session_id, [waiting])
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        session.status = SessionStatus.CANCELLED
        assert services.promote_from_waitlist(session) == []


# --- moving ----------------------------------------------------------------------------------------------

def test_moving_takes_a_free_seat_or_the_waitlist_and_frees_the_old_seat(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    mover, waiting, full_one, other_mover = people(factories, s, ["Mover", "Waiting", "Full", "Other"])
    source = make_session(app, s, capacity=2, people=[mover, other_mover])
    waitlist(app, source, [waiting])
    roomy = make_session(app, s, day=date(2026, 11, 12))
    full = make_session(app, s, day=date(2026, 11, 13), capacity=1, people=[full_one])
    with app.app_context():
        moved = services.move_person(_enrolment(source, mover), roomy)
        db.session.commit()
        assert (moved.session_id, moved.status) == (roomy, EnrolmentStatus.ENROLLED)
        moved = services.move_person(_enrolment(source, other_mover), full)
        db.session.commit()
        assert (moved.session_id, moved.status, moved.waitlist_position) == (full, EnrolmentStatus.WAITLISTED, 1)
    assert statuses(app, source) == {mover: ("removed", None), other_mover: ("removed", None),
                                     waiting: ("enrolled", None)}


@pytest.mark.parametrize("target, message", [
    ("same", "Choose another session of the same course"),
    ("other_course", "Choose another session of the same course"),
    ("cancelled", "That session is cancelled"),
    ("past", "That session is over"),
    ("already", "is already in that session"),
])
def test_moving_is_refused_to_a_session_that_does_not_fit(app, factories, now_is, target, message):
    now_is(NOW)
    s = setup(app, factories)
    [person] = people(factories, s, ["Mover"])
    source = make_session(app, s, people=[person])
    other_course = make_course(app, s.programme, title="Another course")
    targets = {"same": source, "past": make_session(app, s, day=date(2026, 11, 9)),
               "already": make_session(app, s, day=date(2026, 11, 20), people=[person]),
               "cancelled": make_session(app, s, day=date(2026, 11, 21))}
    with app.app_context():
        targets["other_course"] = sessions.create_session(
            _programme(s), course_id=other_course, region_id=s.region.id, trainer_id=None,
            start_on=date(2026, 11, 22), start_time=NOW.time(), duration_minutes=60, location="", online_url="",
            capacity=5).id
        db.session.get(TrainingSession, targets["cancelled"]).status = SessionStatus.CANCELLED
        db.session.flush()
        with pytest.raises(DomainError, match=message):
            services.move_person(_enrolment(source, person), targets[target])


def _programme(s):
    from planner.programmes.models import Programme

    return db.session.get(Programme, s.programme.id)


# --- cancelling ------------------------------------------------------------------------------------------

def test_cancelling_puts_people_on_the_next_session_s_waitlist_in_order(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    first, second, third, waiting, elsewhere_booked = people(factories, s, ["A", "B", "C", "D", "E"])
    cancelled = make_session(app, s, day=date(2026, 11, 12), capacity=4, schedule=True,
                             people=[first, second, third, elsewhere_booked])
    waitlist(app, cancelled, [waiting])
    make_session(app, s, day=date(2026, 11, 9))                                        # over
    later = make_session(app, s, day=date(2026, 11, 20))                              # not the earliest
    make_session(app, s, day=date(2026, 11, 13), region_id=factories.region(s.programme).id)  # other region
    gone = make_session(app, s, day=date(2026, 11, 14))
    nearest = make_session(app, s, day=date(2026, 11, 16), capacity=3, people=[elsewhere_booked])
    with app.app_context():
        db.session.get(TrainingSession, gone).status = SessionStatus.CANCELLED
        db.session.commit()
    with app.app_context():
        session = db.session.get(TrainingSession, cancelled)
        with pytest.raises(DomainError, match="Choose why"):
            services.cancel_session(session, reason="", note="")
        outcome = services.cancel_session(session, reason=CancelReason.BUSINESS_PRIORITY, note=" Quarter end ")
        db.session.commit()
        assert outcome.next_session.id == nearest and not outcome.flagged
        assert (session.status, session.cancel_reason, session.cancel_note, session.sequence) == \
            (SessionStatus.CANCELLED, CancelReason.BUSINESS_PRIORITY, "Quarter end", 1)
        assert db.session.scalar(select(AuditEvent.changes).where(
            AuditEvent.object_type == "TrainingSession", AuditEvent.object_id == cancelled)
            .order_by(AuditEvent.id.desc()).limit(1))["status"] == ["scheduled", "cancelled"]
        with pytest.raises(DomainError, match="already cancelled"):
            services.cancel_session(session, reason="other", note="")
    # two free seats: the first two in order (enrolled before waiting) get them, the rest wait
    assert statuses(app, nearest) == {elsewhere_booked: ("enrolled", None), first: ("enrolled", None),
                                      second: ("enrolled", None), third: ("waitlisted", 3),
                                      waiting: ("waitlisted", 4)}
    assert later not in {outcome.next_session.id}
    assert statuses(app, cancelled)[first] == ("enrolled", None)  # the cancelled session keeps who was in it


def test_cancelling_a_scheduled_session_sends_cancellations_and_invites_those_seated_elsewhere(app, factories,
                                                                                               now_is):
    from tests.training.test_invitations import sent

    now_is(NOW)
    s = setup(app, factories)
    [person] = people(factories, s, ["Seated Elsewhere"])
    cancelled = make_session(app, s, day=date(2026, 11, 12), schedule=True, people=[person])
    nearest = make_session(app, s, day=date(2026, 11, 16), schedule=True)
    with app.app_context():
        services.cancel_session(db.session.get(TrainingSession, cancelled), reason="too_few_trainees", note="")
        db.session.commit()
        cancels = [(to, str(cal["METHOD"]), int(cal.walk("VEVENT")[0]["SEQUENCE"])) for to, cal in sent(cancelled)]
        invites = [(to, str(cal["METHOD"])) for to, cal in sent(nearest)]
    email = factories_email(app, person)
    assert (email, "CANCEL", 1) in cancels and (s.trainer.email.lower(), "CANCEL", 1) in cancels
    assert (email, "REQUEST") in invites


def factories_email(app, person_id) -> str:
    from planner.people.models import Person

    with app.app_context():
        return db.session.get(Person, person_id).email.lower()


# --- changes committed by another request while this one waited for the seats' lock --------------------------

def _changed_meanwhile(session_id, **values) -> None:
    """Another request's committed change to a session, behind this session's back (its objects keep the old
    values until read again)."""
    from sqlalchemy import update

    db.session.execute(update(TrainingSession).where(TrainingSession.id == session_id)
                       .values(version=TrainingSession.version + 1, **values)
                       .execution_options(synchronize_session=False))


def test_locking_the_seats_reads_the_session_again(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    session_id = make_session(app, s, day=date(2026, 11, 12), capacity=4)
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        _changed_meanwhile(session_id, capacity=2, status=SessionStatus.CANCELLED)
        sessions.lock_seats(session)
        assert (session.capacity, session.status) == (2, SessionStatus.CANCELLED)



def test_a_next_session_cancelled_while_waiting_for_the_lock_makes_the_cancellation_a_conflict(
        app, factories, now_is, monkeypatch):
    """Another manager cancelled the next session while this cancellation waited for the seats' lock: its
    people are neither moved into a cancelled session nor flagged although a later one exists; the cancellation
    is refused as a stale edit (409), and trying again chooses the later session."""
    from planner.core.errors import StaleEditError

    now_is(NOW)
    s = setup(app, factories)
    [ada] = people(factories, s, ["Ada"])
    cancelled = make_session(app, s, day=date(2026, 11, 12), people=[ada])
    nearest = make_session(app, s, day=date(2026, 11, 16))
    later = make_session(app, s, day=date(2026, 11, 20))
    real_lock = sessions.lock_seats

    def lock_after_the_other_commit(session):
        if session.id == nearest:
            _changed_meanwhile(nearest, status=SessionStatus.CANCELLED)
        real_lock(session)

    with app.app_context():
        session = db.session.get(TrainingSession, cancelled)
        monkeypatch.setattr(sessions, "lock_seats", lock_after_the_other_commit)
        with pytest.raises(StaleEditError):
            services.cancel_session(session, reason=CancelReason.OTHER, note="")
        monkeypatch.setattr(sessions, "lock_seats", real_lock)
        outcome = services.cancel_session(session, reason=CancelReason.OTHER, note="")
        assert outcome.next_session.id == later and [e.person_id for e in outcome.moved] == [ada]
        db.session.rollback()
