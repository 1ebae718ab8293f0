"""Health rules: training. Needs underestimated (people no course is required of), training too early or after
go-live, training cancelled for business needs, and a region about to go live with too few people trained."""
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from planner.core.permissions import Permission
from planner.extensions import db
from planner.health.findings import Evidence, Finding, Severity
from planner.health.rules import HealthContext, Threshold, rule

#: the most records a finding lists as evidence (the title and the measure give the full count); the newest records
#: come first, so a new record behind an acknowledged finding shows in its evidence and brings it back
EVIDENCE_LIMIT = 10
#: a cancellation that leaves people without a session is HIGH when their region goes live within this many days
CANCELLATION_SOON_DAYS = 30


def _readiness_link(programme_id: int) -> Evidence:
    return Evidence.link(_("Training readiness"), "training.show_readiness", programme_id=programme_id)


def _session_link(programme_id: int, session_id: int, course: str, day: date) -> Evidence:
    return Evidence.link(_("%(course)s on %(day)s", course=course, day=day.isoformat()), "training.show_session",
                         programme_id=programme_id, session_id=session_id)


@rule("people_without_training_requirement", title=_l("People no training is required of"),
      failure_mode=_l("Training needs underestimated"),
      thresholds=(Threshold("untrained_role_percent", _l("Share of people without a required course (percent)"),
                            10, 0, 100),))
def people_without_training_requirement(ctx: HealthContext):
    """Everybody who will use the system needs training, including people who never handled this information
    before, a common omission (DOMAIN.md, "Training"). Fires, MEDIUM, when any person of the programme (an empty
    job role included) is matched by no course requirement; HIGH when they are more than
    ``untrained_role_percent`` (default 10) of the people, which says the requirement map misses whole roles.
    The measure is the number of people; the evidence lists the newest people first (a person added since an
    acknowledgement is always among them)."""
    from planner.people.models import Person
    from planner.training.queries import people_without_requirement

    programme_id = ctx.programme.id
    missing = sum(ctx.needs.unrequired.values())
    if not missing:
        return
    total = ctx.needs.people
    share = missing * 100 / total
    people = db.session.scalars(people_without_requirement(programme_id).order_by(None).order_by(Person.id.desc())
                                .limit(EVIDENCE_LIMIT)).unique().all()
    yield Finding(
        rule="people_without_training_requirement", subject="programme",
        severity=Severity.HIGH if share > ctx.threshold("untrained_role_percent") else Severity.MEDIUM,
        title=ngettext("%(n)d of %(num)d person has no required course (%(share).0f%%)",
                       "%(n)d of %(num)d people have no required course (%(share).0f%%)", total, n=missing,
                       share=share),
        advice=_("Add course requirements for their job roles (give people without a job role theirs), so "
                 "everybody who will use the system is trained for the work they do."),
        measure=missing,
        evidence=(Evidence.link(_("Training requirements"), "training.requirements", programme_id=programme_id),
                  *(Evidence.link(person.full_name, "people.edit_person", programme_id=programme_id,
                                  person_id=person.id, is_personal=True, permission=Permission.PEOPLE_EDIT)
                    for person in people)))


@rule("training_too_early", title=_l("A region's training ends long before its go-live"),
      failure_mode=_l("Training cancelled or too early before go-live"))
def training_too_early(ctx: HealthContext):
    """Schedule training so the gap between finishing it and using the system is as short as possible:
    people forget what they do not use (DOMAIN.md). For each region still to go live, its training ends with
    the last planned session (not cancelled) of a course its people need; when that session ends more than the
    programme's ``training_max_lead_days`` working days before the go-live (the same window the session pages
    and the session planner use, so there is one number), MEDIUM. The measure is that lead in working days."""
    programme_id = ctx.programme.id
    go_lives = ctx.upcoming_go_lives
    if not go_lives:
        return
    required = ctx.required_pairs
    last: dict[int, object] = {}
    # by id, so that of two sessions ending together the first created counts, as the rule always read them
    for session in sorted(ctx.upcoming_sessions, key=lambda session: session.id):
        if (session.region_id, session.course_id) in required and (
                session.region_id not in last or session.local_end > last[session.region_id].local_end):
            last[session.region_id] = session
    flags = ctx.upcoming_session_flags  # each session's flag depends on that session alone
    names = ctx.regions
    titles = ctx.course_titles
    for region_id, session in sorted(last.items()):
        flag = flags.get(session.id)
        if flag is None or flag.reason != "too_early":
            continue
        yield Finding(
            rule="training_too_early", subject=f"region:{region_id}", severity=Severity.MEDIUM,
            title=ngettext("Training in %(region)s ends %(num)d working day before its go-live",
                           "Training in %(region)s ends %(num)d working days before its go-live", flag.lead_days,
                           region=names[region_id][0]),
            advice=_("Move the sessions closer to the go-live on %(day)s (at most %(max)d working days before it), "
                     "or plan a short refresher just before it, so people use what they learned while they still "
                     "remember it.", day=go_lives[region_id].isoformat(), max=ctx.programme.training_max_lead_days),
            measure=flag.lead_days,
            evidence=(_session_link(programme_id, session.id, titles.get(session.course_id, ""),
                                    session.local_start.date()),
                      _readiness_link(programme_id)))


