"""The demo's feedback: open and answered questions from the demo's people, two open ones flagged as waiting
too long, two answers on the FAQ, tagged by region and topic; loading again creates nothing and sends no mail."""
import json
from collections import Counter
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from planner.core import clock
from planner.core.models import OutboxMessage
from planner.demo.feedback import load_feedback
from planner.demo.loader import SEED_DIR
from planner.extensions import db
from planner.feedback.models import FeedbackItem, FeedbackState
from planner.feedback.status import feedback_status
from planner.programmes.models import Programme
from tests.conftest import log_in


@pytest.fixture(autouse=True)
def _rolled_back():
    """This test owns its database: the demo command commits."""
    yield


@pytest.fixture(autouse=True)
def _demo_day(today_is, now_is):
    """The demo is loaded on a fixed day (autouse fixtures come before ``demo_app``)."""
    today_is(date(2026, 11, 24))
    now_is(datetime(2026, 11, 24, 14, tzinfo=timezone.utc))


def test_the_demo_feedback_tells_its_story_once(demo_app):
    spec = json.loads((SEED_DIR / "feedback.json").read_text(encoding="utf-8"))
    with demo_app.app_context():
        programme = db.session.scalars(select(Programme)).one()
        if not db.session.scalar(select(func.count(FeedbackItem.id))):  # not yet called by the demo loader
            assert load_feedback(programme, spec, clock.today()) == len(spec["items"])
            db.session.commit()
        items = db.session.scalars(select(FeedbackItem)).all()
        assert len(items) == len(spec["items"])
        states = Counter(item.state for item in items)
        assert states == {FeedbackState.OPEN: 5, FeedbackState.ANSWERED: 4, FeedbackState.CLOSED: 1}
        published = [item for item in items if item.is_published]
        assert len(published) == 2 and all(item.faq_question and item.answer for item in published)
        assert all(item.region_id is not None for item in items)
        assert {item.region.name for item in items} >= {"Headquarters Hamburg", "North America East"}
        assert len({item.topic for item in items}) >= 4
        assert all(item.submitted_at <= clock.now() for item in items)
        assert all(item.answered_at > item.submitted_at for item in items if item.answered_at)
        status = feedback_status(programme, clock.today())
        assert status.open_count == 5 and status.open_older_than_7_days == 2
        assert status.oldest_open_age_days == 12 and status.answered_last_30_days == 4
        assert db.session.scalar(select(func.count(OutboxMessage.id))
                                 .where(OutboxMessage.kind == "feedback-answer")) == 0

        assert load_feedback(programme, spec, clock.today()) == 0
        assert db.session.scalar(select(func.count(FeedbackItem.id))) == len(spec["items"])
        programme_id = programme.id
        db.session.rollback()

    client = demo_app.test_client()
    log_in(client, "pm@example.com", "rollout-demo-2026")
    listing = client.get(f"/programmes/{programme_id}/feedback").get_data(as_text=True)
    assert "Oldest open item: 12 days waiting" in listing and listing.count("Waiting too long") == 2
    faq = client.get(f"/programmes/{programme_id}/faq").get_data(as_text=True)
    assert "Do I need a separate login for each device?" in faq and "Aiko" not in faq
