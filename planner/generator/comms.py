"""Communication: audiences, the plan (kickoff, a fortnightly status update, a go-live notice per region)
through the services, and the log of what was sent or held as bulk rows (no outbox rows: nothing is mailed)."""
from datetime import datetime, time, timedelta, timezone

from planner.comms import audiences, services
from planner.comms.models import CommsChannel, CommsPurpose, CommunicationLog
from planner.comms.recurrence import occurrences
from planner.extensions import db
from planner.generator.bulk import insert_rows
from planner.generator.structure import Frame
from planner.rollout.gate import waves_in_order
from planner.rollout.calendar import programme_calendar

REGIONAL = ((CommsPurpose.TRAINING_CALL, CommsChannel.EMAIL, "Book your training: {region}"),
            (CommsPurpose.PROCESS_CHANGE, CommsChannel.INTRANET, "What changes for {region} on go-live day"),
            (CommsPurpose.OTHER, CommsChannel.MEETING, "Question time with the project team in {region}"),
            (CommsPurpose.OTHER, CommsChannel.TOWN_HALL, "Town hall {region}"),
            (CommsPurpose.TRAINING_CALL, CommsChannel.EMAIL, "Reminder: training before go-live in {region}"))


def build_comms(frame: Frame, people: list[dict], scale: float, rng) -> dict[str, int]:
    """Create audiences and the plan, then about 300 × scale log rows; returns the counts."""
    programme, today = frame.programme, frame.today
    everyone = audiences.create_audience(programme, name="Everyone", description="Everyone affected.",
                                         is_everyone=True, region_ids=[], department_ids=[], job_roles="",
                                         person_ids=[])
    audiences.create_audience(programme, name="Managers", description="People leading teams.", is_everyone=False,
                              region_ids=[], department_ids=[],
                              job_roles="Sales manager\nService team lead\nController", person_ids=[])
    audiences.create_audience(programme, name="IT staff", description="IT departments.", is_everyone=False,
                              region_ids=[], department_ids=[d.id for d in frame.departments if d.is_it],
                              job_roles="", person_ids=[])
    by_region = {region.id: audiences.create_audience(
        programme, name=f"People in {region.name}", description="", is_everyone=False, region_ids=[region.id],
        department_ids=[], job_roles="", person_ids=[]) for region in frame.regions}
    db.session.flush()
    headcount = {region.id: 0 for region in frame.regions}
    for row in people:
        headcount[row["region_id"]] += 1
    logs = []

    def log(audience, count, purpose, channel, subject, day, item=None, region_id=None):
        held = channel in (CommsChannel.MEETING, CommsChannel.TOWN_HALL)
        logs.append({"programme_id": programme.id, "item_id": item.id if item else None,
                     "occurrence_on": day if item else None, "audience_id": audience.id,
                     "audience_name": audience.name, "purpose": purpose, "channel": channel, "subject": subject,
                     "body": f"{subject}.", "recorded_by_id": None, "recipients_count": count,
                     "without_email_count": 0, "region_id": region_id, "held_on": day if held else None,
                     "happened_at": datetime.combine(day, time(12 if held else 8), tzinfo=timezone.utc),
                     **reach[audience.id]})

    reach = {audience.id: services.reach_of(audience) for audience in (everyone, *by_region.values())}
    kickoff_on = min(today, programme.start_date + timedelta(days=7))
    kickoff = services.create_item(programme, title="Why we are changing", purpose=CommsPurpose.VISION_KICKOFF,
                                   audience_id=everyone.id, channel="town_hall", owner_id=programme.sponsor_id,
                                   message="The sponsor explains the vision.", planned_on=kickoff_on,
                                   recurrence="", region_id=None)
    log(everyone, len(people), CommsPurpose.VISION_KICKOFF, CommsChannel.TOWN_HALL, kickoff.title, kickoff_on, kickoff)
    first_update = programme.start_date + timedelta(days=14)
    status = services.create_item(programme, title="Fortnightly status update", purpose=CommsPurpose.STATUS_UPDATE,
                                  audience_id=everyone.id, channel="email", owner_id=None,
                                  message="Where the rollout stands.", planned_on=first_update,
                                  recurrence="FREQ=WEEKLY;INTERVAL=2", region_id=None)
    for day in occurrences(first_update, status.recurrence, until=today - timedelta(days=1)):
        if rng.random() < 0.93:  # now and then one is missed: the gap check shows it
            log(everyone, len(people), CommsPurpose.STATUS_UPDATE, CommsChannel.EMAIL,
                f"Status update {day.isoformat()}", day, status)
    for wave in waves_in_order(programme.id):
        for region in wave.regions:
            notice_on = programme_calendar(programme, region.id).add_working_days(
                wave.planned_go_live, -programme.go_live_notice_days - 2)
            item = services.create_item(
                programme, title=f"Go-live in {region.name} on {wave.planned_go_live.isoformat()}",
                purpose=CommsPurpose.GO_LIVE_NOTICE, audience_id=by_region[region.id].id, channel="email",
                owner_id=None, message="Your go-live day, what to expect and where to get help.",
                planned_on=notice_on, recurrence="", region_id=region.id)
            if notice_on < today:
                log(by_region[region.id], headcount[region.id], CommsPurpose.GO_LIVE_NOTICE, CommsChannel.EMAIL,
                    item.title, notice_on, item, region.id)
    wanted = max(len(logs), round(300 * scale))
    starts = {wave_region.id: wave.planned_go_live for wave in waves_in_order(programme.id)
              for wave_region in wave.regions}
    regions = [region for region in frame.regions if region.id in starts]
    while len(logs) < wanted and regions:
        region = rng.choice(regions)
        first = starts[region.id] - timedelta(days=70)
        if first >= today:
            regions.remove(region)
            continue
        day = first + timedelta(days=rng.randrange((today - first).days))
        purpose, channel, subject = rng.choice(REGIONAL)
        log(by_region[region.id], headcount[region.id], purpose, channel, subject.format(region=region.name), day,
            None, region.id)
    db.session.flush()
    return {"audience": 3 + len(by_region), "communication_log": insert_rows(CommunicationLog, logs)}
