"""The lifecycle pages: the six stages with their deliverables and gates, and the goals."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.core import clock
from planner.core.errors import DomainError
from planner.core.forms import as_choices, show_domain_error
from planner.core.pages import confirm_delete, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.lifecycle import bp, queries, services
from planner.lifecycle.forms import (GOAL_KIND_LABELS, OUTCOME_LABELS, STATUS_LABELS, CloseStageForm, CriterionForm,
                                     DeliverableDoneForm, DeliverableForm, GateReviewForm, GoalForm, StageForm,
                                     due_stage_choices)
from planner.lifecycle.models import GateOutcome, Goal
from planner.lifecycle.template import STAGES
from planner.programmes.loading import load_in_programme, load_programme

#: stage number -> name, for "due by stage" columns (the names are fixed by the template)
STAGE_NAMES = {spec["number"]: spec["name"] for spec in STAGES}

LABELS = {"status_labels": STATUS_LABELS, "outcome_labels": OUTCOME_LABELS, "kind_labels": GOAL_KIND_LABELS,
          "stage_names": STAGE_NAMES}


def _load_stage(programme_id: int, stage_id: int, permission: Permission):
    """The programme and one of its stages, with everything the stage page shows; 404 elsewhere."""
    programme = load_programme(programme_id, permission)
    stage = db.session.scalar(queries.stage_with_gate(programme.id, stage_id))
    if stage is None:
        abort(404)
    return programme, stage


def _close_form(programme_id: int, *, bound: bool = True) -> CloseStageForm:
    """The close form; ``bound=False`` gives an empty one when another form on the page was sent."""
    form = CloseStageForm() if bound else CloseStageForm(formdata=None)
    form.override_approver_id.offer(programme_id, empty_label=_("Nobody"))
    return form


def _stage_url(programme, stage, anchor: str | None = None) -> str:
    return url_for("lifecycle.show_stage", programme_id=programme.id, stage_id=stage.id, _anchor=anchor)


def _render_stage(programme, stage, *, status: int = 200, page_error: str | None = None, **forms):
    """The stage page; a refused inline form is passed in with its errors and answered with 422."""
    can_edit = can(Permission.PLAN_EDIT, programme)
    context = {"programme": programme, "stage": stage, "today": clock.today(), "unmet": stage.unmet_criteria(),
               "can_edit": can_edit, "page_error": page_error, "show_people": can(Permission.PEOPLE_VIEW, programme),
               **LABELS}
    if can_edit:
        defaults = {"deliverable_form": lambda: DeliverableForm(formdata=None),
                    "criterion_form": lambda: CriterionForm(formdata=None),
                    "close_form": lambda: _close_form(programme.id, bound=False)}
        for name, make in defaults.items():
            context[name] = forms[name] if forms.get(name) is not None else make()
    if stage.number == 6:
        context["goal_groups"], context["unattached_goals"] = queries.group_goals(
            db.session.scalars(queries.goals_of(programme.id)).all())
    return render_template("lifecycle/stage.html", **context), status


# --- stages ----------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/stages")
@login_required
def list_stages(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    stages = db.session.scalars(queries.stages_with_gates(programme.id)).all()
    return render_template("lifecycle/stages.html", programme=programme, stages=stages, today=clock.today(),
                           current=services.current_stage(stages), show_people=can(Permission.PEOPLE_VIEW, programme),
                           can_edit=can(Permission.PLAN_EDIT, programme), **LABELS)


@bp.route("/programmes/<int:programme_id>/stages/<int:stage_id>")
@login_required
def show_stage(programme_id: int, stage_id: int):
    programme, stage = _load_stage(programme_id, stage_id, Permission.PROGRAMME_VIEW)
    return _render_stage(programme, stage)


@bp.route("/programmes/<int:programme_id>/stages/<int:stage_id>/edit", methods=["GET", "POST"])
@login_required
def edit_stage(programme_id: int, stage_id: int):
    programme, stage = _load_stage(programme_id, stage_id, Permission.PLAN_EDIT)
    form = StageForm(obj=stage)
    form.owner_id.offer(programme.id, empty_label=_("Nobody yet"))
    return save_form(
        "lifecycle/stage_form.html", form,
        lambda: services.update_stage(
            stage, expected_version=form.expected_version(), goals=form.goals.data,
            expertise_needed=form.expertise_needed.data, owner_id=form.owner_id.data,
            planned_start=form.planned_start.data, planned_finish=form.planned_finish.data,
            actual_start=form.actual_start.data, actual_finish=form.actual_finish.data),
        done=lambda _result: (_("Stage %(number)d saved.", number=stage.number), _stage_url(programme, stage)),
        programme=programme, stage=stage)


@bp.route("/programmes/<int:programme_id>/stages/<int:stage_id>/deliverables", methods=["POST"])
@login_required
def add_deliverable(programme_id: int, stage_id: int):
    programme, stage = _load_stage(programme_id, stage_id, Permission.PLAN_EDIT)
    form = DeliverableForm()
    if not form.validate_on_submit():
        return _render_stage(programme, stage, status=422, deliverable_form=form)
    try:
        deliverable = services.add_deliverable(stage, form.title.data)
    except DomainError as error:
        show_domain_error(form, error)
        return _render_stage(programme, stage, status=error.status_code, deliverable_form=form)
    flash(_("Deliverable %(title)s added.", title=deliverable.title), "success")
    return redirect(_stage_url(programme, stage, "deliverables"))


@bp.route("/programmes/<int:programme_id>/stages/<int:stage_id>/deliverables/<int:deliverable_id>/toggle",
          methods=["POST"])
@login_required
def toggle_deliverable(programme_id: int, stage_id: int, deliverable_id: int):
    programme, stage = _load_stage(programme_id, stage_id, Permission.PLAN_EDIT)
    deliverable = next((item for item in stage.deliverables if item.id == deliverable_id), None)
    if deliverable is None:
        abort(404)
    form = DeliverableDoneForm()
    if not form.validate_on_submit():
        return _render_stage(programme, stage, status=422,
                             page_error=_("The checklist could not be changed. Reload the page and try again."))
    is_done = form.done.data == "1"
    services.set_deliverable_done(deliverable, is_done, clock.today())
    if is_done:
        flash(_("Done: %(title)s.", title=deliverable.title), "success")
    else:
        flash(_("Not done any more: %(title)s.", title=deliverable.title), "success")
    return redirect(_stage_url(programme, stage, "deliverables"))


@bp.route("/programmes/<int:programme_id>/stages/<int:stage_id>/criteria", methods=["POST"])
@login_required
def add_criterion(programme_id: int, stage_id: int):
    programme, stage = _load_stage(programme_id, stage_id, Permission.PLAN_EDIT)
    form = CriterionForm()
    if not form.validate_on_submit():
        return _render_stage(programme, stage, status=422, criterion_form=form)
    try:
        services.add_criterion(stage, form.text.data)
    except DomainError as error:
        show_domain_error(form, error)
        return _render_stage(programme, stage, status=error.status_code, criterion_form=form)
    flash(_("Gate criterion added. It counts as unmet until a gate review finds it met."), "success")
    return redirect(_stage_url(programme, stage, "gate"))


@bp.route("/programmes/<int:programme_id>/stages/<int:stage_id>/gate-review", methods=["GET", "POST"])
@login_required
def review_gate(programme_id: int, stage_id: int):
    programme, stage = _load_stage(programme_id, stage_id, Permission.PLAN_EDIT)
    form = GateReviewForm(reviewed_on=clock.today())
    form.met.choices = as_choices((criterion.id, criterion.text) for criterion in stage.criteria)
    form.approved_by_id.offer(programme.id, empty_label=_("Nobody named"))

    def done(review):
        if review.outcome is GateOutcome.PASSED:
            return _("Gate review recorded: every criterion is met. The stage can be closed."), \
                _stage_url(programme, stage, "close")
        return _("Gate review recorded: some criteria are not met yet."), _stage_url(programme, stage, "gate")

    return save_form(
        "lifecycle/gate_review.html", form,
        lambda: services.record_gate_review(
            stage, met_criterion_ids=set(form.met.data or ()), reviewed_on=form.reviewed_on.data,
            approved_by_id=form.approved_by_id.data, notes=form.notes.data, recorded_by_id=current_user.id),
        done=done, programme=programme, stage=stage)


@bp.route("/programmes/<int:programme_id>/stages/<int:stage_id>/close", methods=["POST"])
@login_required
def close_stage(programme_id: int, stage_id: int):
    programme, stage = _load_stage(programme_id, stage_id, Permission.PLAN_EDIT)
    form = _close_form(programme.id)
    if not form.validate_on_submit():
        return _render_stage(programme, stage, status=422, close_form=form)
    overridden = bool(stage.unmet_criteria())
    try:
        services.close_stage(stage, closed_on=clock.today(), override_reason=form.override_reason.data,
                             override_approver_id=form.override_approver_id.data)
    except DomainError as error:
        show_domain_error(form, error)
        return _render_stage(programme, stage, status=error.status_code, close_form=form)
    if overridden:
        flash(_("Stage %(number)d closed with an override of its gate. The reason and the approver are on "
                "record.", number=stage.number), "success")
    else:
        flash(_("Stage %(number)d closed.", number=stage.number), "success")
    return redirect(_stage_url(programme, stage))


# --- goals -----------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/goals")
@login_required
def list_goals(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    groups, unattached = queries.group_goals(db.session.scalars(queries.goals_of(programme.id)).all())
    return render_template("lifecycle/goals.html", programme=programme, goal_groups=groups,
                           unattached_goals=unattached, can_edit=can(Permission.PLAN_EDIT, programme), **LABELS)


def _goal_form(programme, goal: Goal | None = None) -> GoalForm:
    form = GoalForm(obj=goal)
    company_goals = db.session.execute(queries.company_goals_of(programme.id, goal.id if goal else None)).all()
    form.serves_id.choices = as_choices([("", _("None (for company goals)"))] + company_goals)
    form.due_stage_number.choices = due_stage_choices()
    return form


def _goal_values(form: GoalForm) -> dict:
    return {"kind": form.kind.data, "title": form.title.data, "serves_id": form.serves_id.data,
            "unit": form.unit.data, "baseline": form.baseline.data, "target": form.target.data,
            "actual": form.actual.data, "due_stage_number": form.due_stage_number.data}


@bp.route("/programmes/<int:programme_id>/goals/new", methods=["GET", "POST"])
@login_required
def create_goal(programme_id: int):
    programme = load_programme(programme_id, Permission.PLAN_EDIT)
    form = _goal_form(programme)
    return save_form(
        "lifecycle/goal_form.html", form, lambda: services.create_goal(programme, **_goal_values(form)),
        done=lambda goal: (_("Goal %(title)s added.", title=goal.title),
                           url_for("lifecycle.list_goals", programme_id=programme.id)),
        programme=programme, goal=None)


@bp.route("/programmes/<int:programme_id>/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@login_required
def edit_goal(programme_id: int, goal_id: int):
    programme, goal = load_in_programme(Goal, programme_id, goal_id, Permission.PLAN_EDIT)
    form = _goal_form(programme, goal)
    return save_form(
        "lifecycle/goal_form.html", form,
        lambda: services.update_goal(goal, expected_version=form.expected_version(), **_goal_values(form)),
        done=lambda _result: (_("Goal %(title)s saved.", title=goal.title),
                              url_for("lifecycle.list_goals", programme_id=programme.id)),
        programme=programme, goal=goal)


@bp.route("/programmes/<int:programme_id>/goals/<int:goal_id>/delete", methods=["GET", "POST"])
@login_required
def delete_goal(programme_id: int, goal_id: int):
    programme, goal = load_in_programme(Goal, programme_id, goal_id, Permission.PLAN_EDIT)
    back = url_for("lifecycle.list_goals", programme_id=programme.id)
    return confirm_delete(what=goal.title, delete=lambda: services.delete_goal(goal),
                          done_message=_("Goal %(title)s deleted.", title=goal.title), done_url=back,
                          cancel_url=back)
