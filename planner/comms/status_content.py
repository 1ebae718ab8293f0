"""Status updates drafted from live data (DOMAIN.md, Communication: "where we are, what is done, what comes next,
why processes change"). Silence makes everyone assume all is on plan, so the draft says plainly what is late.

``draft_status_update`` reads the programme as it is now and returns a ``StatusDraft``: plain sections of lines
that the draft page shows for editing and the mail carries as text and HTML. The draft is tailored to one
audience: its people's regions, their courses, the sessions and changes that concern them.

Dates in the "done" section count from the day of the last update to this audience, that day included (a repeat
is kinder than an omission). Every part is read in a fixed number of queries, however many people, milestones,
decisions or sessions the programme has.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from flask import render_template
from flask_babel import format_date, gettext as _, ngettext
from sqlalchemy import and_, distinct, exists, func, or_, select
from sqlalchemy.orm import joinedload

from planner.changes.models import ChangeRequest, ChangeStatus, change_request_region
from planner.comms.audiences import member_ids_query
from planner.comms.models import CommsPurpose, CommunicationItem, CommunicationLog
from planner.committee.models import Decision
from planner.committee.status import committee_status
from planner.core import clock
from planner.extensions import db
from planner.lifecycle.models import StageStatus
from planner.people.models import Person
from planner.programmes.models import Region
from planner.rollout.calendar import programme_calendar
from planner.rollout.gate import trial_end
from planner.rollout.models import Wave, WaveRegion
from planner.rollout.status import programme_status
from planner.training.models import AttendanceMark, Course, Enrolment, EnrolmentStatus, SessionStatus, TrainingSession
from planner.training.progress import COMPLETING_MARKS, completed_pairs, needed_pairs

#: how far "what comes next" looks ahead
LOOKAHEAD_DAYS = 42
#: the most entries one list shows (milestones, decisions, sessions...); the rest is counted
LIST_LIMIT = 8
#: decisions and descriptions are shortened to this many characters
SHORT_TEXT = 160
#: the programme's description, the "why" of the whole rollout, is shortened to this many characters
WHY_TEXT = 400


@dataclass
class Section:
    key: str
    heading: str
    lines: list[str] = field(default_factory=list)


@dataclass
class StatusDraft:
    subject: str
    sections: list[Section]
    #: the opening sentence, before the sections
    intro: str = ""

    def section(self, key: str) -> Section | None:
        return next((section for section in self.sections if section.key == key), None)

    def text(self) -> str:
        """The plain-text email body (also what the draft page offers for editing)."""
        return render_template("comms/email/status_update.txt", draft=self).strip() + "\n"

    def html(self) -> str:
        """The HTML email body; every line is escaped."""
        return render_template("comms/email/status_update.html", draft=self)


def shorten(text: str, limit: int = SHORT_TEXT) -> str:
    """One line of at most ``limit`` characters, cut at a word boundary with an ellipsis."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def day_text(day: date) -> str:
    return format_date(day, "EEE d MMM yyyy")


def _first_and_total(query) -> tuple[list, int]:
    """The first ``LIST_LIMIT`` rows of a Select of one entity and how many there are in all, in one query (a
    window count), so a long list costs no extra query."""
    rows = db.session.execute(query.add_columns(func.count().over()).limit(LIST_LIMIT)).all()
    return [row[0] for row in rows], (rows[0][1] if rows else 0)


def _more(lines: list[str], total: int, shown: int) -> None:
    if total > shown:
        lines.append(ngettext("... and %(num)d more.", "... and %(num)d more.", total - shown))


def draft_status_update(programme, audience, *, today: date, since: date | None) -> "StatusDraft":
    """Draft a status update for ``audience`` from the programme as it stands ``today``; ``since`` is the day of
    the last update to this audience (None: nothing was sent yet, so everything since the programme started)."""
    window_start = since or programme.start_date
    status = programme_status(programme, today)
    member_ids = member_ids_query(audience)
    facts = _Facts(programme, audience, today, window_start, member_ids, status)
    sections = [_where_we_stand(facts), _done_since(facts), _what_comes_next(facts), _what_changes_for_you(facts)]
    return StatusDraft(
        subject=_("%(programme)s: status update for %(audience)s, %(day)s", programme=programme.name,
                  audience=audience.name, day=day_text(today)),
        intro=_("Here is where the %(system)s rollout stands, what was done since %(day)s, what comes next, and "
                "what it means for you.", system=programme.system_name, day=day_text(window_start)),
        sections=sections)


