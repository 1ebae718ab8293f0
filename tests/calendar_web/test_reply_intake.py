"""iTIP REPLY intake: .eml and .ics files through the command and the upload page, and the IMAP loop."""
import io
from datetime import datetime

from sqlalchemy import select

from planner.calendar.cli import fetch_imap, process_message, receive_replies_command
from planner.committee.models import Answer, Meeting, OccurrenceAnswer, Recurrence
from planner.extensions import db
from tests.calendar_web.helpers import (
    BERLIN, invitee, make_meeting, reply_email, reply_ics, seat_members,
)
from tests.conftest import form_post, log_in

ALICE = "alice@example.com"
BOB = "bob@example.com"


def invited(app, factories, **meeting_values):
    programme = factories.programme()
    seat_members(app, factories, programme, [ALICE, BOB])
    return programme, make_meeting(app, programme, **meeting_values)


def run(app, *args):
    """The command's result: ``output`` is what a person sees, ``stderr`` the refusals alone."""
    return app.test_cli_runner().invoke(receive_replies_command, list(args))


def occurrence_answers(app, invitee_id):
    with app.app_context():
        return [(row.occurrence_id, row.answer) for row in db.session.scalars(
            select(OccurrenceAnswer).where(OccurrenceAnswer.invitee_id == invitee_id))]


# --- the command ---------------------------------------------------------------------------------

def test_a_reply_email_from_the_attendee_is_recorded(app, factories, tmp_path):
    _programme, meeting = invited(app, factories)
    path = tmp_path / "reply.eml"
    path.write_bytes(reply_email("Alice <Alice@Example.com>", reply_ics(meeting.uid, ALICE, "ACCEPTED")))

    result = run(app, str(path))

    assert result.exit_code == 0, result.output
    assert "1 recorded, 0 refused." in result.output
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.ACCEPTED


def test_a_reply_for_one_occurrence_is_matched_on_its_recurrence_id(app, factories, tmp_path):
    _programme, meeting = invited(app, factories, start=datetime(2027, 3, 2, 10, 0), recurrence=Recurrence.WEEKLY,
                                  count=4)
    second_start = datetime(2027, 3, 9, 10, 0, tzinfo=BERLIN)
    path = tmp_path / "reply.eml"
    path.write_bytes(reply_email(BOB, reply_ics(meeting.uid, BOB, "DECLINED", recurrence_id=second_start)))

    result = run(app, str(path))

    assert result.exit_code == 0, result.output
    with app.app_context():
        occurrences = db.session.get(Meeting, meeting.meeting_id).occurrences
        second = next(o.id for o in occurrences if o.original_start == datetime(2027, 3, 9, 10, 0))
    assert occurrence_answers(app, meeting.invitees[BOB]) == [(second, Answer.DECLINED)]
    assert invitee(app, meeting.invitees[BOB]).answer is Answer.NEEDS_ACTION


def test_a_reply_naming_another_attendee_is_refused_and_the_rest_still_recorded(app, factories, tmp_path):
    _programme, meeting = invited(app, factories)
    forged = tmp_path / "forged.eml"
    forged.write_bytes(reply_email("mallory@example.com", reply_ics(meeting.uid, ALICE, "DECLINED")))
    genuine = tmp_path / "genuine.eml"
    genuine.write_bytes(reply_email(BOB, reply_ics(meeting.uid, BOB, "TENTATIVE")))

    result = run(app, str(forged), str(genuine))

    assert result.exit_code == 0
    assert "1 recorded, 1 refused." in result.output
    assert "mallory@example.com" in result.stderr
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.NEEDS_ACTION
    assert invitee(app, meeting.invitees[BOB]).answer is Answer.TENTATIVE


def test_a_message_is_recorded_whole_or_not_at_all(app, factories, tmp_path):
    _programme, meeting = invited(app, factories, recurrence=Recurrence.WEEKLY, count=2)
    no_such_occurrence = datetime(2027, 3, 4, 10, 0, tzinfo=BERLIN)
    ics = reply_ics(meeting.uid, ALICE, "ACCEPTED", extra_events=[
        {"uid": meeting.uid, "attendee": ALICE, "partstat": "DECLINED", "recurrence_id": no_such_occurrence}])
    path = tmp_path / "reply.eml"
    path.write_bytes(reply_email(ALICE, ics))

    result = run(app, str(path))

    assert "0 recorded, 1 refused." in result.output
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.NEEDS_ACTION


def test_a_bare_ics_needs_trusted(app, factories, tmp_path):
    _programme, meeting = invited(app, factories)
    path = tmp_path / "reply.ics"
    path.write_bytes(reply_ics(meeting.uid, ALICE, "ACCEPTED"))

    refused = run(app, str(path))
    assert "0 recorded, 1 refused." in refused.output
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.NEEDS_ACTION

    trusted = run(app, "--trusted", str(path))
    assert "1 recorded, 0 refused." in trusted.output
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.ACCEPTED


def test_files_that_are_no_reply_are_reported(app, factories, tmp_path):
    _programme, meeting = invited(app, factories)
    plain = tmp_path / "hello.eml"
    plain.write_bytes(b"From: alice@example.com\r\nSubject: hi\r\n\r\nJust saying hello.\r\n")
    unknown = tmp_path / "unknown.eml"
    unknown.write_bytes(reply_email(ALICE, reply_ics("meeting-0@elsewhere", ALICE, "ACCEPTED")))

    result = run(app, str(plain), str(unknown))

    assert "0 recorded, 2 refused." in result.output
    assert run(app).exit_code == 2  # neither files nor --imap: a usage error


