"""Change requests, step by step: submit, assess, decide (in a committee meeting), implement or reject.

An approved schedule change that names a plan item is implemented through the re-plan
(``planner.rollout.plan.apply_replan``) in the same transaction, so a freeze-window conflict refuses it whole.
"""
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from planner.changes.models import EDITABLE_STATUSES, ChangeKind, ChangeRequest, ChangeStatus
from planner.committee import services as committee_services
from planner.committee.models import AgendaItem, Decision, MeetingOccurrence
from planner.core import audit, clock
from planner.core.errors import DomainError, check_version
from planner.extensions import db
from planner.lifecycle.models import Stage
from planner.people.models import Person
from planner.programmes.models import Region
from planner.rollout import plan

#: how far a cost may go either way (Numeric(14, 2))
MAX_COST = Decimal("999999999999.99")
#: costs are kept to the cent (Numeric(14, 2)): the API answers with what a later read gives
CENT = Decimal("0.01")
#: how often a request number taken at the same moment by another request is tried again
NUMBER_ATTEMPTS = 5


def _years_from(day: date, years: int) -> date:
    """The same day ``years`` later (or earlier); 29 February becomes 28 February in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def start_bounds(programme) -> tuple[date, date]:
    """The new start a change request may give a plan item: a year before the programme starts to ten years
    after (the re-plan's calendar arithmetic overflows on dates far beyond)."""
    return _years_from(programme.start_date, -1), _years_from(programme.start_date, 10)


def _in_programme(model, ids, programme_id: int, field: str, message: str) -> list:
    ids = {int(each) for each in ids or ()}
    if not ids:
        return []
    found = db.session.scalars(select(model).where(model.id.in_(ids), model.programme_id == programme_id)).all()
    if len(found) != len(ids):
        raise DomainError(message, field=field)
    return list(found)


def _check_plan_item(programme, key: str, new_start: date | None, new_duration: int | None) -> str:
    key = (key or "").strip()
    if not key:
        if new_start is not None or new_duration is not None:
            raise DomainError(_("Choose the plan item that moves."), field="plan_item_key")
        return ""
    if key not in plan.item_labels(programme.id):
        raise DomainError(_("Choose a stage, wave or milestone of this programme."), field="plan_item_key")
    if new_start is None and new_duration is None:
        raise DomainError(_("Give the item's new start or its new duration."), field="new_start")
    earliest, latest = start_bounds(programme)
    if new_start is not None and not earliest <= new_start <= latest:
        raise DomainError(_("The new start is between %(first)s and %(last)s (a year before the programme starts "
                            "to ten years after).", first=earliest.isoformat(), last=latest.isoformat()),
                          field="new_start")
    if new_duration is not None and not 0 <= new_duration <= 2000:
        raise DomainError(_("A duration is between 0 and 2000 working days."), field="new_duration")
    return key


def _values(programme, *, title: str, kind: str, description: str, requester_id: int | None,
            requested_on: date | None, schedule_days: int | None, cost: Decimal | None, risks: str,
            plan_item_key: str, new_start: date | None, new_duration: int | None) -> dict:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the change request a title."), field="title")
    try:
        kind = ChangeKind(kind)
    except ValueError:
        raise DomainError(_("Choose the kind of change."), field="kind") from None
    if requested_on is None:
        raise DomainError(_("Give the day it was requested."), field="requested_on")
    if requester_id:
        person = db.session.get(Person, requester_id)
        if person is None or person.programme_id != programme.id:
            raise DomainError(_("Choose a person of this programme as the requester."), field="requester_id")
    schedule_days = schedule_days or 0
    if not -1000 <= schedule_days <= 1000:
        raise DomainError(_("The schedule impact is between -1000 and 1000 working days."), field="schedule_days")
    if cost is not None and abs(cost) > MAX_COST:
        raise DomainError(_("This cost is too large."), field="cost")
    if cost is not None:
        cost = cost.quantize(CENT)
    if kind is not ChangeKind.SCHEDULE:
        plan_item_key, new_start, new_duration = "", None, None
    plan_item_key = _check_plan_item(programme, plan_item_key, new_start, new_duration)
    return {"title": title[:200], "kind": kind, "description": (description or "").strip(),
            "requester_id": requester_id or None, "requested_on": requested_on, "schedule_days": schedule_days,
            "cost": cost, "risks": (risks or "").strip(), "plan_item_key": plan_item_key,
            "new_start": new_start if plan_item_key else None,
            "new_duration": new_duration if plan_item_key else None}


def submit_change(programme, *, submitted_by_id: int | None, region_ids=(), stage_ids=(), **fields) -> ChangeRequest:
    """Raise a change request (project managers and committee members); it waits for the assessment."""
    values = _values(programme, **fields)
    regions = _in_programme(Region, region_ids, programme.id, "region_ids", _("Choose regions of this programme."))
    stages = _in_programme(Stage, stage_ids, programme.id, "stage_ids", _("Choose stages of this programme."))
    for attempt in range(NUMBER_ATTEMPTS):
        change = ChangeRequest(programme_id=programme.id, number=_next_number(programme.id),
                               status=ChangeStatus.SUBMITTED, submitted_by_id=submitted_by_id,
                               submitted_at=clock.now(), **values)
        try:
            with db.session.begin_nested():  # a number taken meanwhile by another request rolls back only this
                db.session.add(change)
                db.session.flush()
        except IntegrityError:
            continue
        break
    else:
        raise DomainError(_("Many requests are being submitted at this moment: submit it again."))
    change.regions, change.stages = regions, stages
    db.session.flush()
    audit.record_create(change)
    return change


def _next_number(programme_id: int) -> int:
    """The next free request number of the programme (another request may take it first: see submit_change)."""
    return (db.session.scalar(select(func.max(ChangeRequest.number))
                              .where(ChangeRequest.programme_id == programme_id)) or 0) + 1


def _check_editable(change: ChangeRequest) -> None:
    if change.status not in EDITABLE_STATUSES:
        raise DomainError(_("This change request is decided; it can no longer be edited."))


def _link_changes(change: ChangeRequest, regions: list, stages: list) -> dict:
    changes = {}
    old_regions, old_stages = sorted(r.id for r in change.regions), sorted(s.id for s in change.stages)
    if old_regions != sorted(r.id for r in regions):
        changes["regions"] = [old_regions, sorted(r.id for r in regions)]
        change.regions = regions
    if old_stages != sorted(s.id for s in stages):
        changes["stages"] = [old_stages, sorted(s.id for s in stages)]
        change.stages = stages
    return changes


def update_change(change: ChangeRequest, *, expected_version: int | None, region_ids=(), stage_ids=(),
                  **fields) -> None:
    """Edit a change request while it waits for the assessment or the committee. Editing an assessed request
    sends it back to the assessment (its assessment is cleared): the committee decides what was assessed."""
    check_version(change, expected_version)
    _check_editable(change)
    programme = change.programme
    values = _values(programme, **fields)
    regions = _in_programme(Region, region_ids, programme.id, "region_ids", _("Choose regions of this programme."))
    stages = _in_programme(Stage, stage_ids, programme.id, "stage_ids", _("Choose stages of this programme."))
    changes = audit.apply_changes(change, values)
    changes.update(_link_changes(change, regions, stages))
    if changes and change.status is ChangeStatus.ASSESSED:
        changes.update(audit.apply_changes(change, {"status": ChangeStatus.SUBMITTED, "assessment": "",
                                                    "assessed_by_id": None, "assessed_at": None}))
    db.session.flush()
    audit.record_update(change, changes)


def assess_change(change: ChangeRequest, *, expected_version: int | None, assessment: str,
                  schedule_days: int | None, cost: Decimal | None, risks: str, assessed_by_id: int | None) -> None:
    """Record the impact assessment; the request then goes to the committee. A schedule change must name a
    plan item whose re-plan can be previewed."""
    check_version(change, expected_version)
    _check_editable(change)
    assessment = (assessment or "").strip()
    if not assessment:
        raise DomainError(_("Write the assessment: what the change costs and what it moves."), field="assessment")
    schedule_days = schedule_days or 0
    if not -1000 <= schedule_days <= 1000:
        raise DomainError(_("The schedule impact is between -1000 and 1000 working days."), field="schedule_days")
    if cost is not None and abs(cost) > MAX_COST:
        raise DomainError(_("This cost is too large."), field="cost")
    if cost is not None:
        cost = cost.quantize(CENT)
    if change.kind is ChangeKind.SCHEDULE and not change.plan_item_key:
        raise DomainError(_("A schedule change names the plan item it moves and how: edit the request first."),
                          field="plan_item_key")
    if change.moves_the_plan:
        preview_change(change)  # a key or date the re-plan refuses is said now, not at implementation
    changes = audit.apply_changes(change, {
        "assessment": assessment, "schedule_days": schedule_days, "cost": cost, "risks": (risks or "").strip(),
        "status": ChangeStatus.ASSESSED, "assessed_by_id": assessed_by_id, "assessed_at": clock.now()})
    db.session.flush()
    audit.record_update(change, changes)


def preview_change(change: ChangeRequest) -> plan.ReplanPreview:
    """What the change would do to the plan (schedule changes naming a plan item); raises DomainError with a
    clear message for a key or date the re-plan refuses."""
    if not change.moves_the_plan:
        raise DomainError(_("This change request does not move a plan item."), field="plan_item_key")
    try:
        return plan.preview_replan(change.programme, _plan_change(change))
    except DomainError as error:
        field = {"key": "plan_item_key"}.get(error.field, error.field)
        raise DomainError(error.message, field=field) from None


def _plan_change(change: ChangeRequest) -> plan.Change:
    return plan.Change(key=change.plan_item_key, new_start=change.new_start, new_duration=change.new_duration)


def decision_taken_in_meeting(programme, decision_id: int | None) -> Decision:
    decision = db.session.get(Decision, decision_id) if decision_id else None
    if decision is None or decision.programme_id != programme.id:
        raise DomainError(_("Choose a decision of this programme."), field="decision_id")
    if decision.occurrence_id is None:
        raise DomainError(_("Choose a decision taken in a committee meeting."), field="decision_id")
    return decision


def decide_change(change: ChangeRequest, *, expected_version: int | None, approve: bool,
                  decided_by_id: int | None, decision_id: int | None = None, occurrence_id: int | None = None,
                  text: str = "") -> Decision:
    """Put the committee's decision on the request: an existing decision taken in a meeting, or a new one recorded
    now for a meeting that has taken place."""
    check_version(change, expected_version)
    if change.status is not ChangeStatus.ASSESSED:
        raise DomainError(_("The committee decides a change request once it is assessed."))
    programme = change.programme
    if approve:
        _check_approvable(change)
    if decision_id:
        decision = decision_taken_in_meeting(programme, decision_id)
        if decision.decided_on < change.requested_on:
            raise DomainError(_("This decision was taken on %(day)s, before the request was made (%(requested)s).",
                                day=decision.decided_on.isoformat(), requested=change.requested_on.isoformat()),
                              field="decision_id")
        other = db.session.scalar(select(ChangeRequest.number).where(ChangeRequest.decision_id == decision.id,
                                                                     ChangeRequest.id != change.id).limit(1))
        if other is not None:
            raise DomainError(_("This decision already decided CR-%(number)03d: record a new decision.",
                                number=other), field="decision_id")
    else:
        occurrence = db.session.get(MeetingOccurrence, occurrence_id) if occurrence_id else None
        if occurrence is None or occurrence.programme_id != programme.id:
            raise DomainError(_("Choose the decision, or the meeting in which the committee decided."),
                              field="occurrence_id")
        if occurrence.local_start.date() < change.requested_on:
            raise DomainError(_("This meeting took place before the request was made (%(requested)s).",
                                requested=change.requested_on.isoformat()), field="occurrence_id")
        text = (text or "").strip() or (
            _("%(reference)s approved: %(title)s", reference=change.reference, title=change.title) if approve
            else _("%(reference)s rejected: %(title)s", reference=change.reference, title=change.title))
        agenda_item_id = db.session.scalar(select(AgendaItem.id).where(
            AgendaItem.occurrence_id == occurrence.id, AgendaItem.change_request_id == change.id).limit(1))
        decision = committee_services.record_decision(programme, text=text, recorded_by_id=decided_by_id,
                                                      occurrence=occurrence, agenda_item_id=agenda_item_id)
        db.session.flush()
    changes = audit.apply_changes(change, {
        "status": ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED, "decision_id": decision.id,
        "decided_by_id": decided_by_id, "decided_at": clock.now()})
    db.session.flush()
    audit.record_update(change, changes)
    return decision


def _check_approvable(change: ChangeRequest) -> None:
    """An approval is refused while the re-plan it would apply is refused or lands a go-live in a freeze window."""
    if not change.moves_the_plan:
        return
    preview = preview_change(change)  # a refusal (item started, unknown key) is said as it is
    if preview.conflicts:
        raise DomainError(_("Approving would put a go-live in a freeze window (%(list)s): the request must give "
                            "another date first.",
                            list="; ".join(f"{preview.labels.get(key, key)}: {window.name}"
                                           for key, window in preview.conflicts)))


def implement_change(change: ChangeRequest, *, expected_version: int | None,
                     implemented_by_id: int | None) -> plan.ReplanPreview | None:
    """Mark an approved change as implemented; a schedule change naming a plan item is re-planned in the same
    step (refused whole when a go-live would land in a freeze window). Returns the re-plan, if any."""
    check_version(change, expected_version)
    if change.status is not ChangeStatus.APPROVED:
        raise DomainError(_("Only an approved change request can be implemented."))
    applied = None
    if change.moves_the_plan:
        try:
            applied = plan.apply_replan(change.programme, _plan_change(change))
        except DomainError as error:
            raise DomainError(error.message) from None
    changes = audit.apply_changes(change, {"status": ChangeStatus.IMPLEMENTED,
                                           "implemented_by_id": implemented_by_id, "implemented_at": clock.now()})
    db.session.flush()
    audit.record_update(change, changes)
    return applied


def reject_change(change: ChangeRequest, *, expected_version: int | None, reason: str,
                  rejected_by_id: int | None) -> None:
    """Turn a request down at assessment, with the reason; or withdraw an approved request that cannot or will
    not be implemented (say a freeze window now blocks it): it ends rejected, its reason starting "Withdrawn",
    and the committee's approval stays on the record. Once assessed, only the committee rejects it."""
    check_version(change, expected_version)
    if change.status is ChangeStatus.ASSESSED:
        raise DomainError(_("This request is assessed and waits for the committee: record its decision instead."))
    if change.status not in (ChangeStatus.SUBMITTED, ChangeStatus.APPROVED):
        raise DomainError(_("This change request is decided already."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the request is turned down."), field="reason")
    if change.status is ChangeStatus.APPROVED:
        reason = _("Withdrawn after the approval: %(reason)s", reason=reason)
    changes = audit.apply_changes(change, {"status": ChangeStatus.REJECTED, "rejection_reason": reason,
                                           "rejected_by_id": rejected_by_id, "rejected_at": clock.now()})
    db.session.flush()
    audit.record_update(change, changes)


def delete_change(change: ChangeRequest) -> None:
    """Delete a request raised by mistake: only before it is assessed."""
    if change.status is not ChangeStatus.SUBMITTED:
        raise DomainError(_("Only a request that is not yet assessed can be deleted."))
    audit.delete(change)
