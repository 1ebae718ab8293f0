"""The demo's risk register: loaded after the rest of the demo, it tells its story, and loading it again
creates nothing."""
import json

from sqlalchemy import select

from planner.committee.models import AgendaItem
from planner.core import clock
from planner.demo.risks import load_risks
from planner.extensions import db
from planner.programmes.models import Programme
from planner.risks import queries
from planner.risks.models import HIGH_SCORE, Risk, RiskScoreChange
from planner.risks.status import risks_status
from tests.test_demo import _rolled_back  # noqa: F401  (fixture: this test owns its database)


def test_the_demo_risk_register(demo_app, seeds_dir):
    app = demo_app
    spec = json.loads((seeds_dir / "risks.json").read_text(encoding="utf-8"))
    with app.app_context():
        programme = db.session.scalars(select(Programme)).one()
        today = clock.today()
        if not db.session.scalar(select(Risk.id).limit(1)):  # until the lead wires it into `flask demo`
            assert load_risks(programme, spec, today) == len(spec["risks"])
            db.session.commit()
        risks = db.session.scalars(select(Risk)).all()
        assert len(risks) == 10 and len({risk.category for risk in risks}) == 10
        figures = risks_status(programme, today)
        assert figures.high >= 2 and figures.overdue_reviews == 1 and figures.without_mitigation == 1
        assert sum(1 for risk in risks if risk.owner_id) >= 8
        assert all(risk.history[0].score == risk.score and risk.history[0].status == risk.status for risk in risks)
        oldest = db.session.scalar(select(RiskScoreChange.at).order_by(RiskScoreChange.at).limit(1))
        assert (clock.now() - oldest).days >= 42
        trend = queries.score_trend(programme.id, today, days=70)
        totals = [point.total for point in trend]
        assert totals[0] < max(totals) and len(set(totals)) > 4 and totals[-1] > 0
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.risk_id.is_not(None)))
        assert item.occurrence.starts_at > clock.now() and item.risk.score >= HIGH_SCORE
        assert load_risks(programme, spec, today) == 0
        db.session.rollback()
