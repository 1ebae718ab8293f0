"""User accounts, their logins and the login throttle."""
import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, UTCDateTime, VersionedMixin


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


def login_token_digest(token: str) -> str:
    """What is stored of a login's token: its SHA-256 (the token itself lives only in the user's cookies)."""
    return hashlib.sha256(token.encode()).hexdigest()


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

    #: the token of the login (``LoginSession``) this object was loaded or logged in for; not stored
    login_token = ""

    def get_id(self) -> str:
        """The login cookie's id: the account, its session token (replaced to end every login at once) and the
        token of this one login (deleted on logout, so a cookie copied before it stops working)."""
        return f"{self.id}:{self.session_token}:{self.login_token}"

    def __str__(self) -> str:
        return f"User {self.email}"


class LoginSession(Base):
    """One login on one device, named by the login and remember-me cookies. Logging out deletes it, so cookies
    copied before the logout log nobody in after it, and it ends by itself at ``expires_at``: when its remember-me
    cookie would (``REMEMBER_COOKIE_DURATION``), or after ``PERMANENT_SESSION_LIFETIME`` for a login not
    remembered. Only the SHA-256 of its token is stored."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: the login is refused from then on, and deleted by the next login of anyone
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LoginThrottle(Base):
    """Failed login attempts per account or per client address, shared by every worker."""

    __tablename__ = "login_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "account:<email>" or "ip:<address>"
    key: Mapped[str] = mapped_column(String(400), unique=True)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
