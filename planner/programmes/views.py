from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from planner.auth.models import User
from planner.core.errors import DomainError
from planner.core.forms import as_choices
from planner.core.models import AuditEvent
from planner.core.pages import page_number, per_page, render_form, render_refused
from planner.core.permissions import Permission, can, login_required, require
from planner.extensions import db
from planner.people.models import Person
from planner.programmes import bp, queries, services
from planner.programmes.forms import DepartmentForm, MembershipForm, ProgrammeForm, RegionForm, ROLE_LABELS
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.models import Department, Membership, Region


@bp.route("/")
@login_required
def list_programmes():
    programmes = db.paginate(queries.visible_programmes(current_user), page=page_number(), per_page=per_page(),
                             error_out=False)
    return render_template("programmes/list.html", programmes=programmes,
                           can_create=can(Permission.PROGRAMME_CREATE))


def _sponsor_choices(programme):
    people = []
    if programme is not None:
        people = db.session.execute(select(Person.id, Person.full_name).where(
            Person.programme_id == programme.id).order_by(Person.full_name)).all()
    return as_choices([("", _("Not chosen yet"))] + people)


def _programme_values(form) -> dict:
    return {"name": form.name.data, "system_name": form.system_name.data, "start_date": form.start_date.data,
            "home_time_zone": form.home_time_zone.data, "description": form.description.data}