@dataclass
class _Facts:
    programme: object
    audience: object
    today: date
    window_start: date
    member_ids: object
    status: object

    @property
    def items(self):
        return self.status.items

    def within(self, day: date | None) -> bool:
        return day is not None and self.window_start <= day <= self.today


# --- 1. where we stand -------------------------------------------------------------------------------------

def _where_we_stand(facts: _Facts) -> Section:
    section = Section("where", _("Where we stand"))
    lines, status, today = section.lines, facts.status, facts.today
    stage = status.current_stage
    if stage is not None:
        lines.append(_("We are in stage %(number)d of 6: %(name)s.", number=stage.number, name=stage.name))
        if stage.status(today) is StageStatus.LATE:
            lines.append(_("This stage was planned to finish on %(day)s and is running late.",
                           day=day_text(stage.planned_finish)))
        elif stage.planned_finish is not None:
            lines.append(_("It is planned to finish on %(day)s.", day=day_text(stage.planned_finish)))
        if status.gate_lacks:
            lines.append(_("Before it can close, its gate still needs: %(criteria)s.",
                           criteria="; ".join(shorten(text, 120) for text in status.gate_lacks[:LIST_LIMIT])))
            _more(lines, len(status.gate_lacks), LIST_LIMIT)
        elif stage.criteria:
            lines.append(_("Every criterion of its gate is met."))
    elif facts.items.stages:
        lines.append(_("All six lifecycle stages are closed: the work goes on as continuous improvement."))
    else:
        lines.append(_("The lifecycle stages are not planned yet."))

    wave = status.next_wave
    if wave is None:
        if any(w.actual_go_live is None for w in facts.items.waves) or not facts.items.waves:
            lines.append(_("No go-live date is set yet."))
        else:
            lines.append(_("Every wave has gone live."))
    elif status.days_to_go_live >= 0:
        lines.append(ngettext(
            "The next go-live is %(wave)s on %(day)s, in %(num)d day (%(working)d working days): %(regions)s.",
            "The next go-live is %(wave)s on %(day)s, in %(num)d days (%(working)d working days): %(regions)s.",
            status.days_to_go_live, wave=wave.name, day=day_text(wave.planned_go_live),
            working=status.working_days_to_go_live or 0, regions=_region_names(wave)))
    else:
        lines.append(ngettext(
            "%(wave)s was planned to go live on %(day)s, %(num)d day ago, and is not live yet.",
            "%(wave)s was planned to go live on %(day)s, %(num)d days ago, and is not live yet.",
            -status.days_to_go_live, wave=wave.name, day=day_text(wave.planned_go_live)))

    if status.late_critical:
        late = sorted(status.late_critical, key=lambda item: (item.finish, item.label))
        lines.append(ngettext("%(num)d item on the critical path is late, so the dates after it are at risk:",
                              "%(num)d items on the critical path are late, so the dates after them are at risk:",
                              len(late)))
        lines.extend(_("%(item)s (due %(day)s)", item=item.label, day=day_text(item.finish))
                     for item in late[:LIST_LIMIT])
        _more(lines, len(late), LIST_LIMIT)
    elif status.schedule is not None:
        lines.append(_("Nothing on the critical path is late."))
    return section


def _region_names(wave: Wave) -> str:
    return ", ".join(region.name for region in wave.regions) or _("no regions yet")


# --- 2. done since the last update ---------------------------------------------------------------------------

