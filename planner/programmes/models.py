"""A programme (one rollout), its regions and departments, and who holds which role in it."""
import enum
from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.core.permissions import Role
from planner.models import Base, TimestampMixin, VersionedMixin, enum_column


class RegionTier(enum.StrEnum):
    """Where a region stands in the phased rollout (DOMAIN.md: pilot first, then key, then the rest)."""

    PILOT = "pilot"
    KEY = "key"
    STANDARD = "standard"



class Programme(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: the enterprise system being rolled out ("Salesforce Sales Cloud", "SAP S/4HANA")
    system_name: Mapped[str] = mapped_column(String(200))
    #: the executive sponsor who speaks for the programme
    sponsor_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL", use_alter=True))
    start_date: Mapped[date] = mapped_column(Date)
    #: IANA zone name; programme-wide dates and meetings default to it
    home_time_zone: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    #: ISO weekday numbers of working days, Monday=1: "12345" is Monday to Friday
    working_weekdays: Mapped[str] = mapped_column(String(7), default="12345", server_default="12345")
    #: wave gate: at most this many open critical or high defects in the previous wave's regions
    gate_max_severe_defects: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: wave gate: at least this share (percent) of the previous wave's people trained
    gate_min_training_pct: Mapped[int] = mapped_column(Integer, default=90, server_default="90")
    #: wave gate: at least this share (percent) of licensed users active in the previous wave
    gate_min_adoption_pct: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    #: training window: a region's last session ends at least this many working days before its go-live ...
    training_min_lead_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    #: ... and at most this many (DOMAIN.md: keep the gap between training and first use short)
    training_max_lead_days: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    #: gap check: a region's go-live notice goes out at least this many working days before its go-live
    go_live_notice_days: Mapped[int] = mapped_column(Integer, default=10, server_default="10")

    sponsor = relationship("Person", foreign_keys=[sponsor_id], post_update=True)
    regions = relationship("Region", back_populates="programme", cascade="all, delete-orphan",
                           passive_deletes=True, order_by="Region.name")
    departments = relationship("Department", back_populates="programme", cascade="all, delete-orphan",
                               passive_deletes=True, order_by="Department.name")
    memberships = relationship("Membership", back_populates="programme", cascade="all, delete-orphan",
                               passive_deletes=True)

    def __str__(self) -> str:
        return f"Programme {self.name}"


class Region(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "region"
    __table_args__ = (UniqueConstraint("programme_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    tier: Mapped[RegionTier] = mapped_column(enum_column(RegionTier), default=RegionTier.STANDARD)
    time_zone: Mapped[str] = mapped_column(String(64))
    #: people working in the region, whether or not each is yet listed in the planner
    headcount: Mapped[int] = mapped_column(Integer, default=0)
    #: site readiness: network, access, local constraints
    site_notes: Mapped[str] = mapped_column(Text, default="")
    #: the day the region started using the system for real
    live_on: Mapped[date | None] = mapped_column(Date)
    #: the committee decision that let the region go live although its wave gate failed
    live_override_decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="SET NULL", use_alter=True))

    programme = relationship(Programme, back_populates="regions")
    live_override_decision = relationship("Decision")

    def __str__(self) -> str:
        return f"Region {self.name}"


class Department(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("programme_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: an IT department: super-users drawn only from IT are a known failure mode
    is_it: Mapped[bool] = mapped_column(Boolean, default=False)

    programme = relationship(Programme, back_populates="departments")

    def __str__(self) -> str:
        return f"Department {self.name}"


class Membership(TimestampMixin, Base):
    """A user's role in one programme. A user may hold several roles in the same programme."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "programme_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))

    user = relationship("User", back_populates="memberships")
    programme = relationship(Programme, back_populates="memberships")

    def __str__(self) -> str:
        return f"Membership {self.role.value} of user {self.user_id}"
