"""Self check-in: the trainer's code (created on POST only, replaced when reopened), valid from 30 minutes before
the start to the end, only for people enrolled; present or late, source "self"; failures throttled per address.
The QR code carries a link with a 256-bit token derived from the same salt: holding it replaces the code."""
import re
from base64 import urlsafe_b64decode
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from planner.auth.models import LoginThrottle
from planner.core import secret_links
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.training import checkin, checkin_views
from planner.training.models import AttendanceMark, MarkStatus, TrainingSession
from planner.training import sessions as services
from tests.conftest import csrf_token_from, form_post, log_in
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


def _check_in(app, session_id, *, code=None, link_token=None, email, now, ip="192.0.2.1"):
    with app.app_context():
        try:
            mark = checkin.check_in(db.session.get(TrainingSession, session_id), code=code, link_token=link_token,
                                    email=email, client_ip=ip, now=now)
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


# --- the link in the QR code: a 256-bit token instead of the code --------------------------------------------

def _link_token(app, session_id) -> str | None:
    with app.app_context():
        return checkin.checkin_link_token(db.session.get(TrainingSession, session_id))


def _nothing_written(app, session_id) -> bool:
    with app.app_context():
        marks = db.session.scalar(select(func.count(AttendanceMark.id)).where(AttendanceMark.session_id == session_id))
        throttled = db.session.scalar(select(func.count(LoginThrottle.key))
                                      .where(LoginThrottle.key.like(f"checkin:{session_id}:%")))
        return marks == 0 and throttled == 0


def test_the_link_token_is_256_bits_derived_from_the_128_bit_salt_and_changes_when_reopened(app, world):
    _s, session_id, _enrolled, _other = world
    assert _link_token(app, session_id) is None  # check-in not opened yet
    _open(app, session_id)
    token = _link_token(app, session_id)
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        assert re.fullmatch(r"[0-9a-f]{32}", session.checkin_salt)  # 128 random bits
        assert checkin.LINK_PURPOSE.format(id=session_id) == f"checkin-link:{session_id}"
        assert token == secret_links.derive_token(f"checkin-link:{session_id}", session.checkin_salt)
        assert token != secret_links.derive_token(f"checkin:{session_id}", session.checkin_salt)  # not the code's
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token) and len(urlsafe_b64decode(token + "=")) * 8 == 256
    assert _link_token(app, session_id) == token  # derived, stable, nothing stored
    _open(app, session_id)
    assert _link_token(app, session_id) != token


def test_the_link_checks_in_an_enrolled_email_without_a_code(app, world):
    _s, session_id, enrolled, _other = world
    _open(app, session_id)
    token = _link_token(app, session_id)
    result = _check_in(app, session_id, link_token=token, email=" Ada.Enrolled@Example.com ",
                       now=START + timedelta(minutes=11))
    assert result == (MarkStatus.LATE, "self", None)
    with app.app_context():
        mark = db.session.scalar(select(AttendanceMark).where(AttendanceMark.session_id == session_id))
        assert mark.person_id == enrolled
    # the rules of the code hold for the link too: outside the window, not enrolled, an old link
    closed = _check_in(app, session_id, link_token=token, email="ada.enrolled@example.com",
                       now=START + timedelta(hours=2, seconds=1))
    assert isinstance(closed, checkin.DomainError) and "has ended" in closed.message
    stranger = _check_in(app, session_id, link_token=token, email="bo.not.enrolled@example.com", now=START)
    assert isinstance(stranger, checkin.CheckinRefused)
    _open(app, session_id)
    old = _check_in(app, session_id, link_token=token, email="ada.enrolled@example.com", now=START)
    assert isinstance(old, checkin.CheckinRefused)


def test_a_code_is_not_a_link_token_and_a_link_token_is_not_a_code(app, world):
    _s, session_id, _enrolled, _other = world
    code = _open(app, session_id)
    token = _link_token(app, session_id)
    assert isinstance(_check_in(app, session_id, link_token=code, email="ada.enrolled@example.com", now=START),
                      checkin.CheckinRefused)
    assert isinstance(_check_in(app, session_id, code=token, email="ada.enrolled@example.com", now=START),
                      checkin.CheckinRefused)
    with pytest.raises(ValueError):
        _check_in(app, session_id, code=code, link_token=token, email="ada.enrolled@example.com", now=START)


def _link_url(session_id, token) -> str:
    return f"/check-in/{session_id}/{token}"


def test_a_trainee_checks_in_through_the_link_with_only_their_email(app, client, world, now_is):
    now_is(START + timedelta(minutes=2))
    _s, session_id, enrolled, _other = world
    _open(app, session_id)
    url = _link_url(session_id, _link_token(app, session_id))
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="email"' in html and 'name="code"' not in html and "Six letters" not in html
    right = client.post(url, data={"csrf_token": csrf_token_from(html), "email": "ada.enrolled@example.com"})
    assert right.status_code == 200
    assert "You are checked in" in right.get_data(as_text=True)
    with app.app_context():
        mark = db.session.scalar(select(AttendanceMark).where(AttendanceMark.session_id == session_id))
        assert (mark.person_id, mark.status, mark.source) == (enrolled, MarkStatus.PRESENT, "self")
    # the short-code page still asks for the code
    assert 'name="code"' in client.get(f"/check-in/{session_id}").get_data(as_text=True)


