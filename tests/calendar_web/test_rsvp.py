"""Answering an invitation from the signed link in its email, without logging in."""
from sqlalchemy import select

from planner.committee import scheduling
from planner.committee.models import (
    Answer, Meeting, MeetingInvitee, MeetingOccurrence, OccurrenceAnswer, Recurrence,
)
from planner.committee.invitations import remove_invitee, rsvp_url
from planner.extensions import db
from tests.calendar_web.helpers import invitee, make_meeting, occurrence_ids, seat_members
from tests.conftest import count_queries, csrf_token_from

ALICE = "alice@example.com"


def invited(app, factories, **meeting_values):
    programme = factories.programme()
    seat_members(app, factories, programme, [ALICE, "bob@example.com"])
    return make_meeting(app, programme, **meeting_values)


def answer(client, url: str, value: str, comment: str = ""):
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={"csrf_token": csrf_token_from(page.get_data(as_text=True)), "answer": value,
                                  "comment": comment})


def test_the_page_shows_the_meeting_and_the_answer_so_far_without_writing(app, client, factories):
    meeting = invited(app, factories, title="March committee")

    with count_queries(app) as statements:
        page = client.get(f"/rsvp/{meeting.tokens[ALICE]}")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "March committee" in text and "Not answered yet" in text and ALICE in text
    for label in ("Accept", "Maybe", "Decline"):
        assert f">{label}</button>" in text
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.NEEDS_ACTION


def test_the_link_in_the_email_is_the_page(app, factories):
    meeting = invited(app, factories)
    with app.app_context():
        url = rsvp_url(db.session.get(MeetingInvitee, meeting.invitees[ALICE]))
    assert url == f"http://planner.test/rsvp/{meeting.tokens[ALICE]}"


def test_accepting_and_declining_are_recorded(app, client, factories):
    meeting = invited(app, factories)
    url = f"/rsvp/{meeting.tokens[ALICE]}"

    accepted = answer(client, url, "ACCEPTED", "Joining from the Lyon office")

    assert accepted.status_code == 200
    assert "Your answer is recorded: Accepted." in accepted.get_data(as_text=True)
    record = invitee(app, meeting.invitees[ALICE])
    assert (record.answer, record.answer_comment) == (Answer.ACCEPTED, "Joining from the Lyon office")
    assert record.answered_at is not None
    assert invitee(app, meeting.invitees["bob@example.com"]).answer is Answer.NEEDS_ACTION

    declined = answer(client, url, "DECLINED")

    assert "Declined" in declined.get_data(as_text=True)
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.DECLINED
    assert "Your answer so far: Declined" in client.get(url).get_data(as_text=True)


def test_an_answer_for_one_occurrence(app, client, factories):
    meeting = invited(app, factories, recurrence=Recurrence.WEEKLY, count=4)
    first, second, *_rest = occurrence_ids(app, meeting.meeting_id)
    url = f"/rsvp/{meeting.tokens[ALICE]}?occurrence={second}"

    response = answer(client, url, "TENTATIVE", "Might be late")

    assert response.status_code == 200
    with app.app_context():
        rows = db.session.scalars(select(OccurrenceAnswer).where(
            OccurrenceAnswer.invitee_id == meeting.invitees[ALICE])).all()
        assert [(row.occurrence_id, row.answer, row.comment) for row in rows] == \
            [(second, Answer.TENTATIVE, "Might be late")]
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.NEEDS_ACTION  # the series is unanswered
    assert "Your answer so far: Maybe" in client.get(url).get_data(as_text=True)
    assert "Not answered yet" in client.get(f"/rsvp/{meeting.tokens[ALICE]}?occurrence={first}").get_data(
        as_text=True)


def test_a_post_without_csrf_token_is_refused(app, client, factories):
    meeting = invited(app, factories)

    response = client.post(f"/rsvp/{meeting.tokens[ALICE]}", data={"answer": "ACCEPTED"})

    assert response.status_code == 400
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.NEEDS_ACTION


def test_an_unknown_answer_is_refused(app, client, factories):
    meeting = invited(app, factories)

    for value in ("NEEDS-ACTION", "DELEGATED", ""):
        response = answer(client, f"/rsvp/{meeting.tokens[ALICE]}", value)
        assert response.status_code == 422, value
        assert "Choose accept, maybe or decline." in response.get_data(as_text=True)
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.NEEDS_ACTION


def test_unknown_links_and_foreign_occurrences_are_404(app, client, factories):
    meeting = invited(app, factories, recurrence=Recurrence.WEEKLY, count=2)
    other = invited(app, factories, recurrence=Recurrence.WEEKLY, count=2)
    foreign = occurrence_ids(app, other.meeting_id)[0]
    token = meeting.tokens[ALICE]

    for url in ("/rsvp/" + "x" * 43, "/rsvp/" + "x" * 300, f"/rsvp/{token}?occurrence={foreign}",
                f"/rsvp/{token}?occurrence=abc", f"/rsvp/{token}?occurrence=999999999"):
        assert client.get(url).status_code == 404, url
    page = client.get(f"/rsvp/{token}")
    csrf = csrf_token_from(page.get_data(as_text=True))
    response = client.post(f"/rsvp/{token}?occurrence={foreign}", data={"csrf_token": csrf, "answer": "ACCEPTED"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(OccurrenceAnswer)) is None


def test_a_cancelled_meeting_or_occurrence_is_gone(app, client, factories):
    meeting = invited(app, factories, recurrence=Recurrence.WEEKLY, count=3)
    first, second, _third = occurrence_ids(app, meeting.meeting_id)
    token = meeting.tokens[ALICE]
    csrf = csrf_token_from(client.get(f"/rsvp/{token}").get_data(as_text=True))
    with app.app_context():
        occurrence = db.session.get(MeetingOccurrence, second)
        scheduling.cancel_occurrence(occurrence, reason="Holiday", expected_version=occurrence.version)
        db.session.commit()

    response = client.get(f"/rsvp/{token}?occurrence={second}")
    assert response.status_code == 410
    assert "was cancelled" in response.get_data(as_text=True)
    assert client.get(f"/rsvp/{token}?occurrence={first}").status_code == 200

    with app.app_context():
        scheduling.cancel_meeting(db.session.get(Meeting, meeting.meeting_id))
        db.session.commit()

    page = client.get(f"/rsvp/{token}")
    assert page.status_code == 410
    assert "This meeting was cancelled" in page.get_data(as_text=True)
    posted = client.post(f"/rsvp/{token}", data={"csrf_token": csrf, "answer": "ACCEPTED"})
    assert posted.status_code == 410
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.NEEDS_ACTION


def test_someone_taken_off_the_meeting_cannot_answer(app, client, factories):
    meeting = invited(app, factories)
    with app.app_context():
        remove_invitee(db.session.get(MeetingInvitee, meeting.invitees[ALICE]))
        db.session.commit()

    response = client.get(f"/rsvp/{meeting.tokens[ALICE]}")

    assert response.status_code == 410
    assert "no longer invited" in response.get_data(as_text=True)
