"""Self check-in: the trainer's code (created on POST only, replaced when reopened), valid from 30 minutes before
the start to the end, only for people enrolled; present or late, source "self"; failures throttled per address."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from planner.core.models import AuditEvent
from planner.extensions import db
from planner.training import checkin
from planner.training.models import AttendanceMark, MarkStatus, TrainingSession
from planner.training import sessions as services
from tests.conftest import csrf_token_from, log_in
from tests.training.test_sessions_helpers import NOW, make_session, setup

#: the session of these tests: Tuesday 10 Nov 2026, 10:00-12:00 Berlin = 09:00-11:00 UTC
START = NOW + timedelta(hours=1)
END = START + timedelta(hours=2)


@pytest.fixture
def world(app, factories):
    s = setup(app, factories)
    enrolled = factories.person(s.programme, region_id=s.region.id, email="ada.enrolled@example.com")
    other = factories.person(s.programme, region_id=s.region.id, email="bo.not.enrolled@example.com")
    session_id = make_session(app, s, schedule=True, people=[enrolled.id])
    return s, session_id, enrolled.id, other.id


def _open(app, session_id) -> str:
    with app.app_context():
        code = checkin.open_checkin(db.session.get(TrainingSession, session_id), now=NOW)
        db.session.commit()
        return code


def _check_in(app, session_id, *, code, email, now, ip="192.0.2.1"):
    with app.app_context():
        try:
            mark = checkin.check_in(db.session.get(TrainingSession, session_id), code=code, email=email,
                                    client_ip=ip, now=now)
            result = (mark.status, mark.source, mark.marked_by_id)
        except checkin.DomainError as error:
            result = error
        db.session.commit()
        return result


def test_the_code_is_six_unambiguous_characters_and_changes_when_reopened(app, world):
    _s, session_id, _enrolled, _other = world
    first = _open(app, session_id)
    assert len(first) == 6 and set(first) <= set(checkin.CODE_ALPHABET)
    with app.app_context():
        assert checkin.checkin_code(db.session.get(TrainingSession, session_id)) == first  # derived, stable
    second = _open(app, session_id)
    assert second != first
    refused = _check_in(app, session_id, code=first, email="ada.enrolled@example.com", now=START)
    assert isinstance(refused, checkin.CheckinRefused)
    assert _check_in(app, session_id, code=second, email="ada.enrolled@example.com", now=START)[0] is \
        MarkStatus.PRESENT


@pytest.mark.parametrize("offset, expected", [
    (timedelta(minutes=-30), MarkStatus.PRESENT),
    (timedelta(minutes=10), MarkStatus.PRESENT),
    (timedelta(minutes=11), MarkStatus.LATE),
    (timedelta(hours=2), MarkStatus.LATE),
])
def test_enrolled_people_check_in_present_or_late(app, world, offset, expected):
    _s, session_id, enrolled, _other = world
    code = _open(app, session_id)
    typed = f" {code.lower()[:3]}-{code.lower()[3:]} "  # any case, spaces and dashes
    result = _check_in(app, session_id, code=typed, email="Ada.Enrolled@Example.com", now=START + offset)
    assert result == (expected, "self", None)
    with app.app_context():
        mark = db.session.scalar(select(AttendanceMark).where(AttendanceMark.session_id == session_id))
        assert mark.person_id == enrolled
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.object_type == "AttendanceMark",
                                                             AuditEvent.object_id == mark.id))


@pytest.mark.parametrize("offset, message", [
    (timedelta(minutes=-31), "opens 30 minutes before"),
    (timedelta(hours=2, seconds=1), "has ended"),
])
def test_outside_the_session_the_code_is_not_accepted(app, world, offset, message):
    _s, session_id, _enrolled, _other = world
    code = _open(app, session_id)
    refused = _check_in(app, session_id, code=code, email="ada.enrolled@example.com", now=START + offset)
    assert isinstance(refused, checkin.DomainError) and message in refused.message


def test_people_not_enrolled_and_unknown_emails_get_the_same_refusal_as_a_wrong_code(app, world):
    _s, session_id, _enrolled, _other = world
    code = _open(app, session_id)
    refusals = [_check_in(app, session_id, code=code, email="bo.not.enrolled@example.com", now=START),
                _check_in(app, session_id, code=code, email="nobody@example.com", now=START),
                _check_in(app, session_id, code="ZZZZZZ", email="ada.enrolled@example.com", now=START)]
    assert all(isinstance(refused, checkin.CheckinRefused) for refused in refusals)
    assert len({(refused.message, refused.status_code) for refused in refusals}) == 1
    with app.app_context():
        assert db.session.scalar(select(AttendanceMark.id).where(AttendanceMark.session_id == session_id)) is None


def test_before_check_in_is_opened_no_code_works(app, world):
    _s, session_id, _enrolled, _other = world
    refused = _check_in(app, session_id, code="ABCDEF", email="ada.enrolled@example.com", now=START)
    assert isinstance(refused, checkin.CheckinRefused)


def test_a_trainers_absent_is_replaced_and_a_present_is_kept(app, world):
    s, session_id, enrolled, _other = world
    code = _open(app, session_id)
    with app.app_context():
        services.mark_attendance(db.session.get(TrainingSession, session_id), person_id=enrolled, status="absent",
                                 note="not here at 10", marked_by_id=s.trainer.id, now=START)
        db.session.commit()
    assert _check_in(app, session_id, code=code, email="ada.enrolled@example.com", now=START + timedelta(minutes=20)) \
        == (MarkStatus.LATE, "self", None)
    assert _check_in(app, session_id, code=code, email="ada.enrolled@example.com", now=START + timedelta(minutes=30)) \
        == (MarkStatus.LATE, "self", None)
    with app.app_context():
        mark = db.session.scalar(select(AttendanceMark).where(AttendanceMark.session_id == session_id))
        assert mark.note == "not here at 10"


def test_failed_attempts_are_throttled_per_session_and_address(app, world):
    _s, session_id, _enrolled, _other = world
    code = _open(app, session_id)
    for _attempt in range(checkin.MAX_FAILURES):
        assert isinstance(_check_in(app, session_id, code="WRONG2", email="ada.enrolled@example.com", now=START),
                          checkin.CheckinRefused)
    locked = _check_in(app, session_id, code=code, email="ada.enrolled@example.com", now=START)
    assert isinstance(locked, checkin.CheckinLocked) and locked.status_code == 429
    # another address is not locked out
    assert _check_in(app, session_id, code=code, email="ada.enrolled@example.com", now=START, ip="192.0.2.9")[0] \
        is MarkStatus.PRESENT


# --- the pages ------------------------------------------------------------------------------------------------

def test_the_trainer_opens_the_code_page_and_a_get_writes_nothing(app, client, world, now_is):
    now_is(NOW)
    s, session_id, _enrolled, _other = world
    log_in(client, s.trainer.email)
    url = f"/programmes/{s.programme.id}/sessions/{session_id}/check-in-code"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "No code yet" in html and "<svg" not in html
    with app.app_context():
        assert db.session.get(TrainingSession, session_id).checkin_salt is None
    response = client.post(f"{url}/open", data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 302
    with app.app_context():
        code = checkin.checkin_code(db.session.get(TrainingSession, session_id))
    html = client.get(url).get_data(as_text=True)
    assert code in html and f"/check-in/{session_id}" in html
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert "style=" not in svg and "<script" not in svg  # CSP: no inline style or script


def test_a_trainee_without_an_account_checks_in_on_the_public_page(app, client, world, now_is):
    now_is(START + timedelta(minutes=2))
    _s, session_id, enrolled, _other = world
    code = _open(app, session_id)
    url = f"/check-in/{session_id}"
    page = client.get(url)
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    wrong = client.post(url, data={"csrf_token": token, "code": "ZZZZZZ", "email": "ada.enrolled@example.com"})
    assert wrong.status_code == 422
    assert "do not match anyone enrolled" in wrong.get_data(as_text=True)
    right = client.post(url, data={"csrf_token": token, "code": code, "email": "ada.enrolled@example.com"})
    assert right.status_code == 200
    assert "You are checked in" in right.get_data(as_text=True)
    with app.app_context():
        mark = db.session.scalar(select(AttendanceMark).where(AttendanceMark.session_id == session_id))
        assert (mark.person_id, mark.status, mark.source) == (enrolled, MarkStatus.PRESENT, "self")


def test_the_public_page_says_when_check_in_is_closed(app, client, world, now_is):
    now_is(NOW - timedelta(hours=1))
    _s, session_id, _enrolled, _other = world
    page = client.get(f"/check-in/{session_id}")
    assert page.status_code == 200
    assert "not open" in page.get_data(as_text=True)
    assert client.get("/check-in/999999").status_code == 404


def test_one_persons_mistakes_do_not_lock_out_a_class_behind_the_same_address(app, factories, world):
    s, session_id, _enrolled, _other = world
    colleague = factories.person(s.programme, region_id=s.region.id, email="cy.colleague@example.com")
    with app.app_context():
        from planner.training import sessions as session_services

        session_services.enrol_person(db.session.get(TrainingSession, session_id), colleague.id)
        db.session.commit()
    code = _open(app, session_id)
    for _attempt in range(checkin.MAX_FAILURES):
        _check_in(app, session_id, code="WRONG2", email="ada.enrolled@example.com", now=START)
    assert isinstance(_check_in(app, session_id, code=code, email="ada.enrolled@example.com", now=START),
                      checkin.CheckinLocked)
    # the colleague on the same office network still checks in
    assert _check_in(app, session_id, code=code, email="cy.colleague@example.com", now=START)[0] is MarkStatus.PRESENT
