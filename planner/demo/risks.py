"""The demo's risk register: about ten risks across the categories with owners, a few high ones, one review
overdue, one without mitigation, a score history over the last weeks (written with past timestamps, so the
trend chart has a story), and one risk on the committee's next agenda."""
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from planner.committee import services as committee_services
from planner.committee.models import Committee, Meeting, MeetingOccurrence
from planner.core import clock
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Programme
from planner.risks import services
from planner.risks.models import Risk, RiskScoreChange, RiskStatus


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def load_risks(programme: Programme, spec: dict, on_day: date) -> int:
    """Create the demo's risks once; returns how many were created (0 the second time)."""
    if db.session.scalar(select(Risk.id).where(Risk.programme_id == programme.id).limit(1)):
        return 0
    people = {p.email: p.id for p in db.session.scalars(select(Person).where(Person.programme_id == programme.id))}
    upcoming = db.session.scalar(
        select(MeetingOccurrence).join(Meeting, MeetingOccurrence.meeting_id == Meeting.id)
        .join(Committee, Meeting.committee_id == Committee.id)
        .where(Committee.programme_id == programme.id, MeetingOccurrence.is_cancelled.is_(False),
               MeetingOccurrence.starts_at > clock.now())
        .order_by(MeetingOccurrence.starts_at).limit(1))
    created = 0
    for entry in spec["risks"]:
        risk = _risk(programme, entry, on_day, people)
        created += 1
        agenda = entry.get("on_next_agenda")
        if agenda and upcoming is not None:
            committee_services.add_agenda_item(upcoming, title=agenda["title"], minutes_allotted=agenda["minutes"],
                                               presenter_id=risk.owner_id, risk_id=risk.id)
    db.session.flush()
    return created


def _risk(programme: Programme, entry: dict, on_day: date, people: dict) -> Risk:
    (first_ago, likelihood, impact, status), *later = entry["history"]
    risk = services.create_risk(
        programme, title=entry["title"], category=entry["category"], description=entry.get("description", ""),
        likelihood=likelihood, impact=impact, status=status, owner_id=people.get(entry.get("owner_email")),
        mitigation=entry.get("mitigation", ""), trigger=entry.get("trigger", ""),
        next_review_on=on_day + timedelta(days=entry["review_in_days"]))
    first = risk.history[0]
    first.at = risk.created_at = _at(on_day - timedelta(days=first_ago))
    # the later changes happened in the past weeks: written as history with their own day (not through the
    # service, which stamps the present)
    for days_ago, likelihood, impact, status in later:
        risk.likelihood, risk.impact, risk.status = likelihood, impact, RiskStatus(status)
        db.session.add(RiskScoreChange(risk=risk, at=_at(on_day - timedelta(days=days_ago)), likelihood=likelihood,
                                       impact=impact, score=likelihood * impact, status=RiskStatus(status),
                                       note="Reviewed", changed_by_id=None))
    db.session.flush()
    return risk
