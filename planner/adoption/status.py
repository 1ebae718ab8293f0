"""Adoption at a glance, for the programme overview card: regions live, their latest adoption against the wave
gate's minimum, and the regions flagged for their super-users."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from planner.adoption.figures import WeekFigure, latest_by_region
from planner.adoption.super_users import RegionFlag, super_user_flags
from planner.extensions import db
from planner.programmes.models import Programme, Region


@dataclass(frozen=True)
class LiveRegion:
    region_id: int
    name: str
    live_on: date
    #: the region's latest figure; None when none is recorded yet
    latest: WeekFigure | None


@dataclass(frozen=True)
class AdoptionStatus:
    threshold_pct: int
    live_regions: list[LiveRegion]
    regions_total: int
    super_user_flags: list[RegionFlag]

    @property
    def regions_live(self) -> int:
        return len(self.live_regions)

    @property
    def below_threshold(self) -> list[LiveRegion]:
        """Live regions whose latest week is under the gate's minimum."""
        return [region for region in self.live_regions
                if region.latest is not None and region.latest.percent < self.threshold_pct]

    @property
    def without_figures(self) -> list[LiveRegion]:
        """Live regions with no adoption figure recorded: no data is not evidence."""
        return [region for region in self.live_regions if region.latest is None]


def adoption_status(programme: Programme, today: date) -> AdoptionStatus:
    """The overview card's figures, in four queries: regions live on ``today``, the latest adoption of each,
    which are below ``gate_min_adoption_pct``, and the super-user flags."""
    regions = db.session.execute(select(Region.id, Region.name, Region.live_on)
                                 .where(Region.programme_id == programme.id).order_by(Region.name, Region.id)).all()
    latest = latest_by_region(programme.id)
    live = [LiveRegion(region_id, name, live_on, latest.get(region_id))
            for region_id, name, live_on in regions if live_on is not None and live_on <= today]
    return AdoptionStatus(programme.gate_min_adoption_pct, live, len(regions), super_user_flags(programme.id))