def _done_since(facts: _Facts) -> Section:
    section = Section("done", _("Done since %(day)s", day=day_text(facts.window_start)))
    lines, items = section.lines, facts.items
    for stage in items.stages:
        closed_on = stage.actual_finish or (stage.closed_at.date() if stage.closed_at else None)
        if stage.closed_at is not None and facts.within(closed_on):
            if stage.override_reason:
                lines.append(_("Stage %(number)d, %(name)s, closed on %(day)s by an approved override: %(reason)s.",
                               number=stage.number, name=stage.name, day=day_text(closed_on),
                               reason=shorten(stage.override_reason).rstrip(".")))
            else:
                lines.append(_("Stage %(number)d, %(name)s, closed on %(day)s with its gate met.",
                               number=stage.number, name=stage.name, day=day_text(closed_on)))
    reached = sorted((m for m in items.milestones if facts.within(m.actual_on)), key=lambda m: (m.actual_on, m.id))
    lines.extend(_("Milestone reached: %(name)s, on %(day)s.", name=m.name, day=day_text(m.actual_on))
                 for m in reached[:LIST_LIMIT])
    _more(lines, len(reached), LIST_LIMIT)

    calendar = None
    for wave in sorted(items.waves, key=lambda w: (w.actual_go_live or date.max, w.position, w.id)):
        if facts.within(wave.actual_go_live):
            calendar = calendar or programme_calendar(facts.programme)
            end = trial_end(wave, calendar)
            if end is not None:
                lines.append(_("%(wave)s started on %(day)s; its trial period runs until %(end)s.", wave=wave.name,
                               day=day_text(wave.actual_go_live), end=day_text(end)))
            else:
                lines.append(_("%(wave)s started on %(day)s.", wave=wave.name, day=day_text(wave.actual_go_live)))
    live = sorted(((region, wave) for wave in items.waves for region in wave.regions if facts.within(region.live_on)),
                  key=lambda pair: (pair[0].live_on, pair[0].name))
    lines.extend(_("%(region)s went live on %(day)s.", region=region.name, day=day_text(region.live_on))
                 for region, _wave in live)

    decisions, total = _decisions_in_window(facts)
    if decisions:
        lines.append(ngettext("The steering committee took %(num)d decision:",
                              "The steering committee took %(num)d decisions:", total))
        lines.extend(_("%(day)s: %(text)s", day=day_text(d.decided_on), text=shorten(d.text)) for d in decisions)
        _more(lines, total, len(decisions))

    held, trained = _training_held(facts)
    if held:
        lines.append(ngettext("%(num)d training session was held for people of this audience",
                              "%(num)d training sessions were held for people of this audience", held)
                     + " " + ngettext("(%(num)d person attended).", "(%(num)d people attended).", trained))
    sent, total = _communications_sent(facts)
    if sent:
        lines.append(ngettext("%(num)d message or meeting reached this audience:",
                              "%(num)d messages or meetings reached this audience:", total))
        lines.extend(_("%(day)s: %(subject)s", day=day_text(row.happened_at.date()), subject=shorten(row.subject))
                     for row in sent)
        _more(lines, total, len(sent))
    if not lines:
        lines.append(_("Nothing was completed in this period: no stage closed, no milestone was reached, no region "
                       "went live and the committee took no decision."))
    return section


def _decisions_in_window(facts: _Facts) -> tuple[list[Decision], int]:
    return _first_and_total(select(Decision).where(
        Decision.programme_id == facts.programme.id, Decision.decided_on >= facts.window_start,
        Decision.decided_on <= facts.today).order_by(Decision.decided_on, Decision.id))


def _training_held(facts: _Facts) -> tuple[int, int]:
    """Sessions held in the window that people of the audience were booked on or marked in, and how many of them
    attended."""
    first = datetime.combine(facts.window_start, time.min)
    last = datetime.combine(facts.today + timedelta(days=1), time.min)
    held = (TrainingSession.programme_id == facts.programme.id, TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.local_start >= first, TrainingSession.local_start < last,
            TrainingSession.ends_at <= clock.now())
    members = facts.member_ids
    booked = exists(select(Enrolment.id).where(Enrolment.session_id == TrainingSession.id,
                                               Enrolment.status == EnrolmentStatus.ENROLLED,
                                               Enrolment.person_id.in_(members)))
    marked = exists(select(AttendanceMark.id).where(AttendanceMark.session_id == TrainingSession.id,
                                                    AttendanceMark.person_id.in_(members)))
    sessions = db.session.scalar(select(func.count(TrainingSession.id)).where(*held, or_(booked, marked)))
    attended = db.session.scalar(
        select(func.count(distinct(AttendanceMark.person_id))).join(TrainingSession)
        .where(*held, AttendanceMark.status.in_(COMPLETING_MARKS), AttendanceMark.person_id.in_(members)))
    return sessions or 0, attended or 0


