"""The people affected by a rollout: everyone who will use the system or must be told about it."""
from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from planner.models import Base, TimestampMixin, VersionedMixin


def job_role_key(job_role: str | None) -> str:
    """A job role as it is compared: spaces collapsed, case folded ("Außendienst" and "AUSSENDIENST" agree).

    Stored beside the role, because databases fold case differently (SQLite's lower() knows only ASCII).
    """
    return " ".join((job_role or "").split()).casefold()


class Person(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("programme_id", "email"),
        # a programme's people by name (the people page), and counted by region, department and job role
        # (the kept kinds of training, audiences) without reading every row of the programme; the role index
        # covers what requirements match on and the role's spelling (the kinds are labelled with it), so
        # counting them never visits the table (on SQLite a narrower index made those counts three times
        # slower, reading the rows out of order)
        Index("ix_person_programme_name", "programme_id", "full_name", "id"),
        Index("ix_person_programme_region", "programme_id", "region_id"),
        Index("ix_person_programme_department", "programme_id", "department_id"),
        Index("ix_person_programme_role", "programme_id", "job_role_key", "department_id", "region_id", "job_role"),
        # the super-users of a programme by name (the health check and the super-user page), a few in thousands
        Index("ix_person_super_users", "programme_id", "is_super_user", "full_name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"),
                                                      index=True)
    #: the person's job (sales representative, service agent): training requirements follow it
    job_role: Mapped[str] = mapped_column(String(120), default="")
    #: ``job_role_key(job_role)``, kept in step by the model: what requirements and audiences match on
    job_role_key: Mapped[str] = mapped_column(String(360), default="", server_default="", index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"), index=True)
    #: an internal expert who helps colleagues adopt the system
    is_super_user: Mapped[bool] = mapped_column(Boolean, default=False)

    programme = relationship("Programme", foreign_keys=[programme_id])
    department = relationship("Department")
    region = relationship("Region")

    @validates("job_role")
    def _keep_role_key(self, _key, job_role):
        self.job_role_key = job_role_key(job_role)
        return job_role

    def __str__(self) -> str:
        return f"Person {self.full_name}"
