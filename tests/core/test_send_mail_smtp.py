"""Delivery through a real SMTP server (aiosmtpd) and what arrives, parsed with the email package.

Also the fault path: the server is down, messages wait and back off, the server comes back and each
message arrives exactly once; a message that keeps failing ends up failed on the Outbox page.
"""
import email
import socket
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlalchemy import select

from planner.core import mail, outbox
from planner.core.models import OutboxMessage, OutboxStatus
from planner.extensions import db
from tests.conftest import csrf_token_from
from tests.calendar_web.helpers import make_meeting, seat_members
from tests.core.test_outbox import invitation, queue, rows
from tests.core.test_outbox_links import ALICE, RSVP, unfolded

T0 = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


class KeepingHandler:
    """Keeps every envelope; refuses recipients whose address starts with "refused"."""

    def __init__(self):
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that can be started and stopped on the same port."""

    def __init__(self, port: int):
        self.port = port
        self.handler = KeepingHandler()
        self.controller: Controller | None = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def envelopes(self):
        return self.handler.envelopes


@pytest.fixture
def smtp(app, monkeypatch):
    """A configured but not yet started SMTP server; the app's mail settings point at it."""
    server = SmtpServer(free_port())
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    yield server
    server.stop()


def received(envelope):
    return email.message_from_bytes(envelope.content, policy=policy.default)


def test_queued_messages_arrive_once_with_the_invitation_structure(app, smtp):
    smtp.start()
    ics = invitation(summary="Zoë's steering committee: a long summary that must be folded over several lines")
    [invite_id] = queue(app, 1, kind="invite", prefix="smtp", html="<p>Agenda</p>", calendar=ics)
    plain_ids = queue(app, 2, kind="notice", prefix="smtp")
    with app.app_context():
        report = outbox.deliver_due()
    assert str(report) == "sent 3, retried 0, failed 0"
    assert sorted(env.rcpt_tos[0] for env in smtp.envelopes) == \
        ["member0@example.org", "member0@example.org", "member1@example.org"]
    assert {env.mail_from for env in smtp.envelopes} == {"planner@localhost"}
    assert all(row.status == OutboxStatus.SENT and row.sent_at for row in rows(app, [invite_id, *plain_ids]))

    [invite_envelope] = [env for env in smtp.envelopes if b"text/calendar" in env.content]
    stored = rows(app, [invite_id])[0].content
    assert invite_envelope.content.rstrip(b"\r\n") == stored.rstrip(b"\r\n"), "the stored bytes went out"
    invite = received(invite_envelope)
    assert invite.get_content_type() == "multipart/mixed"
    alternative, attachment = invite.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text_part, html_part, calendar_part = alternative.iter_parts()
    assert (text_part.get_content_type(), html_part.get_content_type(), calendar_part.get_content_type()) == \
        ("text/plain", "text/html", "text/calendar")
    assert html_part.get_content().strip() == "<p>Agenda</p>"
    for part in (calendar_part, attachment):
        ics_received = part.get_payload(decode=True)
        assert b"\r\r\n" not in ics_received
        assert ics_received.count(b"\n") == ics_received.count(b"\r\n"), "exactly CRLF line ends"
        parsed = Calendar.from_ical(ics_received)
        assert str(parsed["METHOD"]) == "REQUEST"
        assert str(parsed.walk("VEVENT")[0]["SUMMARY"]).startswith("Zoë's steering committee")
    assert calendar_part.get_param("method") == "REQUEST" == str(Calendar.from_ical(
        calendar_part.get_payload(decode=True))["METHOD"])
    assert calendar_part.get_content_charset() == "utf-8"
    assert attachment.get_filename() == "invite.ics" and attachment.get_content_type() == "application/ics"

    with app.app_context():
        assert str(outbox.deliver_due(now=T0 + timedelta(days=400))) == "sent 0, retried 0, failed 0"
    assert len(smtp.envelopes) == 3


