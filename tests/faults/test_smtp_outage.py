"""Fault 1 (issue 9 item 5): the mail server is down while the sender runs, then comes back on the same port.

Twenty emails are queued through the planner's services in one committed transaction: ten calendar
invitations (a committee meeting scheduled for ten members) and ten plain emails (a message to an audience of
ten other people). Two real ``flask send-mail --loop`` processes deliver from the outbox the whole time, as in
production (on PostgreSQL each claims with FOR UPDATE SKIP LOCKED; on SQLite the claim begins IMMEDIATE).
While the port refuses connections every message is tried, fails with the error recorded and is put off with a
growing delay; then an aiosmtpd server starts on the same port and the senders empty the outbox. Every message
arrives exactly once (counted by Message-ID), none twice, none failed.

Stronger than tests/core/test_send_mail_smtp.py::test_server_down_then_back_each_message_arrives_exactly_once,
which calls ``deliver_due`` in-process with a pinned clock for two messages: here the real sender loop runs in
two processes on the real clock, so the backoff, the claim and the loop's own error handling are all exercised.
"""
import email
import signal
import subprocess
import time
from collections import Counter
from datetime import date, datetime, timedelta
from email import policy

import pytest
from sqlalchemy import select

from planner.comms import audiences, services as comms_services
from planner.committee import scheduling, services as committee_services
from planner.core.models import OutboxMessage, OutboxStatus
from planner.extensions import db
from planner.people import services as people_services
from planner.programmes.models import Programme
from tests.committee.helpers import committee_of
from tests.committee.peers import SmtpServer, free_port
from tests.faults.helpers import ROOT, database_url_of, flask_command, planner_env, seed_programme

MEMBERS = 10
AUDIENCE = 10
SENDERS = 2
#: first retry after 1 s (then 2 s, 4 s, ...) plus up to 1 s of jitter: an outage of a few seconds costs a few attempts
RETRY_BASE_SECONDS = 1
MAX_ATTEMPTS = 8
#: a message retried at every 0.2 s pass instead of backing off would reach MAX_ATTEMPTS (failed) in under 2 s
PASS_INTERVAL = 0.2
#: seconds the server stays down after every message has failed twice
OUTAGE_AFTER_SECOND_FAILURES = 2


def queue_invitations_and_plain_emails(app, programme_id: int) -> None:
    """Ten members invited to a meeting and ten people emailed through an audience, committed together."""
    with app.test_request_context():
        programme = db.session.get(Programme, programme_id)
        people = [people_services.create_person(programme, full_name=f"Person {n:02d}",
                                                email=f"person{n:02d}@example.org", department_id=None,
                                                job_role="Sales", region_id=None, is_super_user=False)
                  for n in range(MEMBERS + AUDIENCE)]
        db.session.flush()
        committee = committee_of(programme_id)
        for n, person in enumerate(people[:MEMBERS]):
            role = "chair" if n == 0 else "department_representative"
            committee_services.add_member(committee, person_id=person.id, role=role, starts_on=date(2026, 1, 1))
        start = datetime.combine(date.today() + timedelta(days=30), datetime.min.time()).replace(hour=10)
        scheduling.schedule_meeting(committee, scheduling.MeetingPlan(title="Steering committee", local_start=start,
                                                                      time_zone="Europe/Berlin"),
                                    organiser_id=None, send_now=True)
        audience = audiences.create_audience(programme, name="Pilot users", description="", is_everyone=False,
                                             region_ids=[], department_ids=[], job_roles="",
                                             person_ids=[person.id for person in people[MEMBERS:]])
        db.session.flush()
        comms_services.send_to_audience(programme, audience=audience, purpose="status_update",
                                        subject="Pilot status", text="The pilot goes live next month.")
        db.session.commit()


