"""Read helpers of adoption; each returns a Select so pages, exports, charts and the gate compose them."""
from collections.abc import Collection
from datetime import date

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import contains_eager

from planner.adoption.models import AdoptionFigure
from planner.programmes.models import Region


def figures_in(programme_id: int) -> Select:
    """Every figure of the programme, latest week first, then by region name; regions loaded."""
    return (select(AdoptionFigure).join(Region, Region.id == AdoptionFigure.region_id)
            .where(AdoptionFigure.programme_id == programme_id)
            .options(contains_eager(AdoptionFigure.region))
            .order_by(AdoptionFigure.week.desc(), Region.name, AdoptionFigure.id))


def figures_since(programme_id: int, first_week: date, region_ids: Collection[int] | None = None) -> Select:
    """(region_id, week, active_users, licensed_users) of the programme's figures from ``first_week`` on; only those
    of ``region_ids`` when given."""
    query = (select(AdoptionFigure.region_id, AdoptionFigure.week, AdoptionFigure.active_users,
                    AdoptionFigure.licensed_users)
             .where(AdoptionFigure.programme_id == programme_id, AdoptionFigure.week >= first_week)
             .order_by(AdoptionFigure.week))
    return query if region_ids is None else query.where(AdoptionFigure.region_id.in_(region_ids))


def latest_weeks(programme_id, region_ids: Collection[int] | None = None) -> Select:
    """(region_id, week, active_users, licensed_users) of each region's latest figure; only ``region_ids``' when
    given. ``programme_id`` may be a number or an SQL expression."""
    latest = (select(AdoptionFigure.region_id.label("region_id"), func.max(AdoptionFigure.week).label("week"))
              .where(AdoptionFigure.programme_id == programme_id))
    if region_ids is not None:
        latest = latest.where(AdoptionFigure.region_id.in_(region_ids))
    latest = latest.group_by(AdoptionFigure.region_id).subquery("latest")
    return (select(AdoptionFigure.region_id, AdoptionFigure.week, AdoptionFigure.active_users,
                   AdoptionFigure.licensed_users)
            .join(latest, and_(latest.c.region_id == AdoptionFigure.region_id, latest.c.week == AdoptionFigure.week)))


def region_figures_between(programme_id, first_week: date, last_week: date) -> Select:
    """(region_id, live_on, week, active_users, licensed_users) of every region of the programme with each of its
    figures from ``first_week`` to ``last_week`` (a region without one: a single row, the figure columns None).
    ``programme_id`` may be a number or an SQL expression."""
    return (select(Region.id, Region.live_on, AdoptionFigure.week, AdoptionFigure.active_users,
                   AdoptionFigure.licensed_users)
            .outerjoin(AdoptionFigure, and_(AdoptionFigure.region_id == Region.id,
                                            AdoptionFigure.week >= first_week, AdoptionFigure.week <= last_week))
            .where(Region.programme_id == programme_id))


def latest_week_of_every_region(programme_id) -> Select:
    """(region_id, active_users, licensed_users) of every region of the programme, from its latest figure (both
    None without one). ``programme_id`` may be a number or an SQL expression."""
    latest = latest_weeks(programme_id).subquery("latest_figure")
    return (select(Region.id, latest.c.active_users, latest.c.licensed_users)
            .outerjoin(latest, latest.c.region_id == Region.id).where(Region.programme_id == programme_id))
