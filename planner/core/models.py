"""The audit log (who changed what, when, from what to what) and the mail outbox."""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from planner.models import Base, UTCDateTime, enum_column, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"
    #: a programme's log newest first, a page at a time, without sorting the whole log
    __table_args__ = (Index("ix_audit_event_programme_time", "programme_id", "occurred_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: the actor's email at the time, kept when the account is later deleted ("system" for CLI work)
    actor_label: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(20))  # create / update / delete
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[int] = mapped_column(Integer)
    #: no foreign key on purpose: the history of a deleted programme stays readable
    programme_id: Mapped[int | None] = mapped_column(Integer)
    #: a short human label of the object at the time ("Region Pacific")
    object_label: Mapped[str] = mapped_column(String(300))
    #: {field: [old, new]}; for create the old side is null, for delete the new side is
    changes: Mapped[dict] = mapped_column(JSON, default=dict)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    #: claimed by a sender process
    SENDING = "sending"
    SENT = "sent"
    #: gave up after the last attempt; an administrator can retry it
    FAILED = "failed"


class OutboxMessage(Base):
    """An email waiting to be delivered, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unique per message revision ("invite:<uid>:<person>:REQUEST:3"): a retry never sends a second copy
    key: Mapped[str] = mapped_column(String(255), unique=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="SET NULL"), index=True)
    #: what the message is about: invite, cancel, agenda, notice, ...
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    #: the whole RFC 5322 message, built when queued, with a placeholder where a secret link's token goes
    content: Mapped[bytes] = mapped_column(LargeBinary)
    #: placeholder -> [kind, key] of each secret link, filled in when sent (``core.outbox_links``)
    links: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")

    def __str__(self) -> str:
        return f"Email {self.kind} to {self.recipient}"
