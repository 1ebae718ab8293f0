"""Change requests: scope, schedule, process and other changes, assessed, decided by the steering committee in a
meeting, then implemented or rejected."""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Date, ForeignKey, Integer, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, UTCDateTime, VersionedMixin, enum_column

change_request_region = Table(
    "change_request_region", Base.metadata,
    Column("change_request_id", ForeignKey("change_request.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True),
)
change_request_stage = Table(
    "change_request_stage", Base.metadata,
    Column("change_request_id", ForeignKey("change_request.id", ondelete="CASCADE"), primary_key=True),
    Column("stage_id", ForeignKey("stage.id", ondelete="CASCADE"), primary_key=True),
)


class ChangeKind(enum.StrEnum):
    SCOPE = "scope"
    SCHEDULE = "schedule"
    PROCESS = "process"
    OTHER = "other"


class ChangeStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ASSESSED = "assessed"
    #: decided by the committee: approved
    APPROVED = "approved"
    #: turned down at assessment, or by the committee
    REJECTED = "rejected"
    IMPLEMENTED = "implemented"


#: waiting for someone: the project manager's assessment or the committee's decision
PENDING_STATUSES = (ChangeStatus.SUBMITTED, ChangeStatus.ASSESSED)
#: may still be edited by the project manager
EDITABLE_STATUSES = PENDING_STATUSES


class ChangeRequest(TimestampMixin, VersionedMixin, Base):
    """A request to change the programme, with its impact; the committee decides it in a meeting."""

    __tablename__ = "change_request"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    #: numbered per programme from 1, shown as CR-001
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind), default=ChangeKind.OTHER)
    description: Mapped[str] = mapped_column(Text, default="")
    #: the person of the programme who asks for the change
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    requested_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ChangeStatus] = mapped_column(enum_column(ChangeStatus), default=ChangeStatus.SUBMITTED,
                                                 index=True)
    #: impact on the schedule in working days (negative when the change saves time)
    schedule_days: Mapped[int] = mapped_column(Integer, default=0)
    #: extra cost in the programme's budget currency (negative for a saving); empty when unknown
    cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    #: free text until the risk register arrives (issue 8)
    risks: Mapped[str] = mapped_column(Text, default="")
    #: schedule changes: the plan item moved ("stage:<id>", "wave:<id>", "milestone:<id>"), and how
    plan_item_key: Mapped[str] = mapped_column(String(40), default="")
    new_start: Mapped[date | None] = mapped_column(Date)
    #: working days (a wave: its trial period)
    new_duration: Mapped[int | None] = mapped_column(Integer)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: the project manager's impact assessment
    assessment: Mapped[str] = mapped_column(Text, default="")
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the committee decision that approved or rejected it (taken in a meeting)
    #: (use_alter: decision -> agenda item -> change request -> decision is a cycle for table sorting)
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="SET NULL", use_alter=True), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: why it was turned down at assessment (a committee rejection says it in its decision)
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    implemented_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    implemented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    programme = relationship("Programme")
    requester = relationship("Person")
    decision = relationship("Decision")
    regions = relationship("Region", secondary=change_request_region, order_by="Region.name")
    stages = relationship("Stage", secondary=change_request_stage, order_by="Stage.number")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    assessed_by = relationship("User", foreign_keys=[assessed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    rejected_by = relationship("User", foreign_keys=[rejected_by_id])
    implemented_by = relationship("User", foreign_keys=[implemented_by_id])

    @property
    def reference(self) -> str:
        return f"CR-{self.number:03d}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def moves_the_plan(self) -> bool:
        """A schedule change that names a plan item: approved, it goes through the re-plan."""
        return self.kind is ChangeKind.SCHEDULE and bool(self.plan_item_key)

    def __str__(self) -> str:
        return f"Change request {self.reference}: {self.title}"