@rule("training_after_go_live", title=_l("Training happens after a region's go-live"),
      failure_mode=_l("Training needs underestimated"))
def training_after_go_live(ctx: HealthContext):
    """People must be trained before they start using the system, not after (DOMAIN.md, "Training"). Fires,
    HIGH, for a region still to go live with sessions of a course its people need planned on or after the
    go-live (measure: the sessions), and for a live region with people still untrained (measure: the people).
    No threshold: both mean people work in the new system untrained."""
    programme_id = ctx.programme.id
    go_lives = ctx.upcoming_go_lives
    if go_lives:
        required = ctx.required_pairs
        late: dict[int, list] = {}
        sessions = ctx.upcoming_sessions
        titles = ctx.course_titles
        by_id = {session.id: session for session in sessions}
        for session_id, flag in ctx.upcoming_session_flags.items():
            session = by_id[session_id]
            if flag.reason == "after_go_live" and (session.region_id, session.course_id) in required:
                late.setdefault(session.region_id, []).append(session)
        names = ctx.regions
        for region_id, region_sessions in sorted(late.items()):
            yield Finding(
                rule="training_after_go_live", subject=f"region:{region_id}", severity=Severity.HIGH,
                title=ngettext("%(num)d training session for %(region)s ends on or after its go-live",
                               "%(num)d training sessions for %(region)s end on or after its go-live",
                               len(region_sessions), region=names[region_id][0]),
                advice=_("Move these sessions before the go-live on %(day)s: people should start in the system "
                         "already trained.", day=go_lives[region_id].isoformat()),
                measure=len(region_sessions),
                evidence=tuple(_session_link(programme_id, s.id, titles.get(s.course_id, ""), s.local_start.date())
                               for s in sorted(region_sessions, key=lambda s: s.id, reverse=True)[:EVIDENCE_LIMIT]))
    live = {region_id: (name, live_on) for region_id, (name, live_on) in ctx.regions.items()
            if live_on is not None and live_on <= ctx.today}
    if not live:
        return
    for row in ctx.readiness.by_region:
        if row.key in live and row.untrained > 0:
            name, live_on = live[row.key]
            yield Finding(
                rule="training_after_go_live", subject=f"region:{row.key}:untrained", severity=Severity.HIGH,
                title=ngettext("%(num)d person in %(region)s is still untrained although it went live on %(day)s",
                               "%(num)d people in %(region)s are still untrained although it went live on %(day)s",
                               row.untrained, region=name, day=live_on.isoformat()),
                advice=_("Plan catch-up sessions for them now and check with the super-users how they manage "
                         "meanwhile; untrained users fall back to their old spreadsheets."),
                measure=row.untrained, evidence=(_readiness_link(programme_id),))


def _left_without_session(session_ids: list[int]) -> dict[int, int]:
    """{cancelled session id: people of it who hold no place in another session of the course that is not
    cancelled}, for many sessions in one query (``enrolment.left_without_session`` answers for one)."""
    from planner.training.enrolment import LIVE
    from planner.training.models import Enrolment, SessionStatus, TrainingSession

    if not session_ids:
        return {}
    other, other_session = aliased(Enrolment), aliased(TrainingSession)
    placed_elsewhere = exists(
        select(other.id).join(other_session, other_session.id == other.session_id)
        .where(other.person_id == Enrolment.person_id, other.status.in_(LIVE),
               other_session.id != Enrolment.session_id, other_session.course_id == TrainingSession.course_id,
               other_session.status != SessionStatus.CANCELLED))
    return dict(db.session.execute(
        select(Enrolment.session_id, func.count(Enrolment.id))
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .where(Enrolment.session_id.in_(session_ids), Enrolment.status.in_(LIVE), ~placed_elsewhere)
        .group_by(Enrolment.session_id)).all())


@rule("training_cancelled_for_business", title=_l("Training cancelled for business priorities"),
      failure_mode=_l("Training cancelled or too early before go-live"),
      thresholds=(Threshold("business_cancellation_days", _l("Days to look back for cancelled training"),
                            60, 7, 365),))
