"""Rotating SECRET_KEY revokes every secret link at once (QUALITY.md item 9; README, Configuration).

For each kind of link (calendar feed, RSVP, feedback, survey, self check-in): a link made under the old key is
refused exactly as an unknown one is, and a link made or shown again under the new key works.
"""
import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from planner.auth.models import User
from planner.calendar import tokens
from planner.committee import invitations, scheduling
from planner.committee.models import Answer, Meeting, MeetingInvitee
from planner.core import mail, outbox, outbox_links
from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.feedback import links
from planner.people.models import Person
from planner.surveys import services as survey_services
from planner.surveys.models import SurveyInvitation, SurveyResponse
from planner.training import checkin
from planner.training.models import AttendanceMark, MarkStatus, TrainingSession
from tests.calendar_web.helpers import invitee, make_meeting, seat_members
from tests.conftest import count_queries, csrf_token_from, form_post, log_in, sent_text
from tests.surveys.helpers import NOON, make_round, make_world, token_of
from tests.training.test_sessions_helpers import NOW, make_session, setup

NEW_KEY = "a-new-secret-key-after-rotation-0123456789abcdef"
ALICE = "alice@example.com"


@pytest.fixture
def rotate_key(app, monkeypatch):
    """Replace SECRET_KEY for the rest of the test (restored afterwards)."""

    def rotate():
        assert app.config["SECRET_KEY"] != NEW_KEY
        monkeypatch.setitem(app.config, "SECRET_KEY", NEW_KEY)

    return rotate


def _refused_like_unknown(client, old_url: str, unknown_url: str, status: int = 404) -> None:
    """The old link answers exactly what a link that never existed answers."""
    old, unknown = client.get(old_url), client.get(unknown_url)
    assert old.status_code == unknown.status_code == status
    assert old.get_data() == unknown.get_data()


def _path(url: str) -> str:
    """The path of an absolute link, to request it through the test client."""
    return urlsplit(url).path


# --- calendar feed --------------------------------------------------------------------------------------------

def test_a_feed_url_stops_working_when_the_key_changes_and_the_page_offers_a_new_one(app, client, factories,
                                                                                      rotate_key):
    user = factories.user(email="feed.owner@example.com")
    with app.app_context():
        old_token = tokens.reset_feed_token(db.session.get(User, user.id))
        db.session.commit()
    assert client.get(f"/calendar/{old_token}.ics").status_code == 200

    rotate_key()

    _refused_like_unknown(client, f"/calendar/{old_token}.ics", f"/calendar/{'x' * 43}.ics")
    with app.app_context():
        stale = db.session.get(User, user.id)
        assert tokens.feed_urls(stale) is None  # as if there were no feed yet: nothing shown that would not work
    log_in(client, user.email)
    page = client.get("/me/calendar").get_data(as_text=True)
    assert "You have no calendar link yet." in page and "webcal://" not in page and ".ics" not in page

    made = form_post(client, "/me/calendar/reset", {}, page_url="/me/calendar")
    assert made.status_code == 302
    with app.app_context():
        web, _webcal = tokens.feed_urls(db.session.get(User, user.id))
    assert web in client.get("/me/calendar").get_data(as_text=True)
    assert client.get(_path(web)).status_code == 200
    assert client.get(f"/calendar/{old_token}.ics").status_code == 404


def test_flask_feed_url_gives_a_working_url_after_the_key_changed(app, factories, rotate_key):
    user = factories.user(email="cli.feed@example.com")
    with app.app_context():
        old_token = tokens.reset_feed_token(db.session.get(User, user.id))
        db.session.commit()
    rotate_key()
    result = app.test_cli_runner().invoke(args=["feed-url", user.email])
    assert result.exit_code == 0, result.output
    web = next(line for line in result.output.split() if line.startswith("http"))
    assert old_token not in web
    assert app.test_client().get(_path(web)).status_code == 200


# --- RSVP links -----------------------------------------------------------------------------------------------

