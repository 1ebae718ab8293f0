"""Invitations to committee meetings: who is invited, what each person was last sent, their answers.

One email per attendee (CALENDAR.md), queued in the outbox in the same transaction as the change.
The per-recipient record (``MeetingInvitee``) keeps the SEQUENCE and METHOD last sent, so "re-send
to everyone out of date" and "who has not answered" are one query away.
"""
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from planner.calendar.events import Attendee, CalendarEvent, Override
from planner.calendar.sending import CANCEL, REQUEST, send_calendar_email
from planner.committee.models import (
    Answer, CommitteeMember, Meeting, MeetingInvitee, MeetingOccurrence, MeetingStatus, OccurrenceAnswer,
)
from planner.core import audit, clock, outbox, outbox_links, secret_links
from planner.core.errors import DomainError, StaleEditError
from planner.core.links import external_url
from planner.core.models import OutboxStatus
from planner.core.upsert import insert_ignoring_conflicts
from planner.extensions import db
from planner.people.models import Person

if TYPE_CHECKING:
    from planner.calendar.replies import Reply

RSVP_PURPOSE = "rsvp"
#: the kind of secret link an invitation email carries (``core.outbox_links``), keyed by the invitee's id
RSVP_LINK = "rsvp"


def rsvp_tokens(invitee_ids) -> dict[int, str]:
    """Invitee id -> the token of their RSVP link now, for the mail sender (one query)."""
    return secret_links.current_tokens(MeetingInvitee.id, invitee_ids, purpose=RSVP_PURPOSE,
                                       salt=MeetingInvitee.rsvp_salt, stored_hash=MeetingInvitee.rsvp_token_hash)


outbox_links.register(RSVP_LINK, rsvp_tokens)


# --- who is invited ----------------------------------------------------------------------------

def _new_invitee(meeting: Meeting, person: Person, ics_role: str, *, is_guest: bool) -> MeetingInvitee:
    link = secret_links.new_link(RSVP_PURPOSE)
    invitee = MeetingInvitee(
        meeting_id=meeting.id, person_id=person.id, email=person.email.strip().lower(), name=person.full_name,
        ics_role=ics_role, is_guest=is_guest, rsvp_salt=link.salt, rsvp_token_hash=link.token_hash,
        answer=Answer.NEEDS_ACTION)
    meeting.invitees.append(invitee)
    return invitee


def ensure_invitees(meeting: Meeting) -> None:
    """Invite every member still serving on the day of the meeting's next occurrence; mark members who
    will have left by then as removed.

    Guests stay until removed by hand. Removed people are sent a cancellation with the next
    ``send_updates``; a member who comes back is invited again. ``roll-meetings`` runs this daily,
    so someone leaving later in a series drops out once their last meeting is past.
    """
    upcoming = next_occurrence(meeting)
    day = upcoming.local_start.date() if upcoming is not None else clock.today()
    members = db.session.scalars(
        select(CommitteeMember).where(CommitteeMember.committee_id == meeting.committee_id,
                                      (CommitteeMember.ends_on.is_(None)) | (CommitteeMember.ends_on >= day))
        .order_by(CommitteeMember.starts_on)).all()
    wanted = {member.person_id: member for member in members}
    existing = {invitee.person_id: invitee for invitee in meeting.invitees}
    for person_id, member in wanted.items():
        invitee = existing.get(person_id)
        if invitee is None:
            _new_invitee(meeting, member.person, member.role.ics_role, is_guest=False)
        elif invitee.removed_at is not None and not invitee.is_guest:
            invitee.removed_at = None
            invitee.answer, invitee.answer_comment, invitee.answered_at = Answer.NEEDS_ACTION, "", None
    for person_id, invitee in existing.items():
        if person_id not in wanted and not invitee.is_guest and invitee.removed_at is None:
            invitee.removed_at = clock.now()
    db.session.flush()


