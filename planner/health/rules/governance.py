"""Health rules: governance. No executive sponsor; a steering committee that rarely meets, meets without an
agenda or does not decide in time; actions left with members who left or long overdue; and business processes
redesigned before today's processes were confirmed.

Days of meetings are the organiser's wall-time days (``local_start``), held against ``ctx.today``; nothing here
reads the clock.
"""
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from planner.core.permissions import Permission
from planner.extensions import db
from planner.health.findings import Evidence, Finding, Severity
from planner.health.rules import HealthContext, Threshold, rule

#: a held meeting without a published agenda is reported this many days back (hygiene, not a live threat)
HELD_WITHOUT_AGENDA_DAYS = 90
#: overdue actions: more than this many at once is HIGH
MANY_OVERDUE_ACTIONS = 5


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _committee_link(programme_id: int) -> Evidence:
    return Evidence.link(_("Steering committee"), "committee.show_committee", programme_id=programme_id)


def _occurrence_link(programme_id: int, occurrence) -> Evidence:
    return Evidence.link(_("%(title)s, %(when)s", title=occurrence.meeting.title,
                           when=occurrence.local_start.strftime("%Y-%m-%d %H:%M")),
                         "committee.show_occurrence", programme_id=programme_id, occurrence_id=occurrence.id)


def _action_link(programme_id: int, action) -> Evidence:
    return Evidence.link(_("%(title)s (due %(day)s)", title=action.title, day=action.due_on.isoformat()),
                         "committee.edit_action", programme_id=programme_id, action_id=action.id,
                         permission=Permission.DECISIONS_RECORD)


def _person_link(programme_id: int, person) -> Evidence:
    return Evidence.link(person.full_name, "people.edit_person", programme_id=programme_id, person_id=person.id,
                         is_personal=True, permission=Permission.PEOPLE_EDIT)


# --- 1. no executive sponsor -------------------------------------------------------------------------------

@rule("no_executive_sponsor", title=_l("No executive sponsor"), failure_mode=_l("No executive sponsor"))
def no_executive_sponsor(ctx: HealthContext):
    """An executive sponsor speaks for the project and sits on the steering committee (DOMAIN.md). Fires, HIGH,
    from the first day (a sponsor is named in stage 1, before anything else is due) when the programme names no
    sponsor; and when it names one who does not sit on the steering committee today while the committee has
    members (an empty committee is ``committee_not_meeting``'s finding). No threshold: it is true or not."""
    from planner.people.models import Person

    programme = ctx.programme
    if programme.sponsor_id is None:
        yield Finding(
            rule="no_executive_sponsor", subject="programme", severity=Severity.HIGH,
            title=_("The programme has no executive sponsor"),
            advice=_("Name an executive sponsor in the programme settings: a senior leader who speaks for the "
                     "rollout, sits on the steering committee and backs its decisions."),
            measure=1, evidence=(Evidence.link(_("Programme settings"), "programmes.edit_programme",
                                               programme_id=programme.id, permission=Permission.PROGRAMME_EDIT),))
        return
    committee = ctx.steering_committee
    if committee is None:
        return
    seats = [(seat.person_id, seat.starts_on, seat.ends_on) for seat in ctx.committee_seats]
    serving = {person_id for person_id, starts_on, ends_on in seats
               if starts_on <= ctx.today and (ends_on is None or ctx.today <= ends_on)}
    if not serving or programme.sponsor_id in serving:
        return
    has_left = any(person_id == programme.sponsor_id and ends_on is not None and ends_on < ctx.today
                   for person_id, _starts_on, ends_on in seats)
    sponsor = db.session.get(Person, programme.sponsor_id)
    title = (_("The executive sponsor has left the steering committee") if has_left
             else _("The executive sponsor does not sit on the steering committee"))
    yield Finding(
        rule="no_executive_sponsor", subject=f"person:{programme.sponsor_id}", severity=Severity.HIGH, title=title,
        advice=_("Seat the sponsor on the steering committee (as executive sponsor), or name a sponsor who sits "
                 "on it: decisions the sponsor does not take part in tend to lapse."),
        measure=1, evidence=(_person_link(programme.id, sponsor), _committee_link(programme.id)))


