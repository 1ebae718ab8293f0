"""What each role's section of the dashboard shows, gathered in a fixed number of queries.

One builder per role returns a plain dataclass the template renders; the view picks the builders from the
user's roles. "Today" and "now" come from ``planner.core.clock`` as on every page the dashboard links to (the
actions list, the health check, the exports), so its overdue list and health counts are theirs; a trainer's
sessions are split into today and this week in each session's own zone, as on the trainer's own page.
"""
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from planner.committee.invitations import renew_rsvp_links
from planner.committee.models import ActionItem, AgendaItem, Answer, MeetingInvitee, MeetingOccurrence
from planner.dashboards import queries
from planner.lifecycle.models import Stage, StageStatus
from planner.rollout.gate import trial_end
from planner.rollout.models import Wave
from planner.training.models import TrainingSession
from planner.training.readiness import Completion, readiness

if TYPE_CHECKING:
    from planner.health.context import HealthContext

#: how many findings, gates and risks the project manager's cards list
TOP = 5
#: go-lives this many days ahead count as coming
GO_LIVE_DAYS = 60


# --- health (project manager: counts and the worst findings; viewer: counts only) ---------------------------

@dataclass
class HealthSummary:
    #: open findings per severity, most severe first
    counts: list[tuple[object, int]]
    #: the most severe open findings (empty for viewers)
    top: list = field(default_factory=list)
    #: how many checks raised instead of answering (logged; the health page names them)
    failed: int = 0
    #: the reads the check made (``HealthContext``): the cards take the stages, waves and calendar from here
    context: "HealthContext | None" = None

    @property
    def total(self) -> int:
        return sum(count for _severity, count in self.counts)


def health_summary(programme, today: date, *, with_titles: bool) -> HealthSummary:
    """The health check's open findings on ``today``: counts per severity, and the worst ``TOP`` when asked. A
    check that fails is counted, not fatal, as on the health page."""
    from planner.health.engine import run_health_check
    from planner.health.findings import SEVERITY_ORDER

    report = run_health_check(programme, today, tolerate_errors=True)
    counts = report.counts
    return HealthSummary(counts=[(severity, counts[severity]) for severity in reversed(SEVERITY_ORDER)],
                         top=report.open[:TOP] if with_titles else [], failed=len(report.failed),
                         context=report.context)


# --- project manager ----------------------------------------------------------------------------------------

@dataclass
class GateDue:
    stage: Stage
    status: StageStatus
    #: days from today to the planned finish (negative when late); None without a planned finish
    days_to_go: int | None
    unmet: int
    criteria: int


@dataclass
class GoLive:
    wave: Wave
    #: days from today to the planned go-live: negative for a wave not live yet whose day has passed
    days_to_go: int
    #: training completion of each of the wave's regions
    regions: list[tuple[object, Completion | None]]

    @property
    def training_percent(self) -> float | None:
        needing = sum(row.needing for _region, row in self.regions if row is not None)
        trained = sum(row.trained for _region, row in self.regions if row is not None)
        return trained * 100 / needing if needing else None


@dataclass
class LackingAgenda:
    occurrence: MeetingOccurrence
    #: fewer working days away than the committee's notice
    is_late: bool


@dataclass
class ManagerSection:
    health: HealthSummary
    next_gates: list[GateDue]
    go_lives: list[GoLive]
    overdue_actions: list[ActionItem]
    overdue_total: int
    lacking_agenda: list[LackingAgenda]
    readiness_by_region: list[Completion]
    readiness_total: Completion
    top_risks: list


def next_gates(stages, today: date, limit: int = 3) -> list[GateDue]:
    """Of ``stages`` (loaded with ``stages_with_gates``), those not closed yet, whose gate is due soonest first
    (stages without a planned finish last)."""
    stages = [stage for stage in stages if stage.closed_at is None]
    stages.sort(key=lambda stage: (stage.planned_finish is None, stage.planned_finish or today, stage.number))
    return [GateDue(stage, stage.status(today),
                    (stage.planned_finish - today).days if stage.planned_finish else None,
                    len(stage.unmet_criteria()), len(stage.criteria)) for stage in stages[:limit]]


def manager_section(programme, today: date, now: datetime, health: HealthSummary) -> ManagerSection:
    """The project manager's dashboard: health, gates, go-lives (late ones first), overdue actions, agendas,
    training, risks."""
    from planner.committee.services import agenda_is_late
    from planner.risks.queries import top_risks

    figures = readiness(programme)
    by_region = {row.key: row for row in figures.by_region if row.key is not None}
    go_lives = [GoLive(wave, (wave.planned_go_live - today).days,
                       [(region, by_region.get(region.id)) for region in wave.regions if region.live_on is None])
                for wave in queries.coming_waves(programme.id, today, GO_LIVE_DAYS)]
    lacking = queries.meetings_lacking_agenda(programme.id, now)
    actions, overdue_total = queries.overdue_actions(programme.id, today)
    return ManagerSection(
        health=health, next_gates=next_gates(health.context.stages, today), go_lives=go_lives,
        overdue_actions=actions, overdue_total=overdue_total,
        lacking_agenda=[LackingAgenda(occurrence, agenda_is_late(occurrence, health.context.calendar))
                        for occurrence in lacking],
        readiness_by_region=figures.by_region, readiness_total=figures.total,
        top_risks=top_risks(programme.id, TOP))


# --- committee member ---------------------------------------------------------------------------------------