def add_guest(meeting: Meeting, person: Person, *, is_optional: bool = False) -> int:
    """Invite someone who is not on the committee (a presenter, a vendor). Sends them the invitation."""
    if person.programme_id != meeting.programme_id:
        raise DomainError(_("Choose a person of this programme."), field="person_id")
    if not person.email:
        raise DomainError(_("%(name)s has no email address to send the invitation to.", name=person.full_name),
                          field="person_id")
    invitee = db.session.scalar(select(MeetingInvitee).where(MeetingInvitee.meeting_id == meeting.id,
                                                             MeetingInvitee.person_id == person.id))
    if invitee is not None and invitee.removed_at is None:
        raise DomainError(_("%(name)s is already invited.", name=person.full_name), field="person_id")
    role = "OPT-PARTICIPANT" if is_optional else "REQ-PARTICIPANT"
    if invitee is None:
        invitee = _new_invitee(meeting, person, role, is_guest=True)
    else:
        invitee.removed_at, invitee.is_guest, invitee.ics_role = None, True, role
        invitee.answer, invitee.answer_comment, invitee.answered_at = Answer.NEEDS_ACTION, "", None
    db.session.flush()
    audit.record_create(invitee)
    return send_updates(meeting) if meeting.status is MeetingStatus.SCHEDULED else 0


def remove_invitee(invitee: MeetingInvitee) -> int:
    """Take someone off the meeting: they are sent a cancellation that lists only them."""
    if invitee.removed_at is not None:
        raise DomainError(_("%(name)s is no longer invited.", name=invitee.name))
    invitee.removed_at = clock.now()
    invitee.is_guest = True  # stays removed even while still on the committee
    db.session.flush()
    audit.record_update(invitee, {"removed_at": [None, invitee.removed_at.isoformat()]})
    meeting = invitee.meeting
    return send_updates(meeting) if meeting.status is not MeetingStatus.DRAFT else 0


# --- what is due to whom -----------------------------------------------------------------------

def revision(meeting: Meeting) -> int:
    """The highest SEQUENCE the meeting's calendar object ever reached (series or any occurrence).

    Counting every occurrence, also one moved back to where the series puts it, keeps this from ever
    going down, so the next change always goes above what attendees hold.
    """
    return max([meeting.sequence] + [o.sequence for o in meeting.occurrences])


def _got_series_cancel(invitee: MeetingInvitee) -> bool:
    return invitee.last_method_sent == CANCEL and invitee.last_recurrence_id is None


def is_out_of_date(meeting: Meeting, invitee: MeetingInvitee) -> bool:
    """Whether this person's calendar lacks the latest state of the meeting."""
    if meeting.status is MeetingStatus.DRAFT:
        return False
    if meeting.status is MeetingStatus.CANCELLED or invitee.removed_at is not None:
        return invitee.last_method_sent is not None and not _got_series_cancel(invitee)
    return (invitee.last_sequence_sent is None or invitee.last_sequence_sent < revision(meeting)
            or _got_series_cancel(invitee) or _delivery_failed(invitee))


def _delivery_failed(invitee: MeetingInvitee) -> bool:
    return invitee.last_message is not None and invitee.last_message.status is OutboxStatus.FAILED


def send_updates(meeting: Meeting) -> int:
    """Queue whatever each invitee is due: the invitation or its update, or a cancellation. Returns the count."""
    if meeting.status is MeetingStatus.DRAFT:
        return 0
    queued = 0
    current = revision(meeting)
    for invitee in meeting.invitees:
        if not is_out_of_date(meeting, invitee):
            continue
        if meeting.status is MeetingStatus.CANCELLED:
            _queue(meeting, invitee, CANCEL, sequence=meeting.sequence)
        elif invitee.removed_at is not None:
            _queue(meeting, invitee, CANCEL, sequence=current, only_them=True)
        elif (_delivery_failed(invitee) and invitee.last_sequence_sent == current
              and invitee.last_method_sent == REQUEST):
            outbox.retry(invitee.last_message)
        else:
            _queue(meeting, invitee, REQUEST, sequence=current)
        queued += 1
    return queued


def send_occurrence_cancel(meeting: Meeting, occurrence: MeetingOccurrence, *, previous_revision: int) -> int:
    """After one occurrence was cancelled: a CANCEL for that occurrence to everyone who was up to date,
    the whole updated invitation to anyone who was not."""
    queued = 0
    for invitee in meeting.invitees:
        if invitee.removed_at is not None:
            continue
        up_to_date = (invitee.last_sequence_sent is not None and invitee.last_sequence_sent >= previous_revision
                      and invitee.last_method_sent is not None and not _got_series_cancel(invitee))
        if up_to_date:
            _queue(meeting, invitee, CANCEL, sequence=occurrence.sequence, occurrence=occurrence)
        else:
            _queue(meeting, invitee, REQUEST, sequence=revision(meeting))
        queued += 1
    return queued


