"""Adoption figures shaped for pages and the chart: regions against recent weeks, and each region's latest week.
Every function answers in a fixed number of queries, however many regions and weeks there are."""
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from planner.adoption import queries
from planner.adoption.services import week_start
from planner.extensions import db
from planner.programmes.models import Programme, Region
from planner.training.session_queries import go_live_by_region

#: how many weeks the adoption page shows side by side
TABLE_WEEKS = 8
#: how many weeks the chart draws
CHART_WEEKS = 26


@dataclass(frozen=True)
class WeekFigure:
    week: date
    active_users: int
    licensed_users: int

    @property
    def percent(self) -> float:
        return self.active_users * 100 / self.licensed_users


@dataclass
class RegionAdoption:
    """One region's figures over the weeks shown, its go-live and its latest figure (of any week)."""

    region_id: int
    name: str
    go_live: date | None
    by_week: dict[date, WeekFigure] = field(default_factory=dict)
    latest: WeekFigure | None = None

    def meets(self, threshold_pct: int) -> bool | None:
        """Whether the latest week reaches the gate's minimum; None without any figure."""
        return None if self.latest is None else self.latest.percent >= threshold_pct


def recent_weeks(today: date, count: int) -> list[date]:
    """The Mondays of the last ``count`` weeks, oldest first, ending with this week."""
    this_week = week_start(today)
    return [this_week - timedelta(weeks=back) for back in range(count - 1, -1, -1)]


def latest_by_region(programme_id, region_ids: Collection[int] | None = None) -> dict[int, WeekFigure]:
    """{region id: its latest figure} (of ``region_ids`` only, when given), in one query."""
    return {region_id: WeekFigure(week, active, licensed) for region_id, week, active, licensed
            in db.session.execute(queries.latest_weeks(programme_id, region_ids))}


def adoption_by_region(programme: Programme, weeks: list[date],
                       regions: list[Region] | None = None) -> list[RegionAdoption]:
    """The regions (``regions``, a page of them, or every region of the programme by name) with their figures for
    ``weeks`` and their latest figure, in four queries (three when ``regions`` are given)."""
    go_lives = go_live_by_region(programme.id)
    shown = ([(region.id, region.name) for region in regions] if regions is not None
             else db.session.execute(select(Region.id, Region.name).where(Region.programme_id == programme.id)
                                     .order_by(Region.name, Region.id)).all())
    rows = [RegionAdoption(region_id, name, go_lives.get(region_id)) for region_id, name in shown]
    by_id = {row.region_id: row for row in rows}
    region_ids = list(by_id) if regions is not None else None
    if weeks:
        for region_id, week, active, licensed in db.session.execute(
                queries.figures_since(programme.id, weeks[0], region_ids)):
            if region_id in by_id and week <= weeks[-1]:
                by_id[region_id].by_week[week] = WeekFigure(week, active, licensed)
    for region_id, figure in latest_by_region(programme.id, region_ids).items():
        if region_id in by_id:
            by_id[region_id].latest = figure
    return rows