def _communications_sent(facts: _Facts) -> tuple[list, int]:
    """What the communication log says reached this audience in the window: (first entries, how many)."""
    first = datetime.combine(facts.window_start, time.min, tzinfo=timezone.utc)
    last = datetime.combine(facts.today + timedelta(days=1), time.min, tzinfo=timezone.utc)
    return _first_and_total(select(CommunicationLog).where(
        CommunicationLog.programme_id == facts.programme.id, CommunicationLog.audience_id == facts.audience.id,
        CommunicationLog.happened_at >= first, CommunicationLog.happened_at < last)
        .order_by(CommunicationLog.happened_at, CommunicationLog.id))


# --- 3. what comes next --------------------------------------------------------------------------------------

def _what_comes_next(facts: _Facts) -> Section:
    horizon = facts.today + timedelta(days=LOOKAHEAD_DAYS)
    section = Section("next", _("What comes next (until %(day)s)", day=day_text(horizon)))
    lines, items, today = section.lines, facts.items, facts.today

    overdue = [m for m in items.milestones if m.actual_on is None and m.planned_on < today]
    lines.extend(_("Overdue: %(name)s, planned for %(day)s.", name=m.name, day=day_text(m.planned_on))
                 for m in overdue[:LIST_LIMIT])
    _more(lines, len(overdue), LIST_LIMIT)
    coming = [m for m in items.milestones if m.actual_on is None and today <= m.planned_on <= horizon]
    lines.extend(_("%(day)s: %(name)s.", day=day_text(m.planned_on), name=m.name) for m in coming[:LIST_LIMIT])
    _more(lines, len(coming), LIST_LIMIT)
    go_lives = sorted((w for w in items.waves if w.actual_go_live is None and w.planned_go_live is not None
                       and today <= w.planned_go_live <= horizon), key=lambda w: (w.planned_go_live, w.position))
    lines.extend(_("%(day)s: %(wave)s goes live (%(regions)s).", day=day_text(w.planned_go_live), wave=w.name,
                   regions=_region_names(w)) for w in go_lives)

    meeting = committee_status(facts.programme, today).next_meeting
    if meeting is not None:
        lines.append(_("The steering committee meets next on %(day)s at %(time)s (%(zone)s): %(title)s.",
                       day=day_text(meeting.local_start.date()), time=meeting.local_start.strftime("%H:%M"),
                       zone=meeting.meeting.time_zone, title=meeting.meeting.title))
    else:
        lines.append(_("No steering-committee meeting is scheduled yet."))

    sessions, total = _sessions_ahead(facts, horizon)
    if sessions:
        lines.append(ngettext("%(num)d training session is scheduled for people of this audience:",
                              "%(num)d training sessions are scheduled for people of this audience:", total))
        lines.extend(_("%(day)s at %(time)s: %(course)s, %(region)s.", day=day_text(s.local_start.date()),
                       time=s.local_start.strftime("%H:%M"), course=s.course.title, region=s.region.name)
                     for s in sessions)
        _more(lines, total, len(sessions))
    if not (overdue or coming or go_lives or sessions):
        lines.append(_("No milestone, go-live or training session is planned in the next six weeks."))
    return section


def _audience_region_ids(facts: _Facts):
    return select(Person.region_id).where(Person.id.in_(facts.member_ids), Person.region_id.is_not(None))


