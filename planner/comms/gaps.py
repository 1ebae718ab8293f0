"""The gap check: is every region told of its go-live in time, and did every audience hear the vision?

(a) Go-live notices. Each region in a wave with a planned go-live needs a go-live notice at least
``programme.go_live_notice_days`` working days (the region's own calendar) before that day. A logged notice
(purpose go_live_notice) **covers** a region when it announces that region (its region is the region) or
announces no particular region, and its audience reaches everyone in the region: the everyone audience, or an
audience listing the region with no department or job-role limit (``audiences.covers_region``). A plan item
covers a region by the same rule. States: sent in time, sent late, planned only (a covering plan item, nothing
logged yet), missing.

(b) Vision and kickoff. Every audience needs a logged vision_kickoff message to it, or to an everyone audience.
"""
import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from planner.comms.audiences import audiences_of, covers_region, rules_of
from planner.comms.models import Audience, CommsPurpose, CommunicationItem, CommunicationLog
from planner.extensions import db
from planner.rollout.calendar import weekdays_from_iso
from planner.rollout.models import Holiday, Wave, WaveRegion
from planner.programmes.models import Region
from planner.scheduling.calendar import WorkingCalendar


class NoticeState(enum.StrEnum):
    IN_TIME = "in_time"
    LATE = "late"
    PLANNED = "planned"
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
    #: missing, late, or only planned when the last day for it has passed
    is_gap: bool


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


def _covers(rules: dict, audience_id, announced_region_id, region_id: int) -> bool:
    if announced_region_id is not None and announced_region_id != region_id:
        return False
    rule = rules.get(audience_id)
    return rule is not None and covers_region(rule, region_id)


def check_gaps(programme, today: date) -> GapReport:
    """The gap report of a programme (a fixed number of queries, whatever the number of regions or audiences)."""
    audiences = db.session.scalars(audiences_of(programme.id)).all()
    rules = rules_of(audiences)
    waves = db.session.execute(
        select(Wave.name, Wave.planned_go_live, Region.id, Region.name)
        .join(WaveRegion, WaveRegion.wave_id == Wave.id).join(Region, Region.id == WaveRegion.region_id)
        .where(Wave.programme_id == programme.id, Wave.planned_go_live.is_not(None))
        .order_by(Wave.planned_go_live, Wave.position, Region.name)).all()
    notices = db.session.execute(
        select(CommunicationLog.audience_id, CommunicationLog.region_id, CommunicationLog.happened_at)
        .where(CommunicationLog.programme_id == programme.id,
               CommunicationLog.purpose == CommsPurpose.GO_LIVE_NOTICE)
        .order_by(CommunicationLog.happened_at)).all()
    planned = db.session.execute(
        select(CommunicationItem.audience_id, CommunicationItem.region_id)
        .where(CommunicationItem.programme_id == programme.id,
               CommunicationItem.purpose == CommsPurpose.GO_LIVE_NOTICE)).all()
    calendar = _calendars(programme)
    result = []
    for wave_name, go_live, region_id, region_name in waves:
        notice_by = calendar(region_id).add_working_days(go_live, -programme.go_live_notice_days)
        sent = next((happened_at.date() for audience_id, announced, happened_at in notices
                     if _covers(rules, audience_id, announced, region_id)), None)
        if sent is not None:
            state = NoticeState.IN_TIME if sent <= notice_by else NoticeState.LATE
        elif any(_covers(rules, audience_id, announced, region_id) for audience_id, announced in planned):
            state = NoticeState.PLANNED
        else:
            state = NoticeState.MISSING
        is_gap = state in (NoticeState.MISSING, NoticeState.LATE) or (state == NoticeState.PLANNED
                                                                       and notice_by < today)
        result.append(RegionNotice(region_id, region_name, wave_name, go_live, notice_by, state, sent, is_gap))
    kicked_off = set(db.session.scalars(
        select(CommunicationLog.audience_id).where(CommunicationLog.programme_id == programme.id,
                                                   CommunicationLog.purpose == CommsPurpose.VISION_KICKOFF)))
    everyone_told = any(rules.get(audience_id, {}).get("is_everyone") for audience_id in kicked_off)
    missing = [] if everyone_told else [audience for audience in audiences if audience.id not in kicked_off]
    return GapReport(result, missing)