def test_server_down_then_back_each_message_arrives_exactly_once(app, smtp):
    ids = queue(app, 2, prefix="smtp")
    now = datetime.now(UTC)
    with app.app_context():
        report = outbox.deliver_due(now=now)
    assert str(report) == "sent 0, retried 2, failed 0"
    for row in rows(app, ids):
        assert row.status == OutboxStatus.PENDING and row.attempts == 1
        assert "ConnectionRefusedError" in row.last_error
        assert row.next_attempt_at >= now + timedelta(seconds=app.config["MAIL_RETRY_BASE_SECONDS"])
    with app.app_context():
        assert str(outbox.deliver_due(now=now)) == "sent 0, retried 0, failed 0", "nothing due yet"

    smtp.start()
    later = now + timedelta(hours=1)
    with app.app_context():
        assert str(outbox.deliver_due(now=later)) == "sent 2, retried 0, failed 0"
        assert str(outbox.deliver_due(now=later + timedelta(days=1))) == "sent 0, retried 0, failed 0"
    assert sorted(env.rcpt_tos[0] for env in smtp.envelopes) == ["member0@example.org", "member1@example.org"]
    for row in rows(app, ids):
        assert (row.status, row.attempts, row.sent_at, row.last_error) == (OutboxStatus.SENT, 2, later, "")


def test_a_message_that_keeps_failing_is_shown_failed_and_can_be_retried(app, smtp, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    [message_id] = queue(app, 1, prefix="smtp")
    now = datetime.now(UTC)
    for _attempt in range(3):
        with app.app_context():
            outbox.deliver_due(now=now)
        now += timedelta(days=1)
    [row] = rows(app)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)

    login_as("admin")
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "Message 0" in page and "ConnectionRefusedError" in page and "Failed" in page
    token = csrf_token_from(page)
    assert client.post(f"/admin/outbox/{message_id}/retry", data={"csrf_token": token}).status_code == 302
    assert rows(app)[0].status == OutboxStatus.PENDING

    smtp.start()
    with app.app_context():
        assert str(outbox.deliver_due(now=now + timedelta(days=1))) == "sent 1, retried 0, failed 0"
    assert len(smtp.envelopes) == 1


def test_a_refused_recipient_fails_at_once_and_the_others_still_go(app, smtp):
    smtp.start()
    with app.app_context():
        for n, address in enumerate(["refused@example.org", "fine@example.org"]):
            outbox.enqueue(mail.compose(to=address, subject=f"Message {n}", text="x"), key=f"smtp:{n}", kind="notice")
        db.session.commit()
        report = outbox.deliver_due()
        refused = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "refused@example.org")).one()
        assert (refused.status, refused.attempts) == (OutboxStatus.FAILED, 1)
        assert "550 5.1.1 No such user here" in refused.last_error
    assert str(report) == "sent 1, retried 0, failed 1"
    assert [env.rcpt_tos for env in smtp.envelopes] == [["fine@example.org"]]


def test_an_invitation_reaches_the_server_with_a_working_rsvp_link_that_the_database_never_held(app, factories,
                                                                                                smtp, client):
    smtp.start()
    programme = factories.programme()
    seat_members(app, factories, programme, [ALICE])
    meeting = make_meeting(app, programme)
    token = meeting.tokens[ALICE]
    with app.app_context():
        [stored] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == ALICE)).all()
        assert token.encode() not in stored.content
        [(placeholder, (kind, key))] = stored.links.items()
        assert (kind, key) == ("rsvp", meeting.invitees[ALICE])
        assert placeholder.encode() in unfolded(stored.content)
        assert str(outbox.deliver_due()) == "sent 1, retried 0, failed 0"
        assert db.session.get(OutboxMessage, stored.id).content == stored.content, "the filled copy is not kept"
    [envelope] = smtp.envelopes
    sent, kept = (unfolded(content.rstrip(b"\r\n")) for content in (envelope.content, stored.content))
    assert {match.group(1) for match in RSVP.finditer(sent)} == {token.encode()}
    assert sent.replace(token.encode(), placeholder.encode()) == kept, "only the token differs from the stored email"
    assert envelope.content.rstrip(b"\r\n").count(b"\r\n") == stored.content.rstrip(b"\r\n").count(b"\r\n")
    received = email.message_from_bytes(envelope.content, policy=policy.default)
    assert f"/rsvp/{token}" in received.get_body(("html",)).get_content()
    assert client.get(f"/rsvp/{token}").status_code == 200
