"""``generate_programme``: one new synthetic programme, mid-rollout on ``today``, the same for the same seed,
scale and day. Everything happens in the caller's transaction (the command commits once at the end)."""
import hashlib
import random
import time as timer
from datetime import date

from sqlalchemy import func, select

from planner.extensions import db
from planner.adoption.models import AdoptionFigure
from planner.generator.bulk import refresh_statistics
from planner.people.models import Person
from planner.training.models import AttendanceMark, Enrolment, TrainingSession
from planner.generator import comms, committee, people, rollout_state, structure, training, voice
from planner.programmes.models import Programme


def default_name(scale: float, seed: int) -> str:
    return f"Synthetic programme (scale {scale:g}, seed {seed})"


def generate_programme(*, scale: float, seed: int, today: date, name: str | None = None) -> dict:
    """Build the programme; returns it with its logins, the row counts per table and the seconds taken."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    started = timer.perf_counter()
    rng = random.Random(seed)
    frame = structure.build_frame(name=name or default_name(scale, seed), scale=scale, today=today, rng=rng)
    person_rows = people.create_people(frame, max(30, round(2000 * scale)), rng)
    structure.set_sponsor(frame, person_rows[0]["id"])
    structure.create_logins(frame, person_ids=[row["id"] for row in person_rows],
                            trainers=max(2, round(8 * scale)))
    committee.build_committee(frame, person_rows, scale, rng)
    courses = training.create_courses(frame)
    training.create_sessions(frame, person_rows, courses, sessions_wanted=max(6, round(170 * scale)), rng=rng)
    rollout_state.record_adoption(frame, rng)
    refresh_statistics(Person, TrainingSession, Enrolment, AttendanceMark, AdoptionFigure)
    rollout_state.mark_live(frame, rng)
    comms.build_comms(frame, person_rows, scale, rng)
    voice.create_feedback(frame, person_rows, scale, rng)
    live_region_ids = [region.id for region in frame.regions if region.live_on is not None]
    voice.create_survey(frame, live_region_ids, rng)
    voice.create_changes(frame, person_rows, scale, rng)
    voice.create_risks(frame, person_rows, scale, rng)
    db.session.flush()
    return {"programme": frame.programme, "logins": frame.logins, "counts": row_counts(frame.programme.id),
            "seconds": timer.perf_counter() - started}


def _counted_tables():
    """(label, model, how to reach the programme): the tables the generator fills."""
    from planner.adoption.models import AdoptionFigure
    from planner.changes.models import ChangeRequest
    from planner.comms.models import Audience, CommunicationItem, CommunicationLog
    from planner.committee.models import ActionItem, Decision, MeetingOccurrence
    from planner.feedback.models import FeedbackItem
    from planner.people.models import Person
    from planner.programmes.models import Region
    from planner.risks.models import Risk, RiskScoreChange
    from planner.rollout.models import Wave
    from planner.surveys.models import SurveyInvitation, SurveyResponse
    from planner.training.models import AttendanceMark, Course, Enrolment, TrainingSession

    direct = (("regions", Region), ("waves", Wave), ("people", Person), ("courses", Course),
              ("training sessions", TrainingSession), ("meeting occurrences", MeetingOccurrence),
              ("decisions", Decision), ("actions", ActionItem), ("audiences", Audience),
              ("communication items", CommunicationItem), ("communication log", CommunicationLog),
              ("feedback items", FeedbackItem), ("change requests", ChangeRequest),
              ("survey invitations", SurveyInvitation), ("survey responses", SurveyResponse),
              ("adoption figures", AdoptionFigure), ("risks", Risk))
    via_session = (("enrolments", Enrolment), ("attendance marks", AttendanceMark))
    return direct, via_session, (("risk score history", RiskScoreChange, Risk),)


def row_counts(programme_id: int) -> dict[str, int]:
    """Rows per table for one programme."""
    from planner.training.models import TrainingSession

    direct, via_session, via_risk = _counted_tables()
    counts = {label: db.session.scalar(select(func.count()).select_from(model)
                                       .where(model.programme_id == programme_id)) for label, model in direct}
    for label, model in via_session:
        counts[label] = db.session.scalar(select(func.count(model.id)).join(
            TrainingSession, TrainingSession.id == model.session_id).where(TrainingSession.programme_id == programme_id))
    for label, model, parent in via_risk:
        counts[label] = db.session.scalar(select(func.count(model.id)).join(parent, parent.id == model.risk_id)
                                          .where(parent.programme_id == programme_id))
    return counts


def digest(programme_id: int) -> str:
    """A fingerprint of the generated content (names, dates, statuses, counts), free of ids, tokens and
    creation times, so two runs with the same seed, scale and day compare equal."""
    from planner.comms.models import CommunicationLog
    from planner.people.models import Person
    from planner.programmes.models import Region
    from planner.risks.models import Risk
    from planner.training.models import AttendanceMark, TrainingSession

    parts = [repr(sorted(row_counts(programme_id).items()))]
    queries = (
        select(Programme.start_date, Programme.system_name).where(Programme.id == programme_id),
        select(Region.name, Region.tier, Region.time_zone, Region.headcount, Region.live_on)
        .where(Region.programme_id == programme_id).order_by(Region.name),
        select(Person.full_name, Person.email, Person.job_role, Person.is_super_user)
        .where(Person.programme_id == programme_id).order_by(Person.email),
        select(TrainingSession.local_start, TrainingSession.capacity, TrainingSession.location)
        .where(TrainingSession.programme_id == programme_id).order_by(TrainingSession.starts_at,
                                                                      TrainingSession.location),
        select(AttendanceMark.status, func.count()).join(TrainingSession, TrainingSession.id == AttendanceMark.session_id)
        .where(TrainingSession.programme_id == programme_id).group_by(AttendanceMark.status)
        .order_by(AttendanceMark.status),
        select(Risk.number, Risk.title, Risk.likelihood, Risk.impact, Risk.status)
        .where(Risk.programme_id == programme_id).order_by(Risk.number),
        select(CommunicationLog.subject, CommunicationLog.happened_at)
        .where(CommunicationLog.programme_id == programme_id)
        .order_by(CommunicationLog.happened_at, CommunicationLog.subject),
    )
    for query in queries:
        parts.append(repr([tuple(row) for row in db.session.execute(query)]))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
