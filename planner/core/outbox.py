"""The mail outbox (QUALITY.md item 13): queue in the change's transaction, deliver later, retry with backoff.

``enqueue()`` runs inside a request or service and only flushes: the email exists exactly when the
change that caused it is committed. ``deliver_due()`` runs in the ``send-mail`` command with its own
transactions: it claims due messages (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
command's write transaction begins IMMEDIATE, which serialises claimers), commits the claim, sends,
and commits each message's outcome on its own, so a crash loses at most one status. A message whose
sender died mid-send is claimed again after MAIL_CLAIM_TIMEOUT_SECONDS (delivery is at least once).
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from planner.core import audit, clock
from planner.core.errors import DomainError
from planner.core.mail import (PermanentDeliveryError, TransportUnavailable, describe_error, message_bytes,
                               open_transport)
from planner.core.models import OutboxMessage, OutboxStatus
from planner.core.outbox_links import SecretLinks, contents_to_send
from planner.extensions import db

#: longest error text kept on a message
MAX_ERROR_LENGTH = 2000


class OutboxStateError(DomainError):
    """The message is not in a state that allows this."""

    status_code = 409


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    #: failed this time, will be tried again later
    retried: int = 0
    #: gave up: failed for good
    failed: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, retried {self.retried}, failed {self.failed}"


@dataclass(frozen=True)
class _Claimed:
    """What the sender needs of a claimed message, read before the claim commits."""

    id: int
    kind: str
    recipient: str
    #: as it goes out: the secret links filled in (never written back)
    content: bytes


def _recipient_of(message: EmailMessage) -> str:
    """The one address in To: (one email per recipient keeps invitations interoperable)."""
    addresses = [address for _name, address in getaddresses([str(message["To"] or "")]) if address]
    if len(addresses) != 1:
        raise ValueError(f"an outbox message needs exactly one recipient, not {len(addresses)}")
    return addresses[0]


def enqueue(message: EmailMessage, *, key: str, kind: str, programme_id: int | None = None,
            links: SecretLinks | None = None) -> OutboxMessage:
    """Queue ``message`` for delivery in the current transaction (flush, never commit).

    ``key`` names this revision of this message ("invite:<uid>:<person>:REQUEST:3"): when a row with
    the key exists already, it is returned unchanged, so the same revision is never sent twice.
    ``links`` are the secret links whose placeholders the message holds, filled in when it is sent.
    """
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if existing is not None:
        return existing
    row = OutboxMessage(key=key, kind=kind, programme_id=programme_id, recipient=_recipient_of(message),
                        subject=str(message["Subject"] or "")[:300], content=message_bytes(message),
                        links=links.placeholders if links is not None and links.placeholders else None,
                        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=clock.now(), last_error="")
    try:
        with db.session.begin_nested():  # a concurrent request queued the same key first: keep theirs
            db.session.add(row)
    except IntegrityError:
        existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
        if existing is None:
            raise
        return existing
    return row


def due_messages(now: datetime, limit: int):
    """The query for messages a sender may take now: pending and due, or claimed by a sender that died."""
    stale_before = now - timedelta(seconds=current_app.config["MAIL_CLAIM_TIMEOUT_SECONDS"])
    return (select(OutboxMessage)
            .where(or_(and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
                       and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < stale_before)))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            # PostgreSQL: rows another sender holds are skipped; SQLite renders no FOR UPDATE
            .with_for_update(skip_locked=True))


def claim_due(*, now: datetime | None = None, limit: int = 100) -> list[_Claimed]:
    """Mark due messages as being sent by this process and commit, so no other sender takes them."""
    now = now or clock.now()
    rows = db.session.scalars(due_messages(now, limit)).all()
    filled = contents_to_send(rows)  # the secret links, filled in memory only
    claimed = []
    for row in rows:
        if row.id in filled.errors:  # cannot be sent as it is: failed for good, the rest goes
            row.status, row.attempts, row.claimed_at = OutboxStatus.FAILED, row.attempts + 1, None
            row.last_error = filled.errors[row.id][:MAX_ERROR_LENGTH]
            continue
        row.status = OutboxStatus.SENDING
        row.claimed_at = now
        claimed.append(_Claimed(row.id, row.kind, row.recipient, filled.contents[row.id]))
    db.session.commit()
    return claimed


def _retry_delay(attempts: int) -> timedelta:
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    return timedelta(seconds=base * 2 ** (attempts - 1) + random.uniform(0, base))


def _record_sent(message_id: int, now: datetime, report: DeliveryReport) -> None:
    row = db.session.get(OutboxMessage, message_id)
    if row is not None:
        row.status = OutboxStatus.SENT
        row.sent_at = now
        row.attempts += 1
        row.last_error = ""
        report.sent += 1
    db.session.commit()


def _record_failure(message_id: int, now: datetime, error: str, report: DeliveryReport, *,
                    permanent: bool = False) -> None:
    row = db.session.get(OutboxMessage, message_id)
    if row is not None:
        row.attempts += 1
        row.last_error = error[:MAX_ERROR_LENGTH]
        row.claimed_at = None
        if permanent or row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            row.status = OutboxStatus.FAILED
            report.failed += 1
        else:
            row.status = OutboxStatus.PENDING
            row.next_attempt_at = now + _retry_delay(row.attempts)
            report.retried += 1
    db.session.commit()


def deliver_due(*, now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send what is due (at most ``limit`` messages) and record each outcome. For the CLI: commits.

    A failure counts an attempt, keeps the error and schedules the next try after
    MAIL_RETRY_BASE_SECONDS * 2**(attempts-1) plus up to one base of random jitter; after
    MAIL_MAX_ATTEMPTS, or when the server refuses the message for good, the message is FAILED.
    """
    now = now or clock.now()
    report = DeliveryReport()
    claimed = claim_due(now=now, limit=limit)
    if not claimed:
        return report
    transport = open_transport()
    try:
        for position, message in enumerate(claimed):
            # no transaction is open while talking to the server (SQLite would hold its write lock)
            try:
                transport.send(message_id=message.id, kind=message.kind, recipient=message.recipient,
                               content=message.content)
            except TransportUnavailable as error:
                for unsent in claimed[position:]:  # the server is unreachable: the rest waits too
                    _record_failure(unsent.id, now, str(error), report)
                break
            except PermanentDeliveryError as error:
                _record_failure(message.id, now, describe_error(error), report, permanent=True)
            except Exception as error:  # noqa: BLE001 - any failure of one message is recorded, not fatal
                _record_failure(message.id, now, describe_error(error), report)
            else:
                _record_sent(message.id, now, report)
    finally:
        transport.close()
    return report


def retry(message: OutboxMessage) -> None:
    """Give a failed message a fresh set of attempts, starting now (the administrator's Retry button)."""
    if message.status != OutboxStatus.FAILED:
        raise OutboxStateError(str(_("Only a failed message can be retried; this one is %(status)s.",
                                     status=message.status.value)))
    changes = audit.apply_changes(message, {"status": OutboxStatus.PENDING, "attempts": 0,
                                            "next_attempt_at": clock.now(), "claimed_at": None})
    audit.record_update(message, changes)
    db.session.flush()
