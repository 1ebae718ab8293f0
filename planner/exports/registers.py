"""The registers a programme exports, each as a ``Table`` (sheet name, header, rows) built from the queries its own
page uses, in a fixed number of queries however many rows it has.

Rows hold typed values: dates stay dates and numbers stay numbers, so the XLSX writer can keep them typed; the
writers make every text cell safe. Person names (risk and action owners) are only put in when the reader may see
the programme's people; the per-person training completion only for those who may export people, as on the
readiness page."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.committee import queries as committee_queries
from planner.committee.forms import ACTION_STATUS_LABELS
from planner.committee.models import Decision
from planner.core.permissions import Permission
from planner.extensions import db
from planner.lifecycle import queries as lifecycle_queries
from planner.lifecycle.forms import STATUS_LABELS as STAGE_STATUS_LABELS
from planner.lifecycle.models import GateReview, Stage
from planner.programmes.models import Programme, Region
from planner.risks import queries as risk_queries
from planner.risks.forms import CATEGORY_LABELS as RISK_CATEGORY_LABELS
from planner.risks.forms import STATUS_LABELS as RISK_STATUS_LABELS
from planner.rollout import queries as rollout_queries
from planner.rollout.calendar import programme_calendar
from planner.rollout.forms import MILESTONE_KIND_LABELS, WAVE_KIND_LABELS
from planner.rollout.gate import trial_end
from planner.rollout.status import programme_status
from planner.training import readiness
from planner.core.spreadsheet import Table
from planner.training.exports import completion_table

__all__ = ["REGISTERS", "Register", "Table", "available_registers"]


@dataclass(frozen=True)
class Register:
    """One exportable register: its name in URLs, its title on the exports page, who may export it and how its
    table is built (``build(programme, today, shows_people)``)."""

    key: str
    title: str
    description: str
    permission: Permission
    build: Callable[[Programme, date, bool], Table]


def _meeting(occurrence) -> str:
    """"Steering committee, 2026-09-15" for the meeting occurrence a decision or action came from."""
    if occurrence is None:
        return ""
    return f"{occurrence.meeting.title}, {occurrence.local_start:%Y-%m-%d}"


# --- the plan and the lifecycle --------------------------------------------------------------------------

_PLAN_KINDS = {"stage": _l("Stage"), "wave": _l("Wave"), "milestone": _l("Milestone")}


def plan_table(programme: Programme, today: date, shows_people: bool) -> Table:
    """The scheduled plan as the plan page shows it: every dated stage, wave and milestone by start, with its
    late dates, slack, whether it is on the critical path and whether it is late there."""
    status = programme_status(programme, today)
    labels = status.items.labels()
    late = {item.key for item in status.late_critical}
    header = [_("Item"), _("Kind"), _("Start"), _("Finish"), _("Late start"), _("Late finish"),
              _("Slack (working days)"), _("Critical"), _("Late on the critical path")]
    rows = []
    if status.schedule is not None:
        for task in sorted(status.schedule.tasks.values(), key=lambda task: (task.start, task.finish, task.key)):
            rows.append([labels.get(task.key, task.key), str(_PLAN_KINDS[task.key.partition(":")[0]]), task.start,
                         task.finish, task.late_start, task.late_finish, task.total_slack, task.is_critical,
                         task.key in late])
    return Table("Plan", header, rows)


def _gate_text(stage: Stage, unmet: int) -> str:
    if stage.closed_at is not None and stage.override_reason:
        return _("Closed by override")
    if stage.closed_at is not None:
        return _("Passed")
    if unmet:
        return ngettext("%(num)d criterion unmet", "%(num)d criteria unmet", unmet)
    return _("Met, ready to close")


def stages_table(programme: Programme, today: date, shows_people: bool) -> Table:
    """The six lifecycle stages in order with their dates, status and where their gate stands."""
    header = [_("Number"), _("Stage"), _("Planned start"), _("Planned finish"), _("Actual start"),
              _("Actual finish"), _("Status"), _("Gate"), _("Gate criteria unmet"), _("Override reason")]
    rows = []
    for stage in db.session.scalars(lifecycle_queries.stages_with_gates(programme.id)):
        unmet = len(stage.unmet_criteria())
        rows.append([stage.number, stage.name, stage.planned_start, stage.planned_finish, stage.actual_start,
                     stage.actual_finish, str(STAGE_STATUS_LABELS[stage.status(today)]), _gate_text(stage, unmet),
                     unmet, stage.override_reason])
    return Table("Stages", header, rows)


def waves_table(programme: Programme, today: date, shows_people: bool) -> Table:
    """The waves in rollout order with their regions, go-live dates and the end of their trial period."""
    calendar = programme_calendar(programme)
    header = [_("Position"), _("Wave"), _("Kind"), _("Regions"), _("Regions live"), _("Planned go-live"),
              _("Actual go-live"), _("Trial period (working days)"), _("Trial ends")]
    rows = [[wave.position, wave.name, str(WAVE_KIND_LABELS[wave.kind]),
             ", ".join(region.name for region in wave.regions),
             sum(1 for region in wave.regions if region.live_on is not None), wave.planned_go_live,
             wave.actual_go_live, wave.trial_days, trial_end(wave, calendar)]
            for wave in db.session.scalars(rollout_queries.waves_with_regions(programme.id))]
    return Table("Waves", header, rows)


def milestones_table(programme: Programme, today: date, shows_people: bool) -> Table:
    """The milestones by planned day: kind, planned and reached days, and whether one not reached is late."""
    header = [_("Milestone"), _("Kind"), _("Planned on"), _("Reached on"), _("Late")]
    rows = [[milestone.name, str(MILESTONE_KIND_LABELS[milestone.kind]), milestone.planned_on, milestone.actual_on,
             milestone.actual_on is None and milestone.planned_on < today]
            for milestone in db.session.scalars(rollout_queries.milestones_of(programme.id))]
    return Table("Milestones", header, rows)


# --- risks, decisions and actions --------------------------------------------------------------------------

def risks_table(programme: Programme, today: date, shows_people: bool) -> Table:
    """The risk register, highest score first; the owner only for those who may see the programme's people."""
    header = [_("Reference"), _("Title"), _("Category"), _("Likelihood"), _("Impact"), _("Score")]
    header += [_("Owner")] if shows_people else []
    header += [_("Status"), _("Next review"), _("Review overdue"), _("Mitigation"), _("Trigger")]
    rows = []
    for risk in db.session.scalars(risk_queries.risks_of(programme.id)):
        row = [risk.reference, risk.title, str(RISK_CATEGORY_LABELS[risk.category]), risk.likelihood, risk.impact,
               risk.score]
        row += [risk.owner.full_name if risk.owner else ""] if shows_people else []
        row += [str(RISK_STATUS_LABELS[risk.status]), risk.next_review_on, risk.review_overdue(today),
                risk.mitigation, risk.trigger]
        rows.append(row)
    return Table("Risks", header, rows)


