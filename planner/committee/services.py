"""Use-cases of the steering committee: its members, agendas, minutes, decisions and action items.

Scheduling meetings lives in ``scheduling``; invitations and answers in ``invitations``.
"""
from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import func, select

from planner.committee import invitations
from planner.committee.models import (
    ActionItem, ActionStatus, AgendaItem, AttendanceStatus, Committee, CommitteeMember, CommitteeRole, Decision,
    Meeting, MeetingAttendance, MeetingOccurrence, MeetingStatus, OccurrenceStatus,
)
from planner.core import audit, clock, mail, outbox
from planner.core.errors import DomainError, check_version
from planner.core.links import external_url
from planner.core.permissions import Role
from planner.extensions import db
from planner.lifecycle.models import GateReview, Stage
from planner.people.models import Person
from planner.programmes.models import Membership, Programme
from planner.rollout.models import Milestone

DEFAULT_COMMITTEE_NAME = "Steering committee"


# --- the committee and its members -------------------------------------------------------------

def create_default_committee(programme: Programme) -> Committee:
    """Every programme starts with one steering committee (DOMAIN.md: the committee is what stops rollouts
    drifting); its members are added once the programme's people are listed."""
    committee = Committee(programme_id=programme.id, name=DEFAULT_COMMITTEE_NAME, quorum_percent=50,
                          quorum_needs_chair=True, agenda_notice_days=3)
    db.session.add(committee)
    audit.record_create(committee)
    return committee


def update_committee(committee: Committee, *, expected_version: int | None, name: str, quorum_percent: int,
                     quorum_needs_chair: bool, agenda_notice_days: int) -> None:
    """Rename the committee or change its quorum rule and agenda notice."""
    check_version(committee, expected_version)
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Give the committee a name."), field="name")
    if quorum_percent is None or not 1 <= quorum_percent <= 100:
        raise DomainError(_("Quorum is a share between 1 and 100 percent."), field="quorum_percent")
    if agenda_notice_days is None or not 0 <= agenda_notice_days <= 30:
        raise DomainError(_("Agenda notice is between 0 and 30 working days."), field="agenda_notice_days")
    clash = db.session.scalar(select(Committee.id).where(Committee.programme_id == committee.programme_id,
                                                         func.lower(Committee.name) == name.lower(),
                                                         Committee.id != committee.id))
    if clash:
        raise DomainError(_("Another committee of this programme has this name."), field="name")
    changes = audit.apply_changes(committee, {"name": name, "quorum_percent": quorum_percent,
                                              "quorum_needs_chair": bool(quorum_needs_chair),
                                              "agenda_notice_days": agenda_notice_days})
    db.session.flush()
    audit.record_update(committee, changes)


def _upcoming_meetings(committee: Committee) -> list[Meeting]:
    now = clock.now()
    return list(db.session.scalars(
        select(Meeting).where(Meeting.committee_id == committee.id, Meeting.status != MeetingStatus.CANCELLED,
                              Meeting.id.in_(select(MeetingOccurrence.meeting_id)
                                             .where(MeetingOccurrence.starts_at >= now)))))


def _refresh_invitations(committee: Committee) -> int:
    """Bring every upcoming meeting's attendee list in line with the committee, sending what is due."""
    queued = 0
    for meeting in _upcoming_meetings(committee):
        invitations.ensure_invitees(meeting)
        queued += invitations.send_updates(meeting)
    return queued


def add_member(committee: Committee, *, person_id: int | None, role: str, starts_on: date) -> CommitteeMember:
    """Seat a person on the committee. They are invited to the committee's upcoming meetings."""
    person = db.session.get(Person, person_id) if person_id else None
    if person is None or person.programme_id != committee.programme_id:
        raise DomainError(_("Choose a person of this programme."), field="person_id")
    try:
        role = CommitteeRole(role)
    except ValueError:
        raise DomainError(_("Choose a committee role."), field="role") from None
    if starts_on is None:
        raise DomainError(_("Give the day the member joins."), field="starts_on")
    serving = db.session.scalar(select(CommitteeMember.id).where(
        CommitteeMember.committee_id == committee.id, CommitteeMember.person_id == person.id,
        (CommitteeMember.ends_on.is_(None)) | (CommitteeMember.ends_on >= starts_on)))
    if serving:
        raise DomainError(_("%(name)s already sits on the committee.", name=person.full_name), field="person_id")
    if not person.email:
        raise DomainError(_("%(name)s has no email address; invitations could not reach them.",
                            name=person.full_name), field="person_id")
    member = CommitteeMember(committee_id=committee.id, person_id=person.id, role=role, starts_on=starts_on,
                             person=person)
    db.session.add(member)
    audit.record_create(member)
    _refresh_invitations(committee)
    return member