# --- 2. the committee does not meet ------------------------------------------------------------------------

@rule("committee_not_meeting", title=_l("The steering committee rarely meets"),
      failure_mode=_l("Ineffective or rarely-meeting steering committee"),
      thresholds=(Threshold("committee_meeting_gap_weeks", _l("Weeks the steering committee may go without meeting"),
                            6, 1, 26),))
def committee_not_meeting(ctx: HealthContext):
    """A committee that does not meet cannot decide in time, and meetings that are not scheduled are a failure
    mode of their own (DOMAIN.md, "Steering committee"). Once the programme has run N weeks
    (``committee_meeting_gap_weeks``, default 6: about every month and a half is the least a steering committee
    meets), fires for the steering committee when no meeting was held (attendance or minutes recorded) in the
    last N weeks, or none is scheduled in the next N weeks; MEDIUM, HIGH at 2N weeks without a meeting. The
    measure is the weeks since the last meeting held (since the start when none was). From the programme's start
    it also fires when there is no committee or nobody sits on it: MEDIUM in the first N weeks (the committee is
    formed while the project is initiated), HIGH after them."""
    from planner.committee.models import Meeting, MeetingOccurrence, MeetingStatus, OccurrenceStatus

    programme, today = ctx.programme, ctx.today
    if today < programme.start_date:
        return
    committee = ctx.steering_committee
    serving = None
    if committee is not None:
        serving = sum(1 for seat in ctx.committee_seats if seat.serves_on(today))
    weeks = ctx.threshold("committee_meeting_gap_weeks")
    settled = today >= programme.start_date + timedelta(weeks=weeks)
    if committee is None or not serving:
        yield Finding(
            rule="committee_not_meeting", subject="programme",
            severity=Severity.HIGH if settled else Severity.MEDIUM,
            title=(_("The programme has no steering committee") if committee is None
                   else _("Nobody sits on the steering committee")),
            advice=_("Form the steering committee: the decision makers, the executive sponsor and a manager of "
                     "every major department the rollout affects, and schedule its meetings."),
            measure=1, evidence=(_committee_link(programme.id),) if committee is not None else ())
        return
    if not settled:
        return
    base = (select(MeetingOccurrence).join(MeetingOccurrence.meeting).options(contains_eager(MeetingOccurrence.meeting))
            .where(Meeting.committee_id == committee.id, MeetingOccurrence.is_cancelled.is_(False),
                   Meeting.status != MeetingStatus.CANCELLED))
    last_held = db.session.scalar(
        base.where(MeetingOccurrence.status.in_((OccurrenceStatus.HELD, OccurrenceStatus.MINUTED)),
                   MeetingOccurrence.local_start < _midnight(today + timedelta(days=1)))
        .order_by(MeetingOccurrence.local_start.desc()).limit(1))
    next_planned = db.session.scalar(
        base.where(Meeting.status == MeetingStatus.SCHEDULED, MeetingOccurrence.status == OccurrenceStatus.SCHEDULED,
                   MeetingOccurrence.local_start >= _midnight(today),
                   MeetingOccurrence.local_start < _midnight(today + timedelta(weeks=weeks, days=1)))
        .order_by(MeetingOccurrence.local_start).limit(1))
    since = last_held.local_start.date() if last_held is not None else programme.start_date
    weeks_without = max(0, (today - since).days) // 7
    if weeks_without < weeks and next_planned is not None:
        return
    if weeks_without >= weeks:
        title = (ngettext("The steering committee has not met for %(num)d week",
                          "The steering committee has not met for %(num)d weeks", weeks_without)
                 if last_held is not None
                 else ngettext("The steering committee has not met in the %(num)d week since the programme started",
                               "The steering committee has not met in the %(num)d weeks since the programme started",
                               weeks_without))
    else:
        title = ngettext("The steering committee has no meeting planned in the next %(num)d week",
                         "The steering committee has no meeting planned in the next %(num)d weeks", weeks)
    evidence = [Evidence.link(_("Committee meetings"), "committee.list_meetings", programme_id=programme.id)]
    evidence += [_occurrence_link(programme.id, occurrence) for occurrence in (last_held, next_planned)
                 if occurrence is not None]
    yield Finding(
        rule="committee_not_meeting", subject=f"committee:{committee.id}",
        severity=Severity.HIGH if weeks_without >= 2 * weeks else Severity.MEDIUM, title=title,
        advice=_("Schedule regular steering-committee meetings (a recurring series) and record attendance when "
                 "they take place: a committee that does not meet cannot decide in time."),
        measure=weeks_without, evidence=tuple(evidence))


