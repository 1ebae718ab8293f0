from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from planner.core.errors import DomainError
from planner.core.forms import as_choices
from planner.core.csv_import import decode_upload
from planner.core.pages import (
    confirm_delete, id_arg, page_number, per_page, render_form, render_refused, save_form,
)
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.people import bp, csv_io, queries, services
from planner.people.forms import PeopleImportConfirmForm, PeopleUploadForm, PersonForm
from planner.people.models import Person
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.models import Department, Region


def _choices(programme_id: int, model, empty_label: str):
    rows = db.session.execute(select(model.id, model.name).where(model.programme_id == programme_id)
                              .order_by(model.name)).all()
    return [("", empty_label)] + [(str(oid), name) for oid, name in rows]


def _person_form(programme_id: int, person: Person | None = None) -> PersonForm:
    form = PersonForm(obj=person)
    form.region_id.choices = as_choices(_choices(programme_id, Region, _("No region")))
    form.department_id.choices = as_choices(_choices(programme_id, Department, _("No department")))
    return form


def _person_values(form: PersonForm) -> dict:
    return {"full_name": form.full_name.data, "email": form.email.data, "department_id": form.department_id.data,
            "job_role": form.job_role.data, "region_id": form.region_id.data,
            "is_super_user": form.is_super_user.data}


@bp.route("/programmes/<int:programme_id>/people")
@login_required
def list_people(programme_id: int):
    programme = load_programme(programme_id, Permission.PEOPLE_VIEW)
    search = request.args.get("q", "").strip()
    region_id = id_arg("region")
    department_id = id_arg("department")
    people = db.paginate(queries.people_in(programme.id, search=search, region_id=region_id,
                                           department_id=department_id),
                         page=page_number(), per_page=per_page(), error_out=False)
    return render_template("people/list.html", programme=programme, people=people, search=search,
                           region_id=region_id, department_id=department_id,
                           regions=_choices(programme.id, Region, _("All regions")),
                           departments=_choices(programme.id, Department, _("All departments")),
                           can_edit=can(Permission.PEOPLE_EDIT, programme),
                           can_export=can(Permission.PEOPLE_EXPORT, programme))


@bp.route("/programmes/<int:programme_id>/people/new", methods=["GET", "POST"])
@login_required
def create_person(programme_id: int):
    programme = load_programme(programme_id, Permission.PEOPLE_EDIT)
    form = _person_form(programme.id)
    return save_form(
        "people/person_form.html", form, lambda: services.create_person(programme, **_person_values(form)),
        done=lambda person: (_("%(name)s added.", name=person.full_name),
                             url_for("people.list_people", programme_id=programme.id)),
        programme=programme, person=None)


@bp.route("/programmes/<int:programme_id>/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def edit_person(programme_id: int, person_id: int):
    programme, person = load_in_programme(Person, programme_id, person_id, Permission.PEOPLE_EDIT)
    form = _person_form(programme.id, person)
    return save_form(
        "people/person_form.html", form,
        lambda: services.update_person(person, expected_version=form.expected_version(), **_person_values(form)),
        done=lambda _changes: (_("%(name)s saved.", name=person.full_name),
                               url_for("people.list_people", programme_id=programme.id)),
        programme=programme, person=person)


@bp.route("/programmes/<int:programme_id>/people/<int:person_id>/delete", methods=["GET", "POST"])
@login_required
def delete_person(programme_id: int, person_id: int):
    programme, person = load_in_programme(Person, programme_id, person_id, Permission.PEOPLE_EDIT)
    back = url_for("people.list_people", programme_id=programme.id)
    return confirm_delete(what=person.full_name, delete=lambda: services.delete_person(person),
                          done_message=_("%(name)s removed.", name=person.full_name), done_url=back,
                          cancel_url=back)


@bp.route("/programmes/<int:programme_id>/people/import", methods=["GET", "POST"])
@login_required
def import_people(programme_id: int):
    """Step 1: upload a CSV; it is checked and previewed, nothing is written."""
    programme = load_programme(programme_id, Permission.PEOPLE_EDIT)
    form = PeopleUploadForm()
    context = {"programme": programme, "columns": csv_io.COLUMNS}
    if not form.validate_on_submit():
        return render_form("people/import.html", form, **context)
    try:
        text = decode_upload(form.file.data.read())
    except DomainError as error:
        return render_refused("people/import.html", form, error, **context)
    plan = csv_io.plan_import(programme, text)
    confirm = PeopleImportConfirmForm(csv_text=text)
    status = 422 if plan.problems else 200  # a file with nothing to change is valid, not refused
    return render_template("people/import_preview.html", plan=plan, confirm=confirm, upload=form,
                           **context), status


@bp.route("/programmes/<int:programme_id>/people/import/confirm", methods=["POST"])
@login_required
def confirm_import_people(programme_id: int):
    """Step 2: import the previewed file, checked again, all or nothing."""
    programme = load_programme(programme_id, Permission.PEOPLE_EDIT)
    form = PeopleImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("The import could not be confirmed. Upload the file again."), "error")
        return redirect(url_for("people.import_people", programme_id=programme.id))
    try:
        plan = csv_io.apply_import(programme, form.csv_text.data)
    except DomainError as error:
        plan = csv_io.plan_import(programme, form.csv_text.data)
        flash(error.message, "error")
        return render_template("people/import_preview.html", plan=plan, confirm=form, upload=PeopleUploadForm(),
                               programme=programme, columns=csv_io.COLUMNS), 422
    flash(_("Imported: %(new)d new, %(updated)d updated, %(same)d unchanged.", new=plan.new_count,
            updated=plan.update_count, same=plan.unchanged_count), "success")
    return redirect(url_for("people.list_people", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/people/export.csv")
@login_required
def export_people(programme_id: int):
    programme = load_programme(programme_id, Permission.PEOPLE_EXPORT)
    filename = f"people-programme-{programme.id}.csv"
    return Response(csv_io.export_csv(programme), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
