"""Training sessions invite the trainer and the trainees through the committee's machinery: scheduling sends
REQUESTs, a change raises SEQUENCE, someone taken off gets a CANCEL listing only them, a new trainer takes over,
and a proposed session sends nothing. Every object is read back with icalendar and vobject."""
from datetime import date, time
from email import message_from_bytes, policy

import icalendar
import vobject
from sqlalchemy import select

from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.training import sessions as services
from planner.training.models import Enrolment, SessionStatus, TrainingSession
from tests.training.test_sessions_helpers import NOW, make_people, make_session, setup


def sent(session_id: int) -> list[tuple[str, icalendar.Calendar]]:
    """(recipient, calendar object) of every email queued for the session, oldest first."""
    uid_like = f"training:training-session-{session_id}@%"
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.key.like(uid_like))
                              .order_by(OutboxMessage.id)).all()
    result = []
    for row in rows:
        message = message_from_bytes(row.content, policy=policy.default)
        part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        text = part.get_content()
        vobject.readOne(text)  # a second, independent parser must read it too
        calendar = icalendar.Calendar.from_ical(text)
        assert part.get_param("method") == calendar["METHOD"]
        result.append((row.recipient, calendar))
    return result


def attendees(event) -> list[str]:
    value = event.get("ATTENDEE")
    return [str(a) for a in (value if isinstance(value, list) else [value])]


def test_a_proposed_session_sends_nothing_and_scheduling_invites_trainer_and_trainees(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    people = make_people(factories, s, 2)
    session_id = make_session(app, s, day=date(2026, 11, 20), people=people)
    with app.test_request_context():
        assert sent(session_id) == []
        session = db.session.get(TrainingSession, session_id)
        services.schedule_session(session)
        emails = sent(session_id)
        assert len(emails) == 3
        assert {to for to, _calendar in emails} >= {s.trainer.email.lower()}
        (event,) = emails[0][1].walk("VEVENT")
        assert emails[0][1]["METHOD"] == "REQUEST" and event["SEQUENCE"] == 0
        assert str(event["UID"]) == f"training-session-{session_id}@planner.test"
        roles = {str(a): a.params["ROLE"] for a in event.get("ATTENDEE")}
        assert roles[f"mailto:{s.trainer.email.lower()}"] == "CHAIR"
        assert event.decoded("DTSTART").hour == 10 and str(event.decoded("DTSTART").tzinfo) == "Europe/Berlin"


def test_a_moved_session_sends_updates_and_a_removed_trainee_a_cancel_of_their_own(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    people = make_people(factories, s, 2)
    session_id = make_session(app, s, day=date(2026, 11, 20), people=people, schedule=True)
    with app.test_request_context():
        session = db.session.get(TrainingSession, session_id)
        before = len(sent(session_id))
        services.update_session(session, expected_version=None, course_id=s.course_id, region_id=s.region.id,
                                trainer_id=s.trainer.id, start_on=date(2026, 11, 20), start_time=time(14, 0),
                                duration_minutes=None, location="Room 3", online_url="", capacity=12)
        updates = sent(session_id)[before:]
        assert len(updates) == 3
        assert all(calendar.walk("VEVENT")[0]["SEQUENCE"] == 1 for _to, calendar in updates)

        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.session_id == session_id,
                                                              Enrolment.person_id == people[0]))
        services.remove_enrolment(enrolment)
        to, cancel = sent(session_id)[-1]
        (event,) = cancel.walk("VEVENT")
        assert cancel["METHOD"] == "CANCEL" and "STATUS" not in event
        assert attendees(event) == [f"mailto:{to}"] and to == enrolment.person.email.lower()


def test_a_new_trainer_takes_over_and_the_previous_one_is_told(app, factories, now_is):
    now_is(NOW)
    s = setup(app, factories)
    session_id = make_session(app, s, day=date(2026, 11, 20), people=make_people(factories, s, 1), schedule=True)
    other = factories.user_with_role("trainer", s.programme)
    with app.test_request_context():
        session = db.session.get(TrainingSession, session_id)
        before = len(sent(session_id))
        services.update_session(session, expected_version=None, course_id=s.course_id, region_id=s.region.id,
                                trainer_id=other.id, start_on=date(2026, 11, 20), start_time=time(10, 0),
                                duration_minutes=None, location="Room 2", online_url="", capacity=12)
        news = {to: calendar["METHOD"] for to, calendar in sent(session_id)[before:]}
        assert news == {s.trainer.email.lower(): "CANCEL", other.email.lower(): "REQUEST"}


def test_a_cancelled_session_sends_everyone_a_cancel(app, factories, now_is):
    from planner.training import invitations

    now_is(NOW)
    s = setup(app, factories)
    session_id = make_session(app, s, day=date(2026, 11, 20), people=make_people(factories, s, 2), schedule=True)
    with app.test_request_context():
        session = db.session.get(TrainingSession, session_id)
        before = len(sent(session_id))
        session.status, session.sequence = SessionStatus.CANCELLED, session.sequence + 1
        assert invitations.flush_and_send(session) == 3
        for _to, calendar in sent(session_id)[before:]:
            (event,) = calendar.walk("VEVENT")
            assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
        assert invitations.flush_and_send(session) == 0  # nothing more is due


def test_the_trainers_and_the_trainees_feeds_hold_the_session(app, factories, now_is):
    from planner.auth.models import User
    from planner.calendar import feeds

    now_is(NOW)
    s = setup(app, factories)
    trainee = factories.person(s.programme, region_id=s.region.id, email="Trainee@Example.com")
    trainee_user = factories.user("trainee@example.com")
    session_id = make_session(app, s, day=date(2026, 11, 20), people=[trainee.id], schedule=True)
    proposed_id = make_session(app, s, day=date(2026, 11, 24), people=[trainee.id])
    with app.test_request_context():
        for user_id in (s.trainer.id, trainee_user.id):
            body = feeds.build_feed(db.session.get(User, user_id)).body
            uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")]
            assert f"training-session-{session_id}@planner.test" in uids
            assert f"training-session-{proposed_id}@planner.test" not in uids  # proposals are not in calendars
            vobject.readOne(body.decode())
