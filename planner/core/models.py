"""The audit log: who changed what, when, from what to what."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from planner.models import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: the actor's email at the time, kept when the account is later deleted ("system" for CLI work)
    actor_label: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(20))  # create / update / delete
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[int] = mapped_column(Integer)
    #: no foreign key on purpose: the history of a deleted programme stays readable
    programme_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: a short human label of the object at the time ("Region Pacific")
    object_label: Mapped[str] = mapped_column(String(300))
    #: {field: [old, new]}; for create the old side is null, for delete the new side is
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