# --- 3. meetings without an agenda -------------------------------------------------------------------------

@rule("meeting_without_agenda", title=_l("A committee meeting without an agenda"),
      failure_mode=_l("Meetings without agenda"),
      thresholds=(Threshold("held_without_agenda_lookback_days",
                            _l("Days back a meeting held without an agenda is reported"),
                            HELD_WITHOUT_AGENDA_DAYS, 7, 365),))
def meeting_without_agenda(ctx: HealthContext):
    """Agendas prepared in advance are what make a committee meeting decide (DOMAIN.md). Fires for each coming
    meeting fewer working days away than the committee's own agenda notice (its "agenda late" setting, on the
    committee settings page: that setting is this rule's threshold, so there is one number, not two) whose agenda
    is not published: MEDIUM, HIGH when the meeting is today or tomorrow; the measure is 1 (the meeting: time
    running out raises the severity, not the measure, so an acknowledgement does not lapse each day). Also one
    LOW finding for the meetings held in the last ``held_without_agenda_lookback_days`` (default 90) without an
    agenda ever published (agenda items written but never published count too), the measure their count:
    hygiene, to learn from."""
    from planner.committee.models import Meeting, MeetingOccurrence, MeetingStatus, OccurrenceStatus

    programme, today = ctx.programme, ctx.today
    committee = ctx.steering_committee
    if committee is None:
        return
    notice = committee.agenda_notice_days
    calendar = ctx.calendar
    latest = calendar.add_working_days(today, notice) if notice else today
    coming = db.session.scalars(
        select(MeetingOccurrence).join(MeetingOccurrence.meeting).options(contains_eager(MeetingOccurrence.meeting))
        .where(Meeting.committee_id == committee.id, Meeting.status == MeetingStatus.SCHEDULED,
               MeetingOccurrence.is_cancelled.is_(False), MeetingOccurrence.status == OccurrenceStatus.SCHEDULED,
               MeetingOccurrence.agenda_published_revision.is_(None),
               MeetingOccurrence.local_start >= _midnight(today),
               MeetingOccurrence.local_start < _midnight(latest + timedelta(days=1)))
        .order_by(MeetingOccurrence.local_start)).all()
    for occurrence in coming:
        day = occurrence.local_start.date()
        away = calendar.working_days_between(today, day)
        if away >= notice:
            continue
        soon = day <= today + timedelta(days=1)
        title = (_("The committee meets today and its agenda is not published") if day == today
                 else _("The committee meets tomorrow and its agenda is not published") if soon
                 else _("The committee meets on %(day)s and its agenda is not published yet", day=day.isoformat()))
        yield Finding(
            rule="meeting_without_agenda", subject=f"occurrence:{occurrence.id}",
            severity=Severity.HIGH if soon else Severity.MEDIUM, title=title,
            advice=_("Write the agenda, with the decisions the committee is asked to take, and publish it so "
                     "members can prepare; a meeting without an agenda rarely decides anything."),
            measure=1, evidence=(_occurrence_link(programme.id, occurrence),))
    lookback = ctx.threshold("held_without_agenda_lookback_days")
    held = db.session.scalars(
        select(MeetingOccurrence).join(MeetingOccurrence.meeting).options(contains_eager(MeetingOccurrence.meeting))
        .where(Meeting.committee_id == committee.id, MeetingOccurrence.is_cancelled.is_(False),
               MeetingOccurrence.status.in_((OccurrenceStatus.HELD, OccurrenceStatus.MINUTED)),
               MeetingOccurrence.agenda_published_revision.is_(None),
               MeetingOccurrence.local_start >= _midnight(today - timedelta(days=lookback)),
               MeetingOccurrence.local_start < _midnight(today + timedelta(days=1)))
        .order_by(MeetingOccurrence.local_start.desc())).all()
    if held:
        yield Finding(
            rule="meeting_without_agenda", subject="held", severity=Severity.LOW,
            title=ngettext("A committee meeting in the last %(days)d days was held without a published agenda",
                           "%(num)d committee meetings in the last %(days)d days were held without a published "
                           "agenda", len(held), days=lookback),
            advice=_("Prepare and publish an agenda before every meeting; the committee pack helps to gather the "
                     "milestones, risks and change requests to decide."),
            measure=len(held), evidence=tuple(_occurrence_link(programme.id, occurrence) for occurrence in held))