def decisions_table(programme: Programme, today: date, shows_people: bool) -> Table:
    """The committee's decisions, newest first, with the meeting that took them and what each links to: a
    milestone, a gate review, an agenda item and the regions it let go live before their gate was met."""
    decisions = db.session.scalars(committee_queries.decisions_of(programme.id).options(
        joinedload(Decision.milestone), joinedload(Decision.gate_review).joinedload(GateReview.stage),
        joinedload(Decision.agenda_item))).all()
    overrides: dict[int, list[str]] = {}
    for decision_id, region_name in db.session.execute(
            select(Region.live_override_decision_id, Region.name)
            .where(Region.programme_id == programme.id, Region.live_override_decision_id.is_not(None))
            .order_by(Region.name)):
        overrides.setdefault(decision_id, []).append(region_name)
    header = [_("Decided on"), _("Meeting"), _("Decision"), _("Decided by"), _("Milestone"), _("Gate review"),
              _("Agenda item"), _("Regions it let go live")]
    rows = []
    for decision in decisions:
        review = decision.gate_review
        rows.append([
            decision.decided_on, _meeting(decision.occurrence), decision.text, decision.decided_by,
            decision.milestone.name if decision.milestone else "",
            f"{review.stage.number}. {review.stage.name}: {review.reviewed_on.isoformat()}" if review else "",
            decision.agenda_item.title if decision.agenda_item else "", ", ".join(overrides.get(decision.id, []))])
    return Table("Decisions", header, rows)


