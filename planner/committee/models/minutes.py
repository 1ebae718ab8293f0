"""What a meeting recorded: who attended, what was decided, and who does what by when."""
import enum
from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, VersionedMixin
from planner.models import enum_column


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    #: sent someone in their place
    DELEGATE = "delegate"


class MeetingAttendance(TimestampMixin, Base):
    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("occurrence_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("meeting_occurrence.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    delegate_name: Mapped[str] = mapped_column(String(200), default="")

    person = relationship("Person")


class Decision(TimestampMixin, Base):
    """A decision of the committee, such as letting a region go live although its wave gate failed."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    #: who decided, as the minutes would say it ("Steering committee, chaired by H. Vogel")
    decided_by: Mapped[str] = mapped_column(String(300))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: the meeting occurrence in which it was taken
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_occurrence.id", ondelete="SET NULL"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id", ondelete="SET NULL"))
    gate_review_id: Mapped[int | None] = mapped_column(ForeignKey("gate_review.id", ondelete="SET NULL"))
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"))

    recorded_by = relationship("User")
    occurrence = relationship("MeetingOccurrence")
    milestone = relationship("Milestone")
    gate_review = relationship("GateReview")
    agenda_item = relationship("AgendaItem")

    def __str__(self) -> str:
        return f"Decision of {self.decided_on}: {self.text[:80]}"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class ActionItem(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    #: the meeting occurrence that agreed it
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_occurrence.id", ondelete="SET NULL"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), default=ActionStatus.OPEN)
    completed_on: Mapped[date | None] = mapped_column(Date)

    owner = relationship("Person")
    occurrence = relationship("MeetingOccurrence")
    decision = relationship(Decision)

    def is_overdue(self, today: date) -> bool:
        return self.status is ActionStatus.OPEN and self.due_on < today

    def __str__(self) -> str:
        return f"Action {self.title}"