def outbox_rows(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        db.session.remove()
    return rows


def rows_between_passes(app) -> list[OutboxMessage] | None:
    """The outbox when no sender is in the middle of a pass (none of its messages claimed), else None."""
    rows = outbox_rows(app)
    return None if any(row.status is OutboxStatus.SENDING for row in rows) else rows


def message_id_of(content: bytes) -> str:
    return str(email.message_from_bytes(content, policy=policy.default)["Message-ID"])


def wait_until(condition, *, timeout: float, what: str, senders=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for sender in senders:
            assert sender.poll() is None, f"a sender stopped early: {sender.communicate()}"
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def senders():
    """Start ``flask send-mail --loop`` processes; each is stopped with SIGTERM (as systemd would) at the end."""
    started: list[subprocess.Popen] = []

    def start(env: dict) -> subprocess.Popen:
        process = subprocess.Popen(flask_command("send-mail", "--loop", "--interval", str(PASS_INTERVAL)),
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.fixture
def smtp_server():
    server = SmtpServer(free_port())
    yield server
    server.stop()


def test_mail_server_down_then_back_every_message_arrives_exactly_once(make_fresh_app, senders, smtp_server):
    app = make_fresh_app()
    queue_invitations_and_plain_emails(app, seed_programme(app))
    queued = outbox_rows(app)
    assert len(queued) == MEMBERS + AUDIENCE
    assert Counter(row.kind for row in queued) == {"invite": MEMBERS, "comms": AUDIENCE}
    expected = {message_id_of(row.content): row.recipient for row in queued}
    assert len(expected) == len(queued), "each queued message has its own Message-ID"

    env = planner_env(database_url_of(app), MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=5,
                      MAIL_RETRY_BASE_SECONDS=RETRY_BASE_SECONDS, MAIL_MAX_ATTEMPTS=MAX_ATTEMPTS)
    processes = [senders(env) for _n in range(SENDERS)]

    # the server is down: the port refuses; every message is tried, fails, and waits with its error recorded
    wait_until(lambda: all(row.attempts >= 2 for row in outbox_rows(app)), timeout=60,
               what="every message to fail twice", senders=processes)
    time.sleep(OUTAGE_AFTER_SECOND_FAILURES)  # the outage goes on: backing off, the senders wait
    # read between two passes (a pass holds its claimed messages as "sending" for a moment)
    while_down = wait_until(lambda: rows_between_passes(app), timeout=30, what="a moment between two passes")
    assert {row.status for row in while_down} == {OutboxStatus.PENDING}, "nothing sent, nothing given up"
    assert all("ConnectionRefusedError" in row.last_error for row in while_down)
    for row in while_down:  # the k-th failure puts the next try off by at least base * 2**(k-1) seconds
        assert row.next_attempt_at - row.created_at >= timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (row.attempts - 1))
    # backoff: about 4 s of outage with a pass every 0.2 s costs each message 2 or 3 attempts, not 20
    assert max(row.attempts for row in while_down) <= 4, [row.attempts for row in while_down]
    assert smtp_server.envelopes == []

    # the server is back on the same port: the senders empty the outbox
    smtp_server.start()
    wait_until(lambda: all(row.status is OutboxStatus.SENT for row in outbox_rows(app)), timeout=60,
               what="every message to be sent", senders=processes)
    time.sleep(5 * PASS_INTERVAL)  # a few more passes, which must send nothing again
    for process in processes:
        process.send_signal(signal.SIGTERM)
    outputs = [process.communicate(timeout=30) for process in processes]
    assert [process.returncode for process in processes] == [0] * SENDERS, outputs
    assert all(out.rstrip().endswith("Stopped.") and "Traceback" not in err for out, err in outputs), outputs

    arrived = [email.message_from_bytes(envelope.content, policy=policy.default) for envelope in smtp_server.envelopes]
    counted = Counter(str(message["Message-ID"]) for message in arrived)
    assert [message_id for message_id, times in counted.items() if times > 1] == [], "a message arrived twice"
    assert set(counted) == set(expected), "every queued message arrived, and nothing else"
    for envelope, message in zip(smtp_server.envelopes, arrived, strict=True):
        assert envelope.rcpt_tos == [expected[str(message["Message-ID"])]], "each went to its own recipient"
    invitations = [message for message in arrived
                   if any(part.get_content_type() == "text/calendar" for part in message.walk())]
    assert len(invitations) == MEMBERS and len(arrived) == MEMBERS + AUDIENCE

    final = outbox_rows(app)
    assert {row.status for row in final} == {OutboxStatus.SENT}
    assert all(row.sent_at is not None and row.last_error == "" for row in final)
    # every attempt is counted: the failed ones while down and the one that went through
    assert all(final_row.attempts > down_row.attempts >= 2
               for final_row, down_row in zip(final, while_down, strict=True))
