"""Reading iTIP REPLY objects (RFC 5546), alone or out of a received email (iMIP, RFC 6047).

Parsing only: matching a reply to a meeting, and checking that its attendee is the person who sent it,
is the caller's job (CALENDAR.md, "Answers").
"""
from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import date, datetime

import icalendar

ANSWERS = frozenset({"ACCEPTED", "TENTATIVE", "DECLINED"})


class ReplyError(ValueError):
    """A reply that cannot be used: not a REPLY, malformed, or not naming exactly one attendee."""


@dataclass(frozen=True)
class Reply:
    """One attendee's answer to a meeting (``recurrence_id`` None) or to one of its occurrences."""

    uid: str
    attendee_email: str
    partstat: str
    recurrence_id: datetime | None
    sequence: int
    comment: str


def parse_reply(ics: bytes | str) -> list[Reply]:
    """The answers in an iCalendar object with METHOD:REPLY, one per VEVENT.

    Raises ReplyError for anything else: another method, unparseable text, a VEVENT without UID, with no
    or several ATTENDEEs, with an answer other than ACCEPTED / TENTATIVE / DECLINED, or with a floating
    RECURRENCE-ID.
    """
    return _replies_in(_calendar(ics))


def replies_from_email(raw: bytes) -> tuple[str, list[Reply]]:
    """The sender (lower-cased From address) and the REPLY answers in every calendar part of an email.

    Calendar parts are ``text/calendar`` parts and ``.ics`` attachments; parts with another METHOD are
    skipped, and an answer present twice (inline and as attachment) is returned once. Raises ReplyError when
    the message has no sender, no calendar part, or no REPLY among its calendar parts.
    """
    message = email.message_from_bytes(raw, policy=email.policy.default)
    sender = _sender(message)
    replies: list[Reply] = []
    found_calendar = False
    for part in message.walk():
        if part.is_multipart() or not _is_calendar_part(part):
            continue
        found_calendar = True
        calendar = _calendar(_content(part))
        if _method(calendar) != "REPLY":
            continue
        for reply in _replies_in(calendar):
            if reply not in replies:
                replies.append(reply)
    if not found_calendar:
        raise ReplyError("the message has no calendar part")
    if not replies:
        raise ReplyError("the message has no METHOD:REPLY calendar part")
    return sender, replies


def _replies_in(calendar: icalendar.Calendar) -> list[Reply]:
    method = _method(calendar)
    if method != "REPLY":
        raise ReplyError(f"expected METHOD:REPLY, got {method or 'no METHOD'}")
    events = calendar.walk("VEVENT")
    if not events:
        raise ReplyError("the reply holds no VEVENT")
    return [_reply(event) for event in events]


def _calendar(ics: bytes | str) -> icalendar.Calendar:
    try:
        calendar = icalendar.Calendar.from_ical(ics)
    except ValueError as error:
        raise ReplyError(f"not an iCalendar object: {error}") from None
    if calendar.name != "VCALENDAR":
        raise ReplyError("not an iCalendar object (no VCALENDAR)")
    return calendar


def _method(calendar: icalendar.Calendar) -> str:
    return str(calendar.get("METHOD", "")).strip().upper()


def _content(part: email.message.EmailMessage) -> bytes | str:
    """A part's text, decoded from its transfer encoding and, for text parts, from its charset."""
    try:
        return part.get_content()
    except (LookupError, ValueError):
        return part.get_payload(decode=True) or b""


def _reply(event: icalendar.Event) -> Reply:
    uid = str(event.get("UID", "")).strip()
    if not uid:
        raise ReplyError("a VEVENT in the reply has no UID")
    attendees = event.get("ATTENDEE")
    if attendees is None:
        attendees = []
    elif not isinstance(attendees, list):
        attendees = [attendees]
    if len(attendees) != 1:
        raise ReplyError(f"a reply names exactly one attendee, this one names {len(attendees)}")
    attendee = attendees[0]
    address = str(attendee).strip()
    if address.lower().startswith("mailto:"):
        address = address[len("mailto:"):]
    address = address.strip().lower()
    if "@" not in address:
        raise ReplyError(f"the attendee is not an email address: {attendee!s}")
    partstat = str(attendee.params.get("PARTSTAT", "")).strip().upper()
    if partstat not in ANSWERS:
        raise ReplyError(f"unknown answer PARTSTAT={partstat or '(none)'}")
    return Reply(uid=uid, attendee_email=address, partstat=partstat, recurrence_id=_recurrence_id(event),
                 sequence=_sequence(event), comment=_comment(event))


def _recurrence_id(event: icalendar.Event) -> datetime | None:
    if "RECURRENCE-ID" not in event:
        return None
    value = getattr(event["RECURRENCE-ID"], "dt", None)
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value
    if isinstance(value, date | datetime):
        raise ReplyError("RECURRENCE-ID must be a zoned or UTC date-time")
    raise ReplyError("RECURRENCE-ID cannot be read")


def _sequence(event: icalendar.Event) -> int:
    value = event.get("SEQUENCE", 0)
    try:
        sequence = int(value)
    except (TypeError, ValueError):
        raise ReplyError(f"SEQUENCE is not a number: {value!s}") from None
    if sequence < 0:
        raise ReplyError("SEQUENCE is never negative")
    return sequence


def _comment(event: icalendar.Event) -> str:
    value = event.get("COMMENT")
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


def _is_calendar_part(part: email.message.EmailMessage) -> bool:
    filename = (part.get_filename() or "").lower()
    return part.get_content_type() == "text/calendar" or filename.endswith(".ics")


def _sender(message: email.message.EmailMessage) -> str:
    try:
        header = message["From"]
        addresses = header.addresses if header is not None else ()
    except (IndexError, ValueError, AttributeError):
        addresses = ()
    if len(addresses) != 1 or not addresses[0].addr_spec or "@" not in addresses[0].addr_spec:
        raise ReplyError("the message has no single sender address")
    return addresses[0].addr_spec.strip().lower()
