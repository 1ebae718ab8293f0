"""Secret links in queued email are filled in only when sent (QUALITY.md item 9; ``planner.core.outbox_links``).

The stored email holds a placeholder; what is sent holds the working link and is otherwise the stored email (through
a real SMTP server: tests/core/test_send_mail_smtp.py).
"""
import email
import re
from email import policy

import pytest
from sqlalchemy import delete, select

from planner.committee.models import MeetingInvitee
from planner.core import mail, outbox, outbox_links
from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.feedback import links as feedback_links
from planner.feedback.models import FeedbackLink
from planner.people.models import Person
from tests.calendar_web.helpers import make_meeting, seat_members
from tests.core.test_outbox import invitation

ALICE = "alice@example.com"
RSVP = re.compile(rb"http://planner\.test/rsvp/([\w-]+)")


def unfolded(content: bytes) -> bytes:
    """An email's bytes with quoted-printable soft line breaks taken out (they may split a link)."""
    return content.replace(b"=\r\n", b"")


def _queue(person: Person, text: str, html: str | None = None, *, calendar: bytes | None = None,
           key: str = "links") -> OutboxMessage:
    secret = outbox_links.SecretLinks()
    feedback_links.ensure_feedback_links([person])
    url = feedback_links.emailed_feedback_url(person.id, secret)
    message = mail.compose(to=person.email, subject="Your link", text=text.format(url=url),
                           html=html.format(url=url) if html else None, calendar=calendar)
    return outbox.enqueue(message, key=f"{key}:{person.id}", kind="test", links=secret)


@pytest.mark.parametrize("words", ["Plain words", "Zoë, Müller und Łukasz: " * 40, "日本語のメッセージ " * 30],
                         ids=["7bit", "quoted-printable", "base64"])
def test_a_link_is_filled_in_every_encoding_and_the_other_parts_keep_their_bytes(app, factories, words):
    person = factories.person(factories.programme(), email="zoe@example.com")
    ics = invitation()
    with app.app_context():
        row = _queue(db.session.get(Person, person.id), words + "\n{url}\n" + words, "<p>" + words +
                     '<a href="{url}">{url}</a></p>', calendar=ics)
        token = feedback_links.feedback_token(db.session.get(Person, person.id))
        [sent] = outbox_links.contents_to_send([row]).contents.values()
        stored = email.message_from_bytes(row.content, policy=policy.default)
    filled = email.message_from_bytes(sent, policy=policy.default)
    [placeholder] = row.links
    assert token not in row.content.decode("ascii")
    pairs = list(zip(stored.walk(), filled.walk(), strict=True))
    assert sent.split(b"\r\n\r\n", 1)[0] == row.content.split(b"\r\n\r\n", 1)[0], "the headers are unchanged"
    for before, after in pairs:
        assert before.get_content_type() == after.get_content_type()
        assert before.get("Content-Transfer-Encoding") == after.get("Content-Transfer-Encoding")
        assert before.get_params() == after.get_params()
        if before.is_multipart():
            continue
        if before.get_content_maintype() == "text" and not before.is_attachment():
            assert placeholder in before.get_content() or before.get_content_subtype() == "calendar"
            assert after.get_content() == before.get_content().replace(placeholder, token)
        else:
            assert after.get_payload(decode=True) == before.get_payload(decode=True)
    assert [part.get_content_type() for part, _after in pairs] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar", "application/ics"]


def test_text_typed_into_a_message_never_becomes_somebodys_link(app, factories):
    """A placeholder is filled only in the message it was made for: copying another email's placeholder into a
    message (a meeting description, a communication) gets the copied text, not that person's link."""
    programme = factories.programme()
    victim = factories.person(programme, email="victim@example.com")
    author = factories.person(programme, email="author@example.com")
    with app.app_context():
        theirs = _queue(db.session.get(Person, victim.id), "Your link: {url}")
        [placeholder] = theirs.links
        mine = _queue(db.session.get(Person, author.id), "Look: " + placeholder + " and mine: {url}")
        victim_token = feedback_links.feedback_token(db.session.get(Person, victim.id))
        author_token = feedback_links.feedback_token(db.session.get(Person, author.id))
        [sent] = outbox_links.contents_to_send([mine]).contents.values()
    sent = unfolded(sent)
    assert victim_token.encode() not in sent and placeholder.encode() in sent and author_token.encode() in sent


def test_a_link_whose_row_is_gone_goes_out_withdrawn(app, factories, client):
    programme = factories.programme()
    seat_members(app, factories, programme, [ALICE])
    meeting = make_meeting(app, programme)
    person = factories.person(programme, email="gone@example.com")
    with app.app_context():
        feedback = _queue(db.session.get(Person, person.id), "Tell us: {url}")
        db.session.execute(delete(FeedbackLink).where(FeedbackLink.person_id == person.id))
        invite = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == ALICE))
        db.session.execute(delete(MeetingInvitee).where(MeetingInvitee.id == meeting.invitees[ALICE]))
        filled = outbox_links.contents_to_send([feedback, invite]).contents
        sent = [filled[feedback.id], filled[invite.id]]
        db.session.rollback()
    assert b"http://planner.test/feedback/withdrawn" in unfolded(sent[0])
    assert {match.group(1) for match in RSVP.finditer(unfolded(sent[1]))} == {b"withdrawn"}
    assert client.get("/feedback/withdrawn").status_code == 404 and client.get("/rsvp/withdrawn").status_code == 404


def test_only_a_registered_kind_of_link_can_be_put_in_an_email():
    with pytest.raises(ValueError, match="not a registered kind"):
        outbox_links.SecretLinks().token("password-reset", 1)


def test_an_email_without_secret_links_goes_out_as_stored(app, factories):
    with app.app_context():
        row = outbox.enqueue(mail.compose(to="plain@example.com", subject="Hi", text="No link here"), key="plain",
                             kind="test")
        assert row.links is None
        assert outbox_links.contents_to_send([row]).contents == {row.id: row.content}


def test_a_message_whose_links_cannot_be_filled_fails_alone_and_the_others_go(app, factories):
    from planner.core.models import OutboxStatus

    person = factories.person(factories.programme(), email="fine@example.com")
    with app.app_context():
        good = _queue(db.session.get(Person, person.id), "Your link: {url}")
        broken = outbox.enqueue(mail.compose(to="broken@example.com", subject="Hi", text="secret-link-x"),
                                key="broken", kind="test")
        broken.links = {"secret-link-x": ["no-such-kind", 1]}  # say, queued by a release that had the kind
        db.session.commit()
        good_id, broken_id = good.id, broken.id
        claimed = outbox.claim_due()
        assert [message.id for message in claimed] == [good_id]
        row = db.session.get(OutboxMessage, broken_id)
        assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1) and "unknown kind" in row.last_error
