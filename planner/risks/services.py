"""Recording risks: create, edit, review and delete; every change of likelihood, impact or status writes a row of
the score history."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from planner.committee.models import MeetingOccurrence
from planner.core import audit, clock
from planner.core.errors import DomainError, check_version
from planner.extensions import db
from planner.lifecycle.models import Stage
from planner.people.models import Person
from planner.programmes.models import Region
from planner.risks.models import Risk, RiskCategory, RiskScoreChange, RiskStatus

#: how often a risk number taken at the same moment by another risk is tried again
NUMBER_ATTEMPTS = 5


def _level(value, field: str, label: str) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise DomainError(_("The %(label)s is between 1 and 5.", label=label), field=field)
    return value


def _in_programme(model, ids, programme_id: int, field: str, message: str) -> list:
    ids = {int(each) for each in ids or ()}
    if not ids:
        return []
    found = db.session.scalars(select(model).where(model.id.in_(ids), model.programme_id == programme_id)).all()
    if len(found) != len(ids):
        raise DomainError(message, field=field)
    return list(found)


def _values(programme, *, title: str, description: str = "", category: str, likelihood, impact,
            owner_id: int | None = None, mitigation: str = "", trigger: str = "", next_review_on: date | None = None,
            status: str = RiskStatus.OPEN) -> dict:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the risk a title."), field="title")
    try:
        category = RiskCategory(category)
    except ValueError:
        raise DomainError(_("Choose the risk's category."), field="category") from None
    try:
        status = RiskStatus(status)
    except ValueError:
        raise DomainError(_("Choose the risk's status."), field="status") from None
    if owner_id:
        person = db.session.get(Person, owner_id)
        if person is None or person.programme_id != programme.id:
            raise DomainError(_("Choose a person of this programme as the owner."), field="owner_id")
    return {"title": title[:200], "description": (description or "").strip(), "category": category,
            "likelihood": _level(likelihood, "likelihood", _("likelihood")),
            "impact": _level(impact, "impact", _("impact")), "owner_id": owner_id or None,
            "mitigation": (mitigation or "").strip(), "trigger": (trigger or "").strip(),
            "next_review_on": next_review_on, "status": status}


def _links(programme, stage_ids, region_ids, occurrence_ids) -> dict:
    return {
        "stages": _in_programme(Stage, stage_ids, programme.id, "stage_ids", _("Choose stages of this programme.")),
        "regions": _in_programme(Region, region_ids, programme.id, "region_ids",
                                 _("Choose regions of this programme.")),
        "occurrences": _in_programme(MeetingOccurrence, occurrence_ids, programme.id, "occurrence_ids",
                                     _("Choose meetings of this programme.")),
    }


def _set_links(risk: Risk, links: dict) -> dict:
    changes = {}
    for name, new in links.items():
        old_ids, new_ids = sorted(each.id for each in getattr(risk, name)), sorted(each.id for each in new)
        if old_ids != new_ids:
            changes[name] = [old_ids, new_ids]
            setattr(risk, name, new)
    return changes


def _record_score(risk: Risk, changed_by_id: int | None, note: str = "") -> RiskScoreChange:
    row = RiskScoreChange(risk=risk, at=clock.now(), likelihood=risk.likelihood, impact=risk.impact,
                          score=risk.likelihood * risk.impact, status=risk.status, note=note,
                          changed_by_id=changed_by_id)
    db.session.add(row)
    return row


def _next_number(programme_id: int) -> int:
    return (db.session.scalar(select(func.max(Risk.number)).where(Risk.programme_id == programme_id)) or 0) + 1


def create_risk(programme, *, changed_by_id: int | None = None, stage_ids=(), region_ids=(), occurrence_ids=(),
                **fields) -> Risk:
    """Record a new risk, numbered R-001, R-002... per programme; its first score goes into the history."""
    values = _values(programme, **fields)
    links = _links(programme, stage_ids, region_ids, occurrence_ids)
    for _attempt in range(NUMBER_ATTEMPTS):
        risk = Risk(programme_id=programme.id, number=_next_number(programme.id), **values)
        try:
            with db.session.begin_nested():  # a number taken meanwhile rolls back only this
                db.session.add(risk)
                db.session.flush()
        except IntegrityError:
            continue
        break
    else:
        raise DomainError(_("Many risks are being recorded at this moment: save it again."))
    _set_links(risk, links)
    _record_score(risk, changed_by_id)
    db.session.flush()
    audit.record_create(risk)
    return risk


def _scores_changed(changes: dict) -> bool:
    return bool({"likelihood", "impact", "status"} & set(changes))


def update_risk(risk: Risk, *, expected_version: int | None, changed_by_id: int | None = None, stage_ids=(),
                region_ids=(), occurrence_ids=(), **fields) -> None:
    """Edit a risk; a new likelihood, impact or status is written to the score history."""
    check_version(risk, expected_version)
    programme = risk.programme
    values = _values(programme, **fields)
    links = _links(programme, stage_ids, region_ids, occurrence_ids)
    changes = audit.apply_changes(risk, values)
    changes.update(_set_links(risk, links))
    if _scores_changed(changes):
        _record_score(risk, changed_by_id)
    db.session.flush()
    audit.record_update(risk, changes)


def review_risk(risk: Risk, *, expected_version: int | None, next_review_on: date | None, likelihood=None,
                impact=None, status: str | None = None, note: str = "", changed_by_id: int | None = None) -> None:
    """Record a review: the next review date (after today; none when the review closes the risk or records
    that it occurred), optionally new scores or status, and a note kept in the history (a review always leaves a
    history row, even when the scores stay)."""
    check_version(risk, expected_version)
    today = clock.today()
    values = {}
    if status:
        try:
            values["status"] = RiskStatus(status)
        except ValueError:
            raise DomainError(_("Choose the risk's status."), field="status") from None
    watched = values.get("status", risk.status) in (RiskStatus.OPEN, RiskStatus.MITIGATING)
    if watched and (next_review_on is None or next_review_on <= today):
        raise DomainError(_("Set the next review after today."), field="next_review_on")
    values["next_review_on"] = next_review_on if watched else None
    if likelihood not in (None, ""):
        values["likelihood"] = _level(likelihood, "likelihood", _("likelihood"))
    if impact not in (None, ""):
        values["impact"] = _level(impact, "impact", _("impact"))
    changes = audit.apply_changes(risk, values)
    note = (note or "").strip()
    _record_score(risk, changed_by_id, note=note or _("Reviewed"))
    changes["reviewed"] = [None, note]
    db.session.flush()
    audit.record_update(risk, changes)


def delete_risk(risk: Risk) -> None:
    """Delete a risk recorded by mistake, with its history; agenda items naming it keep their text."""
    audit.delete(risk)
