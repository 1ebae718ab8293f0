"""The wave gate's evidence (planner/rollout/evidence.py): training completion from the training area, adoption
from the weekly figures here.

Adoption of a group of regions is the share of licensed users who were active in each region's latest recorded
week: sum of active over sum of licensed, across the regions that have any figure. The gate asks once per
wave, so the latest figures of all the programme's regions are read at the first question and kept on the
database session until it writes anything, commits or rolls back (the care TrainingEvidence takes).
"""
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from planner.adoption import queries
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


def adoption_pct(region_ids: list[int]) -> float | None:
    """Share (0-100) of licensed users in these regions who were active in each region's latest week; None when
    none of them has a figure."""
    if not region_ids:
        return None
    if db.session.new or db.session.dirty or db.session.deleted:
        _forget(db.session)  # the query below flushes them first
    cache = db.session.info.get(_CACHE_KEY)
    if cache is None or any(region_id not in cache for region_id in region_ids):
        programme_id = select(Region.programme_id).where(Region.id.in_(list(region_ids))).limit(1).scalar_subquery()
        rows = db.session.execute(queries.latest_week_of_every_region(programme_id)).all()
        cache = db.session.info.setdefault(_CACHE_KEY, {})  # the query's autoflush may have dropped it
        cache.update((region_id, None if licensed is None else (active, licensed))
                     for region_id, active, licensed in rows)
        for region_id in region_ids:
            cache.setdefault(region_id, None)
    known = [cache[region_id] for region_id in region_ids if cache[region_id] is not None]
    if not known:
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
