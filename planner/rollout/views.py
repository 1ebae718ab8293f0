"""Rollout pages: waves and their entry gates, going live, defects, the working calendar, milestones and
dependencies. The plan, Gantt and re-plan pages are in plan_views.py."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from planner.committee.models import Decision
from planner.core import clock
from planner.core.errors import DomainError
from planner.core.forms import as_choices, show_domain_error
from planner.core.pages import confirm_delete, id_arg, page_number, per_page, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.models import Region
from planner.rollout import bp, queries, services
from planner.rollout.calendar import programme_calendar
from planner.rollout.forms import (
    MILESTONE_KIND_LABELS,
    SEVERITY_LABELS,
    WAVE_KIND_LABELS,
    WEEKDAY_LABELS,
    CalendarRulesForm,
    DefectForm,
    DependencyForm,
    FreezeWindowForm,
    HolidayForm,
    MarkLiveForm,
    MilestoneForm,
    WaveForm,
)
from planner.rollout.gate import evaluate_gates, trial_end
from planner.rollout.models import (
    Defect,
    Dependency,
    FreezeWindow,
    Holiday,
    Milestone,
    Wave,
)
from planner.rollout.plan import load_items


def _region_choices(programme_id: int, empty_label: str | None = None):
    rows = db.session.execute(select(Region.id, Region.name).where(Region.programme_id == programme_id)
                              .order_by(Region.name)).all()
    return ([("", empty_label)] if empty_label is not None else []) + [(str(oid), name) for oid, name in rows]


# --- waves -----------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/waves")
@login_required
def list_waves(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    waves = db.session.scalars(queries.waves_with_regions(programme.id)).all()
    gates = evaluate_gates(programme, clock.today())
    calendar = programme_calendar(programme)
    return render_template("rollout/waves.html", programme=programme, waves=waves, gates=gates,
                           trial_ends={wave.id: trial_end(wave, calendar) for wave in waves},
                           kind_labels=WAVE_KIND_LABELS, can_edit=can(Permission.PLAN_EDIT, programme))


def _wave_form(programme_id: int, wave: Wave | None = None) -> WaveForm:
    if wave is None:
        form = WaveForm(position=queries.next_wave_position(programme_id))
    else:
        form = WaveForm(obj=wave, region_ids=[region.id for region in wave.regions])
    form.region_ids.choices = as_choices(
        (region_id, name if wave_name is None or (wave is not None and wave_name == wave.name)
         else _("%(region)s (in %(wave)s)", region=name, wave=wave_name))
        for region_id, name, wave_name in queries.region_wave_names(programme_id))
    return form


def _wave_values(form: WaveForm) -> dict:
    return {"name": form.name.data, "kind": form.kind.data, "position": form.position.data,
            "planned_go_live": form.planned_go_live.data, "trial_days": form.trial_days.data,
            "region_ids": form.region_ids.data or []}


@bp.route("/programmes/<int:programme_id>/waves/new", methods=["GET", "POST"])
@login_required
def create_wave(programme_id: int):
    programme = load_programme(programme_id, Permission.PLAN_EDIT)
    form = _wave_form(programme.id)
    return save_form(
        "rollout/wave_form.html", form, lambda: services.create_wave(programme, **_wave_values(form)),
        done=lambda wave: (_("Wave %(name)s added.", name=wave.name),
                           url_for("rollout.show_wave", programme_id=programme.id, wave_id=wave.id)),
        programme=programme, wave=None)


@bp.route("/programmes/<int:programme_id>/waves/<int:wave_id>/edit", methods=["GET", "POST"])
@login_required
def edit_wave(programme_id: int, wave_id: int):
    programme, wave = load_in_programme(Wave, programme_id, wave_id, Permission.PLAN_EDIT)
    form = _wave_form(programme.id, wave)
    return save_form(
        "rollout/wave_form.html", form,
        lambda: services.update_wave(wave, expected_version=form.expected_version(), **_wave_values(form)),
        done=lambda _result: (_("Wave %(name)s saved.", name=wave.name),
                              url_for("rollout.show_wave", programme_id=programme.id, wave_id=wave.id)),
        programme=programme, wave=wave)


@bp.route("/programmes/<int:programme_id>/waves/<int:wave_id>/delete", methods=["GET", "POST"])
@login_required
def delete_wave(programme_id: int, wave_id: int):
    programme, wave = load_in_programme(Wave, programme_id, wave_id, Permission.PLAN_EDIT)
    return confirm_delete(
        what=wave.name, delete=lambda: services.delete_wave(wave),
        warning=_("Its regions stay in the programme, in no wave. Dependencies on it are removed."),
        done_message=_("Wave %(name)s deleted.", name=wave.name),
        done_url=url_for("rollout.list_waves", programme_id=programme.id),
        cancel_url=url_for("rollout.show_wave", programme_id=programme.id, wave_id=wave.id))


def _live_form_prefix(region_id: int) -> str:
    return f"region{region_id}-"


def _decision_choices(programme_id: int):
    """Decisions taken in the programme's committee meetings, newest first, for the "mark live" forms."""
    decisions = db.session.scalars(select(Decision).where(Decision.programme_id == programme_id,
                                                          Decision.occurrence_id.is_not(None))
                                   .order_by(Decision.decided_on.desc(), Decision.id.desc()))
    return as_choices([("", _("None: the gate is met"))] + [
        (decision.id, f"{decision.decided_on.isoformat()}: {decision.text[:80]}") for decision in decisions])


