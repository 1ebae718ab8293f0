"""Secret tokens for links that work without logging in: calendar feeds and RSVP links.

A token is derived from a random salt (128 bits, kept in the database) and the app's SECRET_KEY, and
only its SHA-256 is stored for lookup. A copy of the database alone therefore reveals no working
link, the link can be shown again (derived anew) without being stored, and replacing the salt
revokes it. Rotating SECRET_KEY revokes every such link at once.
"""
import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode

from flask import current_app


def new_salt() -> str:
    """128 random bits, hex-encoded."""
    return secrets.token_hex(16)


def derive_token(purpose: str, salt: str) -> str:
    """The URL token for ``salt``: an HMAC-SHA256 under SECRET_KEY, URL-safe, 43 characters."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{purpose}:{salt}".encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """What is stored and looked up: the token's SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()
