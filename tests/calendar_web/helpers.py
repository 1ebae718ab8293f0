"""Building committees, meetings and replies for the calendar tests, through the real services."""
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select

from planner.committee import scheduling
from planner.committee import services as committee_services
from planner.committee.models import Committee, Meeting, MeetingInvitee, Recurrence
from planner.core import secret_links
from planner.extensions import db

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
ORGANISER = "planner@localhost"


@dataclass
class Invited:
    """A meeting (its id) and, per invited address, the invitee id and RSVP token."""

    meeting_id: int
    uid: str
    invitees: dict[str, int]
    tokens: dict[str, str]


def seat_members(app, factories, programme, emails) -> None:
    """Put a person with each address on the programme's committee."""
    people = [factories.person(programme, email=email) for email in emails]
    with app.app_context():
        committee = db.session.scalar(select(Committee).where(Committee.programme_id == programme.id))
        for person in people:
            committee_services.add_member(committee, person_id=person.id, role="department_representative",
                                          starts_on=date(2026, 1, 1))
        db.session.commit()


def make_meeting(app, programme, *, title="Steering committee", start=datetime(2027, 3, 2, 10, 0),
                 recurrence=Recurrence.NONE, count=None, organiser_id=None, publish=True) -> Invited:
    """A meeting of the programme's committee, scheduled (invitations queued) unless ``publish`` is False."""
    with app.app_context():
        committee = db.session.scalar(select(Committee).where(Committee.programme_id == programme.id))
        plan = scheduling.MeetingPlan(title=title, local_start=start, time_zone="Europe/Berlin", duration_minutes=60,
                                      location="Room 4", recurrence=recurrence, count=count)
        meeting = scheduling.schedule_meeting(committee, plan, organiser_id=organiser_id, send_now=publish)
        db.session.commit()
        invitees = {invitee.email: invitee.id for invitee in meeting.invitees}
        tokens = {invitee.email: secret_links.derive_token("rsvp", invitee.rsvp_salt) for invitee in meeting.invitees}
        return Invited(meeting.id, meeting.uid, invitees, tokens)


def load(app, model, object_id):
    """A fresh copy of a row, read in its own session (what the last request committed)."""
    with app.app_context():
        obj = db.session.get(model, object_id)
        if obj is not None:
            db.session.refresh(obj)
            db.session.expunge(obj)
        return obj


def occurrence_ids(app, meeting_id: int) -> list[int]:
    with app.app_context():
        return [occurrence.id for occurrence in db.session.get(Meeting, meeting_id).occurrences]


def invitee(app, invitee_id: int) -> MeetingInvitee:
    return load(app, MeetingInvitee, invitee_id)


def reply_ics(uid: str, attendee: str, partstat: str = "ACCEPTED", *, recurrence_id: datetime | None = None,
              extra_events: list[dict] | None = None) -> bytes:
    """An iTIP REPLY as a calendar client sends it: one VEVENT per answer, only the sender as ATTENDEE."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Test client//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REPLY")
    for spec in [{"uid": uid, "attendee": attendee, "partstat": partstat, "recurrence_id": recurrence_id},
                 *(extra_events or [])]:
        event = icalendar.Event()
        event.add("uid", spec["uid"])
        event.add("dtstamp", datetime(2027, 1, 5, 9, 0, tzinfo=UTC))
        event.add("sequence", 0)
        event.add("organizer", f"mailto:{ORGANISER}")
        event.add("attendee", f"mailto:{spec['attendee']}", parameters={"PARTSTAT": spec["partstat"]})
        if spec.get("recurrence_id") is not None:
            event.add("recurrence-id", spec["recurrence_id"])
        calendar.add_component(event)
    return calendar.to_ical()


def reply_email(sender: str, ics: bytes) -> bytes:
    """The email a calendar client sends back to the organiser (iMIP), with the reply inline."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ORGANISER
    message["Subject"] = "Accepted: Steering committee"
    message.set_content("I will be there.")
    message.add_alternative(ics.decode(), subtype="calendar", params={"method": "REPLY"})
    return message.as_bytes()