def _sessions_ahead(facts: _Facts, horizon: date) -> tuple[list[TrainingSession], int]:
    """Scheduled sessions not yet started up to ``horizon`` in the audience's regions or with its people booked."""
    booked = exists(select(Enrolment.id).where(Enrolment.session_id == TrainingSession.id,
                                               Enrolment.status != EnrolmentStatus.REMOVED,
                                               Enrolment.person_id.in_(facts.member_ids)))
    where = (TrainingSession.programme_id == facts.programme.id, TrainingSession.status == SessionStatus.SCHEDULED,
             TrainingSession.starts_at >= clock.now(),
             TrainingSession.local_start < datetime.combine(horizon + timedelta(days=1), time.min),
             or_(TrainingSession.region_id.in_(_audience_region_ids(facts)), booked))
    return _first_and_total(select(TrainingSession).where(*where)
                            .options(joinedload(TrainingSession.course), joinedload(TrainingSession.region))
                            .order_by(TrainingSession.starts_at, TrainingSession.id))


# --- 4. what changes for this audience, and why ----------------------------------------------------------------

def _what_changes_for_you(facts: _Facts) -> Section:
    section = Section("for_you", _("What changes for you, and why"))
    lines = section.lines
    members = db.session.scalar(select(func.count()).select_from(facts.member_ids.subquery()))
    if not members:
        lines.append(_("Nobody is in this audience yet, so nothing here changes for anyone."))
        return section
    description = shorten(facts.programme.description, WHY_TEXT)
    if description:
        lines.append(_("Why we are doing this: %(text)s", text=description))
    region_lines, has_go_live = _region_lines(facts)
    changes = _course_lines(facts) + _process_change_lines(facts) + _change_request_lines(facts)
    if has_go_live or changes:
        lines.extend(region_lines + changes)
    else:
        lines.append(_("Nothing changes for you yet: your regions have no go-live date and no training is required "
                       "for your roles. We will tell you as soon as that changes."))
    return section


def _region_lines(facts: _Facts) -> tuple[list[str], bool]:
    """A line per region of the audience's people, soonest go-live first, and whether any region has a go-live."""
    rows = db.session.execute(
        select(Region.name, Region.live_on, Wave.name, Wave.planned_go_live, Decision.text)
        .outerjoin(WaveRegion, WaveRegion.region_id == Region.id).outerjoin(Wave, Wave.id == WaveRegion.wave_id)
        .outerjoin(Decision, Decision.id == Region.live_override_decision_id)
        .where(Region.programme_id == facts.programme.id, Region.id.in_(_audience_region_ids(facts)))
        .order_by(func.coalesce(Region.live_on, Wave.planned_go_live).is_(None),
                  func.coalesce(Region.live_on, Wave.planned_go_live), Region.name)).all()
    lines, system, today = [], facts.programme.system_name, facts.today
    for region, live_on, wave, planned, override in rows:
        if live_on is not None:
            lines.append(_("%(region)s has been working with %(system)s since %(day)s.", region=region, system=system,
                           day=day_text(live_on)))
            if override:
                lines.append(_("%(region)s went live by a committee decision although its gate was not met: "
                               "%(text)s", region=region, text=shorten(override)))
        elif planned is not None and planned >= today:
            lines.append(ngettext(
                "%(region)s starts working with %(system)s on %(day)s, in %(num)d day (with %(wave)s).",
                "%(region)s starts working with %(system)s on %(day)s, in %(num)d days (with %(wave)s).",
                (planned - today).days, region=region, system=system, day=day_text(planned), wave=wave))
        elif planned is not None:
            lines.append(_("%(region)s was planned to start with %(system)s on %(day)s and is not live yet; the new "
                           "date will follow.", region=region, system=system, day=day_text(planned)))
        else:
            lines.append(_("%(region)s has no go-live date yet.", region=region))
    return lines, any(live_on or planned for _region, live_on, _wave, planned, _override in rows)