# --- 4. decisions pending ----------------------------------------------------------------------------------

@rule("decisions_pending", title=_l("Change requests wait for a committee decision"),
      failure_mode=_l("Ineffective or rarely-meeting steering committee: it does not decide in time"),
      thresholds=(Threshold("decision_wait_days", _l("Days an assessed change request may wait for a decision"),
                            21, 1, 180),))
def decisions_pending(ctx: HealthContext):
    """A committee that does not decide in time stalls the programme (DOMAIN.md). Fires, for the programme, when
    change requests have been assessed (so only the committee's decision is missing) more than
    ``decision_wait_days`` days ago (default 21: three weeks, so at least one monthly meeting could have
    decided); MEDIUM, HIGH when the oldest has waited twice as long. The measure is the number of requests
    waiting too long (time raises the severity, not the measure); the evidence lists each of them. Requests not yet assessed wait for the project
    manager, not the committee, and are not counted."""
    from planner.changes.models import ChangeRequest, ChangeStatus

    programme, today = ctx.programme, ctx.today
    limit = ctx.threshold("decision_wait_days")
    waiting = []
    for change in db.session.scalars(select(ChangeRequest).where(
            ChangeRequest.programme_id == programme.id, ChangeRequest.status == ChangeStatus.ASSESSED,
            ChangeRequest.assessed_at.is_not(None)).order_by(ChangeRequest.assessed_at, ChangeRequest.number)):
        age = max(0, (today - change.assessed_at.date()).days)
        if age > limit:
            waiting.append((change, age))
    if not waiting:
        return
    oldest = max(age for _change, age in waiting)
    yield Finding(
        rule="decisions_pending", subject="programme",
        severity=Severity.HIGH if oldest > 2 * limit else Severity.MEDIUM,
        title=ngettext("A change request has waited %(age)d days for a committee decision",
                       "%(num)d change requests have waited more than %(days)d days for a committee decision",
                       len(waiting), age=oldest, days=limit),
        advice=_("Put the waiting requests on the next committee agenda and ask for a decision; if the committee "
                 "cannot meet soon, agree how urgent changes are decided between meetings."),
        measure=len(waiting),
        evidence=tuple(Evidence.link(_("%(ref)s %(title)s (waiting %(age)d days)", ref=change.reference,
                                       title=change.title, age=age),
                                     "changes.show_change", programme_id=programme.id, change_id=change.id)
                       for change, age in waiting))


# --- 5. a member left with open actions --------------------------------------------------------------------

@rule("key_member_left_with_open_actions", title=_l("Someone who left still owns open actions"),
      failure_mode=_l("Key member leaves"))
