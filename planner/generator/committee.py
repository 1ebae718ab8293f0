"""The steering committee: members seated through the services and weekly meeting series whose past
occurrences are held (attendance, minutes, decisions, actions) and whose future ones are scheduled, the next
with its agenda. Invitations are marked sent at the series' revision without writing outbox rows (no mail)."""
import math
from datetime import datetime, time, timedelta

from sqlalchemy import select

from planner.committee import scheduling
from planner.committee import services as committee_services
from planner.committee.models import ActionStatus, Committee, MeetingStatus, Recurrence
from planner.core import clock
from planner.extensions import db
from planner.generator.structure import Frame
from planner.generator.vocabulary import TOPICS

SERIES_TITLES = ("Steering committee", "Wave readiness review", "Training and adoption board",
                 "Data migration check-in", "Regional steering")
AGENDA_TITLES = ("Status of the current wave", "Training completion", "Open defects", "Risks above 15",
                 "Change requests", "Adoption figures", "Communication plan", "Next go-live readiness")
PAST_SHARE = 2 / 3


def build_committee(frame: Frame, people: list[dict], scale: float, rng) -> int:
    """Seat the committee and create its meetings; returns how many occurrences were made."""
    programme = frame.programme
    committee = db.session.scalar(select(Committee).where(Committee.programme_id == programme.id)
                                  .order_by(Committee.id))
    total = max(6, round(60 * scale))
    series_count = max(1, round(scale))
    per_series = max(6, math.ceil(total / series_count))
    past_weeks = round(per_series * PAST_SHARE)
    first_day = frame.today - timedelta(weeks=past_weeks)
    member_ids = _seat_members(committee, people, first_day - timedelta(days=14))
    now = clock.now()
    made = 0
    for number in range(series_count):
        title = SERIES_TITLES[number % len(SERIES_TITLES)]
        if number >= len(SERIES_TITLES):
            title = f"{title} {number // len(SERIES_TITLES) + 1}"
        local_start = datetime.combine(first_day + timedelta(days=number % 5), time(9 + number % 7, 0))
        meeting = scheduling.schedule_meeting(committee, scheduling.MeetingPlan(
            title=title, description="Weekly steering of the rollout.", time_zone=programme.home_time_zone,
            local_start=local_start, duration_minutes=60, location="Board room and online",
            online_url="https://meet.example.com/steering", recurrence=Recurrence.WEEKLY, count=per_series),
            organiser_id=None)
        meeting.status = MeetingStatus.SCHEDULED
        for invitee in meeting.invitees:
            invitee.last_sequence_sent, invitee.last_method_sent = meeting.sequence, "REQUEST"
        occurrences = list(meeting.occurrences)
        made += len(occurrences)
        past = [o for o in occurrences if o.starts_at + o.duration < now]
        for occurrence in past[:-1]:
            _hold(programme, meeting, occurrence, member_ids, rng)
        upcoming = next((o for o in occurrences if o.starts_at > now), None)
        if upcoming is not None:
            for title in rng.sample(AGENDA_TITLES, 3):
                committee_services.add_agenda_item(upcoming, title=title, minutes_allotted=rng.choice((10, 15, 20)),
                                                   presenter_id=rng.choice(member_ids))
    db.session.flush()
    return made


def _seat_members(committee: Committee, people: list[dict], starts_on) -> list[int]:
    """Sponsor, chair, project manager, a representative per department and a vendor consultant."""
    seats = [(people[0]["id"], "executive_sponsor"), (people[1]["id"], "project_manager")]
    seen_departments = set()
    for row in people[2:]:
        if row["department_id"] not in seen_departments:
            seen_departments.add(row["department_id"])
            seats.append((row["id"], "department_representative"))
    seats.append((people[-1]["id"], "vendor_or_consultant"))
    seats.insert(1, (people[-2]["id"], "chair"))
    for person_id, role in seats:
        committee_services.add_member(committee, person_id=person_id, role=role, starts_on=starts_on)
    db.session.flush()
    return [person_id for person_id, _role in seats]


def _hold(programme, meeting, occurrence, member_ids: list[int], rng) -> None:
    """A past meeting: its agenda published, attendance, minutes, sometimes a decision and actions."""
    for title in rng.sample(AGENDA_TITLES, rng.randint(2, 4)):
        committee_services.add_agenda_item(occurrence, title=title, minutes_allotted=rng.choice((10, 15, 20)),
                                           presenter_id=rng.choice(member_ids))
    occurrence.agenda_published_revision = occurrence.agenda_revision
    occurrence.agenda_published_at = meeting.aware(occurrence.local_start - timedelta(days=3))
    committee_services.record_attendance(occurrence, {
        invitee.person_id: ("absent" if rng.random() < 0.15 else "present", "") for invitee in meeting.invitees})
    topic = rng.choice(TOPICS)
    committee_services.record_minutes(occurrence, expected_version=None, minutes=(
        f"Reviewed the rollout status and the open points on {topic}. Training and adoption figures noted."))
    day = occurrence.local_start.date()
    if rng.random() < 0.5:
        committee_services.record_decision(programme, text=f"Agreed the next steps on {topic}.",
                                           recorded_by_id=None, occurrence=occurrence)
    for _number in range(rng.randint(0, 2)):
        due_in = rng.randint(5, 30)
        action = committee_services.add_action(programme, title=f"Follow up on {rng.choice(TOPICS)}",
                                               owner_id=rng.choice(member_ids), due_on=day + timedelta(days=due_in),
                                               occurrence=occurrence)
        if day + timedelta(days=due_in) < clock.today() and rng.random() < 0.7:
            action.status = ActionStatus.DONE
            action.completed_on = day + timedelta(days=due_in - rng.randint(0, 4))