def change_member_role(member: CommitteeMember, *, role: str, expected_version: int | None) -> None:
    """Give a member another role on the committee (their invitation role follows)."""
    check_version(member, expected_version)
    try:
        role = CommitteeRole(role)
    except ValueError:
        raise DomainError(_("Choose a committee role."), field="role") from None
    changes = audit.apply_changes(member, {"role": role})
    db.session.flush()
    audit.record_update(member, changes)
    for meeting in _upcoming_meetings(member.committee):
        for invitee in meeting.invitees:
            if invitee.person_id == member.person_id and not invitee.is_guest:
                invitee.ics_role = role.ics_role  # shown with the next update; a role alone raises no SEQUENCE


def record_leaving(member: CommitteeMember, *, ends_on: date, reason: str, expected_version: int | None) -> int:
    """Record that a member leaves the committee. Their upcoming invitations are cancelled, and the
    programme's project managers are told by email, since agreed changes tend to lapse when key
    members leave (DOMAIN.md). Returns how many emails were queued."""
    check_version(member, expected_version)
    if member.ends_on is not None:
        raise DomainError(_("%(name)s already left on %(day)s.", name=member.person.full_name,
                            day=member.ends_on.isoformat()))
    if ends_on is None:
        raise DomainError(_("Give the last day on the committee."), field="ends_on")
    if ends_on < member.starts_on:
        raise DomainError(_("The last day cannot be before the member joined."), field="ends_on")
    changes = audit.apply_changes(member, {"ends_on": ends_on, "leave_reason": (reason or "").strip()[:2000],
                                           "leave_acknowledged_at": None})
    db.session.flush()
    audit.record_update(member, changes)
    return _refresh_invitations(member.committee) + _tell_project_managers(member)


def acknowledge_leaving(member: CommitteeMember) -> None:
    """A project manager has seen that the member left: the flag goes away."""
    if member.ends_on is None:
        raise DomainError(_("%(name)s has not left the committee.", name=member.person.full_name))
    audit.record_update(member, audit.apply_changes(member, {"leave_acknowledged_at": clock.now()}))


def open_actions_of(person_id: int, programme_id: int) -> list[ActionItem]:
    return list(db.session.scalars(select(ActionItem).where(
        ActionItem.programme_id == programme_id, ActionItem.owner_id == person_id,
        ActionItem.status == ActionStatus.OPEN).order_by(ActionItem.due_on)))


def _tell_project_managers(member: CommitteeMember) -> int:
    from planner.auth.models import User

    committee = member.committee
    managers = db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.programme_id == committee.programme_id, Membership.role == Role.PROJECT_MANAGER,
        User.is_active.is_(True)).order_by(User.email)).all()
    link = external_url("committee.show_committee", programme_id=committee.programme_id)
    context = dict(member=member, committee=committee, open_actions=open_actions_of(member.person_id,
                                                                                      committee.programme_id),
                   link=link)
    for manager in managers:
        message = mail.compose(
            to=manager.email, subject=_("%(name)s leaves the %(committee)s", name=member.person.full_name,
                                        committee=committee.name),
            text=render_template("committee/email/member_left.txt", **context),
            html=render_template("committee/email/member_left.html", **context))
        outbox.enqueue(message, key=f"member-left:{member.id}:{member.ends_on.isoformat()}:{manager.id}",
                       kind="notice", programme_id=committee.programme_id)
    return len(managers)


@dataclass(frozen=True)
class Quorum:
    present: int
    serving: int
    needed: int
    has_chair: bool
    needs_chair: bool

    @property
    def is_met(self) -> bool:
        return self.present >= self.needed and (self.has_chair or not self.needs_chair)