@bp.route("/programmes/new", methods=["GET", "POST"])
@login_required
def create_programme():
    require(Permission.PROGRAMME_CREATE)
    form = ProgrammeForm()
    form.sponsor_id.choices = _sponsor_choices(None)
    if not form.validate_on_submit():
        return render_form("programmes/programme_form.html", form, programme=None)
    try:
        programme = services.create_programme(**_programme_values(form))
    except DomainError as error:
        return render_refused("programmes/programme_form.html", form, error, programme=None)
    flash(_("Programme %(name)s created. Add its regions and departments next.", name=programme.name), "success")
    return redirect(url_for("programmes.show_programme", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>")
@login_required
def show_programme(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    regions = db.session.scalars(queries.regions_of(programme.id)).all()
    return render_template("programmes/show.html", programme=programme, regions=regions,
                           people_by_region=queries.people_counts(Person.region_id, [r.id for r in regions]),
                           counts=queries.programme_counts(programme.id),
                           can_edit=can(Permission.PROGRAMME_EDIT, programme),
                           can_delete=can(Permission.PROGRAMME_DELETE, programme),
                           can_see_people=can(Permission.PEOPLE_VIEW, programme),
                           can_manage_members=can(Permission.MEMBERS_MANAGE, programme),
                           can_see_audit=can(Permission.AUDIT_VIEW, programme))


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@login_required
def edit_programme(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_EDIT)
    form = ProgrammeForm(obj=programme)
    form.sponsor_id.choices = _sponsor_choices(programme)
    if not form.validate_on_submit():
        return render_form("programmes/programme_form.html", form, programme=programme)
    try:
        services.update_programme(programme, expected_version=form.expected_version(),
                                  sponsor_id=form.sponsor_id.data, **_programme_values(form))
    except DomainError as error:
        return render_refused("programmes/programme_form.html", form, error, programme=programme)
    flash(_("Programme saved."), "success")
    return redirect(url_for("programmes.show_programme", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/delete", methods=["GET", "POST"])
@login_required
def delete_programme(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_DELETE)
    if request.method == "GET":
        return render_template("confirm_delete.html", what=programme.name,
                               warning=_("Every region, department, person and role in it is deleted too."),
                               cancel_url=url_for("programmes.show_programme", programme_id=programme.id))
    services.delete_programme(programme)
    flash(_("Programme %(name)s deleted.", name=programme.name), "success")
    return redirect(url_for("programmes.list_programmes"))


# --- regions ---------------------------------------------------------------------------------

def _region_values(form) -> dict:
    return {"name": form.name.data, "tier": form.tier.data, "time_zone": form.time_zone.data,
            "headcount": form.headcount.data, "site_notes": form.site_notes.data}


@bp.route("/programmes/<int:programme_id>/regions")
@login_required
def list_regions(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    regions = db.paginate(queries.regions_of(programme.id), page=page_number(), per_page=per_page(),
                          error_out=False)
    return render_template("programmes/regions.html", programme=programme, regions=regions,
                           people_by_region=queries.people_counts(Person.region_id, [r.id for r in regions.items]),
                           can_edit=can(Permission.STRUCTURE_EDIT, programme))


@bp.route("/programmes/<int:programme_id>/regions/new", methods=["GET", "POST"])
@login_required
def create_region(programme_id: int):
    programme = load_programme(programme_id, Permission.STRUCTURE_EDIT)
    form = RegionForm(time_zone=programme.home_time_zone)
    if not form.validate_on_submit():
        return render_form("programmes/region_form.html", form, programme=programme, region=None)
    try:
        region = services.create_region(programme, **_region_values(form))
    except DomainError as error:
        return render_refused("programmes/region_form.html", form, error, programme=programme, region=None)
    flash(_("Region %(name)s added.", name=region.name), "success")
    return redirect(url_for("programmes.list_regions", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/regions/<int:region_id>/edit", methods=["GET", "POST"])
@login_required
def edit_region(programme_id: int, region_id: int):
    programme, region = load_in_programme(Region, programme_id, region_id, Permission.STRUCTURE_EDIT)
    form = RegionForm(obj=region)
    if not form.validate_on_submit():
        return render_form("programmes/region_form.html", form, programme=programme, region=region)
    try:
        services.update_region(region, expected_version=form.expected_version(), **_region_values(form))
    except DomainError as error:
        return render_refused("programmes/region_form.html", form, error, programme=programme, region=region)
    flash(_("Region %(name)s saved.", name=region.name), "success")
    return redirect(url_for("programmes.list_regions", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/regions/<int:region_id>/delete", methods=["GET", "POST"])
@login_required
def delete_region(programme_id: int, region_id: int):
    programme, region = load_in_programme(Region, programme_id, region_id, Permission.STRUCTURE_EDIT)
    if request.method == "GET":
        return render_template("confirm_delete.html", what=region.name,
                               warning=_("Its people stay in the programme, without a region."),
                               cancel_url=url_for("programmes.list_regions", programme_id=programme.id))
    services.delete_region(region)
    flash(_("Region %(name)s deleted.", name=region.name), "success")
    return redirect(url_for("programmes.list_regions", programme_id=programme.id))


# --- departments -----------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/departments")
@login_required
def list_departments(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    departments = db.paginate(queries.departments_of(programme.id), page=page_number(), per_page=per_page(),
                              error_out=False)
    return render_template("programmes/departments.html", programme=programme, departments=departments,
                           people_by_department=queries.people_counts(
                               Person.department_id, [d.id for d in departments.items]),
                           can_edit=can(Permission.STRUCTURE_EDIT, programme))


@bp.route("/programmes/<int:programme_id>/departments/new", methods=["GET", "POST"])
@login_required
def create_department(programme_id: int):
    programme = load_programme(programme_id, Permission.STRUCTURE_EDIT)
    form = DepartmentForm()
    if not form.validate_on_submit():
        return render_form("programmes/department_form.html", form, programme=programme, department=None)
    try:
        department = services.create_department(programme, name=form.name.data, is_it=form.is_it.data)
    except DomainError as error:
        return render_refused("programmes/department_form.html", form, error, programme=programme,
                              department=None)
    flash(_("Department %(name)s added.", name=department.name), "success")
    return redirect(url_for("programmes.list_departments", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/departments/<int:department_id>/edit", methods=["GET", "POST"])
@login_required
def edit_department(programme_id: int, department_id: int):
    programme, department = load_in_programme(Department, programme_id, department_id,
                                              Permission.STRUCTURE_EDIT)
    form = DepartmentForm(obj=department)
    if not form.validate_on_submit():
        return render_form("programmes/department_form.html", form, programme=programme, department=department)
    try:
        services.update_department(department, expected_version=form.expected_version(), name=form.name.data,
                                   is_it=form.is_it.data)
    except DomainError as error:
        return render_refused("programmes/department_form.html", form, error, programme=programme,
                              department=department)
    flash(_("Department %(name)s saved.", name=department.name), "success")
    return redirect(url_for("programmes.list_departments", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/departments/<int:department_id>/delete", methods=["GET", "POST"])
@login_required
def delete_department(programme_id: int, department_id: int):
    programme, department = load_in_programme(Department, programme_id, department_id,
                                              Permission.STRUCTURE_EDIT)
    if request.method == "GET":
        return render_template("confirm_delete.html", what=department.name,
                               warning=_("Its people stay in the programme, without a department."),
                               cancel_url=url_for("programmes.list_departments", programme_id=programme.id))
    services.delete_department(department)
    flash(_("Department %(name)s deleted.", name=department.name), "success")
    return redirect(url_for("programmes.list_departments", programme_id=programme.id))


# --- memberships -----------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/members", methods=["GET", "POST"])
@login_required
def list_members(programme_id: int):
    programme = load_programme(programme_id, Permission.MEMBERS_MANAGE)
    form = MembershipForm()
    form.user_id.choices = as_choices(db.session.execute(
        select(User.id, User.email).where(User.is_active.is_(True)).order_by(User.email)))
    members = db.paginate(queries.memberships_of(programme.id), page=page_number(), per_page=per_page(),
                          error_out=False)
    if not form.validate_on_submit():
        return render_form("programmes/members.html", form, programme=programme, members=members,
                           role_labels=ROLE_LABELS)
    user = db.session.get(User, form.user_id.data)
    try:
        services.grant_role(programme, user, form.role.data)
    except DomainError as error:
        return render_refused("programmes/members.html", form, error, programme=programme, members=members,
                              role_labels=ROLE_LABELS)
    flash(_("%(email)s is now %(role)s.", email=user.email, role=ROLE_LABELS[form.role.data]), "success")
    return redirect(url_for("programmes.list_members", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/members/<int:membership_id>/delete", methods=["POST"])
@login_required
def delete_member(programme_id: int, membership_id: int):
    programme, membership = load_in_programme(Membership, programme_id, membership_id,
                                              Permission.MEMBERS_MANAGE)
    try:
        services.revoke_role(membership, acting_user=current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Role removed."), "success")
    return redirect(url_for("programmes.list_members", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/audit")
@login_required
def audit_log(programme_id: int):
    programme = load_programme(programme_id, Permission.AUDIT_VIEW)
    events = db.paginate(select(AuditEvent).where(AuditEvent.programme_id == programme.id)
                         .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()),
                         page=page_number(), per_page=per_page(), error_out=False)
    return render_template("programmes/audit.html", programme=programme, events=events)

