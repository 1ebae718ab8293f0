"""The six-stage implementation lifecycle: stages with deliverables and gates, and goals."""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, UTCDateTime, VersionedMixin
from planner.models import enum_column


class StageStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    LATE = "late"          # past its planned finish and not closed
    CLOSED = "closed"


class Stage(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "stage"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    #: 1 overall planning ... 6 continuous improvement
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    goals: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    #: the consultants' expertise this stage needs (process design, vendor selection, ...)
    expertise_needed: Mapped[str] = mapped_column(Text, default="")
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_finish: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_finish: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: set when the stage was closed although its gate was not met
    override_reason: Mapped[str] = mapped_column(Text, default="")
    override_approver_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    owner = relationship("Person", foreign_keys=[owner_id])
    override_approver = relationship("Person", foreign_keys=[override_approver_id])
    deliverables = relationship("Deliverable", back_populates="stage", cascade="all, delete-orphan",
                                passive_deletes=True, order_by="Deliverable.position")
    criteria = relationship("GateCriterion", back_populates="stage", cascade="all, delete-orphan",
                            passive_deletes=True, order_by="GateCriterion.position")
    reviews = relationship("GateReview", back_populates="stage", cascade="all, delete-orphan",
                           passive_deletes=True, order_by="GateReview.id")

    def __str__(self) -> str:
        return f"Stage {self.number} {self.name}"

    def status(self, today: date) -> StageStatus:
        """Where the stage stands, from its dates and whether its gate closed it."""
        if self.closed_at is not None:
            return StageStatus.CLOSED
        if self.planned_finish is not None and today > self.planned_finish:
            return StageStatus.LATE
        started = self.actual_start or self.planned_start
        if started is not None and today >= started:
            return StageStatus.IN_PROGRESS
        return StageStatus.NOT_STARTED

    def latest_review(self):
        return self.reviews[-1] if self.reviews else None

    def unmet_criteria(self) -> list["GateCriterion"]:
        """Criteria the latest gate review did not find met (all of them when never reviewed)."""
        review = self.latest_review()
        met = {result.criterion_id for result in review.results if result.is_met} if review else set()
        return [criterion for criterion in self.criteria if criterion.id not in met]


class Deliverable(TimestampMixin, Base):
    __tablename__ = "deliverable"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[date | None] = mapped_column(Date)

    stage = relationship(Stage, back_populates="deliverables")

    @property
    def programme_id(self) -> int:
        return self.stage.programme_id

    def __str__(self) -> str:
        return f"Deliverable {self.title}"


class GateCriterion(TimestampMixin, Base):
    __tablename__ = "gate_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)

    stage = relationship(Stage, back_populates="criteria")

    @property
    def programme_id(self) -> int:
        return self.stage.programme_id

    def __str__(self) -> str:
        return f"Gate criterion {self.text[:60]}"


class GateOutcome(enum.StrEnum):
    PASSED = "passed"
    NOT_PASSED = "not_passed"


class GateReview(TimestampMixin, Base):
    """A look at a stage's gate: each criterion met or not, who approved, when."""

    __tablename__ = "gate_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[GateOutcome] = mapped_column(enum_column(GateOutcome))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="")

    stage = relationship(Stage, back_populates="reviews")
    approved_by = relationship("Person")
    results = relationship("GateCriterionResult", back_populates="review", cascade="all, delete-orphan",
                           passive_deletes=True)

    @property
    def programme_id(self) -> int:
        return self.stage.programme_id

    def __str__(self) -> str:
        return f"Gate review of stage {self.stage_id} on {self.reviewed_on}"


class GateCriterionResult(Base):
    __tablename__ = "gate_criterion_result"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("gate_review.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("gate_criterion.id", ondelete="CASCADE"), index=True)
    is_met: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(500), default="")

    review = relationship(GateReview, back_populates="results")
    criterion = relationship(GateCriterion)


class GoalKind(enum.StrEnum):
    COMPANY = "company"
    SYSTEM = "system"


class Goal(TimestampMixin, VersionedMixin, Base):
    """A company goal, or a system goal with a measurable target that serves a company goal."""

    __tablename__ = "goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    kind: Mapped[GoalKind] = mapped_column(enum_column(GoalKind))
    title: Mapped[str] = mapped_column(String(300))
    #: for a system goal: the company goal it serves
    serves_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id", ondelete="SET NULL"))
    unit: Mapped[str] = mapped_column(String(40), default="")
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    target: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    actual: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    #: the lifecycle stage (1-6) by which the target should be reached
    due_stage_number: Mapped[int | None] = mapped_column(Integer)

    serves = relationship("Goal", remote_side=[id])

    def __str__(self) -> str:
        return f"Goal {self.title}"

    def progress(self) -> float | None:
        """Share of the way from baseline to target the actual value has come (1.0 = reached)."""
        if self.target is None or self.actual is None:
            return None
        baseline = self.baseline or Decimal(0)
        if self.target == baseline:
            return 1.0 if self.actual == self.target else 0.0
        return float((self.actual - baseline) / (self.target - baseline))
