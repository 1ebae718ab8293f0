"""Submitting, answering (with its email), closing and publishing to the FAQ, and the status figures."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from planner.core.errors import DomainError, StaleEditError
from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.feedback import links, services
from planner.feedback.models import FeedbackItem, FeedbackState
from planner.feedback.status import feedback_status
from planner.people.models import Person
from planner.programmes.models import Programme
from tests.conftest import sent_text
from tests.feedback.helpers import NOW, build, submit


@pytest.fixture
def world(factories, now_is):
    now_is(NOW)
    return build(factories)


def test_a_submission_is_recorded_open_with_its_region(app, world):
    with app.app_context():
        item = submit(world.programme, world.ana, region_id=world.north.id, text="  Where is the guide?  ")
        assert item.state is FeedbackState.OPEN
        assert item.text == "Where is the guide?"
        assert item.submitted_at == NOW and item.region_id == world.north.id and item.person_id == world.ana.id


@pytest.mark.parametrize("values, field", [
    ({"text": "   "}, "text"),
    ({"text": "x" * (services.MAX_TEXT_LENGTH + 1)}, "text"),
    ({"kind": "complaint"}, "kind"),
    ({"topic": "weather"}, "topic"),
])
def test_bad_input_is_refused_at_its_field(app, world, values, field):
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            submit(world.programme, world.ana, **values)
        assert refused.value.field == field
        assert db.session.scalar(select(func.count(FeedbackItem.id))) == 0


def test_a_region_of_another_programme_is_refused(app, factories, world):
    other = factories.programme(regions=["Elsewhere"])
    with app.app_context():
        region_id = db.session.get(Programme, other.id).regions[0].id
        with pytest.raises(DomainError) as refused:
            submit(world.programme, world.ana, region_id=region_id)
        assert refused.value.field == "region_id"


def test_a_person_of_another_programme_or_nobody_is_refused(app, factories, world):
    stranger = factories.person(factories.programme())
    with app.app_context():
        with pytest.raises(DomainError):
            submit(world.programme, stranger)
        with pytest.raises(DomainError):
            submit(world.programme, None)


def test_at_most_ten_a_day_per_person(app, world, now_is):
    with app.app_context():
        for n in range(services.MAX_PER_DAY):
            submit(world.programme, world.ana, text=f"Question {n}")
        with pytest.raises(DomainError, match="last 24 hours"):
            submit(world.programme, world.ana)
        submit(world.programme, world.ben)  # someone else is not held back
    now_is(NOW + timedelta(hours=24, minutes=1))
    with app.app_context():
        submit(world.programme, world.ana)


def test_the_daily_limit_also_holds_for_an_account_without_a_person(app, factories, world):
    user = factories.user()
    with app.app_context():
        for _n in range(services.MAX_PER_DAY):
            submit(world.programme, user_id=user.id)
        with pytest.raises(DomainError):
            submit(world.programme, user_id=user.id)


def _outbox(key_prefix="feedback-answer:"):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.key.startswith(key_prefix))
                              .order_by(OutboxMessage.id)).all()


def test_answering_emails_the_person_with_the_answer_and_their_link(app, world):
    with app.app_context():
        item = submit(world.programme, world.ana)
        assert services.answer_feedback(item, answer="Use single sign-on.", answered_by_id=None,
                                        expected_version=item.version)
        assert item.state is FeedbackState.ANSWERED and item.answered_at == NOW
        [row] = _outbox()
        assert row.key == f"feedback-answer:{item.id}:1" and row.recipient == world.ana.email
        content = sent_text(row)
        assert "Use single sign-on." in content
        assert links.feedback_url(db.session.get(Person, world.ana.id)) in content


def test_a_corrected_answer_is_sent_again_and_the_same_text_is_not(app, world):
    with app.app_context():
        item = submit(world.programme, world.ana)
        services.answer_feedback(item, answer="First.", answered_by_id=None, expected_version=item.version)
        assert not services.answer_feedback(item, answer="First.", answered_by_id=None,
                                            expected_version=item.version)
        services.answer_feedback(item, answer="Corrected.", answered_by_id=None, expected_version=item.version)
        assert [row.key for row in _outbox()] == [f"feedback-answer:{item.id}:1", f"feedback-answer:{item.id}:2"]
        assert "corrected" in sent_text(_outbox()[1])


def test_an_account_without_a_person_is_answered_at_its_address(app, factories, world):
    user = factories.user()
    with app.app_context():
        item = submit(world.programme, user_id=user.id)
        services.answer_feedback(item, answer="Yes.", answered_by_id=None, expected_version=item.version)
        [row] = _outbox()
        assert row.recipient == user.email
        assert f"/programmes/{world.programme.id}/feedback/new" in sent_text(row)


def test_a_stale_answer_or_an_empty_one_is_refused(app, world):
    with app.app_context():
        item = submit(world.programme, world.ana)
        with pytest.raises(StaleEditError):
            services.answer_feedback(item, answer="Late.", answered_by_id=None, expected_version=item.version - 1)
        with pytest.raises(DomainError) as refused:
            services.answer_feedback(item, answer=" ", answered_by_id=None, expected_version=item.version)
        assert refused.value.field == "answer"
        assert item.state is FeedbackState.OPEN and _outbox() == []


def test_close_and_reopen(app, world):
    with app.app_context():
        item = submit(world.programme, world.ana)
        services.close_feedback(item, expected_version=item.version)
        assert item.state is FeedbackState.CLOSED
        with pytest.raises(DomainError):
            services.close_feedback(item, expected_version=item.version)
        services.reopen_feedback(item, expected_version=item.version)
        assert item.state is FeedbackState.OPEN
        with pytest.raises(DomainError):
            services.reopen_feedback(item, expected_version=item.version)
        assert _outbox() == []


def test_publishing_needs_an_answer_and_a_wording(app, world):
    with app.app_context():
        item = submit(world.programme, world.ana, text="Ana here: how do I log in?")
        with pytest.raises(DomainError, match="Answer"):
            services.publish_to_faq(item, faq_question="How do I log in?", expected_version=item.version)
        services.answer_feedback(item, answer="With SSO.", answered_by_id=None, expected_version=item.version)
        with pytest.raises(DomainError) as refused:
            services.publish_to_faq(item, faq_question="", expected_version=item.version)
        assert refused.value.field == "faq_question"
        services.publish_to_faq(item, faq_question="How do I log in?", expected_version=item.version)
        assert item.is_published and item.published_at == NOW and item.faq_question == "How do I log in?"
        services.unpublish_from_faq(item, expected_version=item.version)
        assert not item.is_published and item.published_at is None
        with pytest.raises(DomainError):
            services.unpublish_from_faq(item, expected_version=item.version)


def test_feedback_status_counts_and_ages(app, world, now_is):
    with app.app_context():
        target = db.session.get(Programme, world.programme.id)
        empty = feedback_status(target, date(2026, 11, 24))
        assert (empty.open_count, empty.oldest_open_age_days, empty.answered_last_30_days,
                empty.open_older_than_7_days) == (0, None, 0, 0)
    for days_ago in (10, 8, 7, 1):
        now_is(NOW - timedelta(days=days_ago))
        with app.app_context():
            submit(world.programme, world.ana, text=f"{days_ago} days ago")
            db.session.commit()
    now_is(NOW - timedelta(days=40))
    with app.app_context():
        old = submit(world.programme, world.ben, text="answered long ago")
        services.answer_feedback(old, answer="Old.", answered_by_id=None, expected_version=old.version)
        db.session.commit()
    now_is(NOW)
    with app.app_context():
        item = db.session.scalar(select(FeedbackItem).where(FeedbackItem.text == "1 days ago"))
        services.answer_feedback(item, answer="Now.", answered_by_id=None, expected_version=item.version)
        status = feedback_status(db.session.get(Programme, world.programme.id), date(2026, 11, 24))
        assert status.open_count == 3
        assert status.oldest_open_age_days == 10
        assert status.answered_last_30_days == 1
        assert status.open_older_than_7_days == 2  # 10 and 8 days; 7 days is not older than 7


def test_the_daily_limit_counts_the_person_behind_an_account_in_any_programme(app, factories, world):
    """Ten through Ana's signed link, then her account (linked to her person) asks elsewhere: still refused;
    and what her account sent counts against her link."""
    from planner.auth.models import User

    elsewhere = factories.programme()
    user = factories.user()
    with app.app_context():
        db.session.get(User, user.id).person_id = world.ana.id
        db.session.commit()
        for n in range(services.MAX_PER_DAY - 1):
            submit(world.programme, world.ana, text=f"Question {n}")
        submit(elsewhere, None, user_id=user.id, text="Asked while logged in elsewhere")
        with pytest.raises(DomainError, match="last 24 hours"):
            submit(world.programme, world.ana)
        with pytest.raises(DomainError, match="last 24 hours"):
            submit(elsewhere, None, user_id=user.id)
        submit(world.programme, world.ben)  # someone else is not held back
