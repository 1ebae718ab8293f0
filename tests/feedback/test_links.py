"""The personal signed feedback link: stable, one per person, revocable, and never stored in clear."""
import pytest
from sqlalchemy import func, select

from planner.core.errors import StaleEditError

from planner.extensions import db
from planner.feedback import links
from planner.feedback.models import FeedbackLink
from planner.people.models import Person


def test_the_link_is_created_once_and_stays_the_same(app, factories):
    programme = factories.programme()
    person = factories.person(programme)
    with app.app_context():
        target = db.session.get(Person, person.id)
        first = links.feedback_url(target)
        second = links.feedback_url(target)
        assert first == second
        assert first.startswith(app.config["BASE_URL"].rstrip("/") + "/feedback/")
        assert db.session.scalar(select(func.count()).select_from(FeedbackLink)) == 1
        token = first.rsplit("/", 1)[1]
        stored = db.session.scalar(select(FeedbackLink))
        assert token not in (stored.salt, stored.token_hash)
        assert links.person_for_token(token).id == person.id


def test_a_reset_revokes_the_old_link(app, factories):
    programme = factories.programme()
    person = factories.person(programme)
    other = factories.person(programme)
    with app.app_context():
        target = db.session.get(Person, person.id)
        old = links.feedback_token(target)
        other_token = links.feedback_token(db.session.get(Person, other.id))
        new = links.reset_feedback_link(target)
        assert new != old
        assert links.person_for_token(old) is None
        assert links.person_for_token(new).id == person.id
        assert links.feedback_token(target) == new
        assert links.person_for_token(other_token).id == other.id


def test_a_first_link_that_vanished_while_it_was_made_is_a_conflict(app, factories, monkeypatch):
    """Three requests at once: ours skips its insert because another one's link exists, and a third then deletes
    the person (and their link with them): a 409 to try again, not a 500."""
    programme = factories.programme()
    person = factories.person(programme)
    with app.app_context():
        monkeypatch.setattr(links, "insert_ignoring_conflicts", lambda *_args, **_kwargs: None)
        with pytest.raises(StaleEditError):
            links.feedback_token(db.session.get(Person, person.id))


def test_unknown_or_malformed_tokens_find_no_one(app):
    with app.app_context():
        assert links.person_for_token("") is None
        assert links.person_for_token("x" * 43) is None
        assert links.person_for_token("x" * 5000) is None


def test_a_mailing_gives_everyone_a_link_and_its_emails_carry_the_same_urls_as_the_pages(app, factories):
    from planner.core import mail, outbox
    from planner.core.outbox_links import SecretLinks, contents_to_send
    from tests.conftest import count_queries

    programme = factories.programme()
    people_ids = [factories.person(programme).id for _n in range(30)]
    with app.app_context():
        people = db.session.scalars(select(Person).where(Person.id.in_(people_ids))).all()
        single = links.feedback_url(people[0])  # one has a link already
        with count_queries(app) as first:
            links.ensure_feedback_links(people)
        with count_queries(app) as again:
            links.ensure_feedback_links(people)
        assert len(first) == 2 and len(again) == 1  # the existing links, then one insert for the 29 others
        rows = []
        for person in people:
            secret = SecretLinks()
            url = links.emailed_feedback_url(person.id, secret)
            assert url.startswith(app.config["BASE_URL"].rstrip("/") + "/feedback/secret-link-")
            rows.append(outbox.enqueue(mail.compose(to=person.email, subject="Hi", text=url), key=f"t:{person.id}",
                                       kind="test", links=secret))
        filled = contents_to_send(rows).contents
        sent = [filled[row.id].decode() for row in rows]
        assert single in sent[0]
        assert all(links.feedback_url(person) in content for person, content in zip(people, sent))
        assert len({links.feedback_url(person) for person in people}) == 30