def resend_out_of_date(meeting: Meeting) -> int:
    """The meeting page's "re-send to everyone out of date"."""
    if meeting.status is MeetingStatus.DRAFT:
        raise DomainError(_("A draft sends nothing; schedule the meeting first."))
    return send_updates(meeting)


# --- building the messages ---------------------------------------------------------------------

def organiser_address() -> tuple[str, str]:
    """(name, address) of MAIL_FROM: invitations are organised from the planner's own mailbox, where
    iTIP replies come back."""
    name, address = parseaddr(current_app.config["MAIL_FROM"])
    return name or "Rollout Planner", address.lower()


def meeting_event(meeting: Meeting, *, dtstamp: datetime, with_attendees: bool, description: str = "",
                  url: str = "") -> CalendarEvent:
    """The meeting as one calendar object: the series with its EXDATEs and moved occurrences."""
    start = meeting.aware(meeting.local_start)
    overrides = []
    if meeting.is_recurring:
        for occurrence in meeting.occurrences:
            if occurrence.is_cancelled or occurrence.is_moved:
                # a cancelled occurrence becomes an EXDATE; it keeps its (moved) times for a CANCEL about it
                overrides.append(Override(
                    recurrence_id=meeting.aware(occurrence.original_start),
                    start=meeting.aware(occurrence.local_start),
                    end=meeting.aware(occurrence.local_start) + occurrence.duration,
                    sequence=max(occurrence.sequence, meeting.sequence),
                    location=occurrence.location if occurrence.location is not None else _where(meeting),
                    is_cancelled=occurrence.is_cancelled))
    attendees = ()
    organiser_name, organiser_email = organiser_address()
    if with_attendees:
        attendees = tuple(Attendee(email=invitee.email, name=invitee.name, role=invitee.ics_role)
                          for invitee in sorted(meeting.invitees, key=lambda i: i.email) if invitee.is_active)
    return CalendarEvent(
        uid=meeting.uid, sequence=meeting.sequence, summary=meeting.title, start=start,
        end=start + meeting.duration, dtstamp=dtstamp, description=description or meeting.description,
        location=_where(meeting), url=url or meeting.online_url, organizer_email=organiser_email,
        organizer_name=meeting.committee.name if meeting.committee else organiser_name, attendees=attendees,
        rrule=meeting.rrule_parts(), overrides=tuple(overrides),
        is_cancelled=meeting.status is MeetingStatus.CANCELLED)


def _where(meeting: Meeting) -> str:
    return meeting.location or meeting.online_url


def renew_rsvp_links(invitees) -> None:
    """Before a page shows several invitees' links with ``rsvp_url``: renew those made under an earlier
    SECRET_KEY together, in id order as the mail sender does (one by one, in the page's order, a page and a
    sender renewing the same person's links could each wait for the other)."""
    secret_links.current_tokens_of(invitees, purpose=RSVP_PURPOSE, salt=MeetingInvitee.rsvp_salt,
                                   stored_hash=MeetingInvitee.rsvp_token_hash)


def rsvp_url(invitee: MeetingInvitee, occurrence: MeetingOccurrence | None = None) -> str:
    """The signed link that records this person's answer without logging in.

    After SECRET_KEY changed, the link sent earlier no longer works and none derived from the old salt would;
    the invitee then gets a new salt here (``secret_links.current_token_of``: unless a mail sender renewed it
    first, whose link is then the one shown), so the link sent or shown from now on works. Replacing a salt
    that no working link uses revokes nothing.
    """
    token = secret_links.current_token_of(invitee, purpose=RSVP_PURPOSE, salt=MeetingInvitee.rsvp_salt,
                                          stored_hash=MeetingInvitee.rsvp_token_hash)
    return external_url("calendar.rsvp", token=token, occurrence=occurrence.id if occurrence else None)


def meeting_url(meeting: Meeting) -> str:
    return external_url("committee.show_meeting", programme_id=meeting.programme_id, meeting_id=meeting.id)


