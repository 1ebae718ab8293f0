"""The plan pages: the schedule with its critical path, the Gantt chart, re-planning, and
generating a default plan."""
from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from planner.core.clock import today
from planner.core.errors import DomainError
from planner.core.forms import as_choices
from planner.core.pages import render_form, render_refused, save_form
from planner.core.permissions import Permission, can, login_required
from planner.programmes.loading import load_programme
from planner.reports.gantt import GanttBar, GanttMilestone, render_gantt
from planner.rollout import bp
from planner.rollout.forms_plan import DefaultPlanForm, ReplanForm
from planner.rollout.plan import Change, apply_default_plan, apply_replan, preview_replan
from planner.rollout.status import programme_status

CHART_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@bp.route("/programmes/<int:programme_id>/plan")
@login_required
def show_plan(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    status = programme_status(programme, today())
    labels = status.items.labels()
    rows = []
    if status.schedule is not None:
        rows = sorted(status.schedule.tasks.values(), key=lambda task: (task.start, task.finish, task.key))
    return render_template("rollout/plan.html", programme=programme, status=status, rows=rows, labels=labels,
                           today=today(), can_edit=can(Permission.PLAN_EDIT, programme))


def _chart_inputs(status):
    items, schedule = status.items, status.schedule
    labels = items.labels()
    late = {item.key for item in status.late_critical}
    bars, milestones = [], []
    if schedule is None:
        return bars, milestones
    tasks = schedule.tasks
    for stage in items.stages:
        task = tasks.get(f"stage:{stage.id}")
        if task:
            bars.append(GanttBar(labels[task.key], task.start, task.finish, "stage", task.is_critical,
                                 task.key in late))
    for wave in items.waves:
        task = tasks.get(f"wave:{wave.id}")
        if task:
            finish = max(task.finish, task.start)
            bars.append(GanttBar(labels[task.key], task.start, finish, "wave", task.is_critical, task.key in late,
                                 trial_start=task.start))
    for milestone in items.milestones:
        task = tasks.get(f"milestone:{milestone.id}")
        if task:
            milestones.append(GanttMilestone(milestone.name, task.start, task.is_critical))
    return bars, milestones


@bp.route("/programmes/<int:programme_id>/plan/gantt.<fmt>")
@login_required
def gantt_chart(programme_id: int, fmt: str):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    if fmt not in CHART_TYPES:
        abort(404)
    on_day = today()
    bars, milestones = _chart_inputs(programme_status(programme, on_day))
    body = render_gantt(bars, milestones, today=on_day, fmt=fmt, title=programme.name)
    response = Response(body, mimetype=CHART_TYPES[fmt])
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


def _replan_form(status) -> ReplanForm:
    form = ReplanForm()
    labels = status.items.labels()
    keys = list(status.schedule.tasks) if status.schedule else []
    form.key.choices = as_choices([(key, labels.get(key, key)) for key in keys])
    return form


@bp.route("/programmes/<int:programme_id>/plan/replan", methods=["GET", "POST"])
@login_required
def replan(programme_id: int):
    """Show what a slip or an approved change does to the plan, then apply it in one step."""
    programme = load_programme(programme_id, Permission.PLAN_EDIT)
    status = programme_status(programme, today())
    form = _replan_form(status)
    context = {"programme": programme, "preview": None}
    if not form.validate_on_submit():
        return render_form("rollout/plan_replan.html", form, **context)
    change = Change(key=form.key.data, new_start=form.new_start.data, new_duration=form.new_duration.data,
                    actual_finish=form.actual_finish.data)
    try:
        if form.apply.data:
            preview = apply_replan(programme, change)
        else:
            preview = preview_replan(programme, change)
    except DomainError as error:
        return render_refused("rollout/plan_replan.html", form, error, **context)
    if not form.apply.data:
        return render_template("rollout/plan_replan.html", form=form, preview=preview, programme=programme)
    flash(_("Re-planned: %(n)d items moved.", n=len(preview.moves)), "success")
    return redirect(url_for("rollout.show_plan", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/plan/generate", methods=["GET", "POST"])
@login_required
def generate_plan(programme_id: int):
    """Propose stage dates, waves by region tier and milestones for a programme without waves."""
    programme = load_programme(programme_id, Permission.PLAN_EDIT)
    form = DefaultPlanForm(start=programme.start_date)
    return save_form(
        "rollout/plan_generate.html", form,
        lambda: apply_default_plan(programme, **form.values()),
        done=lambda created: (_("Default plan created: %(waves)d waves, %(milestones)d milestones.",
                                waves=created["waves"], milestones=created["milestones"]),
                              url_for("rollout.show_plan", programme_id=programme.id)),
        programme=programme)

