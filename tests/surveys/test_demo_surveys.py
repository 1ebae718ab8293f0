"""The demo's readiness survey: loaded after the existing demo, it tells its story (a knowledge barrier in a key
region, the pilot ready), sends no mail, and a second load creates nothing."""
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from planner.core.clock import today
from planner.core.models import OutboxMessage
from planner.demo.surveys import load_surveys
from planner.extensions import db
from planner.programmes.models import Programme, Region
from planner.surveys.models import RoundState, SurveyInvitation, SurveyResponse, SurveyRound
from planner.surveys.results import barriers, round_results

SEED = Path(__file__).resolve().parent.parent.parent / "seeds" / "demo" / "surveys.json"


@pytest.fixture(autouse=True)
def _rolled_back():
    """This test owns its database: the demo command commits."""
    yield


def test_the_demo_survey_shows_a_knowledge_barrier_in_a_key_region(demo_app):
    spec = json.loads(SEED.read_text(encoding="utf-8"))
    with demo_app.app_context():
        programme = db.session.scalars(select(Programme)).one()
        assert db.session.scalar(select(func.count(OutboxMessage.id))
                                 .where(OutboxMessage.kind.like("survey%"))) == 0  # the demo sends no mail

        survey = db.session.scalars(select(SurveyRound)).one()
        assert survey.state is RoundState.CLOSED and survey.closes_on < today()
        invited = db.session.scalar(select(func.count(SurveyInvitation.id)))
        assert invited == 95 + 55 + 45
        assert db.session.scalar(select(func.count(SurveyInvitation.id))
                                 .where(SurveyInvitation.sent_at.is_(None))) == 0
        results = round_results(survey)
        rows = {row.label: row for row in results.rows}
        assert set(rows) == {"Headquarters Hamburg", "North America East", "Asia Pacific"}
        assert all(row.response_rate > 60 for row in rows.values())
        tiers = {region.name: region.tier.value for region in db.session.scalars(select(Region))}
        found = [(b.region, b.element) for b in barriers(programme.id)]
        assert found == [("North America East", "knowledge")]
        assert tiers["North America East"] == "key"
        assert all(mean > 3 for mean in rows["Headquarters Hamburg"].means.values())
        assert all(mean > 3 for element, mean in rows["North America East"].means.items() if element != "knowledge")
        print({label: (row.answers, row.invited, row.means) for label, row in rows.items()})
        assert db.session.scalar(select(func.count(SurveyResponse.id))
                                 .where(SurveyResponse.source == "paper")) == spec["paper_forms"]["count"]
        responses = db.session.scalar(select(func.count(SurveyResponse.id)))

        assert load_surveys(programme, spec, today()) == 0
        db.session.commit()
        assert db.session.scalar(select(func.count(SurveyResponse.id))) == responses
        assert db.session.scalar(select(func.count(SurveyRound.id))) == 1


def test_the_story_holds_on_another_day(demo_app):
    """The scores are drawn with a fixed seed, not from the date: the barrier is there whatever the day."""
    spec = json.loads(SEED.read_text(encoding="utf-8"))
    with demo_app.app_context():
        programme = db.session.scalars(select(Programme)).one()
        load_surveys(programme, spec, date(2027, 3, 1))
        db.session.commit()
        assert [(b.region, b.element) for b in barriers(programme.id)] == [("North America East", "knowledge")]