def next_occurrence(meeting: Meeting) -> MeetingOccurrence | None:
    """The first occurrence not yet over and not cancelled."""
    now = clock.now()
    for occurrence in sorted(meeting.occurrences, key=lambda o: o.starts_at):
        if not occurrence.is_cancelled and occurrence.starts_at + occurrence.duration >= now:
            return occurrence
    return None


def _queue(meeting: Meeting, invitee: MeetingInvitee, method: str, *, sequence: int,
           only_them: bool = False, occurrence: MeetingOccurrence | None = None) -> None:
    link = meeting_url(meeting)
    event = meeting_event(meeting, dtstamp=clock.now(), with_attendees=True, url=meeting.online_url or link,
                          description=_description(meeting, link))
    kind, subject = _subject(meeting, method, only_them=only_them, occurrence=occurrence)
    upcoming = occurrence or next_occurrence(meeting)
    secret = outbox_links.SecretLinks()
    if method == REQUEST and invitee.id is None:
        db.session.flush()
    context = dict(meeting=meeting, invitee=invitee, method=method, kind=kind, occurrence=upcoming,
                   cancelled_occurrence=occurrence, only_them=only_them, meeting_link=link,
                   rsvp_link=external_url("calendar.rsvp", token=secret.token(RSVP_LINK, invitee.id))
                   if method == REQUEST else None,
                   agenda=_published_agenda(upcoming), when=describe_when(meeting, upcoming))
    scope = occurrence.original_start.strftime("%Y%m%dT%H%M") if occurrence else ("removed" if only_them else "all")
    row = send_calendar_email(
        to=invitee.email, event=event, method=method, sequence=sequence,
        key=f"invite:{meeting.uid}:{invitee.person_id}:{method}:{sequence}:{scope}",
        previous_message_id=invitee.last_message_id, kind=kind, subject=subject,
        text=render_template("committee/email/invitation.txt", **context),
        html=render_template("committee/email/invitation.html", **context), programme_id=meeting.programme_id,
        recurrence_id=meeting.aware(occurrence.original_start) if occurrence else None,
        only_attendee=Attendee(email=invitee.email, name=invitee.name, role=invitee.ics_role) if only_them else None,
        links=secret)
    invitee.last_sequence_sent = max(sequence, invitee.last_sequence_sent or 0) if method == REQUEST else sequence
    invitee.last_method_sent = method
    invitee.last_recurrence_id = occurrence.original_start if occurrence else None
    invitee.last_message_id = row.id
    invitee.last_message = row


def _description(meeting: Meeting, link: str) -> str:
    parts = [meeting.description] if meeting.description else []
    if meeting.online_url:
        parts.append(_("Join online: %(url)s", url=meeting.online_url))
    parts.append(_("Agenda and papers: %(url)s", url=link))
    return "\n\n".join(parts)


def _subject(meeting: Meeting, method: str, *, only_them: bool, occurrence: MeetingOccurrence | None):
    if method == REQUEST:
        if meeting.sequence == 0 and not any(o.sequence for o in meeting.occurrences):
            return "invite", _("Invitation: %(title)s", title=meeting.title)
        return "update", _("Updated invitation: %(title)s", title=meeting.title)
    if occurrence is not None:
        return "cancel", _("Cancelled: %(title)s on %(day)s", title=meeting.title,
                           day=occurrence.original_start.strftime("%Y-%m-%d"))
    if only_them:
        return "cancel", _("No longer invited: %(title)s", title=meeting.title)
    return "cancel", _("Cancelled: %(title)s", title=meeting.title)


def _published_agenda(occurrence: MeetingOccurrence | None):
    if occurrence is None or not occurrence.has_published_agenda:
        return []
    return list(occurrence.agenda_items)


def describe_when(meeting: Meeting, occurrence: MeetingOccurrence | None = None) -> str:
    """ "Tue 2026-12-08 10:00-11:30 (Europe/Berlin)" for emails and pages."""
    start = occurrence.local_start if occurrence else meeting.local_start
    minutes = occurrence.duration_minutes if occurrence else meeting.duration_minutes
    end = start + timedelta(minutes=minutes)
    return f"{start:%a %Y-%m-%d %H:%M}-{end:%H:%M} ({meeting.time_zone})"


