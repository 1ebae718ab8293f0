"""Health rules: communication. Audiences left without status updates, questions left unanswered, audiences
never told the vision, regions not told of their go-live in time, and planned communications that were missed.

A log row's day is its UTC day, as the communication status card counts it; nothing here reads the clock.
"""
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from planner.core.permissions import Permission
from planner.extensions import db
from planner.health.findings import Evidence, Finding, Severity
from planner.health.rules import HealthContext, Threshold, rule


def _utc_day(value) -> date:
    """The UTC day of a stored moment (aggregates may hand it back naive, or as text on SQLite)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.date()


def _audience_link(programme_id: int, audience_id: int, name: str) -> Evidence:
    return Evidence.link(_("Audience %(name)s", name=name), "comms.show_audience", programme_id=programme_id,
                         audience_id=audience_id)


#: a region with no go-live notice planned at all is reported once its go-live is within this many notice periods
#: (``Programme.go_live_notice_days`` working days each): three periods leave time to plan one notice in time
NOTICE_HORIZON_PERIODS = 3


# --- 8. no status update -----------------------------------------------------------------------------------

@rule("no_status_update", title=_l("No recent status update"), failure_mode=_l("Poor or no status communication"),
      thresholds=(Threshold("status_update_gap_weeks", _l("Weeks an audience may go without a status update"),
                            4, 1, 26),))
def no_status_update(ctx: HealthContext):
    """Silence makes everyone assume all is on plan, until it is not (DOMAIN.md, "Communication"). For each
    audience, fires when its last status update (to it, or one that reached everyone) is
    ``status_update_gap_weeks`` weeks old or more (default 4: a monthly rhythm is the least that keeps people
    informed); for an audience with a status-update plan but nothing sent yet, counts from the later of the
    programme's start and the plan's first date; for an audience with nothing sent and nothing planned while
    others have had one, from the later of the programme's start and the day the audience was added. Once the
    programme has run that long with audiences but neither a status update nor a plan for one, fires once for the
    programme. MEDIUM, HIGH at twice the weeks; the
    measure is the weeks of silence. Nothing fires before the programme starts or before an audience exists."""
    from planner.comms.models import Audience, CommsPurpose, CommunicationItem, CommunicationLog

    programme, today = ctx.programme, ctx.today
    if today < programme.start_date:
        return
    audiences = db.session.execute(select(Audience.id, Audience.name, Audience.created_at)
                                   .where(Audience.programme_id == programme.id)
                                   .order_by(Audience.name, Audience.id)).all()
    if not audiences:
        return
    weeks = ctx.threshold("status_update_gap_weeks")
    last_sent: dict[int | None, date] = {}
    last_to_everyone = None
    for audience_id, reached_everyone, happened_at in db.session.execute(
            select(CommunicationLog.audience_id, CommunicationLog.reached_everyone,
                   func.max(CommunicationLog.happened_at))
            .where(CommunicationLog.programme_id == programme.id,
                   CommunicationLog.purpose == CommsPurpose.STATUS_UPDATE)
            .group_by(CommunicationLog.audience_id, CommunicationLog.reached_everyone)):
        day = _utc_day(happened_at)
        last_sent[audience_id] = max(day, last_sent.get(audience_id, day))
        if reached_everyone:
            last_to_everyone = max(day, last_to_everyone or day)
    first_planned = dict(db.session.execute(
        select(CommunicationItem.audience_id, func.min(CommunicationItem.planned_on))
        .where(CommunicationItem.programme_id == programme.id,
               CommunicationItem.purpose == CommsPurpose.STATUS_UPDATE)
        .group_by(CommunicationItem.audience_id)).all())

    def finding(subject: str, silent_weeks: int, title: str, evidence: tuple) -> Finding:
        return Finding(
            rule="no_status_update", subject=subject,
            severity=Severity.HIGH if silent_weeks >= 2 * weeks else Severity.MEDIUM, title=title,
            advice=_("Send a status update: where the programme stands, what is done, what comes next and why "
                     "processes change. The planner drafts one from live data on the status-updates page."),
            measure=silent_weeks,
            evidence=evidence + (Evidence.link(_("Status updates"), "comms.list_status_updates",
                                               programme_id=programme.id),))

    if not last_sent and not first_planned:
        silent_weeks = (today - programme.start_date).days // 7
        if silent_weeks >= weeks:
            yield finding("programme", silent_weeks,
                          ngettext("No status update has gone out in the %(num)d week since the programme started",
                                   "No status update has gone out in the %(num)d weeks since the programme started",
                                   silent_weeks), ())
        return
    for audience_id, name, created_at in audiences:
        sent = [day for day in (last_sent.get(audience_id), last_to_everyone) if day is not None]
        if sent:
            silent_weeks = max(0, (today - max(sent)).days) // 7
            title = ngettext("%(audience)s has had no status update for %(num)d week",
                             "%(audience)s has had no status update for %(num)d weeks", silent_weeks, audience=name)
        elif audience_id in first_planned:
            silent_from = max(programme.start_date, first_planned[audience_id])
            if today < silent_from:
                continue
            silent_weeks = (today - silent_from).days // 7
            title = ngettext("%(audience)s has had no status update yet, %(num)d week after the first one was "
                             "planned",
                             "%(audience)s has had no status update yet, %(num)d weeks after the first one was "
                             "planned", silent_weeks, audience=name)
        else:
            silent_from = max(programme.start_date, _utc_day(created_at))
            silent_weeks = max(0, (today - silent_from).days) // 7
            title = ngettext("%(audience)s has had no status update in the %(num)d week since it was added",
                             "%(audience)s has had no status update in the %(num)d weeks since it was added",
                             silent_weeks, audience=name) if silent_from > programme.start_date else \
                ngettext("%(audience)s has had no status update in the %(num)d week since the programme started",
                         "%(audience)s has had no status update in the %(num)d weeks since the programme started",
                         silent_weeks, audience=name)
        if silent_weeks >= weeks:
            yield finding(f"audience:{audience_id}", silent_weeks, title,
                          (_audience_link(programme.id, audience_id, name),))


# --- 9. unanswered feedback --------------------------------------------------------------------------------

@rule("unanswered_feedback", title=_l("Questions and feedback wait for an answer"),
      failure_mode=_l("No feedback channel"),
      thresholds=(Threshold("feedback_answer_days", _l("Days a question or feedback may wait for an answer"),
                            7, 1, 60),))
def unanswered_feedback(ctx: HealthContext):
    """Communication is two-way: people need a forum to ask and give feedback, and answers (DOMAIN.md). A channel
    nobody answers is no channel. Fires, for the programme, when open questions or feedback are older than
    ``feedback_answer_days`` days (default 7: a working week is as long as a question should wait); MEDIUM, HIGH
    when the oldest has waited three times as long. The measure is the number of items waiting too long (time
    raises the severity, not the measure); the evidence lists each by number, kind and topic, never by who
    asked."""
    from planner.feedback.models import FeedbackItem, FeedbackState
    from planner.feedback.status import age_in_days

    programme, today = ctx.programme, ctx.today
    limit = ctx.threshold("feedback_answer_days")
    before = datetime.combine(today - timedelta(days=limit), datetime.min.time(), tzinfo=UTC)
    waiting = db.session.execute(
        select(FeedbackItem.id, FeedbackItem.kind, FeedbackItem.topic, FeedbackItem.submitted_at)
        .where(FeedbackItem.programme_id == programme.id, FeedbackItem.state == FeedbackState.OPEN,
               FeedbackItem.submitted_at < before)
        .order_by(FeedbackItem.submitted_at, FeedbackItem.id)).all()
    if not waiting:
        return
    ages = [(row, age_in_days(row.submitted_at, today)) for row in waiting]
    oldest = max(age for _row, age in ages)
    yield Finding(
        rule="unanswered_feedback", subject="programme",
        severity=Severity.HIGH if oldest > 3 * limit else Severity.MEDIUM,
        title=ngettext("A question or feedback item has waited %(oldest)d days for an answer",
                       "%(num)d questions or feedback items have waited more than %(days)d days for an answer",
                       len(waiting), oldest=oldest, days=limit),
        advice=_("Answer the oldest first, or close what needs no answer; publish answers many people need to the "
                 "FAQ. Unanswered questions teach people to stop asking."),
        measure=len(waiting),
        evidence=tuple(Evidence.link(ngettext("#%(id)d: %(kind)s about %(topic)s (%(num)d day)",
                                              "#%(id)d: %(kind)s about %(topic)s (%(num)d days)", age, id=row.id,
                                              kind=row.kind.value, topic=row.topic.value),
                                     "feedback.show_feedback", programme_id=programme.id, feedback_id=row.id,
                                     permission=Permission.PEOPLE_VIEW)
                       for row, age in ages))


# --- 10. no vision message ---------------------------------------------------------------------------------

@rule("no_vision_message", title=_l("Audiences not told the vision"),
      failure_mode=_l("No clear vision or goals"),
      thresholds=(Threshold("vision_message_weeks", _l("Weeks after the start by which everyone hears the vision"),
                            4, 1, 26),))
def no_vision_message(ctx: HealthContext):
    """At the start, everyone affected hears the long-term vision and the short-term goals (DOMAIN.md). From the
    programme's start, fires for the programme when audiences never received a vision/kickoff message (the gap
    check's list: a message to them, or one that reached everyone); MEDIUM, HIGH once the programme is
    ``vision_message_weeks`` weeks (default 4: the first month) past its start. The measure is the number of such
    audiences. Once past those weeks, a programme with no audience at all and no kickoff logged fires too."""
    from planner.comms.models import Audience, CommsPurpose, CommunicationLog

    programme, today = ctx.programme, ctx.today
    if today < programme.start_date:
        return
    late = today >= programme.start_date + timedelta(weeks=ctx.threshold("vision_message_weeks"))
    missing = ctx.gaps.audiences_without_kickoff
    advice = _("Tell every audience the long-term vision and the short-term goals, tailored to them, and log it "
               "as a vision/kickoff message: people who do not know why the system comes will not use it.")
    comms_link = Evidence.link(_("Communication plan"), "comms.list_items", programme_id=programme.id)
    if missing:
        yield Finding(
            rule="no_vision_message", subject="programme", severity=Severity.HIGH if late else Severity.MEDIUM,
            title=ngettext("An audience has not been told the vision and goals",
                           "%(num)d audiences have not been told the vision and goals", len(missing)),
            advice=advice, measure=len(missing),
            evidence=tuple(_audience_link(programme.id, audience.id, audience.name) for audience in missing)
            + (comms_link,))
        return
    if not late or db.session.scalar(select(Audience.id).where(Audience.programme_id == programme.id).limit(1)):
        return
    told = db.session.scalar(select(CommunicationLog.id).where(
        CommunicationLog.programme_id == programme.id,
        CommunicationLog.purpose == CommsPurpose.VISION_KICKOFF).limit(1))
    if told is None:
        yield Finding(
            rule="no_vision_message", subject="programme", severity=Severity.HIGH,
            title=_("Nobody has been told the vision yet: the programme has no audiences"), advice=advice,
            measure=1, evidence=(Evidence.link(_("Audiences"), "comms.list_audiences", programme_id=programme.id),))


# --- 11. go-live notice missing ----------------------------------------------------------------------------

@rule("go_live_notice_missing", title=_l("A region is not told of its go-live in time"),
      failure_mode=_l("Poor or no status communication"))
def go_live_notice_missing(ctx: HealthContext):
    """People must know when the system arrives in their region. For each region whose go-live is today or ahead,
    the gap check's verdict: HIGH when the last day for an in-time notice (``go_live_notice_days`` working days
    before, a programme setting shown on the gaps page: this rule's threshold) has come and no notice that reaches
    the whole region went out; MEDIUM when a notice went out late, when the only planned notice is after that
    last day, or when none is planned yet and the go-live is within ``NOTICE_HORIZON_PERIODS`` (3) times the
    notice period (further ahead, nobody plans a notice yet and saying so every day is noise). The measure is 1
    for a notice not sent when due (the severity says it is overdue; the measure does not grow each day), the
    days late for a notice sent or planned too late, 0 for none planned yet. Evidence links the regions' list
    (readable by everyone in the programme) and the gaps page."""
    from planner.comms.gaps import NoticeState

    programme, today = ctx.programme, ctx.today
    calendar = ctx.calendar
    horizon = NOTICE_HORIZON_PERIODS * programme.go_live_notice_days
    for notice in ctx.gaps.notices:
        if not notice.is_gap or notice.go_live < today:
            continue
        overdue = today >= notice.notice_by and notice.state is not NoticeState.LATE
        if overdue:
            title = _("%(region)s goes live on %(day)s and has had no go-live notice", region=notice.region_name,
                      day=notice.go_live.isoformat())
            measure = 1
        elif notice.state is NoticeState.LATE:
            title = _("The go-live notice for %(region)s went out late, on %(day)s", region=notice.region_name,
                      day=notice.sent_on.isoformat())
            measure = (notice.sent_on - notice.notice_by).days
        elif notice.state is NoticeState.PLANNED_LATE:
            title = _("The go-live notice for %(region)s is planned for %(day)s, after the last day for it (%(by)s)",
                      region=notice.region_name, day=notice.planned_on.isoformat(), by=notice.notice_by.isoformat())
            measure = (notice.planned_on - notice.notice_by).days
        else:
            if calendar.working_days_between(today, notice.go_live) > horizon:
                continue
            title = _("%(region)s has no go-live notice planned yet", region=notice.region_name)
            measure = 0
        yield Finding(
            rule="go_live_notice_missing", subject=f"region:{notice.region_id}",
            severity=Severity.HIGH if overdue else Severity.MEDIUM, title=title,
            advice=ngettext("Tell everyone in the region when they go live, what changes for them and where to get "
                            "help, at least %(num)d working day before the go-live (by %(by)s).",
                            "Tell everyone in the region when they go live, what changes for them and where to get "
                            "help, at least %(num)d working days before the go-live (by %(by)s).",
                            programme.go_live_notice_days, by=notice.notice_by.isoformat()),
            measure=measure,
            evidence=(Evidence.link(_("Region %(name)s", name=notice.region_name), "programmes.list_regions",
                                    programme_id=programme.id),
                      Evidence.link(_("Communication gaps"), "comms.show_gaps", programme_id=programme.id)))


# --- 12. missed communications -----------------------------------------------------------------------------

@rule("missed_communications", title=_l("Planned communications missed"),
      failure_mode=_l("Poor or no status communication"),
      thresholds=(Threshold("missed_communication_weeks", _l("Weeks back a missed communication is reported"),
                            8, 1, 52),))
def missed_communications(ctx: HealthContext):
    """A communication plan that is not followed is silence with a plan (DOMAIN.md, "Communication"). Fires, MEDIUM,
    for the programme when occurrences of the plan dated within the last ``missed_communication_weeks`` weeks
    (default 8: older ones are history, and would otherwise be reported for ever) are overdue or missed, as the
    plan's own flags say (past their grace days and not logged). The measure is how many."""
    from planner.comms.flags import OccurrenceState, logs_by_occurrence, occurrences_of
    from planner.comms.models import CommunicationItem

    programme, today = ctx.programme, ctx.today
    items = db.session.scalars(select(CommunicationItem).where(CommunicationItem.programme_id == programme.id)
                               .order_by(CommunicationItem.title, CommunicationItem.id)).all()
    if not items:
        return
    since = today - timedelta(weeks=ctx.threshold("missed_communication_weeks"))
    by_item = occurrences_of(items, logs_by_occurrence(programme.id), today, ctx.calendar)
    late = {item.id: [occurrence for occurrence in by_item.get(item.id, ())
                      if occurrence.on >= since
                      and occurrence.state in (OccurrenceState.OVERDUE, OccurrenceState.MISSED)]
            for item in items}
    count = sum(len(listed) for listed in late.values())
    if not count:
        return
    evidence = tuple(
        Evidence.link(_("%(title)s: %(days)s", title=item.title,
                        days=", ".join(occurrence.on.isoformat() for occurrence in late[item.id])),
                      "comms.show_item", programme_id=programme.id, comm_item_id=item.id)
        for item in items if late[item.id])
    yield Finding(
        rule="missed_communications", subject="programme", severity=Severity.MEDIUM,
        title=ngettext("A planned communication was missed or is overdue",
                       "%(num)d planned communications were missed or are overdue", count),
        advice=_("Send or hold what is overdue, and log what did happen outside the planner; if the plan no "
                 "longer fits, change it rather than letting dates pass silently."),
        measure=count, evidence=evidence + (Evidence.link(_("Communication log"), "comms.list_log",
                                                          programme_id=programme.id),))
