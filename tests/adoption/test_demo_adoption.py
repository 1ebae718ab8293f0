"""The demo's adoption: the pilot climbing from 35% to 80% over the weeks since its go-live, the key wave's gate
reading it, super-user flags on Latin America (none) and the Middle East (IT only), and a second load that
creates nothing."""
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from planner.adoption.models import AdoptionFigure
from planner.adoption.status import adoption_status
from planner.adoption.super_users import FlagKind, super_user_flags
from planner.demo.adoption import climbing_shares, load_adoption, pilot_weeks
from planner.demo.loader import load_demo
from planner.extensions import db
from planner.people.models import Person
from planner.rollout.gate import CheckState, evaluate_gates


@pytest.mark.parametrize("today", [date(2026, 11, 24), date(2026, 11, 23), date(2027, 1, 8)])
def test_the_pilot_climbs_and_a_second_load_creates_nothing(app, today_is, seeds_dir, today):
    today_is(today)
    spec = json.loads((seeds_dir / "adoption.json").read_text(encoding="utf-8"))
    with app.app_context():
        loaded = load_demo("demo password 123")
        programme, created = loaded["programme"], loaded["created"]["adoption"]
        figures = db.session.scalars(select(AdoptionFigure).where(AdoptionFigure.programme_id == programme.id)
                                     .order_by(AdoptionFigure.week)).all()
        assert created == len(figures) + 1  # and one nomination
        assert len(figures) >= 2
        assert {figure.region.name for figure in figures} == {"Headquarters Hamburg"}
        shares = [round(figure.percent) for figure in figures]
        assert shares[0] == 35 and shares[-1] == 80 and shares == sorted(shares)
        assert {figure.licensed_users for figure in figures} == {figures[0].region.headcount}
        assert figures[0].week <= figures[0].region.live_on < figures[0].week + timedelta(weeks=1)
        assert figures[-1].week == today - timedelta(days=today.weekday(), weeks=1)  # up to last week

        flags = {flag.region: flag.kind for flag in super_user_flags(programme.id)}
        assert flags == {"Latin America": FlagKind.NONE, "Middle East": FlagKind.IT_ONLY}
        assert db.session.scalar(select(Person.is_super_user).where(
            Person.email == "aiko.zimmermann@meridian-outdoor.example"))

        gates = evaluate_gates(programme, today)
        key_gate = next(gate for gate in gates.values() if gate.previous is not None and gate.previous.position == 1)
        assert key_gate.checks[3].state is CheckState.MET
        status = adoption_status(programme, today)
        assert [region.name for region in status.live_regions] == ["Headquarters Hamburg"]
        assert status.below_threshold == [] and status.live_regions[0].latest.percent == pytest.approx(80, abs=1)

        assert load_adoption(programme, spec, today) == 0
        db.session.rollback()


def test_the_weeks_and_shares_of_the_story():
    assert pilot_weeks(date(2026, 11, 5), date(2026, 11, 24)) == [date(2026, 11, 2), date(2026, 11, 9),
                                                                   date(2026, 11, 16)]
    assert pilot_weeks(date(2026, 11, 24), date(2026, 11, 25)) == []
    assert climbing_shares(35, 80, 4) == [35, 50, 65, 80]
    assert climbing_shares(35, 80, 1) == [80]
    assert climbing_shares(35, 80, 0) == []
