"""Feedback both ways: questions and feedback from people, with or without an account, answered by the project
manager, and the answers worth sharing published to the programme's FAQ."""
import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, UTCDateTime, VersionedMixin, enum_column


class FeedbackKind(enum.StrEnum):
    QUESTION = "question"
    FEEDBACK = "feedback"


class FeedbackTopic(enum.StrEnum):
    PROCESS = "process"
    TRAINING = "training"
    SYSTEM = "system"
    DATA = "data"
    GO_LIVE = "go-live"
    OTHER = "other"


class FeedbackState(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    #: closed without an answer (a duplicate, or feedback that needs none)
    CLOSED = "closed"


class FeedbackLink(TimestampMixin, Base):
    """A person's personal, signed feedback link (``planner.feedback.links``): one per person, stable until
    reset. Only the salt and the token's SHA-256 are stored, never the token."""

    __tablename__ = "feedback_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)

    person = relationship("Person")


class FeedbackItem(TimestampMixin, VersionedMixin, Base):
    """One question or piece of feedback, its answer, and (once answered) its FAQ entry."""

    __tablename__ = "feedback_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FeedbackKind] = mapped_column(enum_column(FeedbackKind), default=FeedbackKind.QUESTION)
    topic: Mapped[FeedbackTopic] = mapped_column(enum_column(FeedbackTopic), default=FeedbackTopic.OTHER)
    text: Mapped[str] = mapped_column(Text)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"), index=True)
    #: who asked: the person (through their signed link, or the account's person) and/or the account
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    state: Mapped[FeedbackState] = mapped_column(enum_column(FeedbackState), default=FeedbackState.OPEN)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: raised each time the answer text changes; part of the answer email's outbox key
    answer_revision: Mapped[int] = mapped_column(Integer, default=0)
    #: FAQ: the question as published (the PM may rephrase a private question); never who asked
    faq_question: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    region = relationship("Region")
    person = relationship("Person")
    user = relationship("User", foreign_keys=[user_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])

    def __str__(self) -> str:
        return f"Feedback #{self.id}"
