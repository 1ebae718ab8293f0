"""Each person's personal, signed feedback link: ``/feedback/<token>`` works without an account.

One link per person, stable (the same URL every time) until reset; resetting replaces the salt and the
old URL stops working at once. The token is derived from the salt and SECRET_KEY (``secret_links``);
only the salt and the token's SHA-256 are stored (``FeedbackLink``), never the token. Rotating SECRET_KEY
revokes every link; the next time a person's link is sent or shown they get a new one.
"""
from collections.abc import Sequence

from sqlalchemy import insert, select, update

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
    """The person's current feedback token, creating their link on first use (flush only), or a new one when the
    stored link was made under an earlier SECRET_KEY (it works no more, so replacing it revokes nothing)."""
    link = _link_of(person)
    if link is None:
        link = FeedbackLink(person_id=person.id)
        token = _set_new_salt(link)
        db.session.add(link)
        db.session.flush()
        return token
    return secret_links.current_token(LINK_PURPOSE, link.salt, link.token_hash) or _set_new_salt(link)


def feedback_url(person: Person) -> str:
    """The absolute URL of the person's personal feedback page (from BASE_URL), for emails and pages."""
    return external_url("feedback.by_token", token=feedback_token(person))


def feedback_urls(people: Sequence[Person]) -> dict[int, str]:
    """Person id -> feedback URL for many people at once (a mailing): one query for the existing links, the
    missing ones created in one statement, and those made under an earlier SECRET_KEY renewed in one more.
    Same URLs as ``feedback_url``."""
    if any(person.id is None for person in people):
        db.session.flush()
    ids = {person.id for person in people}
    stored = db.session.execute(select(FeedbackLink.id, FeedbackLink.person_id, FeedbackLink.salt,
                                       FeedbackLink.token_hash)
                                .where(FeedbackLink.person_id.in_(ids))).all() if ids else []
    tokens, renewed = {}, []
    for link_id, person_id, salt, stored_hash in stored:
        token = secret_links.current_token(LINK_PURPOSE, salt, stored_hash)
        if token is None:
            salt = secret_links.new_salt()
            token = secret_links.derive_token(LINK_PURPOSE, salt)
            renewed.append({"id": link_id, "salt": salt, "token_hash": secret_links.token_hash(token)})
        tokens[person_id] = token
    if renewed:
        db.session.execute(update(FeedbackLink), renewed)
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
    """The person a feedback token belongs to, or None for an unknown, revoked (also by a change of SECRET_KEY)
    or malformed token."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    found = db.session.execute(
        select(Person, FeedbackLink.salt).join(FeedbackLink, FeedbackLink.person_id == Person.id)
        .where(FeedbackLink.token_hash == secret_links.token_hash(token))).first()
    if found is None or not secret_links.is_current(LINK_PURPOSE, found.salt, token):
        return None
    return found.Person
