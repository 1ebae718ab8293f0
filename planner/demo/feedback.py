"""The demo's two-way feedback: questions and feedback from the demo's people, some answered (two published to
the FAQ), some open (two waiting more than a week, so flagged), one closed as a duplicate.

Everything goes through the feedback services; times are then set back to the days the spec gives. Answers
given in the past are recorded without email (``notify=False``), so loading the demo sends no mail."""
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from planner.auth.models import User
from planner.core import clock
from planner.extensions import db
from planner.feedback import services
from planner.feedback.models import FeedbackItem
from planner.people.models import Person
from planner.programmes.models import Programme

#: submissions are placed at this UTC hour of their day, answers two hours later
_HOUR = 9


def _at(on_day: date, days_ago: int, hour: int = _HOUR) -> datetime:
    """That day at ``hour`` UTC, but never later than now (today's item when the demo is loaded early)."""
    return min(datetime.combine(on_day - timedelta(days=days_ago), time(hour), tzinfo=timezone.utc), clock.now())


def load_feedback(programme: Programme, spec: dict, on_day: date) -> int:
    """Create the demo's feedback once; returns how many items were created (0 when there are some already)."""
    if db.session.scalar(select(FeedbackItem.id).where(FeedbackItem.programme_id == programme.id).limit(1)):
        return 0
    people = {person.email: person for person in db.session.scalars(
        select(Person).where(Person.programme_id == programme.id))}
    users = {user.email: user for user in db.session.scalars(select(User))}
    answerer = users.get(spec.get("answered_by", ""))
    created = 0
    for entry in spec["items"]:
        user = users.get(entry["account"]) if "account" in entry else None
        person = people.get(entry.get("person", "")) or (user.person if user is not None else None)
        if person is None and user is None:
            continue
        item = services.submit_feedback(programme, kind=entry["kind"], topic=entry["topic"], text=entry["text"],
                                        region_id=person.region_id if person is not None else None,
                                        person=person, user_id=user.id if user is not None else None)
        if "answer" in entry:
            services.answer_feedback(item, answer=entry["answer"], answered_by_id=answerer.id if answerer else None,
                                     expected_version=None, notify=False)
            item.answered_at = _at(on_day, entry["answered_days_ago"], _HOUR + 2)
            if "faq_question" in entry:
                services.publish_to_faq(item, faq_question=entry["faq_question"], expected_version=None)
                item.published_at = _at(on_day, entry["answered_days_ago"], _HOUR + 3)
        elif entry.get("closed"):
            services.close_feedback(item, expected_version=None)
        item.submitted_at = _at(on_day, entry["days_ago"])
        db.session.flush()
        created += 1
    return created
