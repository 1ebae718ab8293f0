"""The session planner page: the planner's proposals as a preview (GET), created as proposed sessions on confirm
(POST), and the sessions a moved go-live left outside their training window."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, TimeField
from wtforms.validators import InputRequired, NumberRange

from planner.core import clock
from planner.core.errors import DomainError
from planner.core.permissions import Permission, login_required
from planner.programmes.loading import load_programme
from planner.training import bp
from planner.training import planner as session_planner
from planner.training import session_queries as queries
from planner.training.session_forms import WINDOW_LABELS


class PlanForm(FlaskForm):
    """The planner's knobs: seats per session and the local start time of every proposed session."""

    capacity = IntegerField(_l("Seats per session"), default=session_planner.DEFAULT_CAPACITY,
                            validators=[InputRequired(), NumberRange(min=1, max=1000)])
    start_time = TimeField(_l("Sessions start at (each region's local time)"),
                           default=session_planner.DEFAULT_START_TIME, validators=[InputRequired()])


def _problem_text(problem: session_planner.Problem, courses: dict, regions: dict) -> str:
    course, region = courses.get(problem.course_id, "?"), regions.get(problem.region_id, "?")
    if problem.reason == "window_passed":
        return _("The training window of %(region)s has passed: %(count)d sessions of %(course)s cannot be placed "
                 "before its go-live.", region=region, count=problem.sessions, course=course)
    return _("No trainer free for %(count)d sessions of %(course)s in %(region)s.", count=problem.sessions,
             course=course, region=region)


@bp.route("/programmes/<int:programme_id>/training/plan", methods=["GET", "POST"])
@login_required
def plan_sessions(programme_id: int):
    programme = load_programme(programme_id, Permission.TRAINING_MANAGE)
    if request.method == "POST":
        form = PlanForm()
        valid = form.validate_on_submit()
    else:
        form = PlanForm(formdata=request.args or None, meta={"csrf": False})
        valid = form.validate() if request.args else True
    now = clock.now()
    plan = None
    if valid:
        plan = session_planner.propose_sessions(programme, now=now, capacity=form.capacity.data,
                                                start_time=form.start_time.data)
    error = None
    if request.method == "POST" and plan is not None:
        if not plan.proposals:
            error = _("There is nothing to plan: no session is needed or none could be placed.")
        else:
            try:
                created = session_planner.save_proposals(programme, plan.proposals)
            except DomainError as refused:
                error = refused.message
            else:
                flash(_("%(count)d sessions proposed. Check them and schedule each one when it is confirmed.",
                        count=len(created)), "success")
                return redirect(url_for("training.list_sessions", programme_id=programme.id))
    courses, regions = dict(queries.course_choices(programme.id)), dict(queries.region_choices(programme.id))
    status = 200
    if request.method == "POST" or request.args:
        status = 422 if (form.errors or error) else 200
    return render_template(
        "training/plan_sessions.html", programme=programme, form=form, plan=plan, error=error,
        problems=[_problem_text(problem, courses, regions) for problem in plan.problems] if plan else [],
        courses=courses, regions=regions, trainers=dict(queries.trainer_choices(programme.id)),
        reschedule=session_planner.sessions_to_reschedule(programme, now=now), window_labels=WINDOW_LABELS), status