def key_member_left_with_open_actions(ctx: HealthContext):
    """When a key member leaves, agreed changes get cancelled (DOMAIN.md): their open actions are the first to
    lapse. Fires, HIGH, for each person whose seat on the steering committee has ended (and who holds no
    current seat) while they still own open action items, and once for open actions whose owner was deleted
    from the programme (the owner is then empty). The measure is the number of such open actions. No threshold:
    an action with nobody to carry it is lost from the day its owner goes."""
    from planner.committee.models import ActionItem, ActionStatus
    from planner.committee.queries import open_actions_by_owner

    programme, today = ctx.programme, ctx.today
    committee = ctx.steering_committee
    left: dict[int, object] = {}
    key_roles: set[int] = set()
    if committee is not None:
        seats = ctx.committee_seats
        serving = {seat.person_id for seat in seats if seat.serves_on(today)}
        for seat in seats:
            if seat.ends_on is not None and seat.ends_on < today and seat.person_id not in serving:
                left[seat.person_id] = seat.person
                if seat.role.is_key:
                    key_roles.add(seat.person_id)
    for person_id, actions in sorted(open_actions_by_owner(programme.id, list(left)).items()):
        person = left[person_id]
        is_key = person_id in key_roles
        yield Finding(
            rule="key_member_left_with_open_actions", subject=f"person:{person_id}", severity=Severity.HIGH,
            title=(ngettext("A key member who left the steering committee still owns %(num)d open action",
                            "A key member who left the steering committee still owns %(num)d open actions",
                            len(actions))
                   if is_key else
                   ngettext("A member who left the steering committee still owns %(num)d open action",
                            "A member who left the steering committee still owns %(num)d open actions",
                            len(actions))),
            advice=_("Give each open action a new owner who stays on the committee, or drop it on the record; "
                     "then check whether the changes that member agreed still have a champion."),
            measure=len(actions),
            evidence=(_person_link(programme.id, person),)
            + tuple(_action_link(programme.id, action) for action in actions))
    orphaned = db.session.scalars(select(ActionItem).where(
        ActionItem.programme_id == programme.id, ActionItem.status == ActionStatus.OPEN,
        ActionItem.owner_id.is_(None)).order_by(ActionItem.due_on, ActionItem.id)).all()
    if orphaned:
        yield Finding(
            rule="key_member_left_with_open_actions", subject="owner:none", severity=Severity.HIGH,
            title=ngettext("An open action has no owner any more", "%(num)d open actions have no owner any more",
                           len(orphaned)),
            advice=_("Their owner was removed from the programme: give each action a new owner, or drop it on "
                     "the record."),
            measure=len(orphaned), evidence=tuple(_action_link(programme.id, action) for action in orphaned))


# --- 6. overdue actions ------------------------------------------------------------------------------------

@rule("overdue_actions", title=_l("Committee actions long overdue"),
      failure_mode=_l("Ineffective or rarely-meeting steering committee: agreed actions do not happen"),
      thresholds=(Threshold("action_overdue_days", _l("Days a committee action may be overdue"), 14, 1, 90),))
def overdue_actions(ctx: HealthContext):
    """An effective committee is what makes necessary changes happen (DOMAIN.md); actions that stay open long
    after their due day say it is not. Fires, for the programme, when open action items are overdue by more than
    ``action_overdue_days`` days (default 14: a fortnight's slack before a meeting would notice); MEDIUM, HIGH when
    more than 5 are, or one is overdue by more than four times the threshold. The measure is how many are."""
    from planner.committee.models import ActionItem, ActionStatus

    programme, today = ctx.programme, ctx.today
    limit = ctx.threshold("action_overdue_days")
    late = db.session.execute(  # what the links show, as plain rows: a hundred at scale, with nothing joined
        select(ActionItem.id, ActionItem.title, ActionItem.due_on)
        .where(ActionItem.programme_id == programme.id, ActionItem.status == ActionStatus.OPEN,
               ActionItem.due_on < today - timedelta(days=limit))
        .order_by(ActionItem.due_on, ActionItem.id)).all()
    if not late:
        return
    worst = max((today - action.due_on).days for action in late)
    severe = len(late) > MANY_OVERDUE_ACTIONS or worst > 4 * limit
    yield Finding(
        rule="overdue_actions", subject="programme", severity=Severity.HIGH if severe else Severity.MEDIUM,
        title=ngettext("A committee action is %(worst)d days overdue",
                       "%(num)d committee actions are overdue by more than %(days)d days", len(late), worst=worst,
                       days=limit),
        advice=_("Go through the overdue actions at the next committee meeting: finish them, give them a new "
                 "date with a reason, or drop them on the record."),
        measure=len(late),
        evidence=(Evidence.link(_("Overdue actions"), "committee.list_actions", programme_id=programme.id),)
        + tuple(_action_link(programme.id, action) for action in late))


# --- 7. business processes not confirmed -------------------------------------------------------------------

def _process_stage_markers():
    """The template's titles of stage 3's "current processes" deliverable, its "redesigned processes"
    deliverable and its confirmation criterion (programmes keep these texts: they can be ticked, not edited)."""
    from planner.lifecycle.template import STAGES

    spec = next(stage for stage in STAGES if stage["number"] == 3)
    return spec["deliverables"][0], spec["deliverables"][1], spec["criteria"][0]


