"""Regional phased deployment: waves with trial periods, defects, the working calendar, milestones
and the dependencies the schedule engine plans with."""
import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, VersionedMixin
from planner.models import enum_column


class WaveKind(enum.StrEnum):
    PILOT = "pilot"
    KEY = "key"
    STANDARD = "standard"
    CUSTOM = "custom"


class Wave(TimestampMixin, VersionedMixin, Base):
    """Regions that go live together, then run a trial ("running-in") period before the next wave."""

    __tablename__ = "wave"
    __table_args__ = (UniqueConstraint("programme_id", "name"), CheckConstraint("trial_days >= 0", name="trial"))

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[WaveKind] = mapped_column(enum_column(WaveKind), default=WaveKind.STANDARD)
    #: rollout order: a wave's entry gate looks at the wave before it
    position: Mapped[int] = mapped_column(Integer, default=0)
    planned_go_live: Mapped[date | None] = mapped_column(Date)
    #: length of the trial period in working days
    trial_days: Mapped[int] = mapped_column(Integer, default=20)
    actual_go_live: Mapped[date | None] = mapped_column(Date)

    regions = relationship("Region", secondary="wave_region", order_by="Region.name")

    def __str__(self) -> str:
        return f"Wave {self.name}"


class WaveRegion(Base):
    """A region belongs to at most one wave."""

    __tablename__ = "wave_region"

    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), primary_key=True,
                                           unique=True)


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


#: severities that count against a wave gate
SEVERE = (Severity.CRITICAL, Severity.HIGH)


class Defect(TimestampMixin, Base):
    __tablename__ = "defect"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity))
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)

    region = relationship("Region")

    def __str__(self) -> str:
        return f"Defect {self.title[:80]}"


class Holiday(TimestampMixin, Base):
    """A public holiday: for the whole programme, or only for one region."""

    __tablename__ = "holiday"
    __table_args__ = (
        UniqueConstraint("programme_id", "region_id", "day"),
        # a programme-wide holiday has no region, and the key above never finds two NULLs equal
        Index("uq_holiday_programme_wide_day", "programme_id", "day", unique=True,
              sqlite_where=text("region_id IS NULL"), postgresql_where=text("region_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    #: empty: a holiday everywhere in the programme
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(120))

    region = relationship("Region")

    def __str__(self) -> str:
        return f"Holiday {self.name} {self.day}"


class FreezeWindow(TimestampMixin, Base):
    """Days in which no go-live may be placed (quarter-end close, peak season)."""

    __tablename__ = "freeze_window"
    __table_args__ = (CheckConstraint("end_on >= start_on", name="order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    start_on: Mapped[date] = mapped_column(Date)
    #: inclusive
    end_on: Mapped[date] = mapped_column(Date)

    def __str__(self) -> str:
        return f"Freeze {self.name} {self.start_on}..{self.end_on}"


class MilestoneKind(enum.StrEnum):
    KICKOFF = "kickoff"
    PROCESS_SIGN_OFF = "process_sign_off"
    VENDOR_SELECTED = "vendor_selected"
    PILOT_GO_LIVE = "pilot_go_live"
    TRIAL_END = "trial_end"
    WAVE_GO_LIVE = "wave_go_live"
    REVIEW = "review"
    OTHER = "other"


class Milestone(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MilestoneKind] = mapped_column(enum_column(MilestoneKind), default=MilestoneKind.OTHER)
    planned_on: Mapped[date] = mapped_column(Date)
    actual_on: Mapped[date | None] = mapped_column(Date)

    def __str__(self) -> str:
        return f"Milestone {self.name}"


class ItemKind(enum.StrEnum):
    """What a dependency can point at: the things the schedule engine plans."""

    STAGE = "stage"
    WAVE = "wave"
    MILESTONE = "milestone"


class Dependency(TimestampMixin, Base):
    """Finish-to-start: the successor starts ``lag_days`` working days after the predecessor ends."""

    __tablename__ = "dependency"
    __table_args__ = (
        UniqueConstraint("programme_id", "predecessor_kind", "predecessor_id", "successor_kind", "successor_id"),
        CheckConstraint("lag_days >= 0", name="lag"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    predecessor_kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind, name="predecessor_kind"))
    predecessor_id: Mapped[int] = mapped_column(Integer)
    successor_kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind, name="successor_kind"))
    successor_id: Mapped[int] = mapped_column(Integer)
    lag_days: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def predecessor_key(self) -> str:
        return f"{self.predecessor_kind.value}:{self.predecessor_id}"

    @property
    def successor_key(self) -> str:
        return f"{self.successor_kind.value}:{self.successor_id}"

    def __str__(self) -> str:
        return f"Dependency {self.predecessor_key} -> {self.successor_key}"