# --- answers -----------------------------------------------------------------------------------

def invitee_for_token(token: str) -> MeetingInvitee | None:
    """The invitee an RSVP link belongs to, or None for an unknown or revoked link (also one made under an
    earlier SECRET_KEY)."""
    if not token or len(token) > 100:
        return None
    invitee = db.session.scalar(select(MeetingInvitee)
                                .where(MeetingInvitee.rsvp_token_hash == secret_links.token_hash(token)))
    if invitee is None or not secret_links.is_current(RSVP_PURPOSE, invitee.rsvp_salt, token):
        return None
    return invitee


def record_answer(invitee: MeetingInvitee, answer: Answer | str, *, comment: str = "",
                  occurrence: MeetingOccurrence | None = None) -> None:
    """Record accept / tentative / decline, for the whole series or for one occurrence."""
    try:
        answer = Answer(answer)
    except ValueError:
        raise DomainError(_("Answer accept, tentative or decline."), field="answer") from None
    if answer is Answer.NEEDS_ACTION:
        raise DomainError(_("Answer accept, tentative or decline."), field="answer")
    if invitee.removed_at is not None:
        raise DomainError(_("You are no longer invited to this meeting."))
    meeting = invitee.meeting
    if meeting.status is MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting was cancelled."))
    comment = (comment or "").strip()[:2000]
    now = clock.now()
    if occurrence is None:
        changes = audit.apply_changes(invitee, {"answer": answer, "answer_comment": comment, "answered_at": now})
        audit.record_update(invitee, changes)
        return
    if occurrence.meeting_id != meeting.id:
        raise DomainError(_("That occurrence belongs to another meeting."))
    if occurrence.is_cancelled:
        raise DomainError(_("That meeting was cancelled."))
    # inserted unless there is one (two clicks at once: the second waits for the first, then finds its row)
    insert_ignoring_conflicts(OccurrenceAnswer, {"invitee_id": invitee.id, "occurrence_id": occurrence.id,
                                                 "answer": answer, "comment": comment, "answered_at": now},
                              ["invitee_id", "occurrence_id"])
    row = db.session.scalars(select(OccurrenceAnswer).where(OccurrenceAnswer.invitee_id == invitee.id,
                                                            OccurrenceAnswer.occurrence_id == occurrence.id)
                             .execution_options(populate_existing=True)).one_or_none()
    if row is None:  # the other click's answer was removed since, with the invitee or the occurrence
        raise StaleEditError()
    row.answer, row.comment, row.answered_at = answer, comment, now
    db.session.flush()
    audit.record_update(invitee, {"answer": [None, f"{answer.value} for {occurrence.original_start:%Y-%m-%d %H:%M}"]})


def apply_reply(sender: str | None, reply: "Reply") -> MeetingInvitee:
    """Record an iTIP REPLY: matched on UID, RECURRENCE-ID and the attendee's address.

    ``sender`` is the address the reply came from (None when it came from a trusted upload by the
    organiser); a reply naming another attendee than its sender is refused.
    """
    attendee = reply.attendee_email.strip().lower()
    if sender is not None and sender.strip().lower() != attendee:
        raise DomainError(_("The reply names %(attendee)s but was sent by %(sender)s; refused.",
                            attendee=attendee, sender=sender))
    meeting = db.session.scalar(select(Meeting).where(Meeting.uid == reply.uid))
    if meeting is None:
        raise DomainError(_("No meeting has the UID %(uid)s.", uid=reply.uid))
    invitee = next((i for i in meeting.invitees if i.email == attendee), None)
    if invitee is None:
        raise DomainError(_("%(attendee)s is not invited to %(title)s.", attendee=attendee, title=meeting.title))
    occurrence = None
    if reply.recurrence_id is not None:
        original = reply.recurrence_id.astimezone(meeting.zone).replace(tzinfo=None)
        occurrence = next((o for o in meeting.occurrences if o.original_start == original), None)
        if occurrence is None:
            raise DomainError(_("%(title)s has no occurrence at %(when)s.", title=meeting.title,
                                when=original.strftime("%Y-%m-%d %H:%M")))
    record_answer(invitee, reply.partstat, comment=reply.comment, occurrence=occurrence)
    return invitee