def training_cancelled_for_business(ctx: HealthContext):
    """Do not let training be cancelled for short-term business needs (DOMAIN.md): each such cancellation
    pushes people towards go-live untrained. Counts the sessions cancelled for a business priority in the last
    ``business_cancellation_days`` (default 60, about two committee cycles): MEDIUM; HIGH when more than two,
    or when one leaves people of a region going live within 30 days without another session of the course.
    The measure is the number of cancellations; the evidence lists those stranding people first, then the
    others, the latest cancelled first."""
    from planner.training.enrolment import business_cancellations

    programme_id = ctx.programme.id
    since = datetime.combine(ctx.today - timedelta(days=ctx.threshold("business_cancellation_days")), time.min,
                             tzinfo=UTC)
    until = datetime.combine(ctx.today + timedelta(days=1), time.min, tzinfo=UTC)
    cancelled = business_cancellations(programme_id, since, until)
    if not cancelled:
        return
    go_lives = ctx.go_lives
    left = _left_without_session([session.id for session in cancelled])
    stranded = [session for session in cancelled if left.get(session.id)
                and session.region_id in go_lives
                and ctx.today <= go_lives[session.region_id] <= ctx.today + timedelta(days=CANCELLATION_SOON_DAYS)]
    high = len(cancelled) > 2 or bool(stranded)
    if stranded:
        people = sum(left[session.id] for session in stranded)
        title = ngettext("%(num)d training session was cancelled for business priorities; %(people)s of regions "
                         "going live within %(days)d days are left without a session",
                         "%(num)d training sessions were cancelled for business priorities; %(people)s of regions "
                         "going live within %(days)d days are left without a session",
                         len(cancelled), people=ngettext("%(num)d person", "%(num)d people", people),
                         days=CANCELLATION_SOON_DAYS)
    else:
        title = ngettext("%(num)d training session was cancelled for business priorities in the last %(days)d days",
                         "%(num)d training sessions were cancelled for business priorities in the last %(days)d "
                         "days", len(cancelled), days=ctx.threshold("business_cancellation_days"))
    yield Finding(
        rule="training_cancelled_for_business", subject="programme",
        severity=Severity.HIGH if high else Severity.MEDIUM, title=title,
        advice=_("Ask the steering committee to protect training from short-term business needs, and plan "
                 "replacement sessions before the go-lives for the people affected."),
        measure=len(cancelled),
        evidence=tuple(_session_link(programme_id, session.id, session.course.title, session.local_start.date())
                       for session in (stranded[::-1] + [s for s in reversed(cancelled) if s not in stranded])
                       [:EVIDENCE_LIMIT]))


@rule("training_incomplete_before_go_live", title=_l("A region goes live soon with too few people trained"),
      failure_mode=_l("Training needs underestimated"),
      thresholds=(Threshold("training_check_days", _l("Days before go-live to check training completion"),
                            14, 1, 90),
                  Threshold("training_min_completion_percent", _l("Training completion needed before go-live "
                                                                  "(percent)"), 90, 1, 100)))
def training_incomplete_before_go_live(ctx: HealthContext):
    """A region whose people are not trained when it goes live gets a system nobody can use (DOMAIN.md,
    "Training"). Fires, HIGH, for a region going live within ``training_check_days`` (default 14: too close to
    plan much more) whose completion is below ``training_min_completion_percent`` (default 90, the wave gate's
    default minimum). The measure is the people still untrained."""
    programme_id = ctx.programme.id
    horizon = ctx.today + timedelta(days=ctx.threshold("training_check_days"))
    soon = {region_id: day for region_id, day in ctx.upcoming_go_lives.items()
            if day <= horizon}
    if not soon:
        return
    minimum = ctx.threshold("training_min_completion_percent")
    for row in ctx.readiness.by_region:
        if row.key not in soon or row.percent is None or row.percent >= minimum:
            continue
        yield Finding(
            rule="training_incomplete_before_go_live", subject=f"region:{row.key}", severity=Severity.HIGH,
            title=ngettext("%(region)s goes live in %(num)d day with %(pct).0f%% of its people trained",
                           "%(region)s goes live in %(num)d days with %(pct).0f%% of its people trained",
                           (soon[row.key] - ctx.today).days, region=row.label, pct=row.percent),
            advice=ngettext("Train the %(num)d person still missing before %(day)s (extra sessions, make-ups for "
                            "no-shows), or ask the committee to move the go-live.",
                            "Train the %(num)d people still missing before %(day)s (extra sessions, make-ups for "
                            "no-shows), or ask the committee to move the go-live.", row.untrained,
                            day=soon[row.key].isoformat()),
            measure=row.untrained, evidence=(_readiness_link(programme_id),))