def test_an_rsvp_link_stops_working_when_the_key_changes_and_links_sent_after_it_work(app, client, factories,
                                                                                       rotate_key):
    programme = factories.programme()
    seat_members(app, factories, programme, [ALICE, "bob@example.com"])
    meeting = make_meeting(app, programme, title="March committee")
    old_url = f"/rsvp/{meeting.tokens[ALICE]}"
    assert client.get(old_url).status_code == 200

    rotate_key()

    _refused_like_unknown(client, old_url, f"/rsvp/{'x' * 43}")

    with app.test_request_context():  # the link shown again (the dashboard's "Answer") ...
        shown_again = invitations.rsvp_url(db.session.get(MeetingInvitee, meeting.invitees[ALICE]))
        db.session.commit()
    # ... and the one in the updated invitation sent under the new key are the same, and work
    with app.test_request_context():
        target = db.session.get(Meeting, meeting.meeting_id)
        plan = scheduling.plan_of(target)
        scheduling.update_meeting(target, replace(plan, local_start=plan.local_start + timedelta(hours=1)),
                                  expected_version=None)
        db.session.commit()
        update = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == ALICE)
                                    .order_by(OutboxMessage.id.desc())).first()
        emailed = re.search(r"http://planner\.test(/rsvp/[\w-]+)", sent_text(update)).group(1)
    assert emailed == _path(shown_again) != old_url
    page = client.get(emailed)
    assert page.status_code == 200
    answered = client.post(emailed, data={"csrf_token": csrf_token_from(page.get_data(as_text=True)),
                                          "answer": "ACCEPTED", "comment": ""})
    assert answered.status_code == 200
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.ACCEPTED
    assert client.get(old_url).status_code == 404


# --- feedback links -------------------------------------------------------------------------------------------

def test_a_feedback_link_stops_working_when_the_key_changes_and_the_link_shown_again_works(app, client, factories,
                                                                                            rotate_key):
    programme = factories.programme()
    person = factories.person(programme)
    with app.app_context():
        old_url = _path(links.feedback_url(db.session.get(Person, person.id)))
        db.session.commit()
    assert client.get(old_url).status_code == 200

    rotate_key()

    _refused_like_unknown(client, old_url, f"/feedback/{'x' * 43}")
    with app.app_context():
        new_url = _path(links.feedback_url(db.session.get(Person, person.id)))
        db.session.commit()
    assert new_url != old_url
    assert client.get(new_url).status_code == 200
    with app.app_context():  # stable again under the new key
        assert _path(links.feedback_url(db.session.get(Person, person.id))) == new_url
    assert client.get(old_url).status_code == 404


def _queue_feedback_links(person_ids: list[int]) -> list[OutboxMessage]:
    """One email per person carrying their feedback link, as a mailing queues them."""
    people = db.session.scalars(select(Person).where(Person.id.in_(person_ids))).all()
    links.ensure_feedback_links(people)
    rows = []
    for person in people:
        secret = outbox_links.SecretLinks()
        message = mail.compose(to=person.email, subject="Hello", text=links.emailed_feedback_url(person.id, secret))
        rows.append(outbox.enqueue(message, key=f"rotation:{person.id}", kind="test", links=secret))
    return rows


def test_a_mailing_after_the_key_changed_carries_working_links_in_flat_queries(app, client, factories, rotate_key):
    programme = factories.programme()
    few = [factories.person(programme).id for _n in range(2)]
    many = [factories.person(programme).id for _n in range(12)]
    with app.app_context():
        old_urls = {person_id: links.feedback_url(db.session.get(Person, person_id)) for person_id in few + many}
        rows = {person_id: row.id for person_id, row in zip(few + many, _queue_feedback_links(few + many))}
        db.session.commit()

    rotate_key()

    with app.app_context():  # the mail sender fills in the links of a few or of many messages alike
        queued = {person_id: db.session.get(OutboxMessage, row_id) for person_id, row_id in rows.items()}
        with count_queries(app) as for_few:
            sent = list(outbox_links.contents_to_send([queued[person_id] for person_id in few]).contents.values())
            db.session.flush()
        with count_queries(app) as for_many:
            sent += outbox_links.contents_to_send([queued[person_id] for person_id in many]).contents.values()
            db.session.flush()
        db.session.commit()
    assert len(for_few) == len(for_many) == 3  # the tokens; new salts for links made under the old key; what won
    new_urls = [re.search(rb"http://planner\.test(/feedback/[\w-]+)", content).group(1).decode() for content in sent]
    assert len(set(new_urls)) == 14 and not set(new_urls) & {_path(url) for url in old_urls.values()}
    for url in new_urls:
        assert client.get(url).status_code == 200
    assert client.get(_path(old_urls[few[0]])).status_code == 404


# --- survey links ---------------------------------------------------------------------------------------------

