"""Read helpers of the committee pages: Select statements (or small loaders) with what each row shows loaded,
so a page answers in the same number of queries however many rows it lists."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, g, has_request_context
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from planner.committee.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Answer,
    Committee,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingAttendance,
    MeetingInvitee,
    MeetingOccurrence,
)
from planner.extensions import db
from planner.lifecycle.models import GateReview, Stage
from planner.people.models import Person
from planner.people.picker import person_label
from planner.rollout.models import Milestone

UTC = ZoneInfo("UTC")
#: the action list's state filter
ACTION_STATES = ("open", "overdue", "done", "all")


def committee_of(programme_id: int) -> Committee:
    """The programme's committee (its first, by id; every programme is created with one); 404 if none."""
    committee = db.session.scalar(select(Committee).where(Committee.programme_id == programme_id)
                                  .order_by(Committee.id).limit(1))
    if committee is None:
        abort(404)
    return committee


def members_of(committee_id: int) -> Select:
    """Every seat on the committee, current and past, with the person loaded."""
    return (select(CommitteeMember).where(CommitteeMember.committee_id == committee_id)
            .options(joinedload(CommitteeMember.person)).order_by(CommitteeMember.starts_on, CommitteeMember.id))


def open_actions_by_owner(programme_id: int, person_ids: list[int]) -> dict[int, list[ActionItem]]:
    """Open action items of several people at once (members who left), by owner."""
    if not person_ids:
        return {}
    grouped: dict[int, list[ActionItem]] = {}
    for action in db.session.scalars(select(ActionItem).where(
            ActionItem.programme_id == programme_id, ActionItem.owner_id.in_(person_ids),
            ActionItem.status == ActionStatus.OPEN).order_by(ActionItem.due_on, ActionItem.id)):
        grouped.setdefault(action.owner_id, []).append(action)
    return grouped


def _once_per_request(key: tuple, load):
    """A choice list is read once per request, however many forms on the page offer it."""
    cache = g.setdefault("committee_choices", {}) if has_request_context() else {}
    if key not in cache:
        cache[key] = load()
    return cache[key]


def people_holding(programme_id: int, person_ids: Select) -> list[tuple[int, str]]:
    """(id, "Name <email>") by name of the programme's people whose id ``person_ids`` (a Select of one column, such
    as the owners of the programme's risks) names, for list filters: the list grows with the records, never with
    the programme's people."""
    return [(pid, person_label(name, email)) for pid, name, email in db.session.execute(
        select(Person.id, Person.full_name, Person.email)
        .where(Person.programme_id == programme_id, Person.id.in_(person_ids))
        .order_by(Person.full_name, Person.id))]


def milestone_choices(programme_id: int) -> list[tuple[int, str]]:
    """(id, "Name (planned day)") of the programme's milestones, for the agenda and decision links."""
    return _once_per_request(("milestones", programme_id), lambda: [
        (mid, f"{name} ({planned_on.isoformat()})") for mid, name, planned_on in db.session.execute(
            select(Milestone.id, Milestone.name, Milestone.planned_on).where(Milestone.programme_id == programme_id)
            .order_by(Milestone.planned_on, Milestone.id))])


def gate_review_choices(programme_id: int) -> list[tuple[int, str]]:
    """(id, "3. Stage: day") of the programme's gate reviews, for the agenda and decision links."""
    return _once_per_request(("gate_reviews", programme_id), lambda: [
        (rid, f"{number}. {name}: {reviewed_on.isoformat()}") for rid, number, name, reviewed_on in
        db.session.execute(select(GateReview.id, Stage.number, Stage.name, GateReview.reviewed_on)
                           .join(Stage, Stage.id == GateReview.stage_id).where(Stage.programme_id == programme_id)
                           .order_by(Stage.number, GateReview.reviewed_on, GateReview.id))])


# --- meetings and occurrences --------------------------------------------------------------------------

