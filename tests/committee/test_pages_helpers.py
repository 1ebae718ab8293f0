"""Building committee worlds through the real services for the page tests, and reading them back.

No tests here: the page tests import these helpers.
"""
import re
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from planner.committee import scheduling
from planner.committee import services as committee_services
from planner.committee.models import Committee, MeetingOccurrence, Recurrence
from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.programmes.models import Programme

#: a Monday morning; the committee's weekly meeting runs on Tuesdays at 10:00 Berlin time
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FIRST_MEETING = datetime(2026, 10, 6, 10, 0)


def committee_id(app, programme) -> int:
    with app.app_context():
        return db.session.scalar(select(Committee.id).where(Committee.programme_id == programme.id))


def seat(app, programme, person, role: str = "department_representative", starts_on: date = date(2026, 9, 1)) -> int:
    """Put a person on the programme's committee; returns the member id."""
    with app.app_context():
        committee = db.session.get(Committee, committee_id(app, programme))
        member = committee_services.add_member(committee, person_id=person.id, role=role, starts_on=starts_on)
        db.session.commit()
        return member.id


def schedule(app, programme, *, title: str = "Steering committee", local_start: datetime = FIRST_MEETING,
             recurrence: Recurrence = Recurrence.WEEKLY, count: int | None = 10, send_now: bool = False,
             duration_minutes: int = 60, **values) -> int:
    """A meeting of the programme's committee (weekly on Tuesdays by default); returns its id."""
    with app.app_context():
        committee = db.session.get(Committee, committee_id(app, programme))
        plan = scheduling.MeetingPlan(title=title, local_start=local_start, time_zone="Europe/Berlin",
                                      duration_minutes=duration_minutes, recurrence=recurrence,
                                      weekdays=["TU"] if recurrence is Recurrence.WEEKLY else [], count=count,
                                      **values)
        meeting = scheduling.schedule_meeting(committee, plan, organiser_id=None, send_now=send_now)
        db.session.commit()
        return meeting.id


def occurrence_ids(app, meeting_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(MeetingOccurrence.id).where(MeetingOccurrence.meeting_id == meeting_id)
                                       .order_by(MeetingOccurrence.original_start)))


def past_and_next(app, meeting_id: int, now: datetime = NOW) -> tuple[int, int]:
    """(the last occurrence before ``now``, the first one after it)."""
    with app.app_context():
        rows = db.session.execute(select(MeetingOccurrence.id, MeetingOccurrence.starts_at)
                                  .where(MeetingOccurrence.meeting_id == meeting_id)
                                  .order_by(MeetingOccurrence.starts_at)).all()
    past = [oid for oid, starts_at in rows if starts_at < now]
    future = [oid for oid, starts_at in rows if starts_at >= now]
    return past[-1], future[0]


def add_items(app, occurrence_id: int, n: int, programme=None, presenter=None, milestone_id=None) -> list[int]:
    with app.app_context():
        occurrence = db.session.get(MeetingOccurrence, occurrence_id)
        ids = []
        for i in range(n):
            item = committee_services.add_agenda_item(occurrence, title=f"Item {i + 1}", minutes_allotted=10,
                                                      presenter_id=presenter.id if presenter else None,
                                                      milestone_id=milestone_id)
            db.session.flush()
            ids.append(item.id)
        db.session.commit()
        return ids


def outbox(app, kind: str | None = None) -> list[tuple[str, str, str]]:
    """(kind, recipient, subject) of every queued email, oldest first."""
    with app.app_context():
        query = select(OutboxMessage.kind, OutboxMessage.recipient, OutboxMessage.subject).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return [tuple(row) for row in db.session.execute(query)]


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def load(app, model, object_id: int):
    """An object read in a fresh session, detached with its columns loaded."""
    with app.app_context():
        obj = db.session.get(model, object_id)
        if obj is not None:
            db.session.refresh(obj)
            db.session.expunge(obj)
        return obj


def flashes(page_html: str) -> list[str]:
    return re.findall(r'<p class="flash flash-\w+">(.*?)</p>', page_html, re.DOTALL)


def page_errors(page_html: str) -> str:
    """The text of the form-level error box(es) of a page."""
    return " ".join(re.findall(r'<div class="form-errors" role="alert">(.*?)</div>', page_html, re.DOTALL))


def programme_of(app, programme) -> Programme:
    with app.app_context():
        return db.session.get(Programme, programme.id)

