"""Adoption after go-live: how many of a region's licensed users were active in a week.

A figure belongs to one region and one ISO week, stored as the week's Monday. Figures may be recorded for weeks
before the region's go-live (pilot users, early access); the chart marks the go-live so they read as such.
"""
import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, VersionedMixin, enum_column


class AdoptionSource(enum.StrEnum):
    ENTERED = "entered"
    CSV = "csv"
    API = "api"


class AdoptionFigure(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "adoption_figure"
    __table_args__ = (
        UniqueConstraint("region_id", "week"),
        CheckConstraint("active_users >= 0", name="active_not_negative"),
        CheckConstraint("licensed_users > 0", name="licensed_positive"),
        CheckConstraint("active_users <= licensed_users", name="active_within_licensed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    #: indexed by the unique (region_id, week) constraint
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    #: the Monday of the ISO week the figure counts
    week: Mapped[date] = mapped_column(Date)
    #: users who signed in and worked in the system during the week
    active_users: Mapped[int] = mapped_column(Integer)
    #: users who hold a licence in the region that week
    licensed_users: Mapped[int] = mapped_column(Integer)
    #: how the figure arrived: typed in, imported from CSV, or posted to the API
    source: Mapped[AdoptionSource] = mapped_column(enum_column(AdoptionSource, name="adoption_source"),
                                                   default=AdoptionSource.ENTERED)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    region = relationship("Region")

    @property
    def percent(self) -> float:
        """Share of licensed users who were active, 0-100."""
        return self.active_users * 100 / self.licensed_users

    def __str__(self) -> str:
        return f"Adoption {self.week.isoformat()}"
