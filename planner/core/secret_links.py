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
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm.exc import StaleDataError

from planner.extensions import db


def new_salt() -> str:
    """128 random bits, hex-encoded."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class NewLink:
    """A fresh link: the salt and hash to store, and the token to show or send (never stored)."""

    salt: str
    token: str
    token_hash: str


def new_link(purpose: str) -> NewLink:
    """A new random salt for a link of ``purpose``, its token and the token's hash."""
    salt = new_salt()
    token = derive_token(purpose, salt)
    return NewLink(salt, token, token_hash(token))


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
    for all. A row whose link was made under an earlier key (it works no more, so replacing it revokes nothing)
    gets a new salt, only if nobody renewed it meanwhile: two mail senders renewing the same link keep the first
    renewal and both send its token. ``key``, ``salt`` and ``stored_hash`` are columns of one model; a key without
    a row is left out. For mailings, where the single-row helpers of each kind of link would query per person."""
    model = key.class_
    if not keys:
        return {}
    rows = db.session.execute(select(model.id, key, salt, stored_hash).where(key.in_(set(keys)))).all()
    tokens, stale = {}, []
    for row_id, key_value, row_salt, row_hash in rows:
        token = current_token(purpose, row_salt, row_hash) if row_salt and row_hash else None
        if token is None:
            stale.append((row_id, row_hash))
        else:
            tokens[key_value] = token
    if stale:  # one statement for all, in id order (two renewing senders never deadlock), then read what won
        table = model.__table__
        db.session.execute(
            table.update().where(table.c.id == bindparam("row_id"), table.c[stored_hash.key] == bindparam("old_hash"))
            .values({salt.key: bindparam("new_salt"), stored_hash.key: bindparam("new_hash")}),
            [{"row_id": row_id, "old_hash": old_hash, **_renewal(purpose)} for row_id, old_hash in sorted(stale)])
        for key_value, row_salt, row_hash in db.session.execute(
                select(key, salt, stored_hash).where(model.id.in_([row_id for row_id, _hash in stale]))):
            tokens[key_value] = current_token(purpose, row_salt, row_hash)
    return tokens


def current_tokens_of(rows, *, purpose: str, salt, stored_hash) -> dict:
    """Row id -> the link token of each of ``rows`` (instances of one model) under the current SECRET_KEY, for a
    page showing their links. Links made under an earlier key are renewed as ``current_tokens`` renews them: in
    one statement, in id order, and only if nobody renewed them meanwhile, so a page and a mail sender renewing
    the same links at once neither deadlock nor leave a sent link dead. ``salt`` and ``stored_hash`` are the
    model's columns; renewed rows are read again, so their attributes hold what the database holds. A row
    deleted meanwhile raises ``StaleDataError`` (a 409, as a stale edit)."""
    rows = list(rows)
    if any(row.id is None for row in rows):
        db.session.flush()
    tokens, stale = {}, []
    for row in rows:
        token = current_token(purpose, getattr(row, salt.key), getattr(row, stored_hash.key))
        if token is None:
            stale.append(row)
        else:
            tokens[row.id] = token
    if stale:
        model = type(stale[0])
        renewed = current_tokens(model.id, [row.id for row in stale], purpose=purpose, salt=salt,
                                 stored_hash=stored_hash)
        for row in stale:
            if renewed.get(row.id) is None:
                raise StaleDataError(f"{model.__name__} {row.id} is gone or its link was renewed under another key")
            tokens[row.id] = renewed[row.id]
            db.session.refresh(row, [salt.key, stored_hash.key])
    return tokens


def current_token_of(row, *, purpose: str, salt, stored_hash) -> str:
    """The link token of one row now (``current_tokens_of``)."""
    return current_tokens_of([row], purpose=purpose, salt=salt, stored_hash=stored_hash)[row.id]


def _renewal(purpose: str) -> dict[str, str]:
    link = new_link(purpose)
    return {"new_salt": link.salt, "new_hash": link.token_hash}
