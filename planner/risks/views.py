"""Risk register pages: the register (filtered, highest score first) with its heat map and score trend, recording
and editing a risk, its page with the score history and links, reviewing it, deleting it."""
from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from planner.core import clock
from planner.core.forms import as_choices
from planner.core.pages import confirm_delete, page_number, per_page, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.lifecycle.models import Stage
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.models import Region
from planner.reports.risk_charts import render_heat_map, render_trend
from planner.risks import bp, queries, services
from planner.risks.forms import CATEGORY_LABELS, STATUS_LABELS, FilterForm, ReviewForm, RiskForm
from planner.risks.models import HIGH_SCORE, Risk, RiskCategory, RiskStatus
from planner.risks.status import risks_status

CHART_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@bp.route("/programmes/<int:programme_id>/risks")
@login_required
def list_risks(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    show_people = can(Permission.PEOPLE_VIEW, programme)
    filters = FilterForm(request.args)
    filters.owner.offer(programme.id, empty_label=_("Anyone"),
                        among=select(Risk.owner_id).where(Risk.programme_id == programme.id))
    status = filters.status.data if filters.status.data in set(RiskStatus) else None
    category = filters.category.data if filters.category.data in set(RiskCategory) else None
    owner_id = filters.owner.data if show_people and filters.owner.validate(filters) else None
    today = clock.today()
    risks = db.paginate(queries.risks_of(programme.id, status=status, category=category, owner_id=owner_id,
                                         overdue_on=today if filters.overdue.data else None),
                        page=page_number(), per_page=per_page(), error_out=False)
    return render_template(
        "risks/list.html", programme=programme, risks=risks, filters=filters, today=today,
        figures=risks_status(programme, today), status_labels=STATUS_LABELS, category_labels=CATEGORY_LABELS,
        high_score=HIGH_SCORE, show_people=show_people, can_manage=can(Permission.RISKS_MANAGE, programme))


def _risk_form(programme, risk: Risk | None = None) -> RiskForm:
    if risk is None:
        form = RiskForm(likelihood="3", impact="3", status=RiskStatus.OPEN.value)
    else:
        form = RiskForm(obj=risk, category=risk.category.value, status=risk.status.value,
                        likelihood=str(risk.likelihood), impact=str(risk.impact),
                        stage_ids=[s.id for s in risk.stages], region_ids=[r.id for r in risk.regions],
                        occurrence_ids=[o.id for o in risk.occurrences])
    form.owner_id.offer(programme.id, empty_label=_("Nobody yet"))
    form.region_ids.choices = as_choices((region.id, region.name) for region in db.session.scalars(
        select(Region).where(Region.programme_id == programme.id).order_by(Region.name)))
    form.stage_ids.choices = as_choices((stage.id, f"{stage.number}. {stage.name}") for stage in db.session.scalars(
        select(Stage).where(Stage.programme_id == programme.id).order_by(Stage.number)))
    form.occurrence_ids.choices = as_choices(queries.occurrence_choices(
        programme.id, [occurrence.id for occurrence in risk.occurrences] if risk is not None else ()))
    return form


def _show_url(risk: Risk) -> str:
    return url_for("risks.show_risk", programme_id=risk.programme_id, risk_id=risk.id)


@bp.route("/programmes/<int:programme_id>/risks/new", methods=["GET", "POST"])
@login_required
def new_risk(programme_id: int):
    programme = load_programme(programme_id, Permission.RISKS_MANAGE)
    form = _risk_form(programme)
    return save_form(
        "risks/form.html", form,
        lambda: services.create_risk(programme, changed_by_id=current_user.id, **form.values()),
        done=lambda risk: (_("Risk recorded: %(reference)s", reference=risk.reference), _show_url(risk)),
        programme=programme, risk=None)


@bp.route("/programmes/<int:programme_id>/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@login_required
def edit_risk(programme_id: int, risk_id: int):
    programme, risk = load_in_programme(Risk, programme_id, risk_id, Permission.RISKS_MANAGE)
    form = _risk_form(programme, risk)
    return save_form(
        "risks/form.html", form,
        lambda: services.update_risk(risk, expected_version=form.expected_version(), changed_by_id=current_user.id,
                                     **form.values()),
        done=lambda _result: (_("Risk saved: %(reference)s", reference=risk.reference), _show_url(risk)),
        programme=programme, risk=risk)


@bp.route("/programmes/<int:programme_id>/risks/<int:risk_id>")
@login_required
def show_risk(programme_id: int, risk_id: int):
    programme, risk = load_in_programme(Risk, programme_id, risk_id, Permission.PROGRAMME_VIEW)
    return render_template(
        "risks/show.html", programme=programme, risk=risk, today=clock.today(),
        meetings=queries.meetings_discussing(risk.id), status_labels=STATUS_LABELS, category_labels=CATEGORY_LABELS,
        high_score=HIGH_SCORE, show_people=can(Permission.PEOPLE_VIEW, programme),
        can_manage=can(Permission.RISKS_MANAGE, programme))


@bp.route("/programmes/<int:programme_id>/risks/<int:risk_id>/review", methods=["GET", "POST"])
@login_required
def review_risk(programme_id: int, risk_id: int):
    programme, risk = load_in_programme(Risk, programme_id, risk_id, Permission.RISKS_MANAGE)
    form = ReviewForm(obj=risk, likelihood="", impact="", status="")
    if request.method == "GET":
        form.next_review_on.data = None
    return save_form(
        "risks/review.html", form,
        lambda: services.review_risk(risk, expected_version=form.expected_version(),
                                     next_review_on=form.next_review_on.data, likelihood=form.likelihood.data,
                                     impact=form.impact.data, status=form.status.data, note=form.note.data or "",
                                     changed_by_id=current_user.id),
        done=lambda _result: (_("Review recorded: %(reference)s", reference=risk.reference), _show_url(risk)),
        programme=programme, risk=risk)


@bp.route("/programmes/<int:programme_id>/risks/<int:risk_id>/delete", methods=["GET", "POST"])
@login_required
def delete_risk(programme_id: int, risk_id: int):
    programme, risk = load_in_programme(Risk, programme_id, risk_id, Permission.RISKS_MANAGE)
    reference = risk.reference
    return confirm_delete(
        what=_("the risk %(reference)s", reference=reference), delete=lambda: services.delete_risk(risk),
        done_message=_("Risk deleted: %(reference)s", reference=reference),
        done_url=url_for("risks.list_risks", programme_id=programme.id), cancel_url=_show_url(risk))


def _chart(body: bytes, fmt: str) -> Response:
    response = Response(body, mimetype=CHART_TYPES[fmt])
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.route("/programmes/<int:programme_id>/risks/heat-map.<fmt>")
@login_required
def heat_map_chart(programme_id: int, fmt: str):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    if fmt not in CHART_TYPES:
        abort(404)
    return _chart(render_heat_map(queries.heat_counts(programme.id), fmt=fmt, title=programme.name), fmt)


@bp.route("/programmes/<int:programme_id>/risks/trend.<fmt>")
@login_required
def score_trend_chart(programme_id: int, fmt: str):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    if fmt not in CHART_TYPES:
        abort(404)
    points = [(point.day, point.total) for point in queries.score_trend(programme.id, clock.today())]
    return _chart(render_trend(points, fmt=fmt, title=programme.name), fmt)