def start_of_today(day: date, time_zone: str) -> datetime:
    """Midnight of ``day`` in ``time_zone``, in UTC: where "upcoming" begins."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def occurrences_of(programme_id: int, *, since: datetime, past: bool = False) -> Select:
    """The programme's meeting occurrences from ``since`` on (or before it, newest first, when ``past``),
    each with its meeting and the meeting's committee loaded."""
    query = (select(MeetingOccurrence).join(MeetingOccurrence.meeting)
             .where(MeetingOccurrence.programme_id == programme_id)
             .options(contains_eager(MeetingOccurrence.meeting).joinedload(Meeting.committee)))
    if past:
        return query.where(MeetingOccurrence.starts_at < since).order_by(
            MeetingOccurrence.starts_at.desc(), MeetingOccurrence.id.desc())
    return query.where(MeetingOccurrence.starts_at >= since).order_by(
        MeetingOccurrence.starts_at, MeetingOccurrence.id)


def meetings_of(programme_id: int) -> Select:
    """The programme's meetings (every series, drafts and cancelled ones too), by first start."""
    return select(Meeting).where(Meeting.programme_id == programme_id).order_by(Meeting.local_start, Meeting.id)


def occurrences_of_meeting(meeting_id: int) -> Select:
    """One meeting's occurrences in time order (moved and cancelled ones too), each with its meeting loaded."""
    return (select(MeetingOccurrence).join(MeetingOccurrence.meeting)
            .where(MeetingOccurrence.meeting_id == meeting_id)
            .options(contains_eager(MeetingOccurrence.meeting))
            .order_by(MeetingOccurrence.starts_at, MeetingOccurrence.id))


def load_meeting(meeting_id: int) -> Meeting | None:
    """A meeting with its occurrences and committee loaded (what its SEQUENCE and summary need)."""
    return db.session.scalar(select(Meeting).where(Meeting.id == meeting_id)
                             .options(selectinload(Meeting.occurrences), joinedload(Meeting.committee)))


def invitees_of(meeting_id: int, *, unanswered: bool = False) -> Select:
    """The meeting's per-recipient invite records, active ones first, with the last message loaded;
    ``unanswered``: only people still invited who have not answered."""
    query = (select(MeetingInvitee).where(MeetingInvitee.meeting_id == meeting_id)
             .options(joinedload(MeetingInvitee.last_message)))
    if unanswered:
        query = query.where(MeetingInvitee.removed_at.is_(None), MeetingInvitee.answer == Answer.NEEDS_ACTION)
    return query.order_by(MeetingInvitee.removed_at.is_not(None), MeetingInvitee.name, MeetingInvitee.id)


def load_occurrence(occurrence_id: int) -> MeetingOccurrence | None:
    """An occurrence with its meeting (and the meeting's occurrences and committee) and its agenda items
    (with presenter, milestone and gate review) loaded."""
    return db.session.scalar(
        select(MeetingOccurrence).where(MeetingOccurrence.id == occurrence_id).options(
            joinedload(MeetingOccurrence.meeting).options(selectinload(Meeting.occurrences),
                                                          joinedload(Meeting.committee)),
            selectinload(MeetingOccurrence.agenda_items).options(
                joinedload(AgendaItem.presenter), joinedload(AgendaItem.milestone),
                joinedload(AgendaItem.gate_review).joinedload(GateReview.stage))))


def active_invitees(meeting_id: int) -> list[MeetingInvitee]:
    """People invited to the meeting (not removed), by name: whose attendance is taken."""
    return list(db.session.scalars(select(MeetingInvitee).where(
        MeetingInvitee.meeting_id == meeting_id, MeetingInvitee.removed_at.is_(None))
        .order_by(MeetingInvitee.name, MeetingInvitee.id)))


def attendance_of(occurrence_id: int) -> list[MeetingAttendance]:
    """Who was marked present, absent or represented at one occurrence."""
    return list(db.session.scalars(select(MeetingAttendance).where(MeetingAttendance.occurrence_id == occurrence_id)))


