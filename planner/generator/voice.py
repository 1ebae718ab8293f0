"""What people say: feedback items (bulk rows), a closed readiness survey to the live regions (invitations
through the service without mail, answers as bulk rows), change requests, and the risk register with its
score history."""
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, select, update

from planner.changes import services as change_services
from planner.comms import audiences
from planner.core import clock
from planner.extensions import db
from planner.feedback.models import FeedbackItem, FeedbackState
from planner.generator.bulk import insert_rows
from planner.generator.structure import Frame
from planner.people.models import Person
from planner.generator.vocabulary import FEEDBACK_TEXTS, RISK_TEMPLATES, TOPICS
from planner.risks import services as risk_services
from planner.risks.models import RiskScoreChange, RiskStatus
from planner.surveys import services as survey_services
from planner.surveys.models import ELEMENTS, ResponseSource, SurveyInvitation, SurveyResponse


def _at(day, hour: int = 9) -> datetime:
    return min(datetime.combine(day, time(hour), tzinfo=UTC), clock.now())


def create_feedback(frame: Frame, people: list[dict], scale: float, rng) -> int:
    """About 60 × scale questions and feedback over the last two months, most answered."""
    answerer = frame.users["project_manager"].id
    rows = []
    for _number in range(max(3, round(60 * scale))):
        person = rng.choice(people)
        kind, topic, text = rng.choice(FEEDBACK_TEXTS)
        submitted = _at(frame.today - timedelta(days=rng.randrange(60)), rng.randint(7, 17))
        state = rng.choices((FeedbackState.ANSWERED, FeedbackState.OPEN, FeedbackState.CLOSED), (6, 3, 1))[0]
        answered = state is FeedbackState.ANSWERED
        rows.append({"programme_id": frame.programme.id, "kind": kind, "topic": topic,
                     "text": text.format(topic=rng.choice(TOPICS)), "region_id": person["region_id"],
                     "person_id": person["id"], "user_id": None, "submitted_at": submitted, "state": state,
                     "answer": "Thank you: see the guide on the intranet, or ask your super-user." if answered else "",
                     "answered_at": min(submitted + timedelta(days=rng.randint(1, 5)), clock.now()) if answered
                     else None, "answered_by_id": answerer if answered else None,
                     "answer_revision": 1 if answered else 0, "faq_question": "", "is_published": False,
                     "published_at": None})
    return insert_rows(FeedbackItem, rows)


def create_survey(frame: Frame, live_region_ids: list[int], rng) -> dict[str, int]:
    """A readiness round to the live regions, closed a week ago, about 70% answered."""
    if not live_region_ids:
        return {"survey_invitation": 0, "survey_response": 0}
    programme = frame.programme
    audience = audiences.create_audience(programme, name="Live regions", description="Regions that went live.",
                                         is_everyone=False, region_ids=live_region_ids, department_ids=[],
                                         job_roles="", person_ids=[])
    opens_on, closes_on = frame.today - timedelta(days=21), frame.today - timedelta(days=7)
    survey = survey_services.create_round(programme, title="Readiness check after go-live", audience_id=audience.id,
                                          opens_on=opens_on, closes_on=closes_on, intro="Five quick questions.")
    survey_services.open_round(survey, today=opens_on, send_mail=False)
    opened_at = _at(opens_on, 8)
    survey.opened_at = opened_at
    invitations = db.session.execute(
        select(SurveyInvitation.id, SurveyInvitation.person_id, Person.region_id)
        .join(Person, Person.id == SurveyInvitation.person_id).where(SurveyInvitation.round_id == survey.id)
        .order_by(SurveyInvitation.id)).all()
    responses, answered = [], []
    for invitation_id, person_id, region_id in invitations:
        if rng.random() >= 0.7:
            continue
        at = opened_at + timedelta(days=rng.randrange(14), hours=rng.randrange(1, 9))
        base = rng.uniform(2.5, 4.5)
        scores = {element: min(5, max(1, round(base + rng.uniform(-1.2, 1.2)))) for element in ELEMENTS}
        responses.append({"programme_id": programme.id, "round_id": survey.id, "invitation_id": invitation_id,
                          "person_id": person_id, "region_id": region_id, "comment": "", "source": ResponseSource.LINK,
                          "entered_by_id": None, "submitted_at": at, **scores})
        answered.append({"invitation_id": invitation_id, "answered": at})
    table = SurveyInvitation.__table__
    db.session.execute(update(table).where(table.c.round_id == survey.id).values(sent_at=opened_at))
    if answered:
        db.session.execute(update(table).where(table.c.id == bindparam("invitation_id"))
                           .values(answered_at=bindparam("answered")), answered)
    insert_rows(SurveyResponse, responses)
    survey_services.close_round(survey)
    survey.closed_at = _at(closes_on + timedelta(days=1))
    db.session.flush()
    return {"survey_invitation": len(invitations), "survey_response": len(responses)}


