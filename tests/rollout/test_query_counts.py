"""Every list page of the rollout and committee areas answers in the same number of queries, however
much data there is: a lazy load per row would make the count grow."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from planner.auth import services as auth_services
from planner.committee import services as committee_services
from planner.extensions import db
from planner.programmes import services as programme_services
from planner.programmes.models import Programme, Region
from planner.rollout import services
from planner.rollout.models import Wave
from tests.committee.helpers import held_occurrence
from tests.conftest import PASSWORD, count_queries
from tests.rollout.helpers import IN_TRIAL, pin_today


def grow(app, programme, n: int, start: int) -> None:
    """Add n of everything: a wave with two regions (one live by decision), defects, holidays,
    freeze windows, milestones with dependencies, and decisions each recorded by another user."""
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        for i in range(start, start + n):
            recorder = auth_services.create_user(f"recorder{i}.{programme.id}@example.com", PASSWORD)
            decision = committee_services.record_decision(target, text=f"Decision {i}", recorded_by_id=recorder.id,
                                                          occurrence=held_occurrence(target, date(2026, 9, 1)))
            regions = [programme_services.create_region(target, name=f"Region {i}-{k}", tier="standard",
                                                        time_zone="UTC", headcount=5, site_notes="")
                       for k in range(2)]
            wave = services.create_wave(target, name=f"Wave {i}", kind="standard", position=i,
                                        planned_go_live=date(2026, 11, 2) + timedelta(weeks=i), trial_days=5,
                                        region_ids=[region.id for region in regions])
            db.session.flush()
            services.mark_region_live(target, db.session.get(Region, regions[0].id), live_on=date(2026, 10, 5),
                                      today=IN_TRIAL, decision_id=decision.id)
            for region in regions:
                services.report_defect(target, region_id=region.id, title=f"Defect {i}", severity="high",
                                       opened_on=date(2026, 10, 6))
            services.add_holiday(target, day=date(2027, 1, 1) + timedelta(days=i), name=f"Holiday {i}",
                                 region_id=regions[1].id)
            services.add_freeze_window(target, name=f"Freeze {i}", start_on=date(2027, 3, 1) + timedelta(weeks=i),
                                       end_on=date(2027, 3, 3) + timedelta(weeks=i))
            milestone = services.create_milestone(target, name=f"Milestone {i}", kind="review",
                                                  planned_on=date(2026, 6, 1) + timedelta(days=i), actual_on=None)
            db.session.flush()
            services.add_dependency(target, predecessor_key=f"milestone:{milestone.id}",
                                    successor_key=f"wave:{wave.id}", lag_days=1)
        db.session.commit()


def second_wave_id(app, programme) -> int:
    with app.app_context():
        return db.session.scalar(select(Wave.id).where(Wave.programme_id == programme.id)
                                 .order_by(Wave.position).offset(1).limit(1))


PAGES = ["waves", "waves/{wave}", "defects", "defects?state=all", "milestones", "dependencies", "calendar",
         "decisions"]


@pytest.mark.parametrize("role", ["project_manager", "viewer"])
def test_list_pages_do_not_query_per_row(app, client, login_as, make_programme, monkeypatch, role):
    programme = make_programme()
    grow(app, programme, 2, start=1)
    pin_today(monkeypatch, IN_TRIAL)
    login_as(role, programme)
    wave = second_wave_id(app, programme)

    def counts() -> dict[str, int]:
        result = {}
        for page in PAGES:
            url = f"/programmes/{programme.id}/" + page.format(wave=wave)
            with count_queries(app) as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            result[page] = len(statements)
        return result

    few = counts()
    grow(app, programme, 8, start=3)
    assert counts() == few


def test_wave_page_does_not_query_per_region_or_defect(app, client, login_as, make_programme, monkeypatch):
    """The wave page lists its regions (each with the decision that let it go live) and their defects."""
    programme = make_programme(regions=["HQ"])
    grow(app, programme, 1, start=1)  # a first wave, so the HQ wave below has a gate
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        hq = db.session.scalar(select(Region.id).where(Region.programme_id == programme.id, Region.name == "HQ"))
        wave = services.create_wave(target, name="Grows", kind="key", position=9, planned_go_live=None,
                                    trial_days=5, region_ids=[hq])
        db.session.commit()
        wave_id = wave.id
    pin_today(monkeypatch, IN_TRIAL)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/waves/{wave_id}"

    def count() -> int:
        with count_queries(app) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    few = count()
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        wave = db.session.get(Wave, wave_id)
        decision = committee_services.record_decision(target, text="Go", recorded_by_id=None,
                                                      occurrence=held_occurrence(target, date(2026, 9, 1)))
        added = [programme_services.create_region(target, name=f"Extra {k}", tier="key", time_zone="UTC",
                                                  headcount=1, site_notes="") for k in range(6)]
        services.update_wave(wave, expected_version=None, region_ids=[hq] + [r.id for r in added],
                             name="Grows", kind="key", position=9, planned_go_live=None, trial_days=5)
        for region in added[:3]:
            services.mark_region_live(target, region, live_on=date(2026, 10, 5), today=IN_TRIAL,
                                      decision_id=decision.id)
        for region in added:
            services.report_defect(target, region_id=region.id, title="Slow", severity="low",
                                   opened_on=date(2026, 10, 6))
        db.session.commit()
    assert count() == few


@pytest.mark.parametrize("role", ["project_manager", "viewer"])
def test_the_overview_does_not_query_per_wave_or_region(app, client, login_as, make_programme, monkeypatch, role):
    """The overview's cards (committee, communication gaps per region, adoption per live region, super-user
    flags) read whole programmes at once."""
    programme = make_programme()
    grow(app, programme, 2, start=1)
    pin_today(monkeypatch, IN_TRIAL)
    login_as(role, programme)

    def count() -> int:
        with count_queries(app) as statements:
            assert client.get(f"/programmes/{programme.id}").status_code == 200
        return len(statements)

    few = count()
    grow(app, programme, 8, start=3)
    assert count() == few
