"""The wave gate's evidence (planner/rollout/evidence.py): training completion from the training area, adoption
from the weekly figures here.

Adoption of a group of regions counts only when EVERY region has a recent, completed week since its go-live: a
figure for a week that is over (its Monday + 7 days <= today), that starts on or after the Monday of the region's
go-live week (``Region.live_on``; a region not live has no adoption), and that is one of the last two completed
weeks. Then it is sum(active) / sum(licensed) over each region's latest such figure; otherwise None ("no data":
the gate is not met). A region without recent figures is not left out, since leaving it out would let one good
region carry the wave. The gate asks once per wave, so the figures of all the programme's regions are read at
the first question and kept on the database session (for that day) until it writes anything, commits or rolls
back (the care TrainingEvidence takes).
"""
from datetime import date, timedelta

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from planner.adoption import queries
from planner.core import clock
from planner.extensions import db
from planner.programmes.models import Region
from planner.rollout import evidence
from planner.training.readiness import TrainingEvidence

_CACHE_KEY = "adoption_latest_by_region"


def _forget(session, *args) -> None:
    session.info.pop(_CACHE_KEY, None)


def _forget_on_write(state) -> None:
    if not state.is_select:
        _forget(state.session)


#: how many completed weeks back a figure still counts for the gate
RECENT_WEEKS = 2


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _read(programme_id, today: date) -> dict[int, tuple[int, int] | None]:
    """Every region of the programme: (active, licensed) of its latest qualifying figure, or None."""
    last = _monday(today) - timedelta(weeks=1)  # the latest completed week
    first = last - timedelta(weeks=RECENT_WEEKS - 1)
    found: dict[int, tuple[date, int, int] | None] = {}
    for region_id, live_on, week, active, licensed in db.session.execute(
            queries.region_figures_between(programme_id, first, last)):
        found.setdefault(region_id, None)
        if live_on is None or week is None or week < _monday(live_on):
            continue
        best = found[region_id]
        if best is None or week > best[0]:
            found[region_id] = (week, active, licensed)
    return {region_id: None if best is None else best[1:] for region_id, best in found.items()}


def adoption_pct(region_ids: list[int]) -> float | None:
    """Share (0-100) of licensed users in these regions who were active in each region's latest completed week
    since its go-live, of the last two completed weeks; None when any of the regions has no such figure."""
    if not region_ids:
        return None
    today = clock.today()
    if db.session.new or db.session.dirty or db.session.deleted:
        _forget(db.session)  # the query below flushes them first
    cached = db.session.info.get(_CACHE_KEY)
    cache = cached[1] if cached is not None and cached[0] == today else None
    if cache is None or any(region_id not in cache for region_id in region_ids):
        programme_id = select(Region.programme_id).where(Region.id.in_(list(region_ids))).limit(1).scalar_subquery()
        rows = _read(programme_id, today)
        cache = dict(cached[1]) if cached is not None and cached[0] == today else {}
        cache.update(rows)
        for region_id in region_ids:
            cache.setdefault(region_id, None)
        db.session.info[_CACHE_KEY] = (today, cache)  # set after the query: its autoflush may have dropped it
    known = [cache[region_id] for region_id in region_ids]
    if any(figure is None for figure in known):
        return None
    return sum(active for active, _ in known) * 100 / sum(licensed for _, licensed in known)


class GateEvidence:
    """The one evidence source create_app registers: training delegated to TrainingEvidence, adoption from the
    figures recorded here."""

    def __init__(self, training: TrainingEvidence | None = None):
        self.training = training or TrainingEvidence()

    def training_completion_pct(self, region_ids: list[int]) -> float | None:
        return self.training.training_completion_pct(region_ids)

    def adoption_pct(self, region_ids: list[int]) -> float | None:
        return adoption_pct(region_ids)


def install() -> None:
    """Make GateEvidence the wave gate's source (called from create_app after the training one)."""
    for name, forget in (("after_flush", _forget), ("after_commit", _forget), ("after_soft_rollback", _forget),
                         ("do_orm_execute", _forget_on_write)):
        if not event.contains(Session, name, forget):
            event.listen(Session, name, forget)
    evidence.register_source(GateEvidence())
