"""Secret tokens for links that work without logging in: calendar feeds and RSVP links.

A token is derived from a random salt (128 bits, kept in the database) and the app's SECRET_KEY, and
only its SHA-256 is stored for lookup. A copy of the database alone therefore reveals no working
link, the link can be shown again (derived anew) without being stored, and replacing the salt
revokes it. Rotating SECRET_KEY revokes every such link at once: a lookup finds the row by the stored
hash, then refuses the token unless it is the one derived under the current key (``is_current``). A
row whose stored hash belongs to an older key (``current_token`` gives None) has no working link any
more, so giving it a new salt revokes nothing.
"""
import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode

from flask import current_app
from sqlalchemy import select, update

from planner.extensions import db


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


def is_current(purpose: str, salt: str, token: str) -> bool:
    """Whether ``token`` is the one derived from ``salt`` under the current SECRET_KEY (constant time).

    Checked after the row was found by the token's hash: a link made under an earlier key still hashes to
    the stored value, and this is what refuses it.
    """
    return hmac.compare_digest(derive_token(purpose, salt).encode(), token.encode())


def current_token(purpose: str, salt: str, stored_hash: str) -> str | None:
    """The token for ``salt`` under the current key, or None when ``stored_hash`` was made under another key
    (so no link to this row works any more)."""
    token = derive_token(purpose, salt)
    return token if hmac.compare_digest(token_hash(token), stored_hash) else None


def current_tokens(key, keys, *, purpose: str, salt, stored_hash) -> dict:
    """``key`` value -> the link token of each row with one of ``keys``, under the current SECRET_KEY: one query
    for all, and one UPDATE giving a new salt to every row whose link was made under an earlier key (it works no
    more, so replacing it revokes nothing). ``key``, ``salt`` and ``stored_hash`` are columns of one model; a key
    without a row is left out. For mailings, where the single-row helpers of each kind of link would query per
    person."""
    model = key.class_
    if not keys:
        return {}
    rows = db.session.execute(select(model.id, key, salt, stored_hash).where(key.in_(set(keys)))).all()
    tokens, renewed = {}, []
    for row_id, key_value, row_salt, row_hash in rows:
        token = current_token(purpose, row_salt, row_hash) if row_salt and row_hash else None
        if token is None:
            row_salt = new_salt()
            token = derive_token(purpose, row_salt)
            renewed.append({"id": row_id, salt.key: row_salt, stored_hash.key: token_hash(token)})
        tokens[key_value] = token
    if renewed:
        db.session.execute(update(model), renewed)
    return tokens