def decisions_of_occurrence(occurrence_id: int) -> list[Decision]:
    """Decisions taken in one occurrence, with what each links to loaded."""
    return list(db.session.scalars(
        select(Decision).where(Decision.occurrence_id == occurrence_id)
        .options(joinedload(Decision.milestone), joinedload(Decision.gate_review).joinedload(GateReview.stage),
                 joinedload(Decision.agenda_item))
        .order_by(Decision.id)))


def actions_of_occurrence(occurrence_id: int) -> list[ActionItem]:
    """Actions agreed in one occurrence, soonest due first, with their owners loaded."""
    return list(db.session.scalars(select(ActionItem).where(ActionItem.occurrence_id == occurrence_id)
                                   .options(joinedload(ActionItem.owner)).order_by(ActionItem.due_on, ActionItem.id)))


# --- actions and decisions ---------------------------------------------------------------------------

def actions_of(programme_id: int, *, state: str, today: date, owner_id: int | None = None) -> Select:
    """The programme's action items, filtered by state (open, overdue, done, all) and owner, soonest due first,
    each with its owner and the meeting that agreed it loaded."""
    query = (select(ActionItem).where(ActionItem.programme_id == programme_id)
             .options(joinedload(ActionItem.owner),
                      joinedload(ActionItem.occurrence).joinedload(MeetingOccurrence.meeting)))
    if state == "open":
        query = query.where(ActionItem.status == ActionStatus.OPEN)
    elif state == "overdue":
        query = query.where(ActionItem.status == ActionStatus.OPEN, ActionItem.due_on < today)
    elif state == "done":
        query = query.where(ActionItem.status != ActionStatus.OPEN)
    if owner_id is not None:
        query = query.where(ActionItem.owner_id == owner_id)
    return query.order_by(ActionItem.due_on, ActionItem.id)


def decisions_of(programme_id: int) -> Select:
    """The programme's decisions, newest first, with who recorded them and the meeting they were taken in."""
    return (select(Decision).where(Decision.programme_id == programme_id)
            .options(joinedload(Decision.recorded_by),
                     joinedload(Decision.occurrence).joinedload(MeetingOccurrence.meeting))
            .order_by(Decision.decided_on.desc(), Decision.id.desc()))


# --- the committee pack --------------------------------------------------------------------------------

def milestones_due(programme_id: int, today: date, days: int = 30) -> list[Milestone]:
    """Milestones not reached yet that are overdue or due within ``days``, soonest first."""
    return list(db.session.scalars(select(Milestone).where(
        Milestone.programme_id == programme_id, Milestone.actual_on.is_(None),
        Milestone.planned_on <= today + timedelta(days=days)).order_by(Milestone.planned_on, Milestone.id)))


def previous_occurrence(occurrence: MeetingOccurrence, committee_id: int) -> MeetingOccurrence | None:
    """The committee's last meeting before this one that was not cancelled."""
    return db.session.scalar(
        select(MeetingOccurrence).join(MeetingOccurrence.meeting)
        .where(Meeting.committee_id == committee_id, MeetingOccurrence.starts_at < occurrence.starts_at,
               MeetingOccurrence.is_cancelled.is_(False))
        .order_by(MeetingOccurrence.starts_at.desc()).limit(1))


def decisions_between(programme_id: int, first_day: date | None, last_day: date) -> list[Decision]:
    """Decisions taken from ``first_day`` (all earlier ones when None) up to ``last_day``, newest first."""
    query = select(Decision).where(Decision.programme_id == programme_id, Decision.decided_on <= last_day)
    if first_day is not None:
        query = query.where(Decision.decided_on >= first_day)
    return list(db.session.scalars(query.order_by(Decision.decided_on.desc(), Decision.id.desc()).limit(50)))


def overdue_actions(programme_id: int, today: date) -> list[ActionItem]:
    """Open actions past their due day, with owners loaded (the pack's last section)."""
    return list(db.session.scalars(actions_of(programme_id, state="overdue", today=today)))