def test_a_wrong_an_old_or_an_unopened_link_is_404_and_writes_nothing(app, client, world, now_is):
    now_is(START + timedelta(minutes=2))
    s, session_id, enrolled, _other = world
    unopened_id = make_session(app, s, at=time(14, 0), people=[enrolled], schedule=True)
    _open(app, session_id)
    old_token = _link_token(app, session_id)
    _open(app, session_id)  # "New code": the old link stops working
    current = _link_token(app, session_id)
    with app.app_context():
        unopened_token = secret_links.derive_token(f"checkin-link:{unopened_id}", secret_links.new_salt())
    csrf = csrf_token_from(client.get(f"/check-in/{session_id}").get_data(as_text=True))
    altered = current[:-1] + ("B" if current.endswith("A") else "A")
    answers = []
    for url in (_link_url(session_id, old_token), _link_url(session_id, altered),
                _link_url(session_id, current[:20]), _link_url(session_id, current + "x"),
                _link_url(unopened_id, unopened_token), _link_url(unopened_id, current),
                _link_url(999999, current)):
        for response in (client.get(url),
                         client.post(url, data={"csrf_token": csrf, "email": "ada.enrolled@example.com"})):
            answers.append((response.status_code, response.get_data()))
    assert {status for status, _body in answers} == {404}
    assert len({body for _status, body in answers}) == 1  # the same answer for each
    assert _nothing_written(app, session_id) and _nothing_written(app, unopened_id)


def test_a_wrong_email_through_the_link_is_refused_counted_and_locked_out(app, client, world, now_is):
    now_is(START + timedelta(minutes=2))
    _s, session_id, _enrolled, _other = world
    _open(app, session_id)
    url = _link_url(session_id, _link_token(app, session_id))
    csrf = csrf_token_from(client.get(url).get_data(as_text=True))
    wrong = client.post(url, data={"csrf_token": csrf, "email": "bo.not.enrolled@example.com"})
    assert wrong.status_code == 422
    assert "does not match anyone enrolled" in wrong.get_data(as_text=True)
    with app.app_context():
        counted = db.session.scalars(select(LoginThrottle.failure_count)
                                     .where(LoginThrottle.key.like(f"checkin:{session_id}:%"))).all()
        assert sorted(counted) == [1, 1]  # per address and email, and per address
    for _attempt in range(checkin.MAX_FAILURES - 1):
        assert client.post(url, data={"csrf_token": csrf, "email": "bo.not.enrolled@example.com"}).status_code == 422
    locked = client.post(url, data={"csrf_token": csrf, "email": "bo.not.enrolled@example.com"})
    assert locked.status_code == 429 and "Too many failed attempts" in locked.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AttendanceMark.id).where(AttendanceMark.session_id == session_id)) is None


def test_the_trainers_page_puts_the_link_in_the_qr_code_and_keeps_the_short_code(app, client, world, now_is):
    now_is(NOW)
    s, session_id, _enrolled, _other = world
    code = _open(app, session_id)
    log_in(client, s.trainer.email)
    html = client.get(f"/programmes/{s.programme.id}/sessions/{session_id}/check-in-code").get_data(as_text=True)
    link = f"http://localhost/check-in/{session_id}/{_link_token(app, session_id)}"
    with app.test_request_context():
        qr_of_link = checkin_views._qr_svg(link)
    assert qr_of_link in html  # the QR code encodes the link with the token
    assert link in html
    assert code in html and f"open http://localhost/check-in/{session_id} and type the code" in html  # fallback


def test_the_check_in_link_is_redacted_from_the_request_log(app, world, now_is, caplog):
    import logging
    import threading
    import urllib.request

    from werkzeug.serving import make_server

    from planner.core import log_redaction

    now_is(START)
    _s, session_id, _enrolled, _other = world
    _open(app, session_id)
    token = _link_token(app, session_id)
    log_redaction.install(app)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    caplog.set_level(logging.INFO, logger="werkzeug")
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{_link_url(session_id, token)}",
                                    timeout=10) as response:
            assert response.status == 200
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
    request_lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any(f"/check-in/{session_id}/[redacted]" in line for line in request_lines), request_lines
    assert token not in caplog.text


def test_rotating_the_secret_key_revokes_the_link_and_the_trainers_page_shows_the_new_one(app, client, world, now_is,
                                                                                         monkeypatch):
    s, session_id, enrolled, _other = world
    _open(app, session_id)
    old_token = _link_token(app, session_id)
    now_is(START + timedelta(minutes=2))

    monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-secret-key-after-rotation-0123456789abcdef")

    old, unknown = client.get(_link_url(session_id, old_token)), client.get(_link_url(session_id, "A" * 43))
    assert old.status_code == unknown.status_code == 404 and old.get_data() == unknown.get_data()
    trainer = app.test_client()
    log_in(trainer, s.trainer.email)
    shown = trainer.get(f"/programmes/{s.programme.id}/sessions/{session_id}/check-in-code").get_data(as_text=True)
    new_url = re.search(rf"http://localhost(/check-in/{session_id}/[A-Za-z0-9_-]{{43}})", shown).group(1)
    assert old_token not in shown
    right = form_post(client, new_url, {"email": "ada.enrolled@example.com"})
    assert right.status_code == 200 and "You are checked in" in right.get_data(as_text=True)
    with app.app_context():
        mark = db.session.scalar(select(AttendanceMark).where(AttendanceMark.session_id == session_id))
        assert (mark.person_id, mark.status) == (enrolled, MarkStatus.PRESENT)
