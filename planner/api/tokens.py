"""Creating, revoking and checking personal API tokens (QUALITY.md item 9: >= 128 random bits, stored hashed,
revocable).

A token is ``rpt_`` and 256 random bits (``secrets.token_urlsafe(32)``). Only its SHA-256 is stored, with
its first characters for display; the token itself is shown once, when it is created.
"""
import secrets
import unicodedata
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from planner.api.models import ApiToken
from planner.auth.models import User
from planner.core import audit, clock, secret_links
from planner.core.errors import DomainError
from planner.extensions import db

#: every token starts with this, so a leaked one is easy to recognise (in a repository, a log)
TOKEN_PREFIX = "rpt_"
#: characters of the token kept for display: the prefix and 6 random characters (36 of 256 bits)
DISPLAY_LENGTH = len(TOKEN_PREFIX) + 6
#: a real token is 47 characters; anything much longer is not worth hashing
MAX_TOKEN_LENGTH = 100
#: the longest name a token may have
MAX_NAME_LENGTH = 100
#: ``last_used_at`` is written at most this often per token
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Give ``user`` a new API token called ``name`` (1 to 100 characters, none of them control characters).
    Returns the row and the token, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the token a name, such as the script that will use it."), field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError(_("Keep the name under %(count)d characters.", count=MAX_NAME_LENGTH), field="name")
    if any(unicodedata.category(character) in ("Cc", "Cs") for character in name):
        # NUL is refused by PostgreSQL (a 500), the others garble the tokens page and the terminal
        raise DomainError(_("Write the name without control characters (such as tabs, line breaks or NUL)."),
                          field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)  # 256 random bits
    row = ApiToken(user_id=user.id, name=name, token_hash=secret_links.token_hash(token),
                   prefix=token[:DISPLAY_LENGTH], created_at=clock.now())
    db.session.add(row)
    audit.record_create(row)
    return row, token


def revoke_api_token(token_row: ApiToken, by_user: User) -> None:
    """Stop a token from working, at once. Revoking a revoked token changes nothing."""
    if token_row.revoked_at is not None:
        return
    changes = audit.apply_changes(token_row, {"revoked_at": clock.now()})
    db.session.flush()
    audit.record_update(token_row, {**changes, "revoked_by": [None, by_user.email]})


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def user_for_api_token(token: str | None) -> User | None:
    """The active user a token belongs to; None for an unknown, revoked or malformed token, or an inactive user.

    The token is found by its hash (no comparison of secrets character by character). Its ``last_used_at`` is
    refreshed when it is more than a minute old.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii() or not token.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == secret_links.token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return user
