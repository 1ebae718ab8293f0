"""The personal signed feedback link: stable, one per person, revocable, and never stored in clear."""
from sqlalchemy import func, select

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


def test_unknown_or_malformed_tokens_find_no_one(app):
    with app.app_context():
        assert links.person_for_token("") is None
        assert links.person_for_token("x" * 43) is None
        assert links.person_for_token("x" * 5000) is None


def test_many_urls_at_once_match_the_single_ones_in_constant_queries(app, factories):
    from tests.conftest import count_queries
    programme = factories.programme()
    people_ids = [factories.person(programme).id for _n in range(30)]
    with app.app_context():
        people = db.session.scalars(select(Person).where(Person.id.in_(people_ids))).all()
        single = links.feedback_url(people[0])
        with count_queries(app) as first:
            urls = links.feedback_urls(people)
        assert urls[people[0].id] == single and len(set(urls.values())) == 30
        with count_queries(app) as again:
            assert links.feedback_urls(people) == urls
        assert len(again) == 1 and len(first) <= 3
        assert [links.feedback_url(person) for person in people] == [urls[person.id] for person in people]
