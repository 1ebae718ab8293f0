"""Each person's personal, signed feedback link: ``/feedback/<token>`` works without an account.

One link per person, stable (the same URL every time) until reset; resetting replaces the salt and the
old URL stops working at once. The token is derived from the salt and SECRET_KEY (``secret_links``);
only the salt and the token's SHA-256 are stored (``FeedbackLink``), never the token. Rotating SECRET_KEY
revokes every link; the next time a person's link is sent or shown they get a new one.
"""
from collections.abc import Sequence

from sqlalchemy import select

from planner.core import audit, outbox_links, secret_links
from planner.core.errors import StaleEditError
from planner.core.links import external_url
from planner.core.upsert import insert_ignoring_conflicts
from planner.extensions import db
from planner.feedback.models import FeedbackLink
from planner.people.models import Person

LINK_PURPOSE = "feedback"
#: the kind of secret link (``core.outbox_links``) an email carries to a person's feedback page, keyed by person id
FEEDBACK_LINK = "feedback"
#: a derived token is 43 characters; anything much longer is not worth a database lookup
_MAX_TOKEN_LENGTH = 100


def _link_of(person: Person) -> FeedbackLink | None:
    if person.id is None:
        db.session.flush()
    return db.session.scalar(select(FeedbackLink).where(FeedbackLink.person_id == person.id))


def _set_new_salt(link: FeedbackLink) -> str:
    new = secret_links.new_link(LINK_PURPOSE)
    link.salt, link.token_hash = new.salt, new.token_hash
    return new.token


def feedback_token(person: Person) -> str:
    """The person's current feedback token, creating their link on first use (flush only), or a new one when the
    stored link was made under an earlier SECRET_KEY (it works no more, so replacing it revokes nothing)."""
    link = _link_of(person)
    if link is None:
        new = secret_links.new_link(LINK_PURPOSE)
        insert_ignoring_conflicts(FeedbackLink, {"person_id": person.id, "salt": new.salt,
                                                 "token_hash": new.token_hash}, ["person_id"])
        link = _link_of(person)  # ours, or the one a mailing or page made for them at the same moment
        if link is None:  # that one was deleted since, with the person
            raise StaleEditError()
        if link.salt == new.salt:
            return new.token
    return secret_links.current_token_of(link, purpose=LINK_PURPOSE, salt=FeedbackLink.salt,
                                         stored_hash=FeedbackLink.token_hash)


def feedback_url(person: Person) -> str:
    """The absolute URL of the person's personal feedback page (from BASE_URL), for pages (an email carries a
    placeholder instead: ``emailed_feedback_url``)."""
    return external_url("feedback.by_token", token=feedback_token(person))


def feedback_tokens(person_ids) -> dict[int, str]:
    """Person id -> the token of their feedback link now, for the mail sender (one query); a link made under an
    earlier SECRET_KEY is renewed."""
    return secret_links.current_tokens(FeedbackLink.person_id, person_ids, purpose=LINK_PURPOSE,
                                       salt=FeedbackLink.salt, stored_hash=FeedbackLink.token_hash)


outbox_links.register(FEEDBACK_LINK, feedback_tokens)


def ensure_feedback_links(people: Sequence[Person]) -> None:
    """Give everyone in ``people`` without a feedback link one (before a mailing): one query for the existing
    links, one insert for the rest."""
    if any(person.id is None for person in people):
        db.session.flush()
    ids = {person.id for person in people}
    linked = set(db.session.scalars(select(FeedbackLink.person_id).where(FeedbackLink.person_id.in_(ids)))) \
        if ids else set()
    new_links = []
    for person_id in sorted(ids - linked):
        link = secret_links.new_link(LINK_PURPOSE)
        new_links.append({"person_id": person_id, "salt": link.salt, "token_hash": link.token_hash})
    # a link made for someone by another mailing or page at the same moment is kept, not collided with
    insert_ignoring_conflicts(FeedbackLink, new_links, ["person_id"])


def emailed_feedback_url(person_id: int, links: outbox_links.SecretLinks) -> str:
    """The person's feedback URL for an email, its token a placeholder of ``links`` that the mail sender fills in
    (the person must have a link: ``ensure_feedback_links``)."""
    return external_url("feedback.by_token", token=links.token(FEEDBACK_LINK, person_id))


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
