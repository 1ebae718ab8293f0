"""The readiness-survey figures of the programme overview card."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from planner.extensions import db
from planner.surveys.models import RoundState, SurveyRound
from planner.surveys.results import latest_round, round_results


@dataclass(frozen=True)
class SurveysStatus:
    #: rounds taking answers now
    open_rounds: int
    #: rounds open whose last day for answers has passed
    overdue_rounds: int
    #: the latest open or closed round, if any
    latest_round_id: int | None
    latest_title: str | None
    latest_state: str | None
    #: answers per person asked in the latest round, in percent
    response_rate: float | None
    answers: int
    barrier_count: int


def surveys_status(programme, today: date) -> SurveysStatus:
    """Open rounds, and the response rate and barrier count of the latest round. A handful of queries."""
    open_rounds, overdue = db.session.execute(
        select(func.count(SurveyRound.id),
               func.count(SurveyRound.id).filter(SurveyRound.closes_on < today))
        .where(SurveyRound.programme_id == programme.id, SurveyRound.state == RoundState.OPEN)).one()
    survey = latest_round(programme.id)
    if survey is None:
        return SurveysStatus(open_rounds, overdue, None, None, None, None, 0, 0)
    results = round_results(survey)
    rate = results.answers * 100 / results.invited if results.invited else None
    return SurveysStatus(open_rounds, overdue, survey.id, survey.title, survey.state.value,
                         rate, results.answers, len(results.barriers))
