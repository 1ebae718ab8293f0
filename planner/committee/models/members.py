"""Who sits on a steering committee, in which role, from when to when."""
import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, UTCDateTime, VersionedMixin
from planner.models import enum_column


class CommitteeRole(enum.StrEnum):
    """DOMAIN.md: an executive sponsor, the chair, the project manager and a representative of every
    major department the project affects; vendors or consultants and a secretary as needed."""

    EXECUTIVE_SPONSOR = "executive_sponsor"
    CHAIR = "chair"
    PROJECT_MANAGER = "project_manager"
    DEPARTMENT_REPRESENTATIVE = "department_representative"
    VENDOR_OR_CONSULTANT = "vendor_or_consultant"
    SECRETARY = "secretary"

    @property
    def is_key(self) -> bool:
        """A key member: when one leaves, agreed process changes tend to get cancelled (DOMAIN.md)."""
        return self in (CommitteeRole.EXECUTIVE_SPONSOR, CommitteeRole.CHAIR, CommitteeRole.PROJECT_MANAGER)

    @property
    def ics_role(self) -> str:
        """The iCalendar ROLE of a member with this committee role."""
        if self is CommitteeRole.CHAIR:
            return "CHAIR"
        if self in (CommitteeRole.VENDOR_OR_CONSULTANT, CommitteeRole.SECRETARY):
            return "OPT-PARTICIPANT"
        return "REQ-PARTICIPANT"


class Committee(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "committee"
    __table_args__ = (
        UniqueConstraint("programme_id", "name"),
        CheckConstraint("quorum_percent BETWEEN 1 AND 100", name="quorum_percent"),
        CheckConstraint("agenda_notice_days BETWEEN 0 AND 30", name="agenda_notice_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: quorum: at least this share of the members serving on the meeting day must be present
    quorum_percent: Mapped[int] = mapped_column(Integer, default=50)
    #: quorum also needs the chair (or the executive sponsor) present
    quorum_needs_chair: Mapped[bool] = mapped_column(Boolean, default=True)
    #: a meeting fewer than this many working days away without a published agenda is flagged
    agenda_notice_days: Mapped[int] = mapped_column(Integer, default=3)

    programme = relationship("Programme")
    members = relationship("CommitteeMember", back_populates="committee", cascade="all, delete-orphan",
                           passive_deletes=True, order_by="CommitteeMember.starts_on")

    def __str__(self) -> str:
        return f"Committee {self.name}"


class CommitteeMember(TimestampMixin, VersionedMixin, Base):
    """A person's seat on a committee. Leaving sets ``ends_on``; the seat stays on record."""

    __tablename__ = "committee_member"
    __table_args__ = (
        UniqueConstraint("committee_id", "person_id", "starts_on"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[CommitteeRole] = mapped_column(enum_column(CommitteeRole))
    starts_on: Mapped[date] = mapped_column(Date)
    #: the last day on the committee; empty while serving
    ends_on: Mapped[date | None] = mapped_column(Date)
    leave_reason: Mapped[str] = mapped_column(Text, default="")
    #: when a project manager saw that this member left; until then the departure is flagged
    leave_acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    committee = relationship(Committee, back_populates="members")
    person = relationship("Person")

    def serves_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    @property
    def has_left(self) -> bool:
        return self.ends_on is not None

    def __str__(self) -> str:
        return f"Committee member {self.person_id} ({self.role.value})"
