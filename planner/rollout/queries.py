"""Read helpers of the rollout pages, returning Select statements with what each row shows loaded."""
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from planner.extensions import db
from planner.programmes.models import Region
from planner.rollout.models import (
    Defect,
    FreezeWindow,
    Holiday,
    Milestone,
    Wave,
    WaveRegion,
)


def waves_with_regions(programme_id: int) -> Select:
    """A programme's waves in rollout order, each with its regions loaded."""
    return (select(Wave).where(Wave.programme_id == programme_id).options(selectinload(Wave.regions))
            .order_by(Wave.position, Wave.id))


def regions_of_wave(wave_id: int) -> Select:
    """A wave's regions by name, with the decision that overrode the gate (if any) loaded."""
    return (select(Region).join(WaveRegion, WaveRegion.region_id == Region.id)
            .where(WaveRegion.wave_id == wave_id).options(joinedload(Region.live_override_decision))
            .order_by(Region.name))


def region_wave_names(programme_id: int) -> list[tuple[int, str, str | None]]:
    """(region id, region name, name of the wave it is in or None) for every region of a programme."""
    return db.session.execute(
        select(Region.id, Region.name, Wave.name).outerjoin(WaveRegion, WaveRegion.region_id == Region.id)
        .outerjoin(Wave, Wave.id == WaveRegion.wave_id).where(Region.programme_id == programme_id)
        .order_by(Region.name)).all()


def next_wave_position(programme_id: int) -> int:
    return (db.session.scalar(select(func.max(Wave.position)).where(Wave.programme_id == programme_id)) or 0) + 1


#: the defect filter's choices for the open/closed state
DEFECT_STATES = ("open", "closed", "all")


def defects_of(programme_id: int, *, region_id: int | None = None, state: str = "open",
               region_ids: list[int] | None = None) -> Select:
    """A programme's defects, most severe and oldest first, with their regions loaded."""
    query = select(Defect).where(Defect.programme_id == programme_id).options(joinedload(Defect.region))
    if region_id is not None:
        query = query.where(Defect.region_id == region_id)
    if region_ids is not None:
        query = query.where(Defect.region_id.in_(region_ids))
    if state == "open":
        query = query.where(Defect.closed_on.is_(None))
    elif state == "closed":
        query = query.where(Defect.closed_on.is_not(None))
    rank = case({"critical": 0, "high": 1, "medium": 2}, value=Defect.severity, else_=3)
    return query.order_by(rank, Defect.opened_on, Defect.id)


def holidays_of(programme_id: int) -> Select:
    """Holidays by day, programme-wide ones first on a day, with their regions loaded."""
    return (select(Holiday).where(Holiday.programme_id == programme_id).options(joinedload(Holiday.region))
            .order_by(Holiday.day, Holiday.region_id.is_not(None), Holiday.id))


def freeze_windows_of(programme_id: int) -> Select:
    return select(FreezeWindow).where(FreezeWindow.programme_id == programme_id).order_by(
        FreezeWindow.start_on, FreezeWindow.id)


def milestones_of(programme_id: int) -> Select:
    return select(Milestone).where(Milestone.programme_id == programme_id).order_by(
        Milestone.planned_on, Milestone.id)
