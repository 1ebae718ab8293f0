"""The people affected by a rollout: everyone who will use the system or must be told about it."""
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, VersionedMixin


class Person(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("programme_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"),
                                                      index=True)
    #: the person's job (sales representative, service agent): training requirements follow it
    job_role: Mapped[str] = mapped_column(String(120), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"), index=True)
    #: an internal expert who helps colleagues adopt the system
    is_super_user: Mapped[bool] = mapped_column(Boolean, default=False)

    programme = relationship("Programme", foreign_keys=[programme_id])
    department = relationship("Department")
    region = relationship("Region")

    def __str__(self) -> str:
        return f"Person {self.full_name}"