def test_a_survey_link_stops_working_when_the_key_changes_and_a_reminder_carries_a_working_one(app, client, factories,
                                                                                               now_is, rotate_key):
    now_is(NOON)
    world = make_world(app, factories, per_region=1)
    survey_id = make_round(app, world)
    person_id = world.people["Boston0"]
    old_url = f"/survey/{token_of(app, survey_id, person_id)}"
    assert client.get(old_url).status_code == 200

    rotate_key()

    _refused_like_unknown(client, old_url, f"/survey/{'x' * 43}")
    now_is(NOON + survey_services.REMIND_AGAIN_AFTER + timedelta(minutes=1))
    with app.test_request_context():
        from planner.surveys.models import SurveyRound

        survey_services.send_reminders(db.session.get(SurveyRound, survey_id))
        db.session.commit()
        reminder = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.key == f"survey:{survey_id}:{person_id}:reminder:1"))
        invitation_id = db.session.scalar(select(SurveyInvitation.id).where(SurveyInvitation.round_id == survey_id,
                                                                            SurveyInvitation.person_id == person_id))
        emailed = re.search(r"http://planner\.test(/survey/[\w-]+)", sent_text(reminder)).group(1)
        db.session.commit()  # the new salt the sender gave the link
    assert emailed != old_url
    answered = form_post(client, emailed, {"awareness": "4", "desire": "5", "knowledge": "2", "ability": "3",
                                           "reinforcement": "4", "comment": ""})
    assert answered.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(SurveyResponse.invitation_id)) == invitation_id
    assert client.get(old_url).status_code == 404


# --- self check-in --------------------------------------------------------------------------------------------

def test_a_check_in_code_stops_working_when_the_key_changes_and_the_code_shown_then_works(app, client, factories,
                                                                                          now_is, rotate_key):
    s = setup(app, factories)
    enrolled = factories.person(s.programme, region_id=s.region.id, email="ada.enrolled@example.com")
    session_id = make_session(app, s, schedule=True, people=[enrolled.id])
    with app.app_context():
        old_code = checkin.open_checkin(db.session.get(TrainingSession, session_id), now=NOW)
        db.session.commit()
    now_is(NOW + timedelta(hours=1, minutes=2))

    rotate_key()

    url = f"/check-in/{session_id}"
    csrf = csrf_token_from(client.get(url).get_data(as_text=True))
    stale = client.post(url, data={"csrf_token": csrf, "code": old_code, "email": enrolled.email})
    wrong = client.post(url, data={"csrf_token": csrf, "code": "ZZZZZZ", "email": enrolled.email})
    assert stale.status_code == wrong.status_code == 422
    assert "do not match anyone enrolled" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AttendanceMark.id).where(AttendanceMark.session_id == session_id)) is None

    trainer = app.test_client()
    log_in(trainer, s.trainer.email)
    shown = trainer.get(f"/programmes/{s.programme.id}/sessions/{session_id}/check-in-code").get_data(as_text=True)
    with app.app_context():
        new_code = checkin.checkin_code(db.session.get(TrainingSession, session_id))
    assert new_code != old_code and new_code in shown
    csrf = csrf_token_from(client.get(url).get_data(as_text=True))
    right = client.post(url, data={"csrf_token": csrf, "code": new_code, "email": enrolled.email})
    assert right.status_code == 200 and "You are checked in" in right.get_data(as_text=True)
    with app.app_context():
        mark = db.session.scalar(select(AttendanceMark).where(AttendanceMark.session_id == session_id))
        assert (mark.person_id, mark.status, mark.source) == (enrolled.id, MarkStatus.PRESENT, "self")


def _person_with_a_stale_feedback_link(app, factories, rotate_key) -> int:
    """A person whose feedback link was made, then the key rotated: their link works no more."""
    person = factories.person(factories.programme())
    with app.app_context():
        links.feedback_url(db.session.get(Person, person.id))
        db.session.commit()
    rotate_key()
    return person.id


def _renewed_between_read_and_write(monkeypatch, person_id: int) -> dict:
    """Make the next renewal find the feedback link renewed by another request between its read and its write
    (as that request would: a new salt, flushed); the other request's token lands in the returned dict."""
    from planner.core import secret_links
    from planner.feedback.models import FeedbackLink

    theirs = {}
    make_link = secret_links._renewal

    def renewed_elsewhere_first(purpose):
        link = db.session.scalar(select(FeedbackLink).where(FeedbackLink.person_id == person_id)
                                 .execution_options(populate_existing=True))
        theirs["token"] = links._set_new_salt(link)
        db.session.flush()
        return make_link(purpose)

    monkeypatch.setattr(secret_links, "_renewal", renewed_elsewhere_first)
    return theirs


