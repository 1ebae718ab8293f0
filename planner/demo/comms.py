"""The demo's communication: audiences, a kickoff sent to everyone, a fortnightly status update with every past
date sent except one (missed), and go-live notices planned per region of the first waves, the pilot's sent in
time (the last wave has none: the gap check shows it).

Past sends are written as log rows only, with the number of people the audience had: loading the demo queues
no mail."""
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from planner.comms import audiences, services
from planner.comms.models import Audience, CommsChannel, CommsPurpose, CommunicationItem, CommunicationLog
from planner.comms.recurrence import occurrences
from planner.core import audit
from planner.extensions import db
from planner.programmes.models import Department, Programme, Region
from planner.rollout.calendar import programme_calendar
from planner.rollout.models import Wave


def load_comms(programme: Programme, spec: dict, on_day: date) -> int:
    """Create the demo's audiences, plan and log once; returns how many things were created."""
    created = _load_audiences(programme, spec["audiences"])
    if db.session.scalar(select(CommunicationItem.id).where(CommunicationItem.programme_id == programme.id)
                         .limit(1)):
        return created
    db.session.flush()
    by_name = {audience.name: audience for audience in db.session.scalars(audiences.audiences_of(programme.id))}
    counts = audiences.member_counts(programme.id, by_name.values())
    created += _load_kickoff(programme, spec["kickoff"], by_name, counts, on_day)
    created += _load_status_updates(programme, spec["status_updates"], by_name, counts, on_day)
    created += _load_notices(programme, spec["go_live_notices"], by_name, counts, on_day)
    return created


def _load_audiences(programme: Programme, entries: list[dict]) -> int:
    known = set(db.session.scalars(select(Audience.name).where(Audience.programme_id == programme.id)))
    regions = dict(db.session.execute(select(Region.name, Region.id)
                                      .where(Region.programme_id == programme.id)).all())
    departments = dict(db.session.execute(select(Department.name, Department.id)
                                          .where(Department.programme_id == programme.id)).all())
    created = 0
    for entry in entries:
        if entry["name"] in known:
            continue
        audiences.create_audience(
            programme, name=entry["name"], description=entry.get("description", ""),
            is_everyone=entry.get("is_everyone", False),
            region_ids=[regions[name] for name in entry.get("regions", ()) if name in regions],
            department_ids=[departments[name] for name in entry.get("departments", ()) if name in departments],
            job_roles=entry.get("job_roles", ""), person_ids=[])
        created += 1
    return created


def _log_sent(programme: Programme, *, audience: Audience, count: int, purpose, channel, subject: str, body: str,
              on: date, item: CommunicationItem | None = None, region_id: int | None = None) -> None:
    """A past send as a log row (no outbox rows: the demo's past mail was never queued)."""
    log = CommunicationLog(programme_id=programme.id, item_id=item.id if item else None,
                           occurrence_on=on if item else None, audience_id=audience.id, audience_name=audience.name,
                           purpose=purpose, channel=channel, subject=subject, body=body,
                           happened_at=datetime.combine(on, time(8), tzinfo=timezone.utc),
                           recipients_count=count, region_id=region_id, **services.reach_of(audience))
    db.session.add(log)
    audit.record_create(log)


def _item(programme: Programme, *, title: str, purpose, audience: Audience, channel: str, message: str,
          planned_on: date, recurrence: str = "", region_id: int | None = None) -> CommunicationItem:
    return services.create_item(programme, title=title, purpose=purpose, audience_id=audience.id, channel=channel,
                                owner_id=programme.sponsor_id if purpose == CommsPurpose.VISION_KICKOFF else None,
                                message=message, planned_on=planned_on, recurrence=recurrence, region_id=region_id)


def _load_kickoff(programme, spec: dict, by_name: dict, counts: dict, on_day: date) -> int:
    audience = by_name[spec["audience"]]
    sent_on = min(programme.start_date + timedelta(days=spec["days_after_start"]), on_day)
    item = _item(programme, title=spec["title"], purpose=CommsPurpose.VISION_KICKOFF, audience=audience,
                 channel=spec["channel"], message=spec["body"], planned_on=sent_on)
    _log_sent(programme, audience=audience, count=counts[audience.id], purpose=CommsPurpose.VISION_KICKOFF,
              channel=CommsChannel(spec["channel"]), subject=spec["subject"], body=spec["body"], on=sent_on, item=item)
    return 2


def _load_status_updates(programme, spec: dict, by_name: dict, counts: dict, on_day: date) -> int:
    audience = by_name[spec["audience"]]
    first = on_day - timedelta(weeks=spec["first_weeks_ago"])
    item = _item(programme, title=spec["title"], purpose=CommsPurpose.STATUS_UPDATE, audience=audience,
                 channel=spec["channel"], message=spec["body"], planned_on=first, recurrence=spec["recurrence"])
    created = 1
    past = occurrences(first, item.recurrence, until=on_day - timedelta(days=1))
    for index, day in enumerate(past, start=1):
        if index == spec["missed_occurrence"]:
            continue
        _log_sent(programme, audience=audience, count=counts[audience.id], purpose=CommsPurpose.STATUS_UPDATE,
                  channel=CommsChannel(spec["channel"]), subject=spec["subject"].format(day=day.isoformat()),
                  body=spec["body"], on=day, item=item)
        created += 1
    return created


def _load_notices(programme, spec: dict, by_name: dict, counts: dict, on_day: date) -> int:
    created = 0
    waves = db.session.scalars(select(Wave).where(Wave.programme_id == programme.id,
                                                  Wave.name.in_(spec["planned_waves"]))
                               .order_by(Wave.position)).all()
    for wave in waves:
        if wave.planned_go_live is None:
            continue
        for region in wave.regions:
            audience = by_name[spec["region_audiences"].get(region.name, spec["default_audience"])]
            planned_on = programme_calendar(programme, region.id).add_working_days(
                wave.planned_go_live, -spec["lead_working_days"])
            words = {"region": region.name, "day": wave.planned_go_live.isoformat()}
            item = _item(programme, title=spec["subject"].format(**words), purpose=CommsPurpose.GO_LIVE_NOTICE,
                         audience=audience, channel=spec["channel"], message=spec["body"].format(**words),
                         planned_on=planned_on, region_id=region.id)
            created += 1
            if wave.name in spec["sent_waves"] and planned_on < on_day:
                _log_sent(programme, audience=audience, count=counts[audience.id],
                          purpose=CommsPurpose.GO_LIVE_NOTICE, channel=CommsChannel(spec["channel"]),
                          subject=item.title, body=item.message, on=planned_on, item=item, region_id=region.id)
                created += 1
    return created
