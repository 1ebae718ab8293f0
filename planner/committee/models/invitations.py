"""Who is invited to a meeting, what each of them was last sent, and what they answered."""
import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, UTCDateTime
from planner.models import enum_column


class Answer(enum.StrEnum):
    """iCalendar PARTSTAT values an attendee can give."""

    NEEDS_ACTION = "NEEDS-ACTION"
    ACCEPTED = "ACCEPTED"
    TENTATIVE = "TENTATIVE"
    DECLINED = "DECLINED"


class MeetingInvitee(TimestampMixin, Base):
    """One attendee of a meeting (the whole series) and the per-recipient invite record (CALENDAR.md)."""

    __tablename__ = "meeting_invitee"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    #: the address the invitation went to (lower case); replies must come from it
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: iCalendar ROLE: CHAIR, REQ-PARTICIPANT or OPT-PARTICIPANT
    ics_role: Mapped[str] = mapped_column(String(20), default="REQ-PARTICIPANT")
    #: invited as a guest rather than because they sit on the committee
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False)
    #: removed from the meeting: they were (or will be) sent a cancellation that lists only them
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sequence_sent: Mapped[int | None] = mapped_column(Integer)
    #: REQUEST or CANCEL
    last_method_sent: Mapped[str | None] = mapped_column(String(10))
    #: set when the last message was about one occurrence only (its RECURRENCE-ID, local wall time)
    last_recurrence_id: Mapped[datetime | None] = mapped_column(DateTime())
    last_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))
    answer: Mapped[Answer] = mapped_column(enum_column(Answer), default=Answer.NEEDS_ACTION)
    answer_comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: random salt from which the signed RSVP link is derived; replacing it revokes the link
    rsvp_salt: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the RSVP link token, to find the invitee from a link without storing the token
    rsvp_token_hash: Mapped[str] = mapped_column(String(64), unique=True)

    meeting = relationship("Meeting", back_populates="invitees")
    person = relationship("Person")
    last_message = relationship("OutboxMessage")

    @property
    def is_active(self) -> bool:
        return self.removed_at is None

    def __str__(self) -> str:
        return f"Invitee {self.email} of meeting {self.meeting_id}"


class OccurrenceAnswer(Base):
    """An attendee's answer for one occurrence of a recurring meeting (an iTIP REPLY with RECURRENCE-ID)."""

    __tablename__ = "occurrence_answer"
    __table_args__ = (UniqueConstraint("invitee_id", "occurrence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitee_id: Mapped[int] = mapped_column(ForeignKey("meeting_invitee.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("meeting_occurrence.id", ondelete="CASCADE"), index=True)
    answer: Mapped[Answer] = mapped_column(enum_column(Answer))
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
