"""The secret token in a user's calendar-feed URL (CALENDAR.md, "Subscription feeds"; QUALITY.md item 9).

The token is derived from the user's random salt and SECRET_KEY (``secret_links``); only its SHA-256 is
stored. Replacing the salt revokes the old URL at once; so does rotating SECRET_KEY, after which the user has
no feed until they make a new one.
"""
from sqlalchemy import select

from planner.auth.models import User
from planner.core import audit, secret_links
from planner.core.links import external_url
from planner.extensions import db

FEED_PURPOSE = "calendar-feed"
#: a derived token is 43 characters; anything much longer is not worth a database lookup
_MAX_TOKEN_LENGTH = 100


def feed_token(user: User) -> str | None:
    """The user's current feed token, derived again from the stored salt; None when they have no feed yet, or
    no working one since SECRET_KEY changed (pages then offer to make one)."""
    if not user.calendar_salt or not user.calendar_token_hash:
        return None
    return secret_links.current_token(FEED_PURPOSE, user.calendar_salt, user.calendar_token_hash)


def reset_feed_token(user: User) -> str:
    """Give the user a new feed URL (or their first); the old one stops working at once. Returns the token."""
    had_one = user.calendar_salt is not None
    link = secret_links.new_link(FEED_PURPOSE)
    user.calendar_salt, user.calendar_token_hash = link.salt, link.token_hash
    db.session.flush()
    audit.record_update(user, {"calendar_feed": ["(link)" if had_one else None, "(new link)"]})
    return link.token


def ensure_feed_token(user: User) -> str:
    """The user's feed token, creating one if they have none (used by ``flask feed-url``)."""
    return feed_token(user) or reset_feed_token(user)


def user_for_feed_token(token: str) -> User | None:
    """The active user a feed token belongs to, or None for an unknown, revoked or malformed token."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token_hash == secret_links.token_hash(token)))
    if user is None or not user.is_active or not secret_links.is_current(FEED_PURPOSE, user.calendar_salt, token):
        return None
    return user


def feed_urls(user: User) -> tuple[str, str] | None:
    """(https URL, webcal URL) of the user's feed, from BASE_URL; None when the user has no feed yet.

    Google Calendar only subscribes to http(s) addresses; Apple and Outlook open ``webcal://`` links
    in the calendar app. The first URL keeps BASE_URL's scheme (http on a development machine).
    """
    token = feed_token(user)
    if token is None:
        return None
    web = external_url("calendar.feed", token=token)
    return web, "webcal://" + web.split("://", 1)[1]