def quorum_of(occurrence: MeetingOccurrence, members: list[CommitteeMember],
              attendance: list[MeetingAttendance]) -> Quorum:
    """Whether enough members (and the chair or sponsor) were there for the committee's quorum rule."""
    committee = occurrence.meeting.committee
    day = occurrence.local_start.date()
    serving = [m for m in members if m.serves_on(day)]
    present_ids = {row.person_id for row in attendance
                   if row.status in (AttendanceStatus.PRESENT, AttendanceStatus.DELEGATE)}
    present = sum(1 for m in serving if m.person_id in present_ids)
    needed = max(1, -(-len(serving) * committee.quorum_percent // 100))
    has_chair = any(m.person_id in present_ids and m.role in (CommitteeRole.CHAIR, CommitteeRole.EXECUTIVE_SPONSOR)
                    for m in serving)
    return Quorum(present=present, serving=len(serving), needed=needed, has_chair=has_chair,
                  needs_chair=committee.quorum_needs_chair)


# --- agenda ------------------------------------------------------------------------------------

def _check_agenda_editable(occurrence: MeetingOccurrence) -> None:
    if occurrence.is_cancelled or occurrence.meeting.status is MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting is cancelled."))
    if occurrence.status is OccurrenceStatus.MINUTED:
        raise DomainError(_("The minutes of this meeting are recorded; its agenda stays as it was."))


def _check_links(occurrence: MeetingOccurrence, milestone_id: int | None, gate_review_id: int | None) -> None:
    if milestone_id:
        milestone = db.session.get(Milestone, milestone_id)
        if milestone is None or milestone.programme_id != occurrence.programme_id:
            raise DomainError(_("Choose a milestone of this programme."), field="milestone_id")
    if gate_review_id:
        review = db.session.get(GateReview, gate_review_id)
        if review is None or review.stage.programme_id != occurrence.programme_id:
            raise DomainError(_("Choose a gate review of this programme."), field="gate_review_id")


def _check_presenter(occurrence: MeetingOccurrence, presenter_id: int | None) -> None:
    if presenter_id:
        person = db.session.get(Person, presenter_id)
        if person is None or person.programme_id != occurrence.programme_id:
            raise DomainError(_("Choose a presenter of this programme."), field="presenter_id")


def _check_change_request(occurrence: MeetingOccurrence, change_request_id: int | None) -> None:
    if change_request_id:
        from planner.changes.models import ChangeRequest

        change = db.session.get(ChangeRequest, change_request_id)
        if change is None or change.programme_id != occurrence.programme_id:
            raise DomainError(_("Choose a change request of this programme."), field="change_request_id")


def _check_risk(occurrence: MeetingOccurrence, risk_id: int | None) -> None:
    if risk_id:
        from planner.risks.models import Risk

        risk = db.session.get(Risk, risk_id)
        if risk is None or risk.programme_id != occurrence.programme_id:
            raise DomainError(_("Choose a risk of this programme."), field="risk_id")


def _agenda_values(occurrence, *, title, notes, presenter_id, minutes_allotted, milestone_id, gate_review_id,
                   change_request_id=None, risk_id=None) -> dict:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the agenda item a title."), field="title")
    if not minutes_allotted or not 1 <= minutes_allotted <= 600:
        raise DomainError(_("Allot between 1 and 600 minutes."), field="minutes_allotted")
    _check_presenter(occurrence, presenter_id)
    _check_links(occurrence, milestone_id, gate_review_id)
    _check_change_request(occurrence, change_request_id)
    _check_risk(occurrence, risk_id)
    return {"title": title[:300], "notes": (notes or "").strip(), "presenter_id": presenter_id or None,
            "minutes_allotted": minutes_allotted, "milestone_id": milestone_id or None,
            "gate_review_id": gate_review_id or None, "change_request_id": change_request_id or None,
            "risk_id": risk_id or None}


def add_agenda_item(occurrence: MeetingOccurrence, *, title: str, notes: str = "", presenter_id: int | None = None,
                    minutes_allotted: int = 10, milestone_id: int | None = None,
                    gate_review_id: int | None = None, change_request_id: int | None = None,
                    risk_id: int | None = None) -> AgendaItem:
    """Add an item at the end of the agenda."""
    _check_agenda_editable(occurrence)
    values = _agenda_values(occurrence, title=title, notes=notes, presenter_id=presenter_id,
                            minutes_allotted=minutes_allotted, milestone_id=milestone_id,
                            gate_review_id=gate_review_id, change_request_id=change_request_id,
                            risk_id=risk_id)
    position = max((item.position for item in occurrence.agenda_items), default=0) + 1
    item = AgendaItem(occurrence_id=occurrence.id, position=position, **values)
    occurrence.agenda_items.append(item)
    occurrence.agenda_revision += 1
    db.session.flush()
    audit.record_create(item)
    return item


def update_agenda_item(item: AgendaItem, *, expected_version: int | None, title: str, notes: str,
                       presenter_id: int | None, minutes_allotted: int, milestone_id: int | None,
                       gate_review_id: int | None, change_request_id: int | None = None,
                       risk_id: int | None = None) -> None:
    """Edit an agenda item."""
    check_version(item, expected_version)
    occurrence = item.occurrence
    _check_agenda_editable(occurrence)
    values = _agenda_values(occurrence, title=title, notes=notes, presenter_id=presenter_id,
                            minutes_allotted=minutes_allotted, milestone_id=milestone_id,
                            gate_review_id=gate_review_id, change_request_id=change_request_id,
                            risk_id=risk_id)
    changes = audit.apply_changes(item, values)
    if changes:
        occurrence.agenda_revision += 1
    db.session.flush()
    audit.record_update(item, changes)


def move_agenda_item(item: AgendaItem, *, step: int) -> None:
    """Move an item one place up (step -1) or down (+1)."""
    occurrence = item.occurrence
    _check_agenda_editable(occurrence)
    items = list(occurrence.agenda_items)
    index = items.index(item)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    occurrence.agenda_revision += 1
    db.session.flush()


def delete_agenda_item(item: AgendaItem) -> None:
    """Take an item off the agenda."""
    occurrence = item.occurrence
    _check_agenda_editable(occurrence)
    occurrence.agenda_revision += 1
    audit.delete(item)
    db.session.expire(occurrence, ["agenda_items"])


def agenda_minutes(occurrence: MeetingOccurrence) -> int:
    """Minutes allotted over all items, to hold against the meeting's length."""
    return sum(item.minutes_allotted for item in occurrence.agenda_items)


def publish_agenda(occurrence: MeetingOccurrence) -> int:
    """Send the agenda to everyone invited, by email through the outbox. Publishing again after an edit
    sends the new revision. Returns how many emails were queued."""
    meeting = occurrence.meeting
    _check_agenda_editable(occurrence)
    if meeting.status is not MeetingStatus.SCHEDULED:
        raise DomainError(_("Schedule the meeting before publishing its agenda; a draft sends nothing."))
    if not occurrence.agenda_items:
        raise DomainError(_("The agenda is empty: add at least one item."))
    if occurrence.agenda_published_revision == occurrence.agenda_revision:
        raise DomainError(_("This agenda was already published and has not changed since."))
    link = invitations.meeting_url(meeting)
    queued = 0
    for invitee in meeting.invitees:
        if not invitee.is_active:
            continue
        context = dict(meeting=meeting, occurrence=occurrence, items=list(occurrence.agenda_items),
                       invitee=invitee, link=link, when=invitations.describe_when(meeting, occurrence),
                       pack_link=external_url("committee.show_pack", programme_id=meeting.programme_id,
                                              occurrence_id=occurrence.id),
                       is_update=occurrence.agenda_published_revision is not None)
        message = mail.compose(
            to=invitee.email,
            subject=_("Agenda: %(title)s, %(day)s", title=meeting.title, day=occurrence.local_start.strftime("%Y-%m-%d")),
            text=render_template("committee/email/agenda.txt", **context),
            html=render_template("committee/email/agenda.html", **context))
        outbox.enqueue(message, key=f"agenda:{occurrence.id}:{occurrence.agenda_revision}:{invitee.person_id}",
                       kind="agenda", programme_id=meeting.programme_id)
        queued += 1
    changes = audit.apply_changes(occurrence, {"agenda_published_revision": occurrence.agenda_revision,
                                               "agenda_published_at": clock.now()})
    db.session.flush()
    audit.record_update(occurrence, changes)
    return queued


def agenda_is_late(occurrence: MeetingOccurrence, working_calendar) -> bool:
    """A meeting fewer than the committee's notice in working days away with no published agenda.

    Days are counted in the organiser's zone: for a meeting in Sydney, "today" is Sydney's today.
    """
    if (occurrence.is_cancelled or occurrence.has_published_agenda
            or occurrence.status is not OccurrenceStatus.SCHEDULED):
        return False
    today = clock.now().astimezone(occurrence.meeting.zone).date()
    day = occurrence.local_start.date()
    if day < today:
        return False
    notice = occurrence.meeting.committee.agenda_notice_days
    return working_calendar.working_days_between(today, day) < notice


# --- the meeting itself: attendance, minutes ---------------------------------------------------

def record_attendance(occurrence: MeetingOccurrence, marks: dict[int, tuple[str, str]]) -> None:
    """Record who was there: ``{person_id: (present|absent|delegate, delegate name)}``. Marks the meeting held."""
    if occurrence.is_cancelled:
        raise DomainError(_("This meeting was cancelled."))
    if occurrence.starts_at > clock.now():
        raise DomainError(_("Attendance is taken once the meeting has started."))
    existing = {row.person_id: row for row in db.session.scalars(
        select(MeetingAttendance).where(MeetingAttendance.occurrence_id == occurrence.id))}
    allowed = {invitee.person_id for invitee in occurrence.meeting.invitees}
    for person_id, (status, delegate_name) in marks.items():
        if person_id not in allowed:
            raise DomainError(_("Attendance is recorded for people invited to the meeting."))
        try:
            status = AttendanceStatus(status)
        except ValueError:
            raise DomainError(_("Mark present, absent or delegate.")) from None
        delegate_name = (delegate_name or "").strip()[:200]
        if status is AttendanceStatus.DELEGATE and not delegate_name:
            raise DomainError(_("Name the delegate who came instead."))
        row = existing.get(person_id)
        if row is None:
            db.session.add(MeetingAttendance(occurrence_id=occurrence.id, person_id=person_id, status=status,
                                             delegate_name=delegate_name))
        else:
            row.status, row.delegate_name = status, delegate_name if status is AttendanceStatus.DELEGATE else ""
    if occurrence.status is OccurrenceStatus.SCHEDULED:
        occurrence.status = OccurrenceStatus.HELD
    db.session.flush()
    audit.record_update(occurrence, {"attendance": [None, {str(k): v[0] for k, v in marks.items()}]})


def record_minutes(occurrence: MeetingOccurrence, *, minutes: str, expected_version: int | None) -> None:
    """Write the minutes; the meeting becomes minuted."""
    check_version(occurrence, expected_version)
    if occurrence.is_cancelled:
        raise DomainError(_("This meeting was cancelled."))
    if occurrence.starts_at > clock.now():
        raise DomainError(_("Minutes are written once the meeting has taken place."), field="minutes")
    minutes = (minutes or "").strip()
    if not minutes:
        raise DomainError(_("Write the minutes."), field="minutes")
    changes = audit.apply_changes(occurrence, {"minutes": minutes, "minutes_recorded_at": clock.now(),
                                               "status": OccurrenceStatus.MINUTED})
    db.session.flush()
    audit.record_update(occurrence, changes)


# --- decisions and actions ---------------------------------------------------------------------

def record_decision(programme, *, text: str, decided_on: date | None = None, decided_by: str = "",
                    recorded_by_id: int | None, occurrence: MeetingOccurrence | None = None,
                    milestone_id: int | None = None, gate_review_id: int | None = None,
                    agenda_item_id: int | None = None) -> Decision:
    """Put a committee decision on the record: in a meeting (its date and committee), or with a date and who
    decided."""
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write what was decided."), field="text")
    if occurrence is not None:
        if occurrence.programme_id != programme.id:
            raise DomainError(_("Choose a meeting of this programme."), field="occurrence_id")
        if occurrence.is_cancelled or occurrence.starts_at > clock.now():
            raise DomainError(_("Decisions are taken in a meeting that has taken place."), field="occurrence_id")
        decided_on = decided_on or occurrence.local_start.date()
        decided_by = (decided_by or "").strip() or _("%(committee)s, meeting of %(day)s",
                                                     committee=occurrence.meeting.committee.name,
                                                     day=occurrence.local_start.strftime("%Y-%m-%d"))
    decided_by = (decided_by or "").strip()
    if not decided_by:
        raise DomainError(_("Say who decided, e.g. the steering committee and its chair."), field="decided_by")
    if decided_on is None:
        raise DomainError(_("Give the date of the decision."), field="decided_on")
    if milestone_id:
        milestone = db.session.get(Milestone, milestone_id)
        if milestone is None or milestone.programme_id != programme.id:
            raise DomainError(_("Choose a milestone of this programme."), field="milestone_id")
    if gate_review_id:
        review = db.session.scalar(select(GateReview).join(Stage).where(GateReview.id == gate_review_id,
                                                                       Stage.programme_id == programme.id))
        if review is None:
            raise DomainError(_("Choose a gate review of this programme."), field="gate_review_id")
    if agenda_item_id and (occurrence is None or agenda_item_id not in {i.id for i in occurrence.agenda_items}):
        raise DomainError(_("Choose an item of this meeting's agenda."), field="agenda_item_id")
    decision = Decision(programme_id=programme.id, text=text, decided_on=decided_on, decided_by=decided_by[:300],
                        recorded_by_id=recorded_by_id, occurrence_id=occurrence.id if occurrence else None,
                        milestone_id=milestone_id or None, gate_review_id=gate_review_id or None,
                        agenda_item_id=agenda_item_id or None)
    db.session.add(decision)
    audit.record_create(decision)
    return decision


def _check_owner(programme_id: int, owner_id: int | None) -> None:
    person = db.session.get(Person, owner_id) if owner_id else None
    if person is None or person.programme_id != programme_id:
        raise DomainError(_("Choose who owns the action."), field="owner_id")


def add_action(programme, *, title: str, owner_id: int | None, due_on: date, notes: str = "",
               occurrence: MeetingOccurrence | None = None, decision_id: int | None = None) -> ActionItem:
    """Agree an action: what, who, by when."""
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Say what is to be done."), field="title")
    _check_owner(programme.id, owner_id)
    if due_on is None:
        raise DomainError(_("Give a due date."), field="due_on")
    if occurrence is not None and occurrence.programme_id != programme.id:
        raise DomainError(_("Choose a meeting of this programme."), field="occurrence_id")
    if decision_id:
        decision = db.session.get(Decision, decision_id)
        if decision is None or decision.programme_id != programme.id:
            raise DomainError(_("Choose a decision of this programme."), field="decision_id")
    action = ActionItem(programme_id=programme.id, occurrence_id=occurrence.id if occurrence else None,
                        decision_id=decision_id or None, title=title[:300], notes=(notes or "").strip(),
                        owner_id=owner_id, due_on=due_on, status=ActionStatus.OPEN)
    db.session.add(action)
    audit.record_create(action)
    return action


def update_action(action: ActionItem, *, expected_version: int | None, title: str, owner_id: int | None,
                  due_on: date, status: str, notes: str) -> None:
    """Edit an action, or close it (done or dropped)."""
    check_version(action, expected_version)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Say what is to be done."), field="title")
    _check_owner(action.programme_id, owner_id)
    if due_on is None:
        raise DomainError(_("Give a due date."), field="due_on")
    try:
        status = ActionStatus(status)
    except ValueError:
        raise DomainError(_("Choose open, done or dropped."), field="status") from None
    completed_on = action.completed_on
    if status is ActionStatus.OPEN:
        completed_on = None
    elif action.status is ActionStatus.OPEN:
        completed_on = clock.today()
    changes = audit.apply_changes(action, {"title": title[:300], "owner_id": owner_id, "due_on": due_on,
                                           "status": status, "notes": (notes or "").strip(),
                                           "completed_on": completed_on})
    db.session.flush()
    audit.record_update(action, changes)
