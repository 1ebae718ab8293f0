"""Sending one calendar email: the iCalendar object (REQUEST or CANCEL), the email around it, and its
outbox row. Committee meetings and training sessions both send through here (CALENDAR.md: one email
per attendee, the method parameter equal to METHOD, a unique key per message revision)."""
from dataclasses import replace
from datetime import datetime

from planner.calendar.events import Attendee, CalendarEvent
from planner.calendar.ics import build_cancel, build_request
from planner.core import mail, outbox
from planner.core.models import OutboxMessage
from planner.core.outbox_links import SecretLinks

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def send_calendar_email(*, to: str, event: CalendarEvent, method: str, sequence: int, key: str,
                        previous_message_id: int | None, kind: str, subject: str, text: str, html: str,
                        programme_id: int | None, recurrence_id: datetime | None = None,
                        only_attendee: Attendee | None = None, links: SecretLinks | None = None) -> OutboxMessage:
    """Queue one invitation, update or cancellation to one person; returns its outbox row.

    ``key`` names the object, person, method, SEQUENCE and scope; the previous message sent to this
    person is appended, so a re-invitation at the same SEQUENCE is a new message, while two requests
    racing to send the same one collide on the key and only one copy is queued. ``links``: the secret links
    (``core.outbox_links``) whose placeholders ``text`` and ``html`` hold.
    """
    if method == REQUEST:
        ics = build_request(event)
    else:
        ics = build_cancel(replace(event, sequence=sequence), recurrence_id=recurrence_id,
                           only_attendee=only_attendee)
    message = mail.compose(to=to, subject=subject, text=text, html=html, calendar=ics, calendar_method=method)
    return outbox.enqueue(message, key=f"{key}:{previous_message_id or 0}", kind=kind, programme_id=programme_id,
                          links=links)
