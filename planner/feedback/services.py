"""Use-cases of two-way feedback: submitting a question or feedback (through a person's signed link or logged
in), answering it (the person is told by email), closing it without an answer, and publishing answered
questions to the programme's FAQ."""
from datetime import timedelta

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from planner.auth.models import User
from planner.core import audit, clock, mail, outbox, outbox_links
from planner.core.errors import DomainError, check_version
from planner.core.links import external_url
from planner.extensions import db
from planner.feedback import links
from planner.feedback.models import FeedbackItem, FeedbackKind, FeedbackState, FeedbackTopic
from planner.people.models import Person
from planner.programmes.models import Programme, Region

MAX_TEXT_LENGTH = 4000
MAX_ANSWER_LENGTH = 10000
MAX_FAQ_QUESTION_LENGTH = 1000
#: at most this many submissions per person (or account) in 24 hours: enough for anyone, not for a flood
MAX_PER_DAY = 10


def _clean_text(text: str | None, *, field: str, limit: int, missing: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(missing, field=field)
    if len(text) > limit:
        raise DomainError(_("At most %(num)d characters, please.", num=limit), field=field)
    return text


def _clean_kind(value) -> FeedbackKind:
    try:
        return FeedbackKind(value)
    except ValueError:
        raise DomainError(_("Choose a question or feedback."), field="kind") from None


def _clean_topic(value) -> FeedbackTopic:
    try:
        return FeedbackTopic(value)
    except ValueError:
        raise DomainError(_("Choose a topic."), field="topic") from None


def _clean_region(programme_id: int, region_id: int | None) -> int | None:
    if region_id is None:
        return None
    region = db.session.get(Region, region_id)
    if region is None or region.programme_id != programme_id:
        raise DomainError(_("Choose a region of this programme."), field="region_id")
    return region_id


def _check_daily_limit(*, person_id: int | None, user_id: int | None) -> None:
    """At most MAX_PER_DAY in 24 hours per person, whichever way they send: their signed link, their account
    (in any programme) or both count together. An account's own person counts even when it asks in a
    programme its person is not part of, so logging in does not open a second allowance."""
    people = {person_id} if person_id is not None else set()
    if user_id is not None:
        account_person_id = db.session.scalar(select(User.person_id).where(User.id == user_id))
        if account_person_id is not None:
            people.add(account_person_id)
    who = []
    if people:
        who.append(FeedbackItem.person_id.in_(sorted(people)))
        who.append(FeedbackItem.user_id.in_(select(User.id).where(User.person_id.in_(sorted(people)))))
    if user_id is not None:
        who.append(FeedbackItem.user_id == user_id)
    since = clock.now() - timedelta(hours=24)
    count = db.session.scalar(select(func.count(FeedbackItem.id)).where(or_(*who), FeedbackItem.submitted_at > since))
    if count >= MAX_PER_DAY:
        raise DomainError(_("You have sent %(num)d questions and comments in the last 24 hours, the most we take "
                            "in a day. Please try again tomorrow, or add to one you already sent.",
                            num=MAX_PER_DAY))


def submit_feedback(programme: Programme, *, kind: str, topic: str, text: str, region_id: int | None,
                    person: Person | None = None, user_id: int | None = None) -> FeedbackItem:
    """Record a question or feedback from a person (their signed link, or their account's person) and/or a
    logged-in account. Someone may send at most ``MAX_PER_DAY`` in 24 hours."""
    if person is None and user_id is None:
        raise DomainError(_("Who is asking is not known."))
    if person is not None and person.programme_id != programme.id:
        raise DomainError(_("This person is not part of the programme."))
    values = {"kind": _clean_kind(kind), "topic": _clean_topic(topic),
              "text": _clean_text(text, field="text", limit=MAX_TEXT_LENGTH,
                                  missing=_("Write your question or feedback.")),
              "region_id": _clean_region(programme.id, region_id)}
    _check_daily_limit(person_id=person.id if person is not None else None, user_id=user_id)
    item = FeedbackItem(programme_id=programme.id, person_id=person.id if person is not None else None,
                        user_id=user_id, submitted_at=clock.now(), state=FeedbackState.OPEN, answer="",
                        answer_revision=0, faq_question="", is_published=False, **values)
    db.session.add(item)
    db.session.flush()
    audit.record_create(item)
    return item


def answer_feedback(item: FeedbackItem, *, answer: str, answered_by_id: int | None,
                    expected_version: int | None, notify: bool = True) -> bool:
    """Answer an item, or correct its answer, and tell whoever asked by email (through the outbox). A changed
    answer is a new revision and is sent again; saving the same text sends nothing. ``notify=False`` records
    an answer given earlier without sending it (the demo's past). Returns whether an email was queued."""
    check_version(item, expected_version)
    answer = _clean_text(answer, field="answer", limit=MAX_ANSWER_LENGTH, missing=_("Write the answer."))
    if answer == item.answer and item.state is FeedbackState.ANSWERED:
        return False
    changes = audit.apply_changes(item, {"answer": answer, "state": FeedbackState.ANSWERED,
                                         "answered_at": clock.now(), "answered_by_id": answered_by_id,
                                         "answer_revision": item.answer_revision + 1})
    db.session.flush()
    audit.record_update(item, changes)
    return _notify_answer(item) if notify else False


def _notify_answer(item: FeedbackItem) -> bool:
    """Queue the answer email to whoever asked; False when there is no address to send it to."""
    secret = outbox_links.SecretLinks()
    if item.person is not None:
        to, name = item.person.email, item.person.full_name
        links.ensure_feedback_links([item.person])
        link = links.emailed_feedback_url(item.person.id, secret)
    elif item.user is not None and item.user.is_active:
        to, name = item.user.email, None
        link = external_url("feedback.submit_feedback", programme_id=item.programme_id)
    else:
        return False
    context = dict(item=item, name=name, link=link,
                   programme=db.session.get(Programme, item.programme_id),
                   is_correction=item.answer_revision > 1)
    message = mail.compose(
        to=to, subject=_("An answer to your question") if item.kind is FeedbackKind.QUESTION
        else _("A reply to your feedback"),
        text=render_template("feedback/email/answer.txt", **context),
        html=render_template("feedback/email/answer.html", **context))
    outbox.enqueue(message, key=f"feedback-answer:{item.id}:{item.answer_revision}", kind="feedback-answer",
                   programme_id=item.programme_id, links=secret)
    return True


def close_feedback(item: FeedbackItem, *, expected_version: int | None) -> None:
    """Close an open item without an answer (a duplicate, or feedback that needs none). Nobody is emailed."""
    check_version(item, expected_version)
    if item.state is not FeedbackState.OPEN:
        raise DomainError(_("Only an open item can be closed without an answer."))
    changes = audit.apply_changes(item, {"state": FeedbackState.CLOSED})
    db.session.flush()
    audit.record_update(item, changes)


def reopen_feedback(item: FeedbackItem, *, expected_version: int | None) -> None:
    """Open a closed item again, to answer it after all."""
    check_version(item, expected_version)
    if item.state is not FeedbackState.CLOSED:
        raise DomainError(_("Only a closed item can be reopened."))
    changes = audit.apply_changes(item, {"state": FeedbackState.OPEN})
    db.session.flush()
    audit.record_update(item, changes)


def publish_to_faq(item: FeedbackItem, *, faq_question: str, expected_version: int | None) -> None:
    """Publish an answered item to the programme's FAQ with the question as worded here (rephrase a private
    question before publishing it); publishing again changes the wording. The FAQ never shows who asked."""
    check_version(item, expected_version)
    if item.state is not FeedbackState.ANSWERED or not item.answer:
        raise DomainError(_("Answer the question before publishing it."))
    question = _clean_text(faq_question, field="faq_question", limit=MAX_FAQ_QUESTION_LENGTH,
                           missing=_("Write the question as the FAQ should show it."))
    values = {"faq_question": question, "is_published": True}
    if not item.is_published:
        values["published_at"] = clock.now()
    changes = audit.apply_changes(item, values)
    db.session.flush()
    audit.record_update(item, changes)


def unpublish_from_faq(item: FeedbackItem, *, expected_version: int | None) -> None:
    """Take an entry off the FAQ (its wording is kept for publishing it again)."""
    check_version(item, expected_version)
    if not item.is_published:
        raise DomainError(_("This item is not on the FAQ."))
    changes = audit.apply_changes(item, {"is_published": False, "published_at": None})
    db.session.flush()
    audit.record_update(item, changes)
