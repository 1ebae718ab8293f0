"""Secret links in queued email, filled in only when the email is sent (QUALITY.md item 9).

An RSVP, survey or feedback link works without logging in, so whoever reads it can answer in the recipient's
name. The outbox keeps every email for retries and for the administrator's copy, and a backup keeps the outbox:
so the stored email carries a placeholder where the link's token goes, and the row records which link each
placeholder stands for (``OutboxMessage.links``). The sender derives the tokens from the rows' salts just before
sending (``contents_to_send``); the filled email exists only in the sender's memory and at the recipient.

Consequences, on purpose: a link revoked while its email waits goes out revoked (its page says so), a link
renewed meanwhile goes out renewed, and a link whose row is gone goes out as ``WITHDRAWN`` (not found). Only
the placeholders recorded on the row are filled, and each is random, so text typed into a message (a meeting
description, a communication) can never be turned into somebody's link.

Each kind of link registers how its tokens are read (``register``), one query per kind for a whole batch.
"""
import secrets
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from email import message_from_bytes

from planner.core.mail import MAIL_POLICY, message_bytes

#: a placeholder is as long as a token and of the same characters, so the email's lines break where they will
#: when it is sent
PLACEHOLDER_PREFIX = "secret-link-"
#: what a link whose row is gone becomes: its page answers "not found"
WITHDRAWN = "withdrawn"

#: kind -> reads the current token of each key it is given ({key: token}; a key without a row is left out)
_readers: dict[str, Callable[[Collection[int]], dict[int, str]]] = {}


def register(kind: str, read_tokens: Callable[[Collection[int]], dict[int, str]]) -> None:
    """Make ``kind`` a kind of secret link: ``read_tokens(keys)`` gives the current token of each key."""
    _readers[kind] = read_tokens


class SecretLinks:
    """The secret links of one email being composed: put ``token(kind, key)`` where the token goes, and pass
    this to ``outbox.enqueue``."""

    def __init__(self) -> None:
        #: placeholder -> [kind, key], as stored on the outbox row
        self.placeholders: dict[str, list] = {}

    def token(self, kind: str, key: int) -> str:
        """The placeholder for the token of ``kind``'s link number ``key`` (a fresh one each call)."""
        if kind not in _readers:
            raise ValueError(f"{kind!r} is not a registered kind of secret link")
        placeholder = PLACEHOLDER_PREFIX + secrets.token_hex(16)[:31]  # 124 random bits, 43 characters
        self.placeholders[placeholder] = [kind, key]
        return placeholder


@dataclass
class Filled:
    """What ``contents_to_send`` made of a batch of outbox rows."""

    #: message id -> the bytes to send, every link filled in
    contents: dict[int, bytes]
    #: message id -> why its links could not be filled in (that message fails; the others go)
    errors: dict[int, str]


def contents_to_send(messages: Sequence) -> Filled:
    """The bytes to send for each outbox row (``id``, ``content`` and ``links``), every link filled in: one query
    per kind of link for all of them. Rows whose links were made under an earlier SECRET_KEY get a new salt,
    written with the caller's transaction, so the link sent works."""
    wanted: dict[str, set[int]] = {}
    for message in messages:
        for kind, key in (message.links or {}).values():
            wanted.setdefault(kind, set()).add(key)
    tokens = {kind: _readers[kind](keys) for kind, keys in sorted(wanted.items()) if kind in _readers}
    filled = Filled({}, {})
    for message in messages:
        if not message.links:
            filled.contents[message.id] = message.content
            continue
        try:
            values = {placeholder: tokens[kind].get(key, WITHDRAWN)
                      for placeholder, (kind, key) in message.links.items()}
            filled.contents[message.id] = fill(message.content, values)
        except KeyError as error:
            filled.errors[message.id] = f"a secret link of an unknown kind: {error}"
        except (ValueError, LookupError, UnicodeError) as error:  # content the email package cannot re-encode
            filled.errors[message.id] = f"its secret links could not be filled in: {error!r}"
    return filled


def fill(content: bytes, values: dict[str, str]) -> bytes:
    """``content`` (an email as stored) with each placeholder replaced by its value in every text part.

    A placeholder may sit in a quoted-printable or base64 body, so each text part holding one is decoded,
    filled and encoded again as it was; everything else keeps its bytes."""
    if not values:
        return content
    message = message_from_bytes(content, policy=MAIL_POLICY)
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text" or part.is_attachment():
            continue
        text = part.get_content()
        filled = text
        for placeholder, value in values.items():
            filled = filled.replace(placeholder, value)
        if filled == text:
            continue
        params = {name: value for name, value in part["Content-Type"].params.items() if name != "charset"}
        cte = part["Content-Transfer-Encoding"]
        part.set_content(filled, subtype=part.get_content_subtype(), cte=str(cte) if cte else None,
                         params=params or None)
        if part is not message:
            del part["MIME-Version"]  # as composed: only the top level carries it
    return message_bytes(message)
