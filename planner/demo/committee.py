"""The demo's steering committee: members, a monthly series with minuted past meetings, decisions and
actions, and the next meeting's agenda drafted but not yet published (so the "agenda late" flag shows)."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from planner.committee import scheduling
from planner.committee import services as committee_services
from planner.committee.models import ActionStatus, Committee, Meeting, MeetingStatus, Recurrence
from planner.core import clock
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Programme


def _second_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def _past_second_tuesdays(on_day: date, count: int) -> list[date]:
    """The last ``count`` second Tuesdays before ``on_day``, newest first."""
    found, year, month = [], on_day.year, on_day.month
    while len(found) < count:
        day = _second_tuesday(year, month)
        if day < on_day:
            found.append(day)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


def load_committee(programme: Programme, spec: dict, on_day: date) -> int:
    """Seat the members and create the monthly series once; returns 1 when it was created, else 0."""
    committee = db.session.scalar(select(Committee).where(Committee.programme_id == programme.id)
                                  .order_by(Committee.id))
    if committee is None:
        committee = committee_services.create_default_committee(programme)
    if db.session.scalar(select(Meeting.id).where(Meeting.committee_id == committee.id)):
        return 0
    people = {person.email: person for person in db.session.scalars(
        select(Person).where(Person.programme_id == programme.id))}
    series = spec["series"]
    first_day = _past_second_tuesdays(on_day, len(spec["past_meetings"]))[-1]
    for member in spec["members"]:
        committee_services.add_member(committee, person_id=people[member["email"]].id, role=member["role"],
                                      starts_on=first_day - timedelta(days=14))
    hour, minute = (int(part) for part in series["time"].split(":"))
    meeting = scheduling.schedule_meeting(committee, scheduling.MeetingPlan(
        title=series["title"], description=series["description"], time_zone=programme.home_time_zone,
        local_start=datetime.combine(first_day, time(hour, minute)), duration_minutes=series["duration_minutes"],
        location=series["location"], online_url=series["online_url"], recurrence=Recurrence.MONTHLY_BY_WEEKDAY,
        monthly_week=2), organiser_id=None)
    # the invitations of the past went out long ago: mark them as sent at the current revision
    meeting.status = MeetingStatus.SCHEDULED
    for invitee in meeting.invitees:
        invitee.last_sequence_sent, invitee.last_method_sent = meeting.sequence, "REQUEST"
    now = clock.now()
    past = [o for o in meeting.occurrences if o.starts_at + o.duration < now]
    for occurrence, record in zip(past[-len(spec["past_meetings"]):], spec["past_meetings"]):
        _minute(programme, meeting, occurrence, record, people)
    upcoming = next((o for o in meeting.occurrences if o.starts_at > now), None)
    if upcoming is not None:
        for title, minutes, presenter in spec["next_agenda"]:
            committee_services.add_agenda_item(upcoming, title=title, minutes_allotted=minutes,
                                               presenter_id=people[presenter].id)
    db.session.flush()
    return 1


def _minute(programme, meeting, occurrence, record: dict, people: dict) -> None:
    for title, minutes, presenter in record["agenda"]:
        committee_services.add_agenda_item(occurrence, title=title, minutes_allotted=minutes,
                                           presenter_id=people[presenter].id)
    occurrence.agenda_published_revision = occurrence.agenda_revision
    occurrence.agenda_published_at = meeting.aware(occurrence.local_start - timedelta(days=6))
    absent = {people[email].id for email in record["absent"]}
    committee_services.record_attendance(occurrence, {
        invitee.person_id: ("absent" if invitee.person_id in absent else "present", "")
        for invitee in meeting.invitees})
    committee_services.record_minutes(occurrence, minutes=record["minutes"], expected_version=None)
    day = occurrence.local_start.date()
    for text in record["decisions"]:
        committee_services.record_decision(programme, text=text, recorded_by_id=None, occurrence=occurrence)
    for title, owner, due_in_days, status in record["actions"]:
        action = committee_services.add_action(programme, title=title, owner_id=people[owner].id,
                                               due_on=day + timedelta(days=due_in_days), occurrence=occurrence)
        if status != "open":
            action.status = ActionStatus(status)
            action.completed_on = day + timedelta(days=due_in_days - 2)
