"""Readiness pages: completion per region, department and job role, the people still untrained with the days
to their go-live, no-shows needing a make-up session, the completion chart, and the CSV/XLSX exports of
completion and of a session's roster."""
from flask import Response, abort, render_template
from flask_login import current_user

from planner.core import clock
from planner.core.pages import id_arg, page_number, paginate, per_page
from planner.core.permissions import Permission, can, login_required
from planner.programmes.loading import load_in_programme, load_programme
from planner.reports.training_chart import CompletionBar, render_completion_chart
from planner.training import bp, exports
from planner.training import readiness
from planner.training.models import TrainingSession
from planner.training.session_forms import MARK_LABELS
from planner.training.session_queries import go_live_by_region

CHART_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@bp.route("/programmes/<int:programme_id>/training/readiness")
@login_required
def show_readiness(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    figures = readiness.readiness(programme)
    region_id = id_arg("region")
    if region_id not in {row.key for row in figures.by_region if row.key is not None}:
        region_id = None
    # the lists name people: only for those who may see the programme's people
    shows_people = can(Permission.PEOPLE_VIEW, programme)
    untrained = missing = no_shows = None
    go_lives = {}
    if shows_people:
        counted = figures.total if region_id is None else next(row for row in figures.by_region
                                                                if row.key == region_id)
        go_lives = go_live_by_region(programme.id)
        among = None if region_id is not None else readiness.regions_first_to_go_live(
            figures, go_lives, page_number() * per_page())
        untrained = paginate(readiness.untrained_people(programme.id, region_id, among=among),
                             total=counted.untrained)  # counted in the figures
        missing = readiness.missing_courses(programme.id, [person.id for person in untrained.items])
        no_shows = readiness.no_shows(programme.id, clock.now(), region_id, limit=readiness.NO_SHOW_LIMIT)
    return render_template(
        "training/readiness.html", programme=programme, figures=figures, region_id=region_id,
        shows_people=shows_people, untrained=untrained, missing=missing, go_lives=go_lives, today=clock.today(),
        days_to_go=readiness.days_to_go, no_shows=no_shows,
        mark_labels=MARK_LABELS, can_export=can(Permission.PEOPLE_EXPORT, programme),
        can_manage=can(Permission.TRAINING_MANAGE, programme))


@bp.route("/programmes/<int:programme_id>/training/readiness.<fmt>")
@login_required
def readiness_chart(programme_id: int, fmt: str):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    if fmt not in CHART_TYPES:
        abort(404)
    bars = [CompletionBar(row.label, row.needing, row.trained) for row in readiness.readiness(programme).by_region]
    body = render_completion_chart(bars, gate_pct=programme.gate_min_training_pct, fmt=fmt, title=programme.name)
    response = Response(body, mimetype=CHART_TYPES[fmt])
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


def _download(body, fmt: str, filename: str) -> Response:
    return Response(body, mimetype=exports.EXPORT_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"',
                             "Cache-Control": "private, no-store"})


@bp.route("/programmes/<int:programme_id>/training/completion.<export_format>")
@login_required
def export_completion(programme_id: int, export_format: str):
    programme = load_programme(programme_id, Permission.PEOPLE_EXPORT)
    if export_format not in exports.EXPORT_TYPES:
        abort(404)
    return _download(exports.render(exports.completion_table(programme.id), export_format), export_format,
                     f"training-completion-programme-{programme.id}")


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/roster.<export_format>")
@login_required
def export_roster(programme_id: int, session_id: int, export_format: str):
    programme, session = load_in_programme(TrainingSession, programme_id, session_id, Permission.ATTENDANCE_MARK)
    # project managers export any roster; a trainer only the rosters of the sessions they give
    if not (can(Permission.TRAINING_MANAGE, programme) or session.trainer_id == current_user.id):
        abort(403)
    if export_format not in exports.EXPORT_TYPES:
        abort(404)
    return _download(exports.render(exports.roster_table(session), export_format), export_format,
                     f"roster-session-{session.id}")
