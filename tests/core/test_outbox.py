"""The mail outbox (QUALITY.md item 13): composing, queueing, claiming, retrying, the file transport,
the ``send-mail`` command and the administrators' Outbox page.

Delivery over a real SMTP server is in test_send_mail_smtp.py.
"""
import email
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from icalendar import Calendar, Event
from sqlalchemy import create_engine, delete, func, select, text

from planner import ROOT, create_app
from planner.core import mail, outbox
from planner.core.models import AuditEvent, OutboxMessage, OutboxStatus
from planner.core.permissions import public
from planner.extensions import db
from tests.conftest import count_queries, csrf_token_from

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
T0 = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def invitation(method: str = "REQUEST", summary: str = "Steering committee") -> bytes:
    """An iCalendar object built independently of the planner's calendar code."""
    calendar = Calendar()
    calendar.add("prodid", "-//Outbox tests//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", "meeting-1@planner.test")
    event.add("dtstamp", T0)
    event.add("dtstart", T0 + timedelta(days=7))
    event.add("dtend", T0 + timedelta(days=7, hours=1))
    event.add("summary", summary)
    event.add("sequence", 0)
    calendar.add_component(event)
    return calendar.to_ical()


def queue(app, count: int = 1, *, kind: str = "notice", prefix: str = "test", **compose_args) -> list[int]:
    """Queue ``count`` messages and commit; returns their ids."""
    ids = []
    with app.app_context():
        for n in range(count):
            message = mail.compose(to=f"member{n}@example.org", subject=f"Message {n}", text=f"Hello {n}",
                                   **compose_args)
            ids.append(outbox.enqueue(message, key=f"{prefix}:{kind}:{n}", kind=kind).id)
        db.session.commit()
    return ids


def rows(app, ids=None) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if ids is not None:
            query = query.where(OutboxMessage.id.in_(ids))
        found = db.session.scalars(query).all()
        db.session.expunge_all()
        return found


# --- composing ----------------------------------------------------------------------------------


def test_compose_plain_text_only(app):
    with app.app_context():
        message = mail.compose(to="Zoë Ang <zoe@example.org>", subject="Agenda published", text="Hello Zoë")
        raw = mail.message_bytes(message)
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content().rstrip() == "Hello Zoë"
    assert parsed["From"] == app.config["MAIL_FROM"]
    assert parsed["To"].addresses[0].addr_spec == "zoe@example.org"
    assert parsed["Message-ID"].endswith("@planner.test>")
    assert parsed["Date"].datetime.tzinfo is not None
    assert b"\r\r\n" not in raw and raw.count(b"\n") == raw.count(b"\r\n")
    assert max(raw) < 128, "every part is 7-bit, so any SMTP server takes the bytes as they are"


def test_compose_with_calendar_and_attachments(app):
    ics = invitation(summary="Zoë's steering committee: a long summary that must be folded over several lines")
    assert b"\r\n " in ics, "the object has folded lines"
    with app.app_context():
        message = mail.compose(to="zoe@example.org", subject="Invitation", text="Join us", html="<p>Join us</p>",
                               calendar=ics, attachments=[("pack.pdf", b"%PDF-1.4 ...", "application/pdf")])
        raw = mail.message_bytes(message)
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, invite, pack = parsed.iter_parts()
    assert [part.get_content_type() for part in alternative.iter_parts()] == \
        ["text/plain", "text/html", "text/calendar"]
    calendar_part = list(alternative.iter_parts())[2]
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_content_charset() == "utf-8"
    assert calendar_part.get_payload(decode=True) == ics
    assert invite.get_filename() == "invite.ics" and invite.get_payload(decode=True) == ics
    assert pack.get_filename() == "pack.pdf" and pack.get_content_type() == "application/pdf"
    assert pack.get_payload(decode=True) == b"%PDF-1.4 ...", "pdf bytes survive"
    assert b"\r\r\n" not in raw and raw.count(b"\n") == raw.count(b"\r\n")
    assert raw.count(b"MIME-Version") == 1


