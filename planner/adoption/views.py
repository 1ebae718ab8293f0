"""Adoption pages: active against licensed users per region and week (entry, CSV import and export, chart), and
the super-users of each region."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from planner.adoption import bp, csv_io, figures, queries, services, super_users
from planner.adoption.forms import (
    SOURCE_LABELS, AdoptionFigureEditForm, AdoptionFigureForm, AdoptionImportConfirmForm, AdoptionUploadForm,
    NominateSuperUserForm,
)
from planner.adoption.models import AdoptionFigure
from planner.core import clock
from planner.core.errors import DomainError
from planner.core.forms import as_choices
from planner.core.pages import confirm_delete, paginate, render_form, render_refused, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.core.csv_import import decode_upload
from planner.people.models import Person
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.models import Region
from planner.programmes.queries import regions_by_name
from planner.reports.adoption_chart import AdoptionLine, render_adoption_chart

CHART_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def _region_choices(programme_id: int):
    rows = db.session.execute(select(Region.id, Region.name).where(Region.programme_id == programme_id)
                              .order_by(Region.name, Region.id)).all()
    return as_choices([("", _("Choose a region"))] + [(region_id, name) for region_id, name in rows])


def _figure_form(programme_id: int) -> AdoptionFigureForm:
    form = AdoptionFigureForm()
    form.region_id.choices = _region_choices(programme_id)
    if request.method == "GET" and not form.week.data:
        form.week.data = services.week_start(clock.today()).isoformat()
    return form


@bp.route("/programmes/<int:programme_id>/adoption")
@login_required
def show_adoption(programme_id: int):
    """The chart, a page of regions (``?regions_page=``) with their latest and recent weeks, and every figure
    recorded, latest first (``?page=``)."""
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    weeks = figures.recent_weeks(clock.today(), figures.TABLE_WEEKS)
    region_page = paginate(regions_by_name(programme.id), arg="regions_page")
    regions = figures.adoption_by_region(programme, weeks, region_page.items)
    listed = paginate(queries.figures_in(programme.id))
    can_manage = can(Permission.ADOPTION_MANAGE, programme)
    return render_template("adoption/show.html", programme=programme, weeks=weeks, regions=regions,
                           region_page=region_page, listed=listed,
                           threshold=programme.gate_min_adoption_pct, can_manage=can_manage,
                           source_labels=SOURCE_LABELS, form=_figure_form(programme.id) if can_manage else None)


@bp.route("/programmes/<int:programme_id>/adoption/figures/new", methods=["GET", "POST"])
@login_required
def record_figure(programme_id: int):
    programme = load_programme(programme_id, Permission.ADOPTION_MANAGE)
    form = _figure_form(programme.id)
    return save_form(
        "adoption/figure_form.html", form,
        lambda: services.record_figure(programme, region_id=form.region_id.data, week=form.week.data,
                                       active_users=form.active_users.data,
                                       licensed_users=form.licensed_users.data, recorded_by_id=current_user.id),
        done=lambda figure: (_("Adoption of %(region)s for the week of %(week)s saved: %(pct).0f%%.",
                               region=figure.region.name, week=figure.week.isoformat(), pct=figure.percent),
                             url_for("adoption.show_adoption", programme_id=programme.id)),
        programme=programme, figure=None)


@bp.route("/programmes/<int:programme_id>/adoption/figures/<int:adoption_figure_id>/edit", methods=["GET", "POST"])
@login_required
def edit_figure(programme_id: int, adoption_figure_id: int):
    programme, figure = load_in_programme(AdoptionFigure, programme_id, adoption_figure_id,
                                          Permission.ADOPTION_MANAGE)
    form = AdoptionFigureEditForm(obj=figure)
    return save_form(
        "adoption/figure_form.html", form,
        lambda: services.update_figure(figure, expected_version=form.expected_version(),
                                       active_users=form.active_users.data, licensed_users=form.licensed_users.data,
                                       recorded_by_id=current_user.id),
        done=lambda _changes: (_("Adoption of %(region)s for the week of %(week)s saved.",
                                 region=figure.region.name, week=figure.week.isoformat()),
                               url_for("adoption.show_adoption", programme_id=programme.id)),
        programme=programme, figure=figure)


@bp.route("/programmes/<int:programme_id>/adoption/figures/<int:adoption_figure_id>/delete",
          methods=["GET", "POST"])
@login_required
def delete_figure(programme_id: int, adoption_figure_id: int):
    programme, figure = load_in_programme(AdoptionFigure, programme_id, adoption_figure_id,
                                          Permission.ADOPTION_MANAGE)
    back = url_for("adoption.show_adoption", programme_id=programme.id)
    what = _("the adoption of %(region)s for the week of %(week)s", region=figure.region.name,
             week=figure.week.isoformat())
    return confirm_delete(what=what, delete=lambda: services.delete_figure(figure),
                          done_message=_("Adoption figure deleted."), done_url=back, cancel_url=back)


@bp.route("/programmes/<int:programme_id>/adoption/import", methods=["GET", "POST"])
@login_required
def import_figures(programme_id: int):
    """Step 1: upload a CSV; it is checked and previewed, nothing is written."""
    programme = load_programme(programme_id, Permission.ADOPTION_MANAGE)
    form = AdoptionUploadForm()
    context = {"programme": programme, "columns": csv_io.COLUMNS}
    if not form.validate_on_submit():
        return render_form("adoption/import.html", form, **context)
    try:
        text = decode_upload(form.file.data.read())
    except DomainError as error:
        return render_refused("adoption/import.html", form, error, **context)
    plan = csv_io.plan_import(programme, text)
    confirm = AdoptionImportConfirmForm(csv_text=text)
    status = 422 if plan.problems else 200
    return render_template("adoption/import_preview.html", plan=plan, confirm=confirm, **context), status


@bp.route("/programmes/<int:programme_id>/adoption/import/confirm", methods=["POST"])
@login_required
def confirm_import_figures(programme_id: int):
    """Step 2: import the previewed file, checked again, all or nothing."""
    programme = load_programme(programme_id, Permission.ADOPTION_MANAGE)
    form = AdoptionImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("The import could not be confirmed. Upload the file again."), "error")
        return render_template("adoption/import.html", form=AdoptionUploadForm(), programme=programme,
                               columns=csv_io.COLUMNS), 422
    try:
        plan = csv_io.apply_import(programme, form.csv_text.data, recorded_by_id=current_user.id)
    except DomainError as error:
        plan = csv_io.plan_import(programme, form.csv_text.data)
        flash(error.message, "error")
        return render_template("adoption/import_preview.html", plan=plan, confirm=form, programme=programme,
                               columns=csv_io.COLUMNS), 422
    flash(_("Imported: %(new)d new, %(updated)d updated, %(same)d unchanged.", new=plan.new_count,
            updated=plan.update_count, same=plan.unchanged_count), "success")
    return redirect(url_for("adoption.show_adoption", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/adoption/export.csv")
@login_required
def export_figures(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    filename = f"adoption-programme-{programme.id}.csv"
    return Response(csv_io.export_csv(programme), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


@bp.route("/programmes/<int:programme_id>/adoption/chart.<fmt>")
@login_required
def adoption_chart(programme_id: int, fmt: str):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    if fmt not in CHART_TYPES:
        abort(404)
    weeks = figures.recent_weeks(clock.today(), figures.CHART_WEEKS)
    lines = [AdoptionLine(region.name, [(week, figure.percent) for week, figure in sorted(region.by_week.items())],
                          region.go_live)
             for region in figures.adoption_by_region(programme, weeks)]
    body = render_adoption_chart(lines, gate_pct=programme.gate_min_adoption_pct, fmt=fmt, title=programme.name)
    response = Response(body, mimetype=CHART_TYPES[fmt])
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


# --- super-users ---------------------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/super-users")
@login_required
def show_super_users(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    return render_template("adoption/super_users.html", programme=programme,
                           regions=super_users.super_users_by_region(programme.id),
                           shows_people=can(Permission.PEOPLE_VIEW, programme),
                           can_manage=can(Permission.ADOPTION_MANAGE, programme))


@bp.route("/programmes/<int:programme_id>/super-users/regions/<int:region_id>/nominate", methods=["GET", "POST"])
@login_required
def nominate_super_user(programme_id: int, region_id: int):
    programme, region = load_in_programme(Region, programme_id, region_id, Permission.ADOPTION_MANAGE)
    people = db.session.scalars(super_users.candidates(programme.id, region.id)).all()
    form = NominateSuperUserForm()
    form.person_id.choices = as_choices(
        [("", _("Choose a person"))]
        + [(person.id, f"{person.full_name} ({person.department.name})" if person.department else person.full_name)
           for person in people])

    def nominate():
        person = db.session.get(Person, form.person_id.data)
        if person is None:
            raise DomainError(_("Choose a person of this region."), field="person_id")
        services.set_super_user(programme, person, True, region_id=region.id)
        return person

    return save_form(
        "adoption/nominate.html", form, nominate,
        done=lambda person: (_("%(name)s is now a super-user of %(region)s.", name=person.full_name,
                               region=region.name),
                             url_for("adoption.show_super_users", programme_id=programme.id)),
        programme=programme, region=region, candidates=people)


@bp.route("/programmes/<int:programme_id>/super-users/<int:super_user_id>/remove", methods=["POST"])
@login_required
def remove_super_user(programme_id: int, super_user_id: int):
    programme, person = load_in_programme(Person, programme_id, super_user_id, Permission.ADOPTION_MANAGE)
    services.set_super_user(programme, person, False)
    flash(_("%(name)s is no longer a super-user.", name=person.full_name), "success")
    return redirect(url_for("adoption.show_super_users", programme_id=programme.id))