def test_a_link_renewed_by_someone_else_first_is_the_one_sent(app, factories, rotate_key, monkeypatch):
    """Two mail senders (or a sender and a page) renewing the same link after a key change: the first renewal
    stands and both send its token, instead of the second overwriting a link the first has just sent."""
    person_id = _person_with_a_stale_feedback_link(app, factories, rotate_key)
    with app.app_context():
        theirs = _renewed_between_read_and_write(monkeypatch, person_id)
        tokens = links.feedback_tokens([person_id])
        assert tokens == {person_id: theirs["token"]}
        assert links.person_for_token(theirs["token"]).id == person_id
        db.session.rollback()


def test_a_page_showing_a_feedback_link_a_sender_renewed_first_shows_the_senders_link(app, factories, rotate_key):
    """The person's page read the stale feedback link; a mail sender renewed it and sent it before the page got
    to renewing it: the page shows the sender's link, instead of replacing it with one of its own (which would
    leave the email dead)."""
    from planner.feedback.models import FeedbackLink

    person_id = _person_with_a_stale_feedback_link(app, factories, rotate_key)
    with app.app_context():
        seen_by_page = db.session.scalar(select(FeedbackLink).where(FeedbackLink.person_id == person_id))
        senders = links.feedback_tokens([person_id])[person_id]  # renewed by its own statement, not the page's row
        assert _current_feedback_token(seen_by_page) is None  # the page's copy is still the stale one
        assert links.feedback_token(db.session.get(Person, person_id)) == senders
        assert _current_feedback_token(seen_by_page) == senders  # and now says what the table says
        db.session.commit()
    with app.app_context():
        assert links.person_for_token(senders).id == person_id
        assert links.feedback_token(db.session.get(Person, person_id)) == senders  # stable from now on


def _current_feedback_token(link) -> str | None:
    from planner.core import secret_links

    return secret_links.current_token(links.LINK_PURPOSE, link.salt, link.token_hash)


def test_a_page_renewing_a_feedback_link_a_sender_renews_in_between_keeps_the_senders(app, factories, rotate_key,
                                                                                      monkeypatch):
    """The same, with the sender's renewal landing between the page's read and its write: the page's renewal
    is conditional on the link it read, so it writes nothing and shows the sender's."""
    person_id = _person_with_a_stale_feedback_link(app, factories, rotate_key)
    with app.app_context():
        theirs = _renewed_between_read_and_write(monkeypatch, person_id)
        assert links.feedback_token(db.session.get(Person, person_id)) == theirs["token"]


def test_a_page_showing_an_rsvp_link_a_sender_renewed_first_shows_the_senders_link(app, factories, rotate_key):
    from planner.core import secret_links

    programme = factories.programme()
    seat_members(app, factories, programme, [ALICE, "bob@example.com"])
    meeting = make_meeting(app, programme, title="March committee")
    rotate_key()
    with app.test_request_context():
        row = db.session.get(MeetingInvitee, meeting.invitees[ALICE])  # the page's copy, stale
        senders = invitations.rsvp_tokens([row.id])[row.id]
        shown = invitations.rsvp_url(row)
        assert _path(shown) == f"/rsvp/{senders}"
        assert row.rsvp_token_hash == secret_links.token_hash(senders)  # the row says what the table says
        db.session.commit()
    with app.test_request_context():
        assert invitations.rsvp_url(db.session.get(MeetingInvitee, meeting.invitees[ALICE])) == shown


def test_a_page_showing_a_link_whose_row_was_deleted_meanwhile_answers_409_not_500(app, factories, rotate_key):
    from sqlalchemy.orm.exc import StaleDataError

    from planner.core import secret_links
    from planner.feedback.models import FeedbackLink

    person_id = _person_with_a_stale_feedback_link(app, factories, rotate_key)
    with app.app_context():
        seen_by_page = db.session.scalar(select(FeedbackLink).where(FeedbackLink.person_id == person_id))
        db.session.execute(FeedbackLink.__table__.delete().where(FeedbackLink.id == seen_by_page.id))
        with pytest.raises(StaleDataError):
            secret_links.current_token_of(seen_by_page, purpose=links.LINK_PURPOSE, salt=FeedbackLink.salt,
                                          stored_hash=FeedbackLink.token_hash)
        db.session.rollback()
