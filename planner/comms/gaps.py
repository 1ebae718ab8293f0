"""The gap check: is every region told of its go-live in time, and did every audience hear the vision?

(a) Go-live notices. Each region in a wave with a planned go-live needs a go-live notice at least
``programme.go_live_notice_days`` working days (the region's own calendar) before that day. A logged notice
(purpose go_live_notice) **counts** for a region when

- it reached everyone in the region when it was written (its log row keeps that: ``reached_everyone`` or the
  region in ``covered_region_ids``; a later change of the audience changes nothing), and
- it announces that region (its region is the region), or it announces no particular region and went out at
  most ``NOTICE_WINDOW_DAYS`` calendar days before that region's go-live. A notice naming another region never
  counts.

Its day is the day it was held as recorded, or for an email the day in the region's time zone. A plan item
counts by the same rule (its audience as it is now, its occurrence dates). States: sent in time, sent late,
planned (an occurrence of a counting plan item on or before the last day), planned too late (only occurrences
after the last day: a gap), missing. A planned notice is also a gap once its last day has passed unsent.

(b) Vision and kickoff. Every audience needs a logged vision_kickoff message to it, or one that reached
everyone when it was sent.
"""
import enum
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from planner.comms.audiences import audiences_of, covers_region, rules_of
from planner.comms.models import Audience, CommsPurpose, CommunicationItem, CommunicationLog
from planner.comms.recurrence import add_capped, occurrences
from planner.core.errors import DomainError
from planner.extensions import db
from planner.rollout.calendar import weekdays_from_iso
from planner.rollout.models import Holiday, Wave, WaveRegion
from planner.programmes.models import Region
from planner.scheduling.calendar import WorkingCalendar


#: a notice naming no region counts for a region when sent at most this many calendar days before its go-live
NOTICE_WINDOW_DAYS = 60


class NoticeState(enum.StrEnum):
    IN_TIME = "in_time"
    LATE = "late"
    PLANNED = "planned"
    PLANNED_LATE = "planned_late"
    MISSING = "missing"


@dataclass(frozen=True)
class RegionNotice:
    region_id: int
    region_name: str
    wave_name: str
    go_live: date
    #: the last day a notice counts as in time
    notice_by: date
    state: NoticeState
    sent_on: date | None
    #: missing, late, planned too late, or only planned when the last day for it has passed
    is_gap: bool
    #: the planned occurrence the state refers to (planned and planned too late)
    planned_on: date | None = None


@dataclass(frozen=True)
class GapReport:
    notices: list[RegionNotice]
    audiences_without_kickoff: list[Audience]

    @property
    def gap_count(self) -> int:
        return sum(1 for notice in self.notices if notice.is_gap) + len(self.audiences_without_kickoff)


def _calendars(programme) -> dict[int | None, WorkingCalendar]:
    """A factory of region calendars from one query of holidays."""
    holidays = db.session.execute(select(Holiday.region_id, Holiday.day)
                                  .where(Holiday.programme_id == programme.id)).all()
    weekdays = weekdays_from_iso(programme.working_weekdays)
    common = frozenset(day for region_id, day in holidays if region_id is None)
    cache: dict = {}

    def calendar(region_id):
        if region_id not in cache:
            own = frozenset(day for holder, day in holidays if holder == region_id)
            cache[region_id] = WorkingCalendar(working_weekdays=weekdays, holidays=common | own)
        return cache[region_id]

    return calendar


