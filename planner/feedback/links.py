"""Each person's personal, signed feedback link: ``/feedback/<token>`` works without an account.

One link per person, stable (the same URL every time) until reset; resetting replaces the salt and the
old URL stops working at once. The token is derived from the salt and SECRET_KEY (``secret_links``);
only the salt and the token's SHA-256 are stored (``FeedbackLink``), never the token.
"""
from collections.abc import Sequence

from sqlalchemy import insert, select

from planner.core import audit, secret_links
from planner.core.links import external_url
from planner.extensions import db
from planner.feedback.models import FeedbackLink
from planner.people.models import Person

LINK_PURPOSE = "feedback"
#: a derived token is 43 characters; anything much longer is not worth a database lookup
_MAX_TOKEN_LENGTH = 100


def _link_of(person: Person) -> FeedbackLink | None:
    if person.id is None:
        db.session.flush()
    return db.session.scalar(select(FeedbackLink).where(FeedbackLink.person_id == person.id))


def _set_new_salt(link: FeedbackLink) -> str:
    link.salt = secret_links.new_salt()
    token = secret_links.derive_token(LINK_PURPOSE, link.salt)
    link.token_hash = secret_links.token_hash(token)
    return token


def feedback_token(person: Person) -> str:
    """The person's current feedback token, creating their link on first use (flush only)."""
    link = _link_of(person)
    if link is None:
        link = FeedbackLink(person_id=person.id)
        token = _set_new_salt(link)
        db.session.add(link)
        db.session.flush()
        return token
    return secret_links.derive_token(LINK_PURPOSE, link.salt)


def feedback_url(person: Person) -> str:
    """The absolute URL of the person's personal feedback page (from BASE_URL), for emails and pages."""
    return external_url("feedback.by_token", token=feedback_token(person))


def feedback_urls(people: Sequence[Person]) -> dict[int, str]:
    """Person id -> feedback URL for many people at once (a mailing): one query for the existing links, and
    the missing ones created in one flush. Same URLs as ``feedback_url``."""
    if any(person.id is None for person in people):
        db.session.flush()
    ids = {person.id for person in people}
    salts = dict(db.session.execute(select(FeedbackLink.person_id, FeedbackLink.salt)
                                    .where(FeedbackLink.person_id.in_(ids))).all()) if ids else {}
    tokens = {person_id: secret_links.derive_token(LINK_PURPOSE, salt) for person_id, salt in salts.items()}
    new_links = []
    for person_id in sorted(ids - tokens.keys()):
        salt = secret_links.new_salt()
        tokens[person_id] = secret_links.derive_token(LINK_PURPOSE, salt)
        new_links.append({"person_id": person_id, "salt": salt,
                          "token_hash": secret_links.token_hash(tokens[person_id])})
    if new_links:
        db.session.execute(insert(FeedbackLink), new_links)
    return {person_id: external_url("feedback.by_token", token=token) for person_id, token in tokens.items()}


def reset_feedback_link(person: Person) -> str:
    """Give the person a new feedback URL; the old one stops working at once. Returns the new token."""
    link = _link_of(person)
    if link is None:
        return feedback_token(person)
    token = _set_new_salt(link)
    db.session.flush()
    audit.record_update(person, {"feedback_link": ["(link)", "(new link)"]})
    return token


def person_for_token(token: str) -> Person | None:
    """The person a feedback token belongs to, or None for an unknown, revoked or malformed token."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(
        select(Person).join(FeedbackLink, FeedbackLink.person_id == Person.id)
        .where(FeedbackLink.token_hash == secret_links.token_hash(token)))
