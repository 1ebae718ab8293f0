"""The demo's readiness survey: one round to the pilot and key regions, closed a week ago with most people having
answered, whose results show a "knowledge" barrier in a key region (North America East, half-way through its
training) while the pilot is ready. Answers are drawn with a fixed seed, so every load tells the same story.

The invitations are marked sent without writing outbox rows, so loading the demo sends no mail (as for the
committee and training)."""
import math
import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from planner.comms import audiences
from planner.comms.models import Audience
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Programme, Region
from planner.surveys import services
from planner.surveys.models import ELEMENTS, SurveyInvitation, SurveyRound


def load_surveys(programme: Programme, spec: dict, on_day: date) -> int:
    """Create the survey round and its answers once; returns how many things were created (0 the second time)."""
    round_spec = spec["round"]
    if db.session.scalar(select(SurveyRound.id).where(SurveyRound.programme_id == programme.id,
                                                      SurveyRound.title == round_spec["title"])):
        return 0
    regions = {region.name: region.id for region in db.session.scalars(
        select(Region).where(Region.programme_id == programme.id))}
    created = 0
    audience = db.session.scalar(select(Audience).where(Audience.programme_id == programme.id,
                                                        Audience.name == spec["audience"]["name"]))
    if audience is None:
        audience = audiences.create_audience(
            programme, name=spec["audience"]["name"], description=spec["audience"]["description"],
            is_everyone=False, region_ids=[regions[name] for name in spec["audience"]["regions"]],
            department_ids=[], job_roles="", person_ids=[])
        created += 1
    opens_on = on_day - timedelta(days=round_spec["opens_days_ago"])
    closes_on = on_day - timedelta(days=round_spec["closes_days_ago"])
    survey = services.create_round(programme, title=round_spec["title"], audience_id=audience.id, opens_on=opens_on,
                                   closes_on=closes_on, intro=round_spec["intro"])
    services.open_round(survey, today=opens_on, send_mail=False)
    created += 1
    opened_at = datetime.combine(opens_on, time(8, 0), tzinfo=timezone.utc)
    survey.opened_at = opened_at

    rng = random.Random(spec["seed"])
    invitations = db.session.execute(
        select(SurveyInvitation, Person.region_id).join(Person, Person.id == SurveyInvitation.person_id)
        .where(SurveyInvitation.round_id == survey.id).order_by(Person.email)).all()
    names = {region_id: name for name, region_id in regions.items()}
    span_days = max(1, (closes_on - opens_on).days)
    for invitation, region_id in invitations:
        invitation.sent_at = opened_at
        means = spec["means"].get(names.get(region_id))
        if means is None or rng.random() >= spec["answer_share"]:
            continue
        comment = rng.choice(spec["comments"]) if rng.random() < 0.15 else ""
        response = services.answer_survey(invitation, scores=_draw(rng, means), comment=comment)
        answered_at = opened_at + timedelta(days=rng.randrange(span_days), hours=rng.randrange(1, 9))
        response.submitted_at = invitation.answered_at = answered_at
        created += 1

    paper = spec["paper_forms"]
    for _number in range(paper["count"]):
        response = services.enter_paper_response(survey, region_id=regions[paper["region"]],
                                                 scores=_draw(rng, spec["means"][paper["region"]]),
                                                 entered_by_id=None)
        response.submitted_at = datetime.combine(closes_on, time(15, 0), tzinfo=timezone.utc)
        created += 1
    services.close_round(survey)
    survey.closed_at = datetime.combine(closes_on + timedelta(days=1), time(9, 0), tzinfo=timezone.utc)
    db.session.flush()
    return created


def _draw(rng: random.Random, means: dict) -> dict[str, int]:
    """Five whole scores whose expected values are the given means, with some spread either side."""
    scores = {}
    for element in ELEMENTS:
        mean = means[element]
        score = math.floor(mean) + (1 if rng.random() < mean - math.floor(mean) else 0)
        if rng.random() < 0.3:
            score += rng.choice((-1, 1))
        scores[element] = min(5, max(1, score))
    return scores

