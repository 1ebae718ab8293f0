"""Personal API tokens: a user's keys to the JSON API, each shown once and stored only as a hash."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, UTCDateTime, utcnow


class ApiToken(Base):
    """One personal API token of a user. Revoking it keeps the row, so the list shows what was revoked."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: what the user calls it ("reporting script")
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 (hex) of the whole token; the token itself is never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the token's first characters, not secret, so the user can tell their tokens apart
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: refreshed at most once a minute, so a busy script does not write on every request
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __str__(self) -> str:
        return f"API token {self.prefix}… {self.name}"
