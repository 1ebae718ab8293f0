"""Read helpers of feedback: the answering list with its filters, a person's or account's own items, and the
FAQ. Each returns a Select, so pages and counts compose them."""
from sqlalchemy import Select, case, select
from sqlalchemy.orm import selectinload

from planner.feedback.models import FeedbackItem, FeedbackState, FeedbackTopic

_IS_OPEN = FeedbackItem.state == FeedbackState.OPEN


def items_of(programme_id: int, *, state: FeedbackState | None = None, topic: FeedbackTopic | None = None,
             region_id: int | None = None) -> Select:
    """The programme's items for the answering list: open ones first, the oldest open first (they have waited
    longest), then the rest newest first. Who asked and the region are loaded with them."""
    query = (select(FeedbackItem).where(FeedbackItem.programme_id == programme_id)
             .options(selectinload(FeedbackItem.person), selectinload(FeedbackItem.user),
                      selectinload(FeedbackItem.region))
             .order_by(case((_IS_OPEN, 0), else_=1), case((_IS_OPEN, FeedbackItem.submitted_at), else_=None),
                       case((_IS_OPEN, FeedbackItem.id), else_=None), FeedbackItem.submitted_at.desc(),
                       FeedbackItem.id.desc()))
    if state is not None:
        query = query.where(FeedbackItem.state == state)
    if topic is not None:
        query = query.where(FeedbackItem.topic == topic)
    if region_id is not None:
        query = query.where(FeedbackItem.region_id == region_id)
    return query


def oldest_open(programme_id: int) -> Select:
    """The open item that has waited longest."""
    return (select(FeedbackItem).where(FeedbackItem.programme_id == programme_id, _IS_OPEN)
            .options(selectinload(FeedbackItem.region))
            .order_by(FeedbackItem.submitted_at, FeedbackItem.id).limit(1))


def items_of_person(person_id: int) -> Select:
    """What one person sent, newest first (their signed page)."""
    return (select(FeedbackItem).where(FeedbackItem.person_id == person_id)
            .order_by(FeedbackItem.submitted_at.desc(), FeedbackItem.id.desc()))


def items_of_user(programme_id: int, user_id: int, person_id: int | None) -> Select:
    """What an account sent in the programme, and what its person sent through their link, newest first."""
    who = FeedbackItem.user_id == user_id
    if person_id is not None:
        who = who | (FeedbackItem.person_id == person_id)
    return (select(FeedbackItem).where(FeedbackItem.programme_id == programme_id, who)
            .order_by(FeedbackItem.submitted_at.desc(), FeedbackItem.id.desc()))


def faq_of(programme_id: int) -> Select:
    """The programme's published FAQ entries, by topic and then in the order they were published."""
    return (select(FeedbackItem)
            .where(FeedbackItem.programme_id == programme_id, FeedbackItem.is_published.is_(True),
                   FeedbackItem.state == FeedbackState.ANSWERED)
            .order_by(FeedbackItem.topic, FeedbackItem.published_at, FeedbackItem.id))