def _render_wave(programme, wave: Wave, *, posted: MarkLiveForm | None = None, posted_region_id: int | None = None,
                 status: int = 200):
    """The wave page; after a refused "mark live" the posted form is shown with its errors."""
    gate = evaluate_gates(programme, clock.today())[wave.id]
    regions = db.session.scalars(queries.regions_of_wave(wave.id)).all()
    region_ids = [region.id for region in regions]
    defects = db.session.scalars(queries.defects_of(programme.id, state="open", region_ids=region_ids)).all() \
        if region_ids else []
    can_edit = can(Permission.PLAN_EDIT, programme)
    live_forms = {}
    if can_edit:
        decisions = _decision_choices(programme.id)
        for region in regions:
            if region.live_on is not None and region.id != posted_region_id:
                continue
            form = posted if region.id == posted_region_id else MarkLiveForm(
                formdata=None, prefix=_live_form_prefix(region.id), live_on=clock.today())
            form.decision_id.choices = decisions
            live_forms[region.id] = form
    calendar = programme_calendar(programme)
    return render_template("rollout/wave.html", programme=programme, wave=wave, gate=gate, regions=regions,
                           defects=defects, live_forms=live_forms, trial_end=trial_end(wave, calendar),
                           kind_labels=WAVE_KIND_LABELS, severity_labels=SEVERITY_LABELS,
                           can_edit=can_edit), status


@bp.route("/programmes/<int:programme_id>/waves/<int:wave_id>")
@login_required
def show_wave(programme_id: int, wave_id: int):
    programme, wave = load_in_programme(Wave, programme_id, wave_id, Permission.PROGRAMME_VIEW)
    return _render_wave(programme, wave)


