"""Read helpers of the survey pages (Selects, so pages can page and count them)."""
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from planner.extensions import db
from planner.people.models import Person
from planner.surveys.models import ResponseSource, SurveyInvitation, SurveyResponse, SurveyRound


def rounds_of(programme_id: int) -> Select:
    """The programme's rounds, newest first, with their audience (shown in the list) loaded in the same query."""
    return (select(SurveyRound).where(SurveyRound.programme_id == programme_id)
            .options(joinedload(SurveyRound.audience))
            .order_by(SurveyRound.opens_on.desc(), SurveyRound.id.desc()))


def round_counts(round_ids: list[int]) -> dict[int, tuple[int, int]]:
    """round id -> (people asked, answers), in two queries for a whole page of rounds."""
    if not round_ids:
        return {}
    invited = dict(db.session.execute(select(SurveyInvitation.round_id, func.count(SurveyInvitation.id))
                                      .where(SurveyInvitation.round_id.in_(round_ids))
                                      .group_by(SurveyInvitation.round_id)).all())
    answers = dict(db.session.execute(select(SurveyResponse.round_id, func.count(SurveyResponse.id))
                                      .where(SurveyResponse.round_id.in_(round_ids))
                                      .group_by(SurveyResponse.round_id)).all())
    return {round_id: (invited.get(round_id, 0), answers.get(round_id, 0)) for round_id in round_ids}


#: from this many people not answered, a page of them is found by walking the programme's name index; below it,
#: by sorting them (a round asked of a few, or answered by most, would walk much of the programme for a page)
WALK_NAMES_FROM = 1000


def unanswered_people(survey: SurveyRound, unanswered: int) -> Select:
    """The people asked in the round who have not answered through their link, by name; ``unanswered`` is how
    many (``unanswered_count``). Many: the programme's people in the order of their name index, each checked for
    an open invitation, so a page reads about a page of people over the share not answered. Few: they are read
    and sorted."""
    if unanswered < WALK_NAMES_FROM:
        return (select(Person).join(SurveyInvitation, SurveyInvitation.person_id == Person.id)
                .where(SurveyInvitation.round_id == survey.id, SurveyInvitation.answered_at.is_(None))
                .order_by(Person.full_name, Person.id))
    asked = (select(SurveyInvitation.id)
             .where(SurveyInvitation.round_id == survey.id, SurveyInvitation.person_id == Person.id,
                    SurveyInvitation.answered_at.is_(None)))
    return (select(Person).where(Person.programme_id == survey.programme_id, asked.exists())
            .order_by(Person.full_name, Person.id))


def unanswered_count(round_id: int) -> Select:
    """How many people asked in the round have not answered: the round's invitations alone."""
    return (select(func.count(SurveyInvitation.id))
            .where(SurveyInvitation.round_id == round_id, SurveyInvitation.answered_at.is_(None)))


def paper_responses(round_id: int) -> Select:
    """The paper forms typed in for the round, newest first (with their region and who typed them)."""
    return (select(SurveyResponse).where(SurveyResponse.round_id == round_id,
                                         SurveyResponse.source == ResponseSource.PAPER)
            .options(selectinload(SurveyResponse.region), selectinload(SurveyResponse.entered_by))
            .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc()))
