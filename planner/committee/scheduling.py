"""Scheduling committee meetings: one-off or recurring, moving or cancelling one occurrence, changing
the whole series. Every change that makes earlier answers stale raises the SEQUENCE and, once the
meeting is scheduled, queues the invitation updates in the same transaction (CALENDAR.md)."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import flag_modified

from planner.committee import invitations
from planner.committee.models import (
    Committee, Meeting, MeetingOccurrence, MeetingStatus, OccurrenceStatus, Recurrence,
)
from planner.committee.models.meetings import WEEKDAY_CODES
from planner.core import audit, clock
from planner.core.errors import DomainError, check_version
from planner.core.wall_time import instant_of_wall_time
from planner.extensions import db
from planner.programmes import services as programme_services

UTC = ZoneInfo("UTC")
#: occurrences are kept as rows this far ahead, where agendas and minutes can hang off them
HORIZON = timedelta(days=400)
MAX_OCCURRENCES = 200
#: meetings are planned within these years (a typo such as 9999 would otherwise overflow the horizon)
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
#: the fields whose change makes earlier answers stale (CALENDAR.md rule 3)
SCHEDULE_FIELDS = ("time_zone", "local_start", "duration_minutes", "location", "online_url", "recurrence",
                   "recurrence_interval", "recurrence_weekdays", "recurrence_week", "recurrence_until",
                   "recurrence_count")


@dataclass
class MeetingPlan:
    """What a person asks for when scheduling or changing a meeting (the form's values)."""

    title: str
    local_start: datetime
    time_zone: str
    duration_minutes: int = 60
    description: str = ""
    location: str = ""
    online_url: str = ""
    recurrence: Recurrence = Recurrence.NONE
    interval: int = 1
    weekdays: list[str] = field(default_factory=list)
    #: monthly by weekday: 1..4 or -1 (last)
    monthly_week: int | None = None
    until: date | None = None
    count: int | None = None


def _values(plan: MeetingPlan) -> dict:
    """Check a plan and turn it into column values, or raise a DomainError naming the field."""
    title = " ".join((plan.title or "").split())  # one line: it becomes an email subject and SUMMARY
    if not title:
        raise DomainError(_("Give the meeting a title."), field="title")
    if len(title) > 200:
        raise DomainError(_("Keep the title under 200 characters."), field="title")
    if plan.local_start is None:
        raise DomainError(_("Give the day and time of the meeting."), field="local_start")
    if not EARLIEST_YEAR <= plan.local_start.year <= LATEST_YEAR:
        raise DomainError(_("Choose a day between %(first)s and %(last)s.", first=EARLIEST_YEAR, last=LATEST_YEAR),
                          field="local_start")
    time_zone = programme_services.check_time_zone(plan.time_zone, "time_zone")
    if not plan.duration_minutes or not 5 <= plan.duration_minutes <= 1440:
        raise DomainError(_("A meeting lasts between 5 minutes and 24 hours."), field="duration_minutes")
    online_url = (plan.online_url or "").strip()
    if online_url and (urlsplit(online_url).scheme not in ("http", "https") or not urlsplit(online_url).netloc):
        raise DomainError(_("The online link must start with https:// (or http://)."), field="online_url")
    instant_of_wall_time(plan.local_start.replace(tzinfo=None, second=0, microsecond=0), time_zone, "local_start")
    recurrence = Recurrence(plan.recurrence or Recurrence.NONE)
    values = {
        "title": title, "description": (plan.description or "").strip(), "time_zone": time_zone,
        "local_start": plan.local_start.replace(tzinfo=None, second=0, microsecond=0),
        "duration_minutes": plan.duration_minutes, "location": (plan.location or "").strip()[:300],
        "online_url": online_url, "recurrence": recurrence, "recurrence_interval": 1, "recurrence_weekdays": "",
        "recurrence_week": None, "recurrence_until": None, "recurrence_count": None,
    }
    if recurrence is Recurrence.NONE:
        return values
    if not plan.interval or not 1 <= plan.interval <= 52:
        raise DomainError(_("Repeat every 1 to 52 days, weeks or months."), field="interval")
    values["recurrence_interval"] = plan.interval
    if recurrence is Recurrence.WEEKLY:
        days = [code for code in WEEKDAY_CODES if code in set(plan.weekdays or [])]
        if not days:
            days = [WEEKDAY_CODES[values["local_start"].weekday()]]
        if WEEKDAY_CODES[values["local_start"].weekday()] not in days:
            raise DomainError(_("The first meeting must fall on one of the chosen weekdays."), field="weekdays")
        values["recurrence_weekdays"] = ",".join(days)
    if recurrence is Recurrence.MONTHLY_BY_WEEKDAY:
        week = plan.monthly_week
        if week is None:
            week = (values["local_start"].day - 1) // 7 + 1
            week = -1 if week == 5 else week
        if week not in (1, 2, 3, 4, -1):
            raise DomainError(_("Choose the first, second, third, fourth or last weekday of the month."),
                              field="monthly_week")
        if not _falls_in_week(values["local_start"].date(), week):
            raise DomainError(_("The first meeting must fall in the chosen week of its month."), field="monthly_week")
        values["recurrence_week"] = week
    if plan.until is not None and plan.count:
        raise DomainError(_("End the series on a date or after a number of meetings, not both."), field="until")
    if plan.until is not None:
        if plan.until.year > LATEST_YEAR:
            raise DomainError(_("Choose a day before %(last)s.", last=LATEST_YEAR + 1), field="until")
        if plan.until < values["local_start"].date():
            raise DomainError(_("The series cannot end before its first meeting."), field="until")
        values["recurrence_until"] = plan.until
    elif plan.count:
        if not 1 <= plan.count <= 500:
            raise DomainError(_("A series has between 1 and 500 meetings."), field="count")
        values["recurrence_count"] = plan.count
    return values


def _falls_in_week(day: date, week: int) -> bool:
    """Whether ``day`` is its weekday's ``week``-th occurrence in the month (-1: the last)."""
    if week == -1:
        return (day + timedelta(days=7)).month != day.month
    return (day.day - 1) // 7 + 1 == week


def uid_host() -> str:
    """The host part of meeting UIDs, from BASE_URL."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def schedule_meeting(committee: Committee, plan: MeetingPlan, *, organiser_id: int | None,
                     send_now: bool = False) -> Meeting:
    """Create a meeting as a draft, or scheduled at once, which invites the committee's members."""
    values = _values(plan)
    meeting = Meeting(programme_id=committee.programme_id, committee_id=committee.id, organiser_id=organiser_id,
                      uid="pending", status=MeetingStatus.DRAFT, sequence=0, **values)
    db.session.add(meeting)
    db.session.flush()
    meeting.uid = f"meeting-{meeting.id}@{uid_host()}"
    ensure_occurrences(meeting)
    invitations.ensure_invitees(meeting)
    audit.record_create(meeting)
    if send_now:
        publish_meeting(meeting)
    return meeting


def update_meeting(meeting: Meeting, plan: MeetingPlan, *, expected_version: int | None) -> int:
    """Change the whole series (or the one-off meeting). Returns how many emails were queued.

    Occurrences keep their agendas and minutes: when the time of day changes they follow to the new
    time on the same day; a change that would drop an occurrence holding minutes, an agenda or a
    move is refused, with the advice to end the series and schedule a new one.
    """
    check_version(meeting, expected_version)
    if meeting.status is MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting is cancelled; schedule a new one instead."))
    values = _values(plan)
    old = {name: getattr(meeting, name) for name in SCHEDULE_FIELDS}
    if not meeting.is_recurring and any(values[name] != old[name] for name in SCHEDULE_FIELDS):
        held = next((o for o in meeting.occurrences if o.status is not OccurrenceStatus.SCHEDULED), None)
        if held is not None:
            raise DomainError(_("This meeting was already held; its date stays as it happened."), field="local_start")
    changes = audit.apply_changes(meeting, values)
    # what calendars show changed: SEQUENCE rises so every client takes the update (the title too)
    stale = bool(changes)
    if not changes:
        return 0
    _follow_series_change(meeting, old)
    if stale and meeting.status is not MeetingStatus.DRAFT:
        meeting.sequence = _next_revision(meeting)
    db.session.flush()
    audit.record_update(meeting, changes)
    return invitations.send_updates(meeting) if meeting.status is MeetingStatus.SCHEDULED else 0


def publish_meeting(meeting: Meeting) -> int:
    """Draft -> scheduled: invite everyone. Returns how many invitations were queued."""
    if meeting.status is not MeetingStatus.DRAFT:
        raise DomainError(_("Only a draft meeting can be scheduled; this one is %(status)s.",
                            status=meeting.status.value))
    invitations.ensure_invitees(meeting)
    if not any(invitee.is_active for invitee in meeting.invitees):
        raise DomainError(_("Nobody would be invited: add members to the committee or a guest first."))
    audit.record_update(meeting, audit.apply_changes(meeting, {"status": MeetingStatus.SCHEDULED}))
    return invitations.send_updates(meeting)


def cancel_meeting(meeting: Meeting, *, reason: str = "") -> int:
    """Cancel the meeting (the whole series): everyone invited gets a METHOD:CANCEL."""
    if meeting.status is MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting is already cancelled."))
    was_sent = meeting.status is MeetingStatus.SCHEDULED
    changes = audit.apply_changes(meeting, {"status": MeetingStatus.CANCELLED})
    if reason:
        changes["cancel_reason"] = [None, reason.strip()[:2000]]
    if was_sent:
        meeting.sequence = _next_revision(meeting)
    db.session.flush()
    audit.record_update(meeting, changes)
    return invitations.send_updates(meeting) if was_sent else 0


def move_occurrence(occurrence: MeetingOccurrence, *, local_start: datetime, duration_minutes: int,
                    location: str | None, expected_version: int | None) -> int:
    """Move one occurrence (a RECURRENCE-ID override in calendars). For a one-off meeting this moves the meeting."""
    check_version(occurrence, expected_version)
    meeting = occurrence.meeting
    _check_changeable(meeting, occurrence)
    if local_start is None:
        raise DomainError(_("Give the new day and time."), field="local_start")
    if not duration_minutes or not 5 <= duration_minutes <= 1440:
        raise DomainError(_("A meeting lasts between 5 minutes and 24 hours."), field="duration_minutes")
    local_start = local_start.replace(tzinfo=None, second=0, microsecond=0)
    location = (location or "").strip()[:300]
    if not meeting.is_recurring:
        plan = _plan_of(meeting)
        plan.local_start, plan.duration_minutes, plan.location = local_start, duration_minutes, location
        return update_meeting(meeting, plan, expected_version=None)
    values = {"local_start": local_start, "duration_minutes": duration_minutes,
              "location": location if location != meeting.location else None,
              "starts_at": instant_of_wall_time(local_start, meeting.time_zone, "local_start")}
    changes = audit.apply_changes(occurrence, values)
    if not changes:
        return 0
    if meeting.status is not MeetingStatus.DRAFT:
        occurrence.sequence = _next_revision(meeting)
        if not occurrence.is_moved:
            # back where the series puts it: the override vanishes, and only the master can say so
            meeting.sequence = occurrence.sequence
    db.session.flush()
    audit.record_update(occurrence, changes)
    return invitations.send_updates(meeting) if meeting.status is MeetingStatus.SCHEDULED else 0


def cancel_occurrence(occurrence: MeetingOccurrence, *, reason: str, expected_version: int | None) -> int:
    """Cancel one occurrence of a series: a CANCEL with its RECURRENCE-ID, and an EXDATE from then on."""
    check_version(occurrence, expected_version)
    meeting = occurrence.meeting
    _check_changeable(meeting, occurrence)
    if not meeting.is_recurring:
        return cancel_meeting(meeting, reason=reason)
    before = invitations.revision(meeting)
    changes = audit.apply_changes(occurrence, {"is_cancelled": True, "cancel_reason": (reason or "").strip()[:2000]})
    if meeting.status is not MeetingStatus.DRAFT:
        meeting.sequence = _next_revision(meeting)
        occurrence.sequence = meeting.sequence
    db.session.flush()
    audit.record_update(occurrence, changes)
    if meeting.status is not MeetingStatus.SCHEDULED:
        return 0
    return invitations.send_occurrence_cancel(meeting, occurrence, previous_revision=before)


def _next_revision(meeting: Meeting) -> int:
    """The SEQUENCE of the change being made: one above the highest the meeting's calendar object reached.

    The meeting row is written with every change that takes one (an occurrence's too), so its version check
    lets only one of two changes made at the same moment be saved: the other is refused as a stale edit (409).
    Both would otherwise take the same SEQUENCE, the outbox would take their updates for one message, and the
    second change would never reach the calendars, which would all count as up to date."""
    flag_modified(meeting, "sequence")
    return invitations.revision(meeting) + 1


def _check_changeable(meeting: Meeting, occurrence: MeetingOccurrence) -> None:
    if meeting.status is MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting is cancelled."))
    if occurrence.is_cancelled:
        raise DomainError(_("This occurrence is already cancelled."))
    if occurrence.status is not OccurrenceStatus.SCHEDULED:
        raise DomainError(_("This meeting was already held; its date stays as it happened."))


def _plan_of(meeting: Meeting) -> MeetingPlan:
    return MeetingPlan(
        title=meeting.title, local_start=meeting.local_start, time_zone=meeting.time_zone,
        duration_minutes=meeting.duration_minutes, description=meeting.description, location=meeting.location,
        online_url=meeting.online_url, recurrence=meeting.recurrence, interval=meeting.recurrence_interval,
        weekdays=[code for code in meeting.recurrence_weekdays.split(",") if code],
        monthly_week=meeting.recurrence_week, until=meeting.recurrence_until, count=meeting.recurrence_count)


def plan_of(meeting: Meeting) -> MeetingPlan:
    """The meeting's current schedule as a plan (to prefill the edit form)."""
    return _plan_of(meeting)


def _horizon(meeting: Meeting) -> datetime:
    local_now = clock.now().astimezone(meeting.zone).replace(tzinfo=None)
    return max(local_now, meeting.local_start) + HORIZON


def ensure_occurrences(meeting: Meeting) -> int:
    """Keep a row for every occurrence from the first up to a horizon ahead; returns how many were added.

    Series that never end are extended by this as time passes (``flask --app planner roll-meetings``).
    """
    existing = {occurrence.original_start for occurrence in meeting.occurrences}
    added = 0
    for start in meeting.original_starts(_horizon(meeting), limit=MAX_OCCURRENCES):
        if start in existing:
            continue
        meeting.occurrences.append(MeetingOccurrence(
            programme_id=meeting.programme_id, original_start=start, local_start=start,
            starts_at=meeting.aware(start).astimezone(UTC), duration_minutes=meeting.duration_minutes,
            status=OccurrenceStatus.SCHEDULED, sequence=0))
        added += 1
    db.session.flush()
    return added


def _follow_series_change(meeting: Meeting, old: dict) -> None:
    """Re-key the occurrence rows after the series' schedule changed (see ``update_meeting``)."""
    wanted = meeting.original_starts(_horizon(meeting), limit=MAX_OCCURRENCES)
    wanted_set = set(wanted)
    by_day: dict[date, list[datetime]] = {}
    for start in wanted:
        by_day.setdefault(start.date(), []).append(start)
    rows = list(meeting.occurrences)
    if not meeting.is_recurring and rows:
        # a one-off meeting has one occurrence, which follows it wherever it goes
        first = rows[0]
        first.original_start = first.local_start = meeting.local_start
    taken = {row.original_start for row in rows if row.original_start in wanted_set}
    now = clock.now()
    for row in rows:
        if meeting.is_recurring and row.status is not OccurrenceStatus.SCHEDULED and row.starts_at <= now:
            continue  # held or minuted: it stays as it happened
        if row.original_start not in wanted_set:
            free = [start for start in by_day.get(row.original_start.date(), []) if start not in taken]
            if free:
                was_moved = row.local_start != row.original_start
                row.original_start = free[0]
                taken.add(free[0])
                if not was_moved:
                    row.local_start = free[0]
            elif row.has_content:
                raise DomainError(_(
                    "The meeting of %(day)s holds an agenda, minutes or a change and would drop out of the series. "
                    "Keep the schedule, or let this series end (\"Ends on\") and schedule a new one.",
                    day=row.original_start.strftime("%Y-%m-%d")), field="local_start")
            else:
                meeting.occurrences.remove(row)
                db.session.delete(row)
                continue
        if row.duration_minutes == old["duration_minutes"]:
            row.duration_minutes = meeting.duration_minutes
        if row.location is not None and row.location == meeting.location:
            row.location = None
        row.starts_at = meeting.aware(row.local_start).astimezone(UTC)
    db.session.flush()
    ensure_occurrences(meeting)