@bp.route("/programmes/<int:programme_id>/regions/<int:region_id>/go-live", methods=["POST"])
@login_required
def mark_region_live(programme_id: int, region_id: int):
    """Refusals re-render the wave page (422) with the reason at the region's form."""
    programme, region = load_in_programme(Region, programme_id, region_id, Permission.PLAN_EDIT)
    wave = services.wave_of(region)
    if wave is None:
        raise DomainError(_("Put %(region)s in a wave first.", region=region.name))
    form = MarkLiveForm(prefix=_live_form_prefix(region.id))
    form.decision_id.choices = _decision_choices(programme.id)
    if not form.validate():
        return _render_wave(programme, wave, posted=form, posted_region_id=region.id, status=422)
    try:
        services.mark_region_live(programme, region, live_on=form.live_on.data, today=clock.today(),
                                  decision_id=form.decision_id.data)
    except DomainError as error:
        show_domain_error(form, error)
        return _render_wave(programme, wave, posted=form, posted_region_id=region.id, status=error.status_code)
    if region.live_override_decision_id:
        flash(_("%(region)s is live since %(day)s, by committee decision although the gate was not met.",
                region=region.name, day=region.live_on.isoformat()), "success")
    else:
        flash(_("%(region)s is live since %(day)s.", region=region.name, day=region.live_on.isoformat()), "success")
    return redirect(url_for("rollout.show_wave", programme_id=programme.id, wave_id=wave.id))


