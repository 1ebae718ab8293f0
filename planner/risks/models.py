"""The risk register: what may go wrong in the rollout, how likely and how bad, who watches it, and the history
of its scores.

The score (likelihood x impact) is a hybrid property, not a column: it is always in step with its two factors,
and SQL sorts and filters by the same expression (``Risk.score``)."""
import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, UTCDateTime, VersionedMixin, enum_column

risk_stage = Table(
    "risk_stage", Base.metadata,
    Column("risk_id", ForeignKey("risk.id", ondelete="CASCADE"), primary_key=True),
    Column("stage_id", ForeignKey("stage.id", ondelete="CASCADE"), primary_key=True),
)
risk_region = Table(
    "risk_region", Base.metadata,
    Column("risk_id", ForeignKey("risk.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True),
)
risk_occurrence = Table(
    "risk_occurrence", Base.metadata,
    Column("risk_id", ForeignKey("risk.id", ondelete="CASCADE"), primary_key=True),
    Column("occurrence_id", ForeignKey("meeting_occurrence.id", ondelete="CASCADE"), primary_key=True),
)


class RiskCategory(enum.StrEnum):
    SPONSORSHIP = "sponsorship"
    COMMITTEE = "committee"
    VISION_GOALS = "vision_goals"
    COMMUNICATION = "communication"
    BUSINESS_PROCESS = "business_process"
    CHANGE_CULTURE = "change_culture"
    SCOPE = "scope"
    TRAINING = "training"
    ADOPTION = "adoption"
    TECHNICAL_FITNESS = "technical_fitness"
    DATA_QUALITY = "data_quality"
    INTEGRATION_VENDOR = "integration_vendor"


class RiskStatus(enum.StrEnum):
    OPEN = "open"
    MITIGATING = "mitigating"
    OCCURRED = "occurred"
    CLOSED = "closed"


#: still a threat: counted in the heat map, the trend and the committee pack
ACTIVE_STATUSES = (RiskStatus.OPEN, RiskStatus.MITIGATING)
#: a score from this value up is a high risk
HIGH_SCORE = 15


class Risk(TimestampMixin, VersionedMixin, Base):
    """One risk of a programme, numbered per programme (R-001)."""

    __tablename__ = "risk"
    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        CheckConstraint("likelihood BETWEEN 1 AND 5", name="likelihood"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[RiskCategory] = mapped_column(enum_column(RiskCategory))
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    mitigation: Mapped[str] = mapped_column(Text, default="")
    #: what tells that the risk is about to happen
    trigger: Mapped[str] = mapped_column(Text, default="")
    next_review_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[RiskStatus] = mapped_column(enum_column(RiskStatus), default=RiskStatus.OPEN, index=True)

    programme = relationship("Programme")
    owner = relationship("Person")
    stages = relationship("Stage", secondary=risk_stage, order_by="Stage.number")
    regions = relationship("Region", secondary=risk_region, order_by="Region.name")
    occurrences = relationship("MeetingOccurrence", secondary=risk_occurrence,
                               order_by="MeetingOccurrence.starts_at")
    history = relationship("RiskScoreChange", back_populates="risk", cascade="all, delete-orphan",
                           passive_deletes=True, order_by="RiskScoreChange.at.desc(), RiskScoreChange.id.desc()")

    @hybrid_property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def reference(self) -> str:
        return f"R-{self.number:03d}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def review_overdue(self, today: date) -> bool:
        return (self.status is not RiskStatus.CLOSED and self.next_review_on is not None
                and self.next_review_on < today)

    def __str__(self) -> str:
        return f"Risk {self.reference}: {self.title}"


class RiskScoreChange(Base):
    """The risk's likelihood, impact and status from ``at`` on: written when the risk is created and on every
    change of one of them."""

    __tablename__ = "risk_score_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    status: Mapped[RiskStatus] = mapped_column(enum_column(RiskStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    risk = relationship(Risk, back_populates="history")
    changed_by = relationship("User", lazy="joined")  # shown beside every history row