# --- the IMAP loop, with a stand-in for the server ------------------------------------------------

class FakeMailbox:
    """Answers the IMAP calls ``fetch_imap`` makes, as imaplib returns them."""

    def __init__(self, messages: dict[bytes, bytes]):
        self.messages = messages
        self.seen: list[bytes] = []
        self.calls: list[str] = []

    def login(self, user, password):
        self.calls.append(f"login {user}")
        return "OK", [b"Logged in"]

    def select(self, folder):
        self.calls.append(f"select {folder}")
        return "OK", [str(len(self.messages)).encode()]

    def uid(self, command, *args):
        if command == "SEARCH":
            return "OK", [b" ".join(uid for uid in self.messages if uid not in self.seen)]
        if command == "FETCH":
            uid = args[0]
            return "OK", [(b"1 (UID " + uid + b" BODY[] {%d}" % len(self.messages[uid]), self.messages[uid]), b")"]
        if command == "STORE":
            assert args[1:] == ("+FLAGS", "(\\Seen)")
            self.seen.append(args[0])
            return "OK", [b""]
        raise AssertionError(command)

    def logout(self):
        self.calls.append("logout")
        return "BYE", [b""]


def test_the_imap_loop_records_each_message_and_marks_it_seen(app, factories):
    _programme, meeting = invited(app, factories)
    mailbox = FakeMailbox({
        b"7": reply_email(ALICE, reply_ics(meeting.uid, ALICE, "ACCEPTED")),
        b"8": reply_email("mallory@example.com", reply_ics(meeting.uid, BOB, "DECLINED")),
        b"9": b"From: someone@example.com\r\nSubject: out of office\r\n\r\nAway.\r\n",
    })
    config = {**app.config, "IMAP_SERVER": "imap.example.com", "IMAP_USERNAME": "planner", "IMAP_PASSWORD": "x",
              "IMAP_FOLDER": "Replies"}

    with app.app_context():
        outcomes = fetch_imap(config, connect=lambda _config: mailbox)

    assert [outcome.is_recorded for outcome in outcomes] == [True, False, False]
    assert mailbox.seen == [b"7", b"8", b"9"]
    assert mailbox.calls == ["login planner", "select Replies", "logout"]
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.ACCEPTED
    assert invitee(app, meeting.invitees[BOB]).answer is Answer.NEEDS_ACTION


def test_process_message_takes_real_email_bytes(app, factories):
    _programme, meeting = invited(app, factories)
    raw = reply_email(BOB, reply_ics(meeting.uid, BOB, "TENTATIVE"))

    with app.app_context():
        outcome = process_message(raw, "inbox/1")

    assert outcome.is_recorded, outcome
    assert str(outcome) == f"inbox/1: recorded: {BOB}: TENTATIVE for Steering committee"


# --- the upload page -------------------------------------------------------------------------------

def upload(client, programme_id: int, data: bytes, filename: str):
    url = f"/programmes/{programme_id}/calendar-replies"
    return form_post(client, url, {"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def test_a_project_manager_uploads_a_reply_email(app, client, factories):
    programme, meeting = invited(app, factories)
    log_in(client, factories.user_with_role("project_manager", programme).email)

    response = upload(client, programme.id, reply_email(ALICE, reply_ics(meeting.uid, ALICE, "DECLINED")), "r.eml")

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Recorded for Steering committee: {ALICE}, Declined." in page
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.DECLINED


def test_an_uploaded_ics_is_trusted(app, client, factories):
    programme, meeting = invited(app, factories)
    log_in(client, factories.user_with_role("project_manager", programme).email)

    response = upload(client, programme.id, reply_ics(meeting.uid, BOB, "ACCEPTED"), "invite.ics")

    assert response.status_code == 302
    assert invitee(app, meeting.invitees[BOB]).answer is Answer.ACCEPTED


def test_an_upload_from_another_sender_is_refused(app, client, factories):
    programme, meeting = invited(app, factories)
    log_in(client, factories.user_with_role("project_manager", programme).email)

    response = upload(client, programme.id, reply_email(BOB, reply_ics(meeting.uid, ALICE, "DECLINED")), "r.eml")

    assert response.status_code == 422
    assert "was sent by bob@example.com; refused" in response.get_data(as_text=True)
    assert invitee(app, meeting.invitees[ALICE]).answer is Answer.NEEDS_ACTION


def test_only_meetings_of_the_programme_match(app, client, factories):
    programme, _meeting = invited(app, factories)
    _other_programme, foreign = invited(app, factories)
    log_in(client, factories.user_with_role("project_manager", programme).email)

    response = upload(client, programme.id, reply_email(ALICE, reply_ics(foreign.uid, ALICE, "ACCEPTED")), "r.eml")

    assert response.status_code == 422
    assert "is not about a meeting of this programme" in response.get_data(as_text=True)
    assert invitee(app, foreign.invitees[ALICE]).answer is Answer.NEEDS_ACTION


def test_a_file_that_is_no_reply_is_refused_clearly(app, client, factories):
    programme, _meeting = invited(app, factories)
    log_in(client, factories.user_with_role("project_manager", programme).email)

    for data, name in ((b"\x89PNG\r\n\x1a\n", "photo.png"), (b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n", "x.ics"),
                       (b"From: a@example.com\r\n\r\nhello", "mail.eml")):
        response = upload(client, programme.id, data, name)
        assert response.status_code == 422, name
        assert "not a calendar reply the planner can read" in response.get_data(as_text=True)