def _same(text: str, other: str) -> bool:
    return " ".join(text.split()).casefold() == " ".join(other.split()).casefold()


@rule("business_processes_not_confirmed", title=_l("Current processes not confirmed before redesign"),
      failure_mode=_l("Undocumented business processes"),
      thresholds=(Threshold("process_documentation_weeks",
                            _l("Weeks into process optimisation by which current processes are documented"),
                            4, 1, 26),))
def business_processes_not_confirmed(ctx: HealthContext):
    """Stage 3 documents today's processes, confirmed by every department involved, before redesigning them
    (DOMAIN.md). The planner keeps no per-department confirmation; what it keeps is stage 3's checklist and gate.
    So this rule reads: the "Current processes documented" deliverable (ticked or not) and the gate criterion
    "Current processes are documented and confirmed by every affected department" (met in the stage's latest
    gate review or not). It fires HIGH when the redesign has gone ahead without that confirmation on record (the
    "Redesigned processes" deliverable is ticked, stage 3 was closed, or a later stage has started, while the
    criterion is not met); and MEDIUM when stage 3 has run more than ``process_documentation_weeks`` weeks
    (default 4) and the current processes are still not documented. The measure is the number of departments with
    people in them: each one's confirmation is missing, and a new department makes it worse."""
    from planner.lifecycle.models import StageStatus
    from planner.people.models import Person
    from planner.programmes.models import Department

    programme, today = ctx.programme, ctx.today
    stages = {stage.number: stage for stage in ctx.stages}
    stage = stages.get(3)
    if stage is None or stage.status(today) is StageStatus.NOT_STARTED:
        return
    current_title, redesigned_title, criterion_text = _process_stage_markers()
    documented = next((d for d in stage.deliverables if _same(d.title, current_title)), None)
    redesigned = next((d for d in stage.deliverables if _same(d.title, redesigned_title)), None)
    criterion = next((c for c in stage.criteria if _same(c.text, criterion_text)), None)
    if documented is None and criterion is None:
        return  # the programme's stage 3 does not track it: nothing to read
    confirmed = criterion is not None and criterion not in stage.unmet_criteria()
    later_started = any(other.status(today) is not StageStatus.NOT_STARTED
                        for number, other in stages.items() if number > 3)
    redesign_ahead = (redesigned is not None and redesigned.is_done) or stage.closed_at is not None or later_started
    started_on = stage.actual_start or stage.planned_start or today
    weeks_in = max(0, (today - started_on).days) // 7
    if redesign_ahead and not confirmed:
        severity = Severity.HIGH
        title = _("Processes are being redesigned before every department confirmed today's processes")
    elif not (documented is not None and documented.is_done) and not confirmed and \
            weeks_in >= ctx.threshold("process_documentation_weeks"):
        severity = Severity.MEDIUM
        title = ngettext("Today's processes are still not documented %(num)d week into process optimisation",
                         "Today's processes are still not documented %(num)d weeks into process optimisation",
                         weeks_in)
    else:
        return
    departments = db.session.execute(
        select(Department.id, Department.name, func.count(Person.id))
        .join(Person, Person.department_id == Department.id)
        .where(Department.programme_id == programme.id)
        .group_by(Department.id, Department.name).order_by(Department.name)).all()
    yield Finding(
        rule="business_processes_not_confirmed", subject=f"stage:{stage.id}", severity=severity, title=title,
        advice=_("Document today's processes with each affected department and its end users, have every "
                 "department confirm them, and record that in the stage's gate review before the redesign goes "
                 "on: a new system bent to unconfirmed processes repeats their faults."),
        measure=max(1, len(departments)),
        evidence=(Evidence.link(_("Stage %(number)d: %(name)s", number=stage.number, name=stage.name),
                                "lifecycle.show_stage", programme_id=programme.id, stage_id=stage.id),)
        + tuple(Evidence.link(ngettext("Department %(name)s (%(num)d person)", "Department %(name)s (%(num)d people)",
                                       people, name=name),
                              "programmes.edit_department", programme_id=programme.id, department_id=department_id,
                              permission=Permission.STRUCTURE_EDIT)
                for department_id, name, people in departments))
