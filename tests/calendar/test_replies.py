"""iTIP REPLY objects, built with icalendar as a client would, and read back by parse_reply."""
from datetime import datetime, timezone
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import icalendar
import pytest

from planner.calendar.replies import Reply, ReplyError, parse_reply, replies_from_email

UTC = timezone.utc


def reply_ics(*, method="REPLY", attendees=(("MAILTO:Bob@Example.org", "ACCEPTED"),), uid="meeting-7@planner.example",
              recurrence_id=None, sequence=2, comment=None) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Some Client//EN")
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    event = icalendar.Event()
    if uid:
        event.add("uid", uid)
    event.add("dtstamp", datetime(2025, 3, 1, 12, 0, tzinfo=UTC))
    event.add("dtstart", datetime(2025, 3, 17, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    event.add("sequence", sequence)
    event.add("organizer", "mailto:chair@example.org")
    for address, partstat in attendees:
        event.add("attendee", address, parameters={"PARTSTAT": partstat, "CN": "Bob"})
    if recurrence_id is not None:
        event.add("recurrence-id", recurrence_id)
    if comment:
        event.add("comment", comment)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def test_a_reply_for_one_attendee_parses():
    (reply,) = parse_reply(reply_ics(comment="Running 10 minutes late"))
    assert reply == Reply(uid="meeting-7@planner.example", attendee_email="bob@example.org", partstat="ACCEPTED",
                          recurrence_id=None, sequence=2, comment="Running 10 minutes late")


def test_a_reply_to_one_occurrence_carries_an_aware_recurrence_id():
    berlin = ZoneInfo("Europe/Berlin")
    (reply,) = parse_reply(reply_ics(recurrence_id=datetime(2025, 3, 17, 10, 0, tzinfo=berlin),
                                     attendees=(("mailto:bob@example.org", "TENTATIVE"),)).decode())
    assert reply.partstat == "TENTATIVE"
    assert reply.recurrence_id == datetime(2025, 3, 17, 9, 0, tzinfo=UTC)
    (utc_reply,) = parse_reply(reply_ics(recurrence_id=datetime(2025, 3, 17, 9, 0, tzinfo=UTC)))
    assert utc_reply.recurrence_id == datetime(2025, 3, 17, 9, 0, tzinfo=UTC)


def test_a_reply_from_a_client_with_its_own_tzid_is_converted():
    ics = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r
METHOD:REPLY\r
BEGIN:VTIMEZONE\r
TZID:Planner Test Standard Time\r
BEGIN:STANDARD\r
DTSTART:16011028T030000\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010325T020000\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:meeting-7@planner.example\r
RECURRENCE-ID;TZID=Planner Test Standard Time:20250616T100000\r
DTSTAMP:20250601T120000Z\r
ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.org\r
COMMENT:On holiday\r
END:VEVENT\r
END:VCALENDAR\r
"""
    (reply,) = parse_reply(ics)
    assert reply.recurrence_id.astimezone(UTC) == datetime(2025, 6, 16, 8, 0, tzinfo=UTC)
    assert (reply.partstat, reply.sequence, reply.comment) == ("DECLINED", 0, "On holiday")


@pytest.mark.parametrize("ics", [
    reply_ics(method="REQUEST"),
    reply_ics(method=None),
    reply_ics(attendees=(("mailto:bob@example.org", "ACCEPTED"), ("mailto:eve@example.org", "ACCEPTED"))),
    reply_ics(attendees=()),
    reply_ics(attendees=(("mailto:bob@example.org", "NEEDS-ACTION"),)),
    reply_ics(attendees=(("mailto:bob@example.org", "DELEGATED"),)),
    reply_ics(uid=None),
    reply_ics(recurrence_id=datetime(2025, 3, 17, 10, 0)),  # floating
    b"this is not a calendar",
    b"",
    "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n",  # no VEVENT
    b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\nSEQUENCE:many\r\n"
    b"ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.c\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
], ids=["request", "no-method", "two-attendees", "no-attendee", "needs-action", "delegated", "no-uid", "floating",
        "garbage", "empty", "no-vevent", "bad-sequence"])
def test_malformed_replies_are_rejected(ics):
    with pytest.raises(ReplyError):
        parse_reply(ics)


def test_reply_error_is_a_value_error():
    assert issubclass(ReplyError, ValueError)


def _email(*, sender="Bob Stone <Bob@Example.org>", calendar: bytes | None = None, attach: bool = True):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "chair@example.org"
    message["Subject"] = "Accepted: Steering committee"
    message.set_content("Bob has accepted.")
    if calendar is not None:
        message.add_alternative(calendar.decode(), subtype="calendar", params={"method": "REPLY"})
        if attach:
            message.add_attachment(calendar, maintype="application", subtype="ics", filename="invite.ics")
    return message.as_bytes()


def test_an_email_with_the_reply_as_calendar_part_gives_sender_and_reply():
    sender, replies = replies_from_email(_email(calendar=reply_ics()))
    assert sender == "bob@example.org"
    assert [(r.uid, r.attendee_email, r.partstat) for r in replies] == [
        ("meeting-7@planner.example", "bob@example.org", "ACCEPTED")]  # inline and attached: counted once


def test_the_sender_is_returned_even_when_the_reply_names_someone_else():
    """Matching the sender to the attendee is the caller's check: both addresses come back."""
    sender, (reply,) = replies_from_email(_email(sender="eve@example.org", calendar=reply_ics(), attach=False))
    assert (sender, reply.attendee_email) == ("eve@example.org", "bob@example.org")


def test_an_email_without_calendar_part_is_rejected():
    with pytest.raises(ReplyError):
        replies_from_email(_email(calendar=None))


def test_an_email_whose_calendar_part_is_not_a_reply_is_rejected():
    with pytest.raises(ReplyError):
        replies_from_email(_email(calendar=reply_ics(method="REQUEST")))


def test_an_email_without_sender_is_rejected():
    raw = _email(calendar=reply_ics()).replace(b"From: Bob Stone <Bob@Example.org>\n", b"")
    with pytest.raises(ReplyError):
        replies_from_email(raw)