@dataclass
class MyMeeting:
    occurrence: MeetingOccurrence
    invitee: MeetingInvitee
    answer: Answer

    @property
    def is_answered(self) -> bool:
        return self.answer is not Answer.NEEDS_ACTION


@dataclass
class AwaitingDecision:
    """An agenda item of a coming meeting of mine that asks the committee to decide."""

    item: AgendaItem
    occurrence: MeetingOccurrence

    @property
    def kind(self) -> str:
        """"change", "gate_review" or "risk"."""
        return queries.decision_subject(self.item)[0]


@dataclass
class MemberSection:
    #: False when the account is linked to no person of this programme: nothing here can be "mine"
    has_person: bool
    next_meetings: list[MyMeeting] = field(default_factory=list)
    open_actions: list[ActionItem] = field(default_factory=list)
    #: change requests, gate reviews and risks a coming meeting of mine will decide on
    decisions_awaiting: list[AwaitingDecision] = field(default_factory=list)
    #: meetings not answered yet: the next occurrence of each
    unanswered: list[MyMeeting] = field(default_factory=list)
    today: date | None = None


def member_section(programme, person_id: int | None, today: date, now: datetime,
                   next_count: int = 5) -> MemberSection:
    """The committee member's dashboard: their next meetings with their answer, their open actions, and what
    awaits them (change requests, gate reviews and risks to decide at a coming meeting, invitations to answer).
    Only a person of this programme has anything here."""
    person_id = queries.person_of_programme(programme.id, person_id)
    if person_id is None:
        return MemberSection(has_person=False)
    meetings = [MyMeeting(*row) for row in queries.my_coming_occurrences(programme.id, person_id, now)]
    renew_rsvp_links({meeting.invitee.id: meeting.invitee for meeting in meetings}.values())  # shown as links
    unanswered: dict[int, MyMeeting] = {}
    for meeting in meetings:
        if not meeting.is_answered:
            unanswered.setdefault(meeting.occurrence.meeting_id, meeting)
    return MemberSection(
        has_person=True, next_meetings=meetings[:next_count],
        open_actions=queries.my_open_actions(programme.id, person_id),
        decisions_awaiting=[AwaitingDecision(*row) for row in queries.decisions_awaiting(programme.id, person_id,
                                                                                         now)],
        unanswered=list(unanswered.values()), today=today)


# --- trainer --------------------------------------------------------------------------------------------------

@dataclass
class TrainerSection:
    today: list[TrainingSession]
    this_week: list[TrainingSession]
    #: seats taken per session id
    enrolled: dict[int, int]
    #: (session, enrolled people not marked yet)
    rosters_to_complete: list[tuple[TrainingSession, int]]


def trainer_section(programme, user_id: int, now: datetime) -> TrainerSection:
    """The trainer's own scheduled sessions today and later this week and the rosters of their ended sessions
    that still have people to mark. "Today" is each session's own zone's today, as on the trainer's own page
    (``training.my_sessions``)."""
    today, this_week, enrolled = [], [], {}
    for session, seats_taken in queries.trainer_sessions(programme.id, user_id, now):
        local_today = now.astimezone(session.zone).date()
        day = session.local_start.date()
        if day == local_today:
            today.append(session)
        elif local_today < day and day.isocalendar()[:2] == local_today.isocalendar()[:2]:
            this_week.append(session)
        enrolled[session.id] = seats_taken
    return TrainerSection(today=today, this_week=this_week, enrolled=enrolled,
                          rosters_to_complete=queries.rosters_to_complete(programme.id, user_id, now))


# --- viewer -------------------------------------------------------------------------------------------------

@dataclass
class WaveState:
    wave: Wave
    #: "live", "in_trial", "going_live" (some regions live), "planned" or "not_dated"
    state: str
    #: the planned go-live, or the day the trial ends for a wave in trial
    day: date | None


@dataclass
class ViewerSection:
    current_stage: Stage | None
    next_wave: Wave | None
    days_to_go_live: int | None
    waves: list[WaveState]
    health: HealthSummary


def wave_states(waves, calendar, today: date) -> list[WaveState]:
    """Where each wave stands (``waves`` with their regions loaded), from its regions' live days and its trial
    period in working days of ``calendar``, the programme's."""
    states = []
    for wave in waves:
        live = [region.live_on for region in wave.regions]
        if live and all(live):
            end = trial_end(wave, calendar)
            states.append(WaveState(wave, "in_trial", end) if end is not None and end > today
                          else WaveState(wave, "live", None))
        elif any(live) or wave.actual_go_live is not None:
            states.append(WaveState(wave, "going_live", wave.planned_go_live))
        elif wave.planned_go_live is not None:
            states.append(WaveState(wave, "planned", wave.planned_go_live))
        else:
            states.append(WaveState(wave, "not_dated", None))
    return states


def viewer_section(today: date, health: HealthSummary) -> ViewerSection:
    """The programme at a glance for viewers: current stage, next go-live, waves, health counts, from the
    stages, waves and calendar the health check read. Names no person."""
    from planner.rollout.status import current_stage, next_go_live

    reads = health.context
    next_wave = next_go_live(reads.waves)
    return ViewerSection(current_stage=current_stage(reads.stages), next_wave=next_wave,
                         days_to_go_live=(next_wave.planned_go_live - today).days if next_wave else None,
                         waves=wave_states(reads.waves, reads.calendar, today), health=health)
