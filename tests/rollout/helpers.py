"""Building rollout worlds through the real services, and reading them back, for the page tests."""
import re
from datetime import date

from sqlalchemy import select

from planner.committee import services as committee_services
from tests.committee.helpers import held_occurrence
from planner.extensions import db
from planner.programmes.models import Programme, Region
from planner.rollout import evidence as evidence_module
from planner.rollout import services

#: the pilot goes live on a Monday; with a 10-day trial it runs until Friday 16 October 2026
PILOT_LIVE = date(2026, 10, 5)
IN_TRIAL = date(2026, 10, 12)
AFTER_TRIAL = date(2026, 10, 26)


def pin_today(monkeypatch, day: date) -> None:
    monkeypatch.setattr("planner.core.clock.today", lambda: day)


class Evidence:
    """An evidence source with fixed figures, standing in for the training and adoption areas."""

    def __init__(self, training: float | None, adoption: float | None):
        self.training, self.adoption = training, adoption

    def training_completion_pct(self, region_ids):
        return self.training

    def adoption_pct(self, region_ids):
        return self.adoption


def use_evidence(monkeypatch, training: float | None, adoption: float | None) -> None:
    monkeypatch.setattr(evidence_module, "_source", Evidence(training, adoption))


def region_ids(app, programme) -> dict[str, int]:
    with app.app_context():
        return {name: oid for oid, name in db.session.execute(
            select(Region.id, Region.name).where(Region.programme_id == programme.id))}


def add_wave(app, programme, name: str, regions: list[str], *, position: int, kind: str = "standard",
             trial_days: int = 10, planned_go_live: date | None = None) -> int:
    ids = region_ids(app, programme)
    with app.app_context():
        wave = services.create_wave(db.session.get(Programme, programme.id), name=name, kind=kind,
                                    position=position, planned_go_live=planned_go_live, trial_days=trial_days,
                                    region_ids=[ids[region] for region in regions])
        db.session.commit()
        return wave.id


def go_live(app, programme, region: str, day: date = PILOT_LIVE, decision_id: int | None = None) -> None:
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        services.mark_region_live(target, db.session.get(Region, region_ids(app, programme)[region]), live_on=day,
                                  today=day, decision_id=decision_id)
        db.session.commit()


def add_defect(app, programme, region: str, *, severity: str = "high", title: str = "Quotes do not save",
               opened_on: date = PILOT_LIVE) -> int:
    with app.app_context():
        defect = services.report_defect(db.session.get(Programme, programme.id),
                                        region_id=region_ids(app, programme)[region], title=title,
                                        severity=severity, opened_on=opened_on)
        db.session.commit()
        return defect.id


def add_decision(app, programme, text: str = "Go live in the north despite the open defects") -> int:
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        decision = committee_services.record_decision(
            target, text=text, recorded_by_id=None, occurrence=held_occurrence(target, date(2026, 10, 9)))
        db.session.commit()
        return decision.id


def pilot_and_key(app, make_programme, **programme_values):
    """A programme whose pilot wave (HQ) went live on PILOT_LIVE, then a key wave (North, South)."""
    programme = make_programme(regions=["HQ", "North", "South", "East"], **programme_values)
    pilot = add_wave(app, programme, "Pilot", ["HQ"], position=1, kind="pilot", trial_days=10)
    key = add_wave(app, programme, "Key regions", ["North", "South"], position=2, kind="key")
    go_live(app, programme, "HQ")
    return programme, pilot, key


def field_errors(page_html: str, field_id: str) -> str:
    match = re.search(rf'<ul class="errors" id="{re.escape(field_id)}-error">(.*?)</ul>', page_html, re.DOTALL)
    return match.group(1) if match else ""