@lru_cache(maxsize=1024)  # a programme's regions span dozens of zones; ZoneInfo itself keeps only eight unused
def _zone(time_zone: str) -> ZoneInfo | None:
    """The region's zone (None when unknown), read from the tz database once per process."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _local_day(happened_at, held_on: date | None, zone: ZoneInfo | None) -> date:
    """The day of a log row for a region: as recorded for a held meeting, else in the region's time zone (UTC
    when the zone is unknown)."""
    if held_on is not None:
        return held_on
    return happened_at.astimezone(zone).date() if zone is not None else happened_at.date()


def _names_or_in_window(announced_region_id, region_id: int, day: date, go_live: date) -> bool:
    if announced_region_id is not None:
        return announced_region_id == region_id
    return day >= go_live - timedelta(days=NOTICE_WINDOW_DAYS)


def _logged_notice(notices, region_id: int, time_zone: str, go_live: date) -> date | None:
    """The day of the first logged notice that counts for the region."""
    zone = _zone(time_zone)
    for announced, happened_at, held_on, reached_everyone, covered in notices:
        if not (reached_everyone or region_id in covered):
            continue
        day = _local_day(happened_at, held_on, zone)
        if _names_or_in_window(announced, region_id, day, go_live):
            return day
    return None


def _planned_notice(rules: dict, planned, region_id: int, go_live: date, notice_by: date) -> date | None:
    """The planned occurrence that counts for the region: the last one on or before ``notice_by``, else the
    first one after it (planned too late); None when no plan item counts."""
    days = []
    for audience_id, announced, planned_on, recurrence in planned:
        rule = rules.get(audience_id)
        if rule is None or not covers_region(rule, region_id):
            continue
        if announced is not None and announced != region_id:
            continue
        try:
            dates = occurrences(planned_on, recurrence, until=add_capped(go_live, timedelta(days=366)))
        except DomainError:  # a rule that no longer expands plans nothing
            continue
        days.extend(day for day in dates if _names_or_in_window(announced, region_id, day, go_live))
    in_time = [day for day in days if day <= notice_by]
    if in_time:
        return max(in_time)
    return min(days) if days else None


def check_gaps(programme, today: date) -> GapReport:
    """The gap report of a programme (a fixed number of queries, whatever the number of regions or audiences)."""
    audiences = db.session.scalars(audiences_of(programme.id)).all()
    rules = rules_of(audiences)
    waves = db.session.execute(
        select(Wave.name, Wave.planned_go_live, Region.id, Region.name, Region.time_zone)
        .join(WaveRegion, WaveRegion.wave_id == Wave.id).join(Region, Region.id == WaveRegion.region_id)
        .where(Wave.programme_id == programme.id, Wave.planned_go_live.is_not(None))
        .order_by(Wave.planned_go_live, Wave.position, Region.name)).all()
    notices = [(announced, happened_at, held_on, reached_everyone, _region_ids(covered))
               for announced, happened_at, held_on, reached_everyone, covered in db.session.execute(
                   select(CommunicationLog.region_id, CommunicationLog.happened_at, CommunicationLog.held_on,
                          CommunicationLog.reached_everyone, CommunicationLog.covered_region_ids)
                   .where(CommunicationLog.programme_id == programme.id,
                          CommunicationLog.purpose == CommsPurpose.GO_LIVE_NOTICE)
                   .order_by(CommunicationLog.happened_at, CommunicationLog.id))]
    planned = db.session.execute(
        select(CommunicationItem.audience_id, CommunicationItem.region_id, CommunicationItem.planned_on,
               CommunicationItem.recurrence)
        .where(CommunicationItem.programme_id == programme.id,
               CommunicationItem.purpose == CommsPurpose.GO_LIVE_NOTICE)).all()
    calendar = _calendars(programme)
    result = []
    for wave_name, go_live, region_id, region_name, time_zone in waves:
        notice_by = calendar(region_id).add_working_days(go_live, -programme.go_live_notice_days)
        sent = _logged_notice(notices, region_id, time_zone, go_live)
        planned_on = None
        if sent is not None:
            state = NoticeState.IN_TIME if sent <= notice_by else NoticeState.LATE
        else:
            planned_on = _planned_notice(rules, planned, region_id, go_live, notice_by)
            if planned_on is None:
                state = NoticeState.MISSING
            else:
                state = NoticeState.PLANNED if planned_on <= notice_by else NoticeState.PLANNED_LATE
        is_gap = state in (NoticeState.MISSING, NoticeState.LATE, NoticeState.PLANNED_LATE) or (
            state == NoticeState.PLANNED and notice_by < today)
        result.append(RegionNotice(region_id, region_name, wave_name, go_live, notice_by, state, sent, is_gap,
                                   planned_on))
    kickoffs = db.session.execute(
        select(CommunicationLog.audience_id, CommunicationLog.reached_everyone)
        .where(CommunicationLog.programme_id == programme.id,
               CommunicationLog.purpose == CommsPurpose.VISION_KICKOFF)).all()
    kicked_off = {audience_id for audience_id, _everyone in kickoffs}
    everyone_told = any(reached_everyone for _audience_id, reached_everyone in kickoffs)
    missing = [] if everyone_told else [audience for audience in audiences if audience.id not in kicked_off]
    return GapReport(result, missing)


def _region_ids(text: str) -> frozenset[int]:
    return frozenset(int(value) for value in (text or "").split(",") if value.strip())
