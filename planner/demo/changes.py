"""The demo's change requests: a process change the committee approved in a past meeting and that was
implemented, a scope change turned down at assessment, and a schedule change (a standard wave two weeks later
because a region's data migration is late) assessed and on the committee's next agenda, its re-plan preview
waiting for the decision."""
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from planner.auth.models import User
from planner.changes import services
from planner.changes.models import ChangeRequest
from planner.committee import services as committee_services
from planner.committee.models import AgendaItem, Committee, Meeting, MeetingOccurrence, OccurrenceStatus
from planner.core import clock
from planner.extensions import db
from planner.lifecycle.models import Stage
from planner.people.models import Person
from planner.programmes.models import Programme
from planner.rollout.calendar import programme_calendar
from planner.rollout.models import Wave, WaveKind


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def load_changes(programme: Programme, spec: dict, on_day: date) -> int:
    """Create the demo's change requests once; returns how many were created (0 the second time)."""
    if db.session.scalar(select(ChangeRequest.id).where(ChangeRequest.programme_id == programme.id).limit(1)):
        return 0
    people = {p.email: p.id for p in db.session.scalars(select(Person).where(Person.programme_id == programme.id))}
    users = {u.email: u.id for u in db.session.scalars(select(User))}
    occurrences = db.session.scalars(
        select(MeetingOccurrence).join(Meeting, MeetingOccurrence.meeting_id == Meeting.id)
        .join(Committee, Meeting.committee_id == Committee.id)
        .where(Committee.programme_id == programme.id, MeetingOccurrence.is_cancelled.is_(False))
        .order_by(MeetingOccurrence.starts_at)).all()
    minuted = [o for o in occurrences if o.status is OccurrenceStatus.MINUTED]
    upcoming = next((o for o in occurrences if o.starts_at > clock.now()), None)
    created = 0
    if len(minuted) >= spec["implemented_process_change"]["meeting"]:
        _implemented_process_change(programme, spec["implemented_process_change"], minuted, people, users)
        created += 1
    _rejected_scope_change(programme, spec["rejected_scope_change"], on_day, people, users)
    created += 1
    wave = db.session.scalar(select(Wave).where(Wave.programme_id == programme.id, Wave.kind == WaveKind.STANDARD,
                                                Wave.planned_go_live.is_not(None))
                             .order_by(Wave.position, Wave.id).limit(1))
    if wave is not None:
        _pending_schedule_change(programme, spec["pending_schedule_change"], on_day, wave, upcoming, people, users)
        created += 1
    db.session.flush()
    return created


def _fields(spec: dict, people: dict, requested_on: date, **values) -> dict:
    return {"title": spec["title"], "description": spec["description"],
            "requester_id": people.get(spec["requester_email"]), "requested_on": requested_on,
            "schedule_days": spec["schedule_days"] if "schedule_days" in spec else 0,
            "cost": Decimal(spec["cost"]) if spec.get("cost") is not None else None, "risks": spec.get("risks", ""),
            "plan_item_key": "", "new_start": None, "new_duration": None, **values}


def _implemented_process_change(programme, spec: dict, minuted: list, people: dict, users: dict) -> None:
    occurrence = minuted[spec["meeting"] - 1]
    meeting_day = occurrence.local_start.date()
    change = services.submit_change(
        programme, submitted_by_id=users.get(spec["submitted_by"]),
        **_fields(spec, people, meeting_day - timedelta(days=spec["requested_days_before_meeting"]), kind="process"))
    services.assess_change(change, expected_version=None, assessment=spec["assessment"],
                           schedule_days=spec["schedule_days"], cost=Decimal(spec["cost"]), risks=spec["risks"],
                           assessed_by_id=users.get("pm@example.com"))
    # the meeting's agenda (minuted, so closed to edits) discussed it: link the item as the records show
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.occurrence_id == occurrence.id,
                                                      AgendaItem.title == spec["agenda_item"]))
    if item is not None:
        item.change_request_id = change.id
        db.session.flush()
    decision = services.decide_change(change, expected_version=None, approve=True,
                                      decided_by_id=users.get("pm@example.com"), occurrence_id=occurrence.id,
                                      text=spec["decision"])
    services.implement_change(change, expected_version=None, implemented_by_id=users.get("pm@example.com"))
    decision.decided_on = meeting_day
    change.submitted_at = _at(change.requested_on)
    change.assessed_at = _at(meeting_day - timedelta(days=5))
    change.decided_at = occurrence.starts_at + occurrence.duration
    change.implemented_at = min(_at(meeting_day + timedelta(days=spec["implemented_days_after_meeting"])),
                                clock.now())


def _rejected_scope_change(programme, spec: dict, on_day: date, people: dict, users: dict) -> None:
    requested_on = on_day - timedelta(days=spec["requested_days_ago"])
    change = services.submit_change(programme, submitted_by_id=users.get(spec["submitted_by"]),
                                    **_fields(spec, people, requested_on, kind="scope"))
    services.reject_change(change, expected_version=None, reason=spec["reason"],
                           rejected_by_id=users.get("pm@example.com"))
    change.submitted_at = _at(requested_on)
    change.rejected_at = _at(on_day - timedelta(days=spec["rejected_days_ago"]), 14)


def _pending_schedule_change(programme, spec: dict, on_day: date, wave: Wave, upcoming, people: dict,
                             users: dict) -> None:
    region_names = ", ".join(region.name for region in wave.regions) or wave.name
    new_start = programme_calendar(programme).add_working_days(wave.planned_go_live, spec["working_days"])
    stage_ids = list(db.session.scalars(select(Stage.id).where(Stage.programme_id == programme.id,
                                                               Stage.number == spec["stage_number"])))
    requested_on = on_day - timedelta(days=spec["requested_days_ago"])
    fields = _fields(spec, people, requested_on, kind="schedule", schedule_days=spec["working_days"],
                     plan_item_key=f"wave:{wave.id}", new_start=new_start)
    fields["description"] = spec["description"] % {"region": region_names}
    change = services.submit_change(programme, submitted_by_id=users.get(spec["submitted_by"]),
                                    region_ids=[region.id for region in wave.regions], stage_ids=stage_ids, **fields)
    services.assess_change(change, expected_version=None, assessment=spec["assessment"],
                           schedule_days=spec["working_days"], cost=Decimal(spec["cost"]), risks=spec["risks"],
                           assessed_by_id=users.get("pm@example.com"))
    change.submitted_at = _at(requested_on)
    change.assessed_at = _at(on_day - timedelta(days=spec["assessed_days_ago"]))
    if upcoming is not None:
        committee_services.add_agenda_item(
            upcoming, title=spec["agenda_title"], minutes_allotted=spec["agenda_minutes"],
            presenter_id=people.get(spec["agenda_presenter"]), change_request_id=change.id)