def test_compose_refuses_a_method_that_differs_from_the_object(app):
    with app.app_context():
        with pytest.raises(ValueError, match="METHOD"):
            mail.compose(to="a@example.org", subject="x", text="x", calendar=invitation("CANCEL"),
                         calendar_method="REQUEST")
        cancel = mail.compose(to="a@example.org", subject="x", text="x", calendar=invitation("CANCEL"),
                              calendar_method="cancel")
        no_method = Calendar.from_ical(invitation())
        del no_method["METHOD"]
        with pytest.raises(ValueError, match="METHOD"):
            mail.compose(to="a@example.org", subject="x", text="x", calendar=no_method.to_ical())
    calendar_part = next(part for part in cancel.walk() if part.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "CANCEL"


# --- queueing -----------------------------------------------------------------------------------


def test_enqueue_takes_recipient_and_subject_from_the_message(app):
    with app.app_context():
        message = mail.compose(to="Zoë Ang <zoe@example.org>", subject="Agenda: Zoë's meeting", text="x")
        row = outbox.enqueue(message, key="agenda:1:zoe", kind="agenda")
        db.session.commit()
        assert (row.recipient, row.subject, row.kind, row.status, row.attempts) == \
            ("zoe@example.org", "Agenda: Zoë's meeting", "agenda", OutboxStatus.PENDING, 0)
        assert row.content == mail.message_bytes(message)
        with pytest.raises(ValueError, match="exactly one recipient"):
            outbox.enqueue(mail.compose(to="a@example.org, b@example.org", subject="x", text="x"),
                           key="two", kind="notice")


def test_enqueue_the_same_key_twice_keeps_one_row(app):
    with app.app_context():
        first = outbox.enqueue(mail.compose(to="a@example.org", subject="Version 1", text="x"),
                               key="invite:meeting-1@planner.test:7:REQUEST:0", kind="invite")
        second = outbox.enqueue(mail.compose(to="a@example.org", subject="Version 1 again", text="x"),
                                key="invite:meeting-1@planner.test:7:REQUEST:0", kind="invite")
        db.session.commit()
        assert second.id == first.id and second.subject == "Version 1"
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_the_outbox_row_lives_and_dies_with_the_request(app, database_url):
    """Queued in the request's transaction: a refused request (422) leaves no email behind."""
    other = create_app({"SQLALCHEMY_DATABASE_URI": database_url})

    @public
    def change_then(outcome: str):
        outbox.enqueue(mail.compose(to="a@example.org", subject=outcome, text="x"), key=f"request:{outcome}",
                       kind="notice")
        return ("", 422) if outcome == "refused" else ("", 204)

    other.add_url_rule("/test-outbox/<outcome>", view_func=change_then)
    try:
        client = other.test_client()
        assert client.get("/test-outbox/refused").status_code == 422
        assert client.get("/test-outbox/done").status_code == 204
    finally:
        with other.app_context():
            db.engine.dispose()
    assert [row.key for row in rows(app)] == ["request:done"]


# --- claiming and retrying ----------------------------------------------------------------------


def test_two_claims_in_a_row_never_return_the_same_message(app):
    ids = queue(app, 3)
    with app.app_context():
        first = outbox.claim_due(now=T0 + timedelta(days=400), limit=2)
        second = outbox.claim_due(now=T0 + timedelta(days=400), limit=2)
        third = outbox.claim_due(now=T0 + timedelta(days=400), limit=2)
    assert [c.id for c in first] == ids[:2] and [c.id for c in second] == ids[2:] and third == []
    assert {row.status for row in rows(app)} == {OutboxStatus.SENDING}


def test_a_claim_abandoned_by_a_dead_sender_is_taken_again_after_the_timeout(app):
    ids = queue(app, 1)
    timeout = timedelta(seconds=app.config["MAIL_CLAIM_TIMEOUT_SECONDS"])
    claimed_at = T0 + timedelta(days=400)
    with app.app_context():
        assert [c.id for c in outbox.claim_due(now=claimed_at)] == ids
        assert outbox.claim_due(now=claimed_at + timeout - timedelta(seconds=1)) == []
        assert [c.id for c in outbox.claim_due(now=claimed_at + timeout + timedelta(seconds=1))] == ids


def test_a_message_not_due_yet_is_left_alone(app):
    queue(app, 1)
    with app.app_context():
        assert outbox.claim_due(now=datetime.now(UTC) - timedelta(minutes=5)) == []


class FailingTransport:
    def __init__(self, error: Exception):
        self.error = error
        self.calls = 0

    def send(self, **_message):
        self.calls += 1
        raise self.error

    def close(self):
        pass


def test_failures_back_off_exponentially_with_jitter_then_give_up(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 4)
    monkeypatch.setitem(app.config, "MAIL_RETRY_BASE_SECONDS", 60)
    transport = FailingTransport(RuntimeError("mail server on fire"))
    monkeypatch.setattr(outbox, "open_transport", lambda: transport)
    [message_id] = queue(app, 1)
    now = T0 + timedelta(days=400)
    for attempt in (1, 2, 3):
        with app.app_context():
            report = outbox.deliver_due(now=now)
        assert (report.sent, report.retried, report.failed) == (0, 1, 0)
        [row] = rows(app)
        assert row.status == OutboxStatus.PENDING and row.attempts == attempt
        assert row.last_error == "RuntimeError: mail server on fire"
        delay = row.next_attempt_at - now
        assert timedelta(seconds=60 * 2 ** (attempt - 1)) <= delay <= timedelta(seconds=60 * 2 ** (attempt - 1) + 60)
        with app.app_context():
            assert outbox.deliver_due(now=row.next_attempt_at - timedelta(seconds=1)).retried == 0, "not due yet"
        now = row.next_attempt_at
    with app.app_context():
        report = outbox.deliver_due(now=now)
    assert str(report) == "sent 0, retried 0, failed 1"
    [row] = rows(app)
    assert (row.status, row.attempts, row.id) == (OutboxStatus.FAILED, 4, message_id)
    with app.app_context():
        assert str(outbox.deliver_due(now=now + timedelta(days=30))) == "sent 0, retried 0, failed 0"
    assert transport.calls == 4


def test_a_permanent_refusal_fails_at_once(app, monkeypatch):
    monkeypatch.setattr(outbox, "open_transport",
                        lambda: FailingTransport(mail.PermanentDeliveryError("550 5.1.1 no such user")))
    queue(app, 1)
    with app.app_context():
        report = outbox.deliver_due(now=T0 + timedelta(days=400))
    assert (report.retried, report.failed) == (0, 1)
    [row] = rows(app)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    assert "550 5.1.1 no such user" in row.last_error


def test_retry_gives_a_failed_message_a_fresh_start_and_refuses_others(app, now_is):
    now_is(T0)
    ids = queue(app, 2)
    with app.app_context():
        failed, pending = (db.session.get(OutboxMessage, message_id) for message_id in ids)
        failed.status, failed.attempts, failed.last_error = OutboxStatus.FAILED, 8, "SMTPDataError: 554 spam"
        outbox.retry(failed)
        assert (failed.status, failed.attempts, failed.next_attempt_at) == (OutboxStatus.PENDING, 0, T0)
        with pytest.raises(outbox.OutboxStateError, match="Only a failed message"):
            outbox.retry(pending)
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "OutboxMessage")).one()
        assert event.changes["status"] == ["failed", "pending"]


