"""What a programme keeps about its health check: its own thresholds, and the findings it has acknowledged."""
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.health.findings import Severity
from planner.models import Base, TimestampMixin, UTCDateTime, enum_column


class HealthThreshold(TimestampMixin, Base):
    """A programme's own value for one of the rules' thresholds (the rule's default applies otherwise)."""

    __tablename__ = "health_threshold"
    __table_args__ = (UniqueConstraint("programme_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    #: a key of ``planner.health.rules.THRESHOLDS``
    key: Mapped[str] = mapped_column(String(60))
    value: Mapped[int] = mapped_column(Integer)

    def __str__(self) -> str:
        return f"Health threshold {self.key}"


class FindingAcknowledgement(TimestampMixin, Base):
    """A finding someone has seen and accepted for now, with their reason.

    It holds while the finding is no worse than when it was acknowledged: a higher severity, a larger measure, or
    a record behind it that was not behind it then (evidence keys not among those kept) brings the finding back.
    """

    __tablename__ = "finding_acknowledgement"
    __table_args__ = (UniqueConstraint("programme_id", "rule_key", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    rule_key: Mapped[str] = mapped_column(String(60))
    #: the finding's subject within its rule ("region:12")
    subject: Mapped[str] = mapped_column(String(120))
    #: the finding's severity when it was acknowledged
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, length=10))
    #: the finding's measure when it was acknowledged
    measure: Mapped[float] = mapped_column(Float)
    #: the finding's evidence keys when it was acknowledged (``Evidence.key``: "endpoint|params"), sorted
    evidence_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: what the finding said when it was acknowledged, to show beside the reason
    title: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime())

    acknowledged_by = relationship("User")

    def covers(self, finding) -> bool:
        """True while ``finding`` is no worse than what was acknowledged: no higher severity, no larger measure,
        and nothing behind it that was not behind it then (a problem fixed and come back with a new record is
        a new problem)."""
        return (finding.severity.rank <= self.severity.rank and finding.measure <= self.measure
                and set(finding.evidence_keys) <= set(self.evidence_keys or ()))

    def __str__(self) -> str:
        return f"Acknowledged finding {self.rule_key} {self.subject}"
