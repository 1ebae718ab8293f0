"""Where the rollout stands today: weekly adoption figures of the regions whose go-live has passed (bulk
rows), those regions marked live through the service in wave order (a failed gate is overridden by a
decision of a past meeting, as the committee would), and a few defects."""
from datetime import timedelta

from sqlalchemy import select

from planner.adoption.models import AdoptionFigure, AdoptionSource
from planner.adoption.services import week_start
from planner.committee import services as committee_services
from planner.committee.models import MeetingOccurrence, OccurrenceStatus
from planner.core.errors import DomainError
from planner.extensions import db
from planner.generator.bulk import insert_rows
from planner.generator.structure import Frame
from planner.generator.vocabulary import TOPICS
from planner.rollout import services as rollout_services
from planner.rollout.gate import waves_in_order


def live_waves(frame: Frame) -> list:
    return [wave for wave in waves_in_order(frame.programme.id)
            if wave.planned_go_live is not None and wave.planned_go_live <= frame.today]


def record_adoption(frame: Frame, rng) -> int:
    """Weekly active users from each live region's go-live week to last week, climbing towards a plateau."""
    rows = []
    last_week = week_start(frame.today) - timedelta(weeks=1)
    for wave in live_waves(frame):
        for region in wave.regions:
            week, number = week_start(wave.planned_go_live), 0
            plateau = rng.uniform(0.7, 0.92)
            while week <= last_week and region.headcount > 0:
                share = min(plateau, 0.35 + 0.12 * number + rng.uniform(-0.03, 0.03))
                rows.append({"programme_id": frame.programme.id, "region_id": region.id, "week": week,
                             "active_users": round(region.headcount * share), "licensed_users": region.headcount,
                             "source": AdoptionSource.CSV, "recorded_by_id": None})
                week, number = week + timedelta(weeks=1), number + 1
    return insert_rows(AdoptionFigure, rows)


def mark_live(frame: Frame, rng) -> int:
    """Mark the regions of every wave whose go-live has passed as live on that day; returns how many."""
    programme, marked = frame.programme, 0
    for wave in live_waves(frame):
        for region in wave.regions:
            try:
                with db.session.begin_nested():
                    rollout_services.mark_region_live(programme, region, live_on=wave.planned_go_live,
                                                      today=frame.today)
            except DomainError:
                decision = _override_decision(frame, wave)
                rollout_services.mark_region_live(programme, region, live_on=wave.planned_go_live,
                                                  today=frame.today, decision_id=decision.id)
            marked += 1
            _defects(frame, region, wave.planned_go_live, rng)
    db.session.flush()
    return marked


def _override_decision(frame: Frame, wave):
    """The committee's decision to go ahead: taken in the last minuted meeting before the go-live."""
    occurrence = db.session.scalar(
        select(MeetingOccurrence).where(MeetingOccurrence.programme_id == frame.programme.id,
                                        MeetingOccurrence.status == OccurrenceStatus.MINUTED)
        .order_by(MeetingOccurrence.starts_at.desc()).limit(1))
    return committee_services.record_decision(
        frame.programme, text=f"{wave.name} goes live as planned; the open points are followed up in the trial.",
        recorded_by_id=None, occurrence=occurrence)


def _defects(frame: Frame, region, live_on, rng) -> None:
    for _number in range(rng.randint(0, 3)):
        opened_on = min(frame.today, live_on + timedelta(days=rng.randint(0, 10)))
        severity = rng.choice(("low", "medium", "medium", "high"))
        defect = rollout_services.report_defect(
            frame.programme, region_id=region.id, severity=severity, opened_on=opened_on,
            title=f"{rng.choice(TOPICS).capitalize()} not shown correctly in {region.name}")
        if severity == "high" or rng.random() < 0.4:
            rollout_services.close_defect(defect, closed_on=min(frame.today, opened_on + timedelta(days=3)))
