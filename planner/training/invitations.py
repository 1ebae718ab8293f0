"""Calendar invitations for training sessions: to each enrolled person and to the trainer, through the same
ICS, email and outbox machinery as committee meetings (``planner/calendar/sending.py``).

A proposed session sends nothing. Scheduling invites everyone enrolled and the trainer; a change of time
or place (a higher SEQUENCE) sends the update; someone taken off, moved or put on the waitlist gets a
CANCEL listing only them; a cancelled session sends everyone a CANCEL; a new trainer gets the
invitation and the previous one a cancellation. Each enrolment (and the session, for its trainer)
keeps the SEQUENCE and METHOD last sent, so only what is out of date is sent.
"""
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import gettext as _

from planner.calendar.events import Attendee, CalendarEvent
from planner.calendar.sending import CANCEL, REQUEST, send_calendar_email
from planner.committee.invitations import organiser_address
from planner.core import clock
from planner.core.links import external_url
from planner.extensions import db
from planner.training.models import Enrolment, EnrolmentStatus, SessionStatus, TrainingSession

TRAINER_ROLE = "CHAIR"
TRAINEE_ROLE = "REQ-PARTICIPANT"


def session_event(session: TrainingSession, *, dtstamp, with_attendees: bool) -> CalendarEvent:
    """The session as a calendar event (no recurrence: every session is its own event)."""
    start = session.local_start.replace(tzinfo=ZoneInfo(session.time_zone))
    attendees = ()
    if with_attendees:
        trainees = sorted((e.person for e in session.enrolments if e.status is EnrolmentStatus.ENROLLED),
                          key=lambda person: person.email.lower())
        attendees = tuple(Attendee(email=p.email.lower(), name=p.full_name, role=TRAINEE_ROLE) for p in trainees)
        if session.trainer is not None:
            attendees = (Attendee(email=session.trainer.email.lower(), name=session.trainer.email,
                                  role=TRAINER_ROLE),) + attendees
    organiser_name, organiser_email = organiser_address()
    course = session.course
    description = "\n".join(filter(None, [course.description, *course.links,
                                          _("Session page: %(url)s", url=_session_url(session))]))
    return CalendarEvent(
        uid=session.uid, sequence=session.sequence, summary=_("Training: %(course)s", course=course.title),
        start=start, end=start + (session.local_end - session.local_start), dtstamp=dtstamp,
        description=description, location=session.location or session.online_url, url=session.online_url,
        organizer_email=organiser_email, organizer_name=organiser_name, attendees=attendees,
        is_cancelled=session.status is SessionStatus.CANCELLED, categories=("Training",))


def _session_url(session: TrainingSession) -> str:
    return external_url("training.show_session", programme_id=session.programme_id, session_id=session.id)


def _due(session: TrainingSession, is_active: bool, last_method: str | None, last_sequence: int | None) -> str | None:
    """REQUEST, CANCEL or nothing for one recipient, from what they were last sent."""
    if session.status is SessionStatus.PROPOSED:
        return None
    if session.status is SessionStatus.SCHEDULED and is_active:
        if session.ends_at <= clock.now():
            return None  # a walk-in enrolled afterwards (to be marked) needs no invitation to the past
        if last_method != REQUEST or last_sequence is None or last_sequence < session.sequence:
            return REQUEST
        return None
    return CANCEL if last_method == REQUEST else None


def send_session_updates(session: TrainingSession) -> int:
    """Queue what each trainee and the trainer are due. Returns how many emails were queued."""
    queued = 0
    now = clock.now()
    for enrolment in session.enrolments:
        is_active = enrolment.status is EnrolmentStatus.ENROLLED
        method = _due(session, is_active, enrolment.last_method_sent, enrolment.last_sequence_sent)
        if method is None:
            continue
        person = enrolment.person
        row = _send(session, to=person.email.lower(), name=person.full_name, role=TRAINEE_ROLE, method=method,
                    only_them=not is_active and session.status is not SessionStatus.CANCELLED,
                    previous_message_id=enrolment.last_message_id, who=f"person-{person.id}", now=now)
        enrolment.last_sequence_sent, enrolment.last_method_sent = session.sequence, method
        enrolment.last_message_id, enrolment.last_message = row.id, row
        queued += 1
    return queued + _send_to_trainers(session, now)


def _send_to_trainers(session: TrainingSession, now) -> int:
    queued = 0
    trainer_email = session.trainer.email.lower() if session.trainer is not None else None
    if session.trainer_email_sent and session.trainer_email_sent != trainer_email:
        if session.trainer_method_sent == REQUEST:  # the previous trainer is off this session
            _send(session, to=session.trainer_email_sent, name=session.trainer_email_sent, role=TRAINER_ROLE,
                  method=CANCEL, only_them=session.status is not SessionStatus.CANCELLED,
                  previous_message_id=session.trainer_message_id, who=f"trainer-{session.trainer_email_sent}",
                  now=now)
            queued += 1
        session.trainer_email_sent = session.trainer_sequence_sent = session.trainer_method_sent = None
        session.trainer_message_id = None
    if trainer_email is None:
        return queued
    method = _due(session, True, session.trainer_method_sent, session.trainer_sequence_sent)
    if method is None:
        return queued
    row = _send(session, to=trainer_email, name=trainer_email, role=TRAINER_ROLE, method=method, only_them=False,
                previous_message_id=session.trainer_message_id, who=f"trainer-{trainer_email}", now=now)
    session.trainer_email_sent, session.trainer_sequence_sent = trainer_email, session.sequence
    session.trainer_method_sent, session.trainer_message_id = method, row.id
    return queued + 1


def _send(session: TrainingSession, *, to: str, name: str, role: str, method: str, only_them: bool,
          previous_message_id: int | None, who: str, now):
    event = session_event(session, dtstamp=now, with_attendees=True)
    course = session.course.title
    if method == REQUEST:
        kind = "update" if session.sequence else "invite"
        subject = (_("Updated training: %(course)s", course=course) if session.sequence
                   else _("Training invitation: %(course)s", course=course))
    else:
        kind = "cancel"
        subject = (_("No longer enrolled: %(course)s", course=course) if only_them
                   else _("Training cancelled: %(course)s", course=course))
    context = dict(session=session, method=method, kind=kind, only_them=only_them, recipient_name=name,
                   is_trainer=role == TRAINER_ROLE, link=_session_url(session),
                   when=f"{session.local_start:%a %Y-%m-%d %H:%M}-{session.local_end:%H:%M} ({session.time_zone})")
    return send_calendar_email(
        to=to, event=event, method=method, sequence=session.sequence,
        key=f"training:{session.uid}:{who}:{method}:{session.sequence}", previous_message_id=previous_message_id,
        kind=kind, subject=subject, text=render_template("training/email/invitation.txt", **context),
        html=render_template("training/email/invitation.html", **context), programme_id=session.programme_id,
        only_attendee=Attendee(email=to, name=name, role=role) if only_them else None)


def is_out_of_date(session: TrainingSession, enrolment: Enrolment) -> bool:
    """Whether this trainee's calendar lacks the session's latest state."""
    return _due(session, enrolment.status is EnrolmentStatus.ENROLLED, enrolment.last_method_sent,
                enrolment.last_sequence_sent) is not None


def flush_and_send(session: TrainingSession) -> int:
    """After a change to a session or its enrolments: flush, then send what is due."""
    db.session.flush()
    db.session.refresh(session, ["enrolments"])
    return send_session_updates(session)