# --- defects ---------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/defects")
@login_required
def list_defects(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    region_id = id_arg("region")
    state = request.args.get("state", "open")
    if state not in queries.DEFECT_STATES:
        state = "open"
    defects = db.paginate(queries.defects_of(programme.id, region_id=region_id, state=state),
                          page=page_number(), per_page=per_page(), error_out=False)
    return render_template("rollout/defects.html", programme=programme, defects=defects, region_id=region_id,
                           state=state, regions=_region_choices(programme.id, _("All regions")),
                           severity_labels=SEVERITY_LABELS, can_edit=can(Permission.PLAN_EDIT, programme))


@bp.route("/programmes/<int:programme_id>/defects/new", methods=["GET", "POST"])
@login_required
def report_defect(programme_id: int):
    programme = load_programme(programme_id, Permission.PLAN_EDIT)
    form = DefectForm(opened_on=clock.today(), region_id=id_arg("region"))
    form.region_id.choices = as_choices(_region_choices(programme.id))
    return save_form(
        "rollout/defect_form.html", form,
        lambda: services.report_defect(programme, region_id=form.region_id.data, title=form.title.data,
                                       severity=form.severity.data, opened_on=form.opened_on.data),
        done=lambda defect: (_("Defect recorded."), url_for("rollout.list_defects", programme_id=programme.id)),
        programme=programme)


@bp.route("/programmes/<int:programme_id>/defects/<int:defect_id>/close", methods=["POST"])
@login_required
def close_defect(programme_id: int, defect_id: int):
    """Closes the defect today; a refusal is flashed."""
    programme, defect = load_in_programme(Defect, programme_id, defect_id, Permission.PLAN_EDIT)
    try:
        services.close_defect(defect, closed_on=clock.today())
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Defect closed: %(title)s", title=defect.title), "success")
    return redirect(url_for("rollout.list_defects", programme_id=programme.id))


# --- the working calendar --------------------------------------------------------------------

def _render_calendar(programme, *, rules_form=None, holiday_form=None, freeze_form=None, status: int = 200):
    """The calendar page; a refused form is shown with its errors (status 422)."""
    can_edit = can(Permission.PLAN_EDIT, programme)
    if can_edit:
        rules_form = rules_form or CalendarRulesForm(
            formdata=None, version=programme.version,
            working_weekdays=[int(day) for day in programme.working_weekdays],
            gate_max_severe_defects=programme.gate_max_severe_defects,
            gate_min_training_pct=programme.gate_min_training_pct,
            gate_min_adoption_pct=programme.gate_min_adoption_pct)
        holiday_form = holiday_form or HolidayForm(formdata=None, prefix="holiday-")
        holiday_form.region_id.choices = as_choices(_region_choices(programme.id, _("Everywhere")))
        freeze_form = freeze_form or FreezeWindowForm(formdata=None, prefix="freeze-")
    return render_template(
        "rollout/calendar.html", programme=programme, can_edit=can_edit, rules_form=rules_form,
        holiday_form=holiday_form, freeze_form=freeze_form,
        holidays=db.session.scalars(queries.holidays_of(programme.id)).all(),
        freezes=db.session.scalars(queries.freeze_windows_of(programme.id)).all(),
        working_days=[WEEKDAY_LABELS[int(day)] for day in programme.working_weekdays]), status


def _refused(form, error: DomainError) -> int:
    show_domain_error(form, error)
    return error.status_code


def _back_to_calendar(programme, message: str):
    flash(message, "success")
    return redirect(url_for("rollout.calendar", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/calendar", methods=["GET", "POST"])
@login_required
def calendar(programme_id: int):
    programme = load_programme(programme_id, Permission.PLAN_EDIT if request.method == "POST"
                               else Permission.PROGRAMME_VIEW)
    if request.method == "GET":
        return _render_calendar(programme)
    form = CalendarRulesForm()
    if not form.validate():
        return _render_calendar(programme, rules_form=form, status=422)
    try:
        services.update_calendar_rules(
            programme, expected_version=form.expected_version(), working_weekdays=form.working_weekdays.data,
            gate_max_severe_defects=form.gate_max_severe_defects.data,
            gate_min_training_pct=form.gate_min_training_pct.data,
            gate_min_adoption_pct=form.gate_min_adoption_pct.data)
    except DomainError as error:
        return _render_calendar(programme, rules_form=form, status=_refused(form, error))
    return _back_to_calendar(programme, _("Working weekdays and gate thresholds saved."))


@bp.route("/programmes/<int:programme_id>/calendar/holidays", methods=["POST"])
@login_required
def add_holiday(programme_id: int):
    programme = load_programme(programme_id, Permission.PLAN_EDIT)
    form = HolidayForm(prefix="holiday-")
    form.region_id.choices = as_choices(_region_choices(programme.id, ""))
    if not form.validate():
        return _render_calendar(programme, holiday_form=form, status=422)
    try:
        holiday = services.add_holiday(programme, day=form.day.data, name=form.name.data,
                                       region_id=form.region_id.data)
    except DomainError as error:
        return _render_calendar(programme, holiday_form=form, status=_refused(form, error))
    return _back_to_calendar(programme, _("Holiday %(name)s added.", name=holiday.name))


@bp.route("/programmes/<int:programme_id>/calendar/holidays/<int:holiday_id>/delete", methods=["POST"])
@login_required
def delete_holiday(programme_id: int, holiday_id: int):
    programme, holiday = load_in_programme(Holiday, programme_id, holiday_id, Permission.PLAN_EDIT)
    services.delete_holiday(holiday)
    return _back_to_calendar(programme, _("Holiday %(name)s removed.", name=holiday.name))


@bp.route("/programmes/<int:programme_id>/calendar/freezes", methods=["POST"])
@login_required
def add_freeze_window(programme_id: int):
    programme = load_programme(programme_id, Permission.PLAN_EDIT)
    form = FreezeWindowForm(prefix="freeze-")
    if not form.validate():
        return _render_calendar(programme, freeze_form=form, status=422)
    try:
        window = services.add_freeze_window(programme, name=form.name.data, start_on=form.start_on.data,
                                            end_on=form.end_on.data)
    except DomainError as error:
        return _render_calendar(programme, freeze_form=form, status=_refused(form, error))
    return _back_to_calendar(programme, _("Freeze window %(name)s added.", name=window.name))


@bp.route("/programmes/<int:programme_id>/calendar/freezes/<int:freeze_id>/delete", methods=["POST"])
@login_required
def delete_freeze_window(programme_id: int, freeze_id: int):
    programme, window = load_in_programme(FreezeWindow, programme_id, freeze_id, Permission.PLAN_EDIT)
    services.delete_freeze_window(window)
    return _back_to_calendar(programme, _("Freeze window %(name)s removed.", name=window.name))


# --- milestones ------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/milestones")
@login_required
def list_milestones(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    milestones = db.paginate(queries.milestones_of(programme.id), page=page_number(), per_page=per_page(),
                             error_out=False)
    return render_template("rollout/milestones.html", programme=programme, milestones=milestones,
                           kind_labels=MILESTONE_KIND_LABELS, can_edit=can(Permission.PLAN_EDIT, programme))


def _milestone_values(form: MilestoneForm) -> dict:
    return {"name": form.name.data, "kind": form.kind.data, "planned_on": form.planned_on.data,
            "actual_on": form.actual_on.data}


@bp.route("/programmes/<int:programme_id>/milestones/new", methods=["GET", "POST"])
@login_required
def create_milestone(programme_id: int):
    programme = load_programme(programme_id, Permission.PLAN_EDIT)
    form = MilestoneForm()
    return save_form(
        "rollout/milestone_form.html", form,
        lambda: services.create_milestone(programme, **_milestone_values(form)),
        done=lambda milestone: (_("Milestone %(name)s added.", name=milestone.name),
                                url_for("rollout.list_milestones", programme_id=programme.id)),
        programme=programme, milestone=None)


@bp.route("/programmes/<int:programme_id>/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@login_required
def edit_milestone(programme_id: int, milestone_id: int):
    programme, milestone = load_in_programme(Milestone, programme_id, milestone_id, Permission.PLAN_EDIT)
    form = MilestoneForm(obj=milestone)
    return save_form(
        "rollout/milestone_form.html", form,
        lambda: services.update_milestone(milestone, expected_version=form.expected_version(),
                                          **_milestone_values(form)),
        done=lambda _result: (_("Milestone %(name)s saved.", name=milestone.name),
                              url_for("rollout.list_milestones", programme_id=programme.id)),
        programme=programme, milestone=milestone)


@bp.route("/programmes/<int:programme_id>/milestones/<int:milestone_id>/delete", methods=["GET", "POST"])
@login_required
def delete_milestone(programme_id: int, milestone_id: int):
    programme, milestone = load_in_programme(Milestone, programme_id, milestone_id, Permission.PLAN_EDIT)
    back = url_for("rollout.list_milestones", programme_id=programme.id)
    return confirm_delete(what=milestone.name, delete=lambda: services.delete_milestone(milestone),
                          warning=_("Dependencies on this milestone are removed too."),
                          done_message=_("Milestone %(name)s deleted.", name=milestone.name), done_url=back,
                          cancel_url=back)


# --- dependencies ----------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/dependencies", methods=["GET", "POST"])
@login_required
def list_dependencies(programme_id: int):
    programme = load_programme(programme_id, Permission.PLAN_EDIT if request.method == "POST"
                               else Permission.PROGRAMME_VIEW)
    items = load_items(programme.id)
    labels = items.labels()
    form = DependencyForm()
    form.predecessor_key.choices = form.successor_key.choices = as_choices(labels.items())
    context = {"programme": programme, "dependencies": items.dependencies, "labels": labels,
               "can_edit": can(Permission.PLAN_EDIT, programme)}
    return save_form(
        "rollout/dependencies.html", form,
        lambda: services.add_dependency(programme, predecessor_key=form.predecessor_key.data,
                                        successor_key=form.successor_key.data, lag_days=form.lag_days.data),
        done=lambda dependency: (_("%(successor)s now waits for %(predecessor)s.",
                                   successor=labels[dependency.successor_key],
                                   predecessor=labels[dependency.predecessor_key]),
                                 url_for("rollout.list_dependencies", programme_id=programme.id)),
        **context)


@bp.route("/programmes/<int:programme_id>/dependencies/<int:dependency_id>/delete", methods=["POST"])
@login_required
def delete_dependency(programme_id: int, dependency_id: int):
    programme, dependency = load_in_programme(Dependency, programme_id, dependency_id, Permission.PLAN_EDIT)
    services.delete_dependency(dependency)
    flash(_("Dependency removed."), "success")
    return redirect(url_for("rollout.list_dependencies", programme_id=programme.id))

