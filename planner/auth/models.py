"""User accounts and the login throttle."""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, UTCDateTime, VersionedMixin


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    #: a locale code from Config.LANGUAGES; empty means "follow the browser"
    preferred_language: Mapped[str] = mapped_column(String(10), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    #: part of the login cookie's id; replacing it logs out every session and remember-me cookie
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: random salt from which the secret calendar-feed token is derived; replacing it revokes the feed URL
    calendar_salt: Mapped[str | None] = mapped_column(String(64))
    #: SHA-256 of the feed token, to find the user from a feed URL without storing the token
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    person = relationship("Person", foreign_keys=[person_id])
    memberships = relationship("Membership", back_populates="user", cascade="all, delete-orphan",
                               passive_deletes=True)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __str__(self) -> str:
        return f"User {self.email}"


class LoginThrottle(Base):
    """Failed login attempts per account or per client address, shared by every worker."""

    __tablename__ = "login_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "account:<email>" or "ip:<address>"
    key: Mapped[str] = mapped_column(String(400), unique=True)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
