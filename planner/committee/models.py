"""What the steering committee decided. Meetings, agendas and minutes come with the committee issue."""
from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin


class Decision(TimestampMixin, Base):
    """A decision of the committee, such as letting a region go live although its wave gate failed."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    #: who decided, as the minutes would say it ("Steering committee, chaired by H. Vogel")
    decided_by: Mapped[str] = mapped_column(String(300))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    recorded_by = relationship("User")

    def __str__(self) -> str:
        return f"Decision of {self.decided_on}: {self.text[:80]}"
