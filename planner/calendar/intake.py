"""Taking in iTIP replies (CALENDAR.md, "Answers"): received emails, bare .ics replies, uploads.

A received email's sender (its From address) must be the attendee the reply answers for. A bare
.ics file carries no sender, so it is only taken from someone the planner trusts: the organiser
uploading it, or an operator naming it with ``--trusted``. Matching and recording is
``invitations.apply_reply``; these functions flush, never commit.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from planner.calendar.replies import Reply, parse_reply, replies_from_email
from planner.committee import invitations
from planner.committee.models import Meeting, MeetingInvitee
from planner.core.errors import DomainError
from planner.extensions import db


@dataclass(frozen=True)
class Recorded:
    """One answer that was recorded: who, what, for which meeting (and occurrence)."""

    email: str
    answer: str
    meeting_title: str
    occurrence: str | None

    def __str__(self) -> str:
        scope = f" on {self.occurrence}" if self.occurrence else ""
        return f"{self.email}: {self.answer} for {self.meeting_title}{scope}"


def looks_like_ics(data: bytes, filename: str = "") -> bool:
    """A bare iCalendar object (by its name, or by its first line) rather than an email."""
    if filename.lower().endswith(".ics"):
        return True
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].upper() == b"BEGIN:VCALENDAR"


def read_replies(data: bytes, *, is_ics: bool) -> tuple[str | None, list[Reply]]:
    """(sender, replies) of an email, or (None, replies) of a bare .ics; raises ReplyError for anything else."""
    if is_ics:
        return None, parse_reply(data)
    return replies_from_email(data)


def apply_replies(sender: str | None, replies: list[Reply], *, programme_id: int | None = None) -> list[Recorded]:
    """Record every answer; all or nothing for the caller's transaction (a refusal raises DomainError).

    ``programme_id`` limits the replies to meetings of one programme (the upload page of a programme).
    """
    recorded = []
    for reply in replies:
        if programme_id is not None:
            meeting_programme = _programme_of(reply.uid)
            if meeting_programme != programme_id:
                raise DomainError(_("The reply (UID %(uid)s) is not about a meeting of this programme.",
                                    uid=reply.uid))
        invitee = invitations.apply_reply(sender, reply)
        recorded.append(_recorded(invitee, reply))
    return recorded


def receive(data: bytes, *, is_ics: bool, programme_id: int | None = None) -> list[Recorded]:
    """Read and record one received file. Raises ReplyError (unreadable) or DomainError (refused)."""
    sender, replies = read_replies(data, is_ics=is_ics)
    return apply_replies(sender, replies, programme_id=programme_id)


def _programme_of(uid: str) -> int | None:
    """The programme of the meeting with this UID, or None when no meeting has it."""
    return db.session.scalar(select(Meeting.programme_id).where(Meeting.uid == uid))


def _recorded(invitee: MeetingInvitee, reply: Reply) -> Recorded:
    meeting = invitee.meeting
    occurrence = None
    if reply.recurrence_id is not None:
        occurrence = reply.recurrence_id.astimezone(meeting.zone).strftime("%Y-%m-%d %H:%M")
    return Recorded(email=invitee.email, answer=reply.partstat, meeting_title=meeting.title, occurrence=occurrence)

