"""Communication: the audiences a programme talks to (more to come: the plan, its log, status updates)."""
from sqlalchemy import Boolean, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, VersionedMixin

audience_region = Table(
    "audience_region", Base.metadata,
    Column("audience_id", ForeignKey("audience.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True),
)
audience_department = Table(
    "audience_department", Base.metadata,
    Column("audience_id", ForeignKey("audience.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
)
audience_person = Table(
    "audience_person", Base.metadata,
    Column("audience_id", ForeignKey("audience.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
)


class Audience(TimestampMixin, VersionedMixin, Base):
    """A stakeholder group. Membership is a rule, resolved to people when something is sent
    (``planner.comms.audiences.members_query``): everyone in the programme, or the people matching every
    dimension that is set (regions, departments, job roles; any value within one dimension), plus the people
    listed by name."""

    __tablename__ = "audience"
    __table_args__ = (UniqueConstraint("programme_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: everyone affected by the rollout: every person of the programme
    is_everyone: Mapped[bool] = mapped_column(Boolean, default=False)
    #: job roles matched without regard to case, one per line; empty: any role
    job_roles: Mapped[str] = mapped_column(Text, default="")

    regions = relationship("Region", secondary=audience_region, order_by="Region.name")
    departments = relationship("Department", secondary=audience_department, order_by="Department.name")
    people = relationship("Person", secondary=audience_person, order_by="Person.full_name")

    @property
    def job_role_list(self) -> list[str]:
        return [line.strip() for line in self.job_roles.splitlines() if line.strip()]

    def __str__(self) -> str:
        return f"Audience {self.name}"
