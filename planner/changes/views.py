"""Change request pages: the list with counts per status, submitting and editing, the page of one request with
its re-plan impact preview and history, and its steps: assess, decide (in a committee meeting), implement,
reject, delete."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from planner.changes import bp, queries, services
from planner.changes.forms import (
    KIND_LABELS, STATUS_LABELS, AssessForm, ChangeForm, DecideForm, FilterForm, ImplementForm, RejectForm,
)
from planner.changes.models import EDITABLE_STATUSES, ChangeRequest, ChangeStatus
from planner.core import clock
from planner.core.errors import DomainError
from planner.core.forms import as_choices
from planner.core.pages import confirm_delete, page_number, per_page, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.lifecycle.models import Stage
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.models import Region
from planner.rollout import plan


@bp.route("/programmes/<int:programme_id>/changes")
@login_required
def list_changes(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    filters = FilterForm(request.args)
    status = filters.status.data if filters.status.data in set(ChangeStatus) else None
    kind = filters.kind.data if filters.kind.data in KIND_LABELS else None
    changes = db.paginate(queries.changes_of(programme.id, status=status, kind=kind), page=page_number(),
                          per_page=per_page(), error_out=False)
    return render_template(
        "changes/list.html", programme=programme, changes=changes, filters=filters,
        counts=queries.counts_by_status(programme.id), status_labels=STATUS_LABELS, kind_labels=KIND_LABELS,
        show_people=can(Permission.PEOPLE_VIEW, programme), can_submit=can(Permission.CHANGES_SUBMIT, programme))


def _change_form(programme, change: ChangeRequest | None = None) -> ChangeForm:
    if change is None:
        form = ChangeForm(requested_on=clock.today())
    else:
        form = ChangeForm(obj=change, kind=change.kind.value, region_ids=[r.id for r in change.regions],
                          stage_ids=[s.id for s in change.stages])
    form.requester_id.offer(programme.id, empty_label=_("Nobody in particular"))
    form.region_ids.choices = as_choices((region.id, region.name) for region in db.session.scalars(
        select(Region).where(Region.programme_id == programme.id).order_by(Region.name)))
    form.stage_ids.choices = as_choices((stage.id, f"{stage.number}. {stage.name}") for stage in db.session.scalars(
        select(Stage).where(Stage.programme_id == programme.id).order_by(Stage.number)))
    form.plan_item_key.choices = as_choices([("", _("None"))] + list(plan.item_labels(programme.id).items()))
    return form


@bp.route("/programmes/<int:programme_id>/changes/new", methods=["GET", "POST"])
@login_required
def new_change(programme_id: int):
    programme = load_programme(programme_id, Permission.CHANGES_SUBMIT)
    form = _change_form(programme)
    return save_form(
        "changes/form.html", form,
        lambda: services.submit_change(programme, submitted_by_id=current_user.id, **form.values()),
        done=lambda change: (_("Change request submitted: %(reference)s", reference=change.reference),
                             url_for("changes.show_change", programme_id=programme.id, change_id=change.id)),
        programme=programme, change=None)


@bp.route("/programmes/<int:programme_id>/changes/<int:change_id>/edit", methods=["GET", "POST"])
@login_required
def edit_change(programme_id: int, change_id: int):
    programme, change = load_in_programme(ChangeRequest, programme_id, change_id, Permission.CHANGES_MANAGE)
    form = _change_form(programme, change)
    return save_form(
        "changes/form.html", form,
        lambda: services.update_change(change, expected_version=form.expected_version(), **form.values()),
        done=lambda _result: (_("Change request saved: %(reference)s", reference=change.reference),
                              _show_url(change)),
        programme=programme, change=change)


def _show_url(change: ChangeRequest) -> str:
    return url_for("changes.show_change", programme_id=change.programme_id, change_id=change.id)


def _impact(change: ChangeRequest) -> tuple[plan.ReplanPreview | None, str | None]:
    """The re-plan preview of a schedule change not yet implemented, or why there is none."""
    if not change.moves_the_plan or change.status in (ChangeStatus.IMPLEMENTED, ChangeStatus.REJECTED):
        return None, None
    try:
        return services.preview_change(change), None
    except DomainError as error:
        return None, error.message


def _render_show(programme, change: ChangeRequest, *, error: str | None = None, status: int = 200):
    """The request's page; ``error`` is a refused step, said at the top (the request's writes roll back)."""
    preview, preview_error = _impact(change)
    return render_template(
        "changes/show.html", programme=programme, change=change, preview=preview, preview_error=preview_error,
        labels=plan.item_labels(programme.id) if change.plan_item_key else {}, error=error,
        meetings=queries.meetings_discussing(change.id), status_labels=STATUS_LABELS, kind_labels=KIND_LABELS,
        show_people=can(Permission.PEOPLE_VIEW, programme), editable=change.status in EDITABLE_STATUSES,
        can_manage=can(Permission.CHANGES_MANAGE, programme), can_decide=can(Permission.DECISIONS_RECORD, programme),
        implement_form=ImplementForm(formdata=None, version=change.version)), status


@bp.route("/programmes/<int:programme_id>/changes/<int:change_id>")
@login_required
def show_change(programme_id: int, change_id: int):
    programme, change = load_in_programme(ChangeRequest, programme_id, change_id, Permission.PROGRAMME_VIEW)
    return _render_show(programme, change)


@bp.route("/programmes/<int:programme_id>/changes/<int:change_id>/assess", methods=["GET", "POST"])
@login_required
def assess_change(programme_id: int, change_id: int):
    programme, change = load_in_programme(ChangeRequest, programme_id, change_id, Permission.CHANGES_MANAGE)
    form = AssessForm(obj=change)
    preview, preview_error = _impact(change)
    return save_form(
        "changes/assess.html", form,
        lambda: services.assess_change(change, expected_version=form.expected_version(),
                                       assessment=form.assessment.data, schedule_days=form.schedule_days.data,
                                       cost=form.cost.data, risks=form.risks.data or "",
                                       assessed_by_id=current_user.id),
        done=lambda _result: (_("Assessed: %(reference)s goes to the committee.", reference=change.reference),
                              _show_url(change)),
        programme=programme, change=change, preview=preview, preview_error=preview_error,
        labels=plan.item_labels(programme.id) if change.plan_item_key else {})


@bp.route("/programmes/<int:programme_id>/changes/<int:change_id>/decide", methods=["GET", "POST"])
@login_required
def decide_change(programme_id: int, change_id: int):
    programme, change = load_in_programme(ChangeRequest, programme_id, change_id, Permission.DECISIONS_RECORD)
    form = DecideForm(obj=change)
    form.decision_id.choices = as_choices([("", _("None: record a new decision"))]
                                          + queries.decisions_in_meetings(change))
    form.occurrence_id.choices = as_choices([("", _("Choose the meeting"))]
                                            + queries.meetings_held(programme.id, clock.now()))
    preview, preview_error = _impact(change)
    return save_form(
        "changes/decide.html", form,
        lambda: services.decide_change(change, expected_version=form.expected_version(),
                                       approve=form.outcome.data == "approve", decided_by_id=current_user.id,
                                       decision_id=form.decision_id.data, occurrence_id=form.occurrence_id.data,
                                       text=form.text.data or ""),
        done=lambda _result: (_("Decision recorded: %(reference)s is %(status)s.", reference=change.reference,
                                status=STATUS_LABELS[change.status]), _show_url(change)),
        programme=programme, change=change, preview=preview, preview_error=preview_error,
        labels=plan.item_labels(programme.id) if change.plan_item_key else {})


@bp.route("/programmes/<int:programme_id>/changes/<int:change_id>/implement", methods=["POST"])
@login_required
def implement_change(programme_id: int, change_id: int):
    programme, change = load_in_programme(ChangeRequest, programme_id, change_id, Permission.CHANGES_MANAGE)
    form = ImplementForm()
    if not form.validate_on_submit():
        return _render_show(programme, change, error=_("Reload the page and try again."), status=422)
    try:
        applied = services.implement_change(change, expected_version=form.expected_version(),
                                            implemented_by_id=current_user.id)
    except DomainError as error:
        return _render_show(programme, change, error=error.message, status=error.status_code)
    if applied is not None:
        flash(_("Implemented: %(reference)s; the plan is re-planned, %(n)d items moved.", reference=change.reference,
                n=len(applied.moves)), "success")
    else:
        flash(_("Implemented: %(reference)s", reference=change.reference), "success")
    return redirect(_show_url(change))


@bp.route("/programmes/<int:programme_id>/changes/<int:change_id>/reject", methods=["GET", "POST"])
@login_required
def reject_change(programme_id: int, change_id: int):
    programme, change = load_in_programme(ChangeRequest, programme_id, change_id, Permission.CHANGES_MANAGE)
    form = RejectForm(obj=change)
    return save_form(
        "changes/reject.html", form,
        lambda: services.reject_change(change, expected_version=form.expected_version(), reason=form.reason.data,
                                       rejected_by_id=current_user.id),
        done=lambda _result: (_("Withdrawn: %(reference)s", reference=change.reference) if change.decided_at
                              else _("Turned down: %(reference)s", reference=change.reference), _show_url(change)),
        programme=programme, change=change)


@bp.route("/programmes/<int:programme_id>/changes/<int:change_id>/delete", methods=["GET", "POST"])
@login_required
def delete_change(programme_id: int, change_id: int):
    programme, change = load_in_programme(ChangeRequest, programme_id, change_id, Permission.CHANGES_MANAGE)
    reference = change.reference
    return confirm_delete(
        what=_("the change request %(reference)s", reference=reference), delete=lambda: services.delete_change(change),
        done_message=_("Change request deleted: %(reference)s", reference=reference),
        done_url=url_for("changes.list_changes", programme_id=programme.id), cancel_url=_show_url(change))