def create_changes(frame: Frame, people: list[dict], scale: float, rng) -> int:
    """Change requests: some assessed, some turned down, some just submitted."""
    pm = frame.users["project_manager"].id
    count = max(2, round(12 * scale))
    for number in range(count):
        topic = rng.choice(TOPICS)
        requested_on = frame.today - timedelta(days=rng.randrange(5, 90))
        change = change_services.submit_change(
            frame.programme, submitted_by_id=pm, title=f"Change {number + 1}: {topic} for the later waves",
            kind=rng.choice(("process", "scope", "other")), description=f"Adjust how {topic} work after go-live.",
            requester_id=rng.choice(people)["id"], requested_on=requested_on, schedule_days=0,
            cost=Decimal(rng.randrange(0, 40000, 500)), risks="", plan_item_key="", new_start=None,
            new_duration=None)
        change.submitted_at = _at(requested_on)
        roll = rng.random()
        if roll < 0.4:
            change_services.assess_change(change, expected_version=None, assessment="Feasible within the budget.",
                                          schedule_days=0, cost=change.cost, risks="", assessed_by_id=pm)
        elif roll < 0.6:
            change_services.reject_change(change, expected_version=None, reason="Not needed for the rollout.",
                                          rejected_by_id=pm)
    db.session.flush()
    return count


def create_risks(frame: Frame, people: list[dict], scale: float, rng) -> dict[str, int]:
    """About 100 × scale risks through the service, each with a few weeks of score history (bulk rows)."""
    programme, history = frame.programme, []
    count = max(5, round(100 * scale))
    for _number in range(count):
        category, template = rng.choice(RISK_TEMPLATES)
        region = rng.choice(frame.regions)
        likelihood, impact = rng.randint(1, 5), rng.randint(1, 5)
        status = rng.choices((RiskStatus.OPEN, RiskStatus.MITIGATING, RiskStatus.CLOSED), (5, 4, 1))[0]
        risk = risk_services.create_risk(
            programme, title=template.format(topic=rng.choice(TOPICS), region=region.name)[:200], category=category,
            description="", likelihood=likelihood, impact=impact, status=RiskStatus.OPEN,
            owner_id=rng.choice(people)["id"], mitigation="Agreed in the committee." if rng.random() < 0.8 else "",
            trigger="", next_review_on=frame.today + timedelta(days=rng.randint(-10, 30)))
        first_ago = rng.randint(30, 120)
        risk.history[0].at = risk.created_at = _at(frame.today - timedelta(days=first_ago))
        days_ago = first_ago
        for _change in range(rng.randint(1, 4)):
            days_ago = rng.randint(1, max(1, days_ago - 1))
            likelihood = min(5, max(1, likelihood + rng.choice((-1, 0, 1))))
            impact = min(5, max(1, impact + rng.choice((-1, 0, 1))))
            history.append({"risk_id": risk.id, "at": _at(frame.today - timedelta(days=days_ago)),
                            "likelihood": likelihood, "impact": impact, "score": likelihood * impact,
                            "status": status, "note": "Reviewed", "changed_by_id": None})
        risk.likelihood, risk.impact, risk.status = likelihood, impact, status
    db.session.flush()
    insert_rows(RiskScoreChange, history)
    return {"risk": count, "risk_score_change": count + len(history)}