# --- the file transport and the command ---------------------------------------------------------


def test_without_a_mail_server_messages_become_eml_files(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    ids = queue(app, 2, kind="invite", calendar=invitation())
    with app.app_context():
        report = outbox.deliver_due()
    assert str(report) == "sent 2, retried 0, failed 0"
    for row in rows(app, ids):
        assert row.status == OutboxStatus.SENT and row.sent_at is not None and row.attempts == 1
        path = tmp_path / "outbox" / f"{row.id}-invite.eml"
        assert path.read_bytes() == row.content
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == sorted(f"{i}-invite.eml" for i in ids)


def test_send_mail_command_delivers_once_and_reports(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    queue(app, 2)
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 2, retried 0, failed 0"
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.output.strip() == "sent 0, retried 0, failed 0"


# --- the Outbox page ----------------------------------------------------------------------------


def _set_status(app, message_id: int, status: OutboxStatus, **values):
    with app.app_context():
        row = db.session.get(OutboxMessage, message_id)
        row.status = status
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


def test_outbox_page_lists_newest_first_and_filters_by_status(app, client, login_as):
    ids = queue(app, 3)
    _set_status(app, ids[0], OutboxStatus.FAILED, attempts=8, last_error="SMTPDataError: 554 refused as spam")
    _set_status(app, ids[1], OutboxStatus.SENT, attempts=1, sent_at=T0)
    login_as("admin")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert page.index("Message 2") < page.index("Message 1") < page.index("Message 0")
    assert "SMTPDataError: 554 refused as spam" in page and "member0@example.org" in page
    assert page.count("Retry") == 1
    failed_only = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "Message 0" in failed_only and "Message 1" not in failed_only and "Message 2" not in failed_only
    assert "Message 2" in client.get("/admin/outbox?status=pending").get_data(as_text=True)
    assert "Message 1" in client.get("/admin/outbox?status=nonsense").get_data(as_text=True)


@pytest.mark.parametrize("role", ["project_manager", "committee_member", "viewer", "none"])
def test_outbox_page_is_for_administrators_only(app, client, login_as, make_programme, role):
    [message_id] = queue(app, 1)
    _set_status(app, message_id, OutboxStatus.FAILED)
    login_as(role, make_programme())
    assert client.get("/admin/outbox").status_code == 403
    assert client.get(f"/admin/outbox/{message_id}.eml").status_code == 403
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    assert client.post(f"/admin/outbox/{message_id}/retry", data={"csrf_token": token}).status_code == 403
    assert rows(app)[0].status == OutboxStatus.FAILED


def test_outbox_page_sends_anonymous_visitors_to_login(client):
    response = client.get("/admin/outbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_retry_from_the_page(app, client, login_as):
    failed_id, sent_id = queue(app, 2)
    _set_status(app, failed_id, OutboxStatus.FAILED, attempts=8, last_error="SMTPDataError: 554 refused")
    _set_status(app, sent_id, OutboxStatus.SENT, attempts=1, sent_at=T0)
    login_as("admin")
    page = client.get("/admin/outbox?status=failed")
    token = csrf_token_from(page.get_data(as_text=True))
    assert client.post(f"/admin/outbox/{failed_id}/retry").status_code == 400, "CSRF protected"
    response = client.post(f"/admin/outbox/{failed_id}/retry?status=failed", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/outbox?status=failed"
    after = client.get("/admin/outbox").get_data(as_text=True)
    assert "will be sent again shortly" in after
    failed, sent = rows(app, [failed_id, sent_id])
    assert (failed.status, failed.attempts) == (OutboxStatus.PENDING, 0)
    response = client.post(f"/admin/outbox/{sent_id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200 and "Only a failed message can be retried" in response.get_data(as_text=True)
    assert rows(app, [sent_id])[0].status == OutboxStatus.SENT
    assert client.post("/admin/outbox/999999/retry", data={"csrf_token": token}).status_code == 404


def test_download_the_raw_message(app, client, login_as):
    [message_id] = queue(app, 1, kind="invite", calendar=invitation())
    login_as("admin")
    response = client.get(f"/admin/outbox/{message_id}.eml")
    assert response.status_code == 200 and response.mimetype == "message/rfc822"
    assert response.headers["Content-Disposition"] == f'attachment; filename="outbox-{message_id}.eml"'
    assert response.data == rows(app)[0].content
    assert client.get("/admin/outbox/999999.eml").status_code == 404


def test_outbox_page_query_count_does_not_grow_with_rows(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 50)
    login_as("admin")
    counts = []
    for total in (3, 30):
        with app.app_context():
            db.session.execute(delete(OutboxMessage))
            db.session.commit()
        ids = queue(app, total, prefix=f"count{total}")
        for message_id in ids[::3]:
            _set_status(app, message_id, OutboxStatus.FAILED, attempts=8, last_error="x")
        with count_queries(app) as statements:
            response = client.get("/admin/outbox")
        assert response.status_code == 200 and response.get_data(as_text=True).count("<tr>") == total + 1
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- tests that own their data: real commits on the test database -------------------------------


class TestConcurrentSenders:
    """Claims by separate connections. These tests commit for real, so they clean up after themselves."""

    @pytest.fixture(autouse=True)
    def _rolled_back(self, app):
        """No shared rolled-back transaction: the senders need to see each other's commits."""
        yield
        with app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.key.like("concurrent:%")))
            db.session.commit()
            db.session.remove()

    def test_concurrent_claimers_never_share_a_message(self, app):
        ids = set(queue(app, 40, prefix="concurrent"))
        results: list[list[int]] = []
        errors: list[BaseException] = []
        start = threading.Barrier(4)

        def claim():
            try:
                with app.app_context():
                    start.wait()
                    taken = []
                    while batch := outbox.claim_due(now=T0 + timedelta(days=400), limit=3):
                        taken += [c.id for c in batch]
                    results.append(taken)
                    db.session.remove()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=claim) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        claimed = [message_id for taken in results for message_id in taken]
        assert len(claimed) == len(set(claimed)) == 40 and set(claimed) == ids

    def test_two_transactions_queueing_the_same_key_keep_one_message(self, app):
        """The second waits for the first (PostgreSQL: on the unique key; SQLite: on the write lock), then
        finds its row instead of failing."""
        result = {}

        def second():
            with app.app_context():
                row = outbox.enqueue(mail.compose(to="a@example.org", subject="Second", text="x"),
                                     key="concurrent:same", kind="invite")
                result.update(id=row.id, subject=row.subject)
                db.session.commit()
                db.session.remove()

        with app.app_context():
            first = outbox.enqueue(mail.compose(to="a@example.org", subject="First", text="x"),
                                   key="concurrent:same", kind="invite")
            thread = threading.Thread(target=second)
            thread.start()
            time.sleep(0.5)  # let the second transaction run into the first one's lock
            db.session.commit()
            first_id = first.id
            db.session.remove()
        thread.join(timeout=30)
        assert result == {"id": first_id, "subject": "First"}
        assert [row.subject for row in rows(app) if row.key == "concurrent:same"] == ["First"]

    @pytest.mark.skipif(not ON_POSTGRES, reason="FOR UPDATE SKIP LOCKED is PostgreSQL's")
    def test_a_row_locked_by_another_sender_is_skipped(self, app, database_url):
        first, second = queue(app, 2, prefix="concurrent")
        other = create_engine(database_url)
        try:
            with other.connect() as connection:
                transaction = connection.begin()
                connection.execute(text("SELECT id FROM outbox_message WHERE id = :id FOR UPDATE"), {"id": first})
                with app.app_context():
                    db.session.execute(text("SET LOCAL lock_timeout = '5s'"))  # a bug fails, not hangs
                    assert [c.id for c in outbox.claim_due(now=T0 + timedelta(days=400))] == [second]
                transaction.rollback()
            with app.app_context():
                assert [c.id for c in outbox.claim_due(now=T0 + timedelta(days=400))] == [first]
        finally:
            other.dispose()

    @pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
    def test_send_mail_loop_keeps_delivering_until_stopped(self, tmp_path, stop_signal):
        """``send-mail --loop`` in a real process on its own database: delivers, then exits cleanly."""
        from flask_migrate import upgrade

        url = f"sqlite:///{tmp_path / 'loop.db'}"
        instance = tmp_path / "instance"
        loop_app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with loop_app.app_context():
            upgrade()
            db.session.remove()
            db.engine.dispose()
        env = {key: value for key, value in os.environ.items() if not key.startswith("PLANNER_MAIL_")}
        env.update(PLANNER_ENV="testing", PLANNER_INSTANCE_PATH=str(instance), DATABASE_URL=url)
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "planner", "send-mail", "--loop",
                                    "--interval", "0.2"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(1)
            queue(loop_app, 1, prefix="concurrent")  # queued while the loop runs
            expected = instance / "outbox" / "1-notice.eml"
            deadline = time.monotonic() + 30
            while not expected.exists() and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.1)
            assert expected.exists(), process.stderr.read() if process.poll() is not None else "no file"
            process.send_signal(stop_signal)
            out, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
            with loop_app.app_context():
                db.engine.dispose()
        assert process.returncode == 0, err
        assert "sent 1, retried 0, failed 0" in out and out.rstrip().endswith("Stopped."), out
        assert Path(expected).read_bytes().startswith(b"From: ")