def _course_lines(facts: _Facts) -> list[str]:
    """The courses the audience's roles and departments require, and how many of its people completed each."""
    needed = needed_pairs(facts.programme.id).where(Person.id.in_(facts.member_ids)).subquery("needed")
    completed = completed_pairs(facts.programme.id).subquery("completed")
    rows = db.session.execute(
        select(Course.title, Course.duration_minutes, func.count(needed.c.person_id), func.count(completed.c.person_id))
        .select_from(needed).join(Course, Course.id == needed.c.course_id)
        .outerjoin(completed, and_(completed.c.person_id == needed.c.person_id,
                                   completed.c.course_id == needed.c.course_id))
        .group_by(Course.id, Course.title, Course.duration_minutes).order_by(Course.title, Course.id)).all()
    lines = []
    for title, minutes, needing, done in rows:
        length = _duration(minutes)
        if done >= needing:
            lines.append(ngettext("Training: %(course)s (%(length)s) is required for your role; everyone who needs it "
                                  "has completed it (%(num)d person).",
                                  "Training: %(course)s (%(length)s) is required for your roles; everyone who needs it "
                                  "has completed it (%(num)d people).", needing, course=title, length=length))
        else:
            lines.append(ngettext("Training: %(course)s (%(length)s) is required for %(num)d of you; %(done)d "
                                  "completed it so far.",
                                  "Training: %(course)s (%(length)s) is required for %(num)d of you; %(done)d "
                                  "completed it so far.", needing, course=title, length=length, done=done))
    return lines


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min", minutes=rest)
    if not rest:
        return ngettext("%(num)d hour", "%(num)d hours", hours)
    return _("%(hours)d h %(minutes)d min", hours=hours, minutes=rest)


def _process_change_lines(facts: _Facts) -> list[str]:
    """Process-change explanations in the communication plan for this audience, from the start of the window on
    (older ones were told already); the reason is the item's own message."""
    items, total = _first_and_total(
        select(CommunicationItem).where(CommunicationItem.programme_id == facts.programme.id,
                                        CommunicationItem.audience_id == facts.audience.id,
                                        CommunicationItem.purpose == CommsPurpose.PROCESS_CHANGE,
                                        CommunicationItem.planned_on >= facts.window_start)
        .order_by(CommunicationItem.planned_on, CommunicationItem.id))
    lines = []
    for item in items:
        reason = shorten(item.message)
        if item.planned_on >= facts.today:
            text = _("Your way of working changes: %(title)s (we explain it on %(day)s).", title=item.title,
                     day=day_text(item.planned_on))
        else:
            text = _("Your way of working changes: %(title)s.", title=item.title)
        lines.append(f"{text} {_('Why: %(text)s', text=reason)}" if reason else text)
    _more(lines, total, len(items))
    return lines


def _change_request_lines(facts: _Facts) -> list[str]:
    """Change requests whose affected regions include a region of the audience: approved and waiting to be
    implemented, or implemented within the window. The reason is the request's description, else the committee's
    decision."""
    implemented_since = datetime.combine(facts.window_start, time.min, tzinfo=timezone.utc)
    rows = db.session.execute(
        select(ChangeRequest, Decision.text, func.count().over())
        .outerjoin(Decision, Decision.id == ChangeRequest.decision_id)
        .where(ChangeRequest.programme_id == facts.programme.id,
               or_(ChangeRequest.status == ChangeStatus.APPROVED,
                   and_(ChangeRequest.status == ChangeStatus.IMPLEMENTED,
                        ChangeRequest.implemented_at >= implemented_since)),
               exists(select(change_request_region.c.region_id).where(
                   change_request_region.c.change_request_id == ChangeRequest.id,
                   change_request_region.c.region_id.in_(_audience_region_ids(facts)))))
        .order_by(ChangeRequest.number, ChangeRequest.id).limit(LIST_LIMIT)).all()
    lines = []
    for change, decision, _total in rows:
        if change.status is ChangeStatus.IMPLEMENTED:
            text = _("Change %(reference)s is now in place: %(title)s.", reference=change.reference,
                     title=change.title)
        else:
            text = _("Approved change %(reference)s: %(title)s.", reference=change.reference, title=change.title)
        why = shorten(change.description) or shorten(decision or "")
        lines.append(f"{text} {_('Why: %(text)s', text=why)}" if why else text)
    _more(lines, rows[0][2] if rows else 0, len(rows))
    return lines