def actions_table(programme: Programme, today: date, shows_people: bool) -> Table:
    """Every action item, soonest due first, with its status and whether (and by how many days) it is overdue;
    the owner only for those who may see the programme's people."""
    header = [_("Action")] + ([_("Owner")] if shows_people else [])
    header += [_("Due on"), _("Status"), _("Completed on"), _("Overdue"), _("Days overdue"), _("Agreed in"),
               _("Notes")]
    rows = []
    for action in db.session.scalars(committee_queries.actions_of(programme.id, state="all", today=today)):
        overdue = action.is_overdue(today)
        row = [action.title] + ([action.owner.full_name if action.owner else ""] if shows_people else [])
        row += [action.due_on, str(ACTION_STATUS_LABELS[action.status]), action.completed_on, overdue,
                (today - action.due_on).days if overdue else None, _meeting(action.occurrence), action.notes]
        rows.append(row)
    return Table("Actions", header, rows)


# --- training ------------------------------------------------------------------------------------------------

def training_regions_table(programme: Programme, today: date, shows_people: bool) -> Table:
    """Training completion per region (people needing training, trained, still to train, share trained) and the
    programme in total: the readiness page's figures, naming nobody."""
    figures = readiness.readiness(programme)
    header = [_("Region"), _("People needing training"), _("Trained"), _("Still to train"), _("Trained (%)")]
    rows = [[row.label, row.needing, row.trained, row.untrained,
             round(row.percent, 1) if row.percent is not None else None]
            for row in [*figures.by_region, figures.total]]
    return Table("Training by region", header, rows)


def training_people_table(programme: Programme, today: date, shows_people: bool) -> Table:
    """Training completion per person and required course: the training area's own completion export."""
    return completion_table(programme.id)


REGISTERS: dict[str, Register] = {register.key: register for register in (
    Register("plan", _l("Plan"), _l("Scheduled stages, waves and milestones with slack and the critical path."),
             Permission.PROGRAMME_VIEW, plan_table),
    Register("stages", _l("Stages"), _l("The six lifecycle stages: dates, status and gate."),
             Permission.PROGRAMME_VIEW, stages_table),
    Register("waves", _l("Waves"), _l("Waves with their regions, go-live dates and trial period end."),
             Permission.PROGRAMME_VIEW, waves_table),
    Register("milestones", _l("Milestones"), _l("Planned and reached days."), Permission.PROGRAMME_VIEW,
             milestones_table),
    Register("risks", _l("Risks"), _l("The risk register with scores, mitigation and triggers."),
             Permission.PROGRAMME_VIEW, risks_table),
    Register("decisions", _l("Decisions"), _l("Committee decisions with their meeting and links."),
             Permission.PROGRAMME_VIEW, decisions_table),
    Register("actions", _l("Actions"), _l("Action items with due dates and status."), Permission.PROGRAMME_VIEW,
             actions_table),
    Register("training-by-region", _l("Training by region"), _l("Training completion per region, naming nobody."),
             Permission.PROGRAMME_VIEW, training_regions_table),
    Register("training-completion", _l("Training completion per person"),
             _l("Each person and each course they need: completed or not, and when."), Permission.PEOPLE_EXPORT,
             training_people_table),
)}


def available_registers(may: Callable[[Permission], bool]) -> list[Register]:
    """The registers a reader may export, in the order of the exports page; ``may(permission)`` answers for
    the reader in the programme."""
    return [register for register in REGISTERS.values() if may(register.permission)]
