from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from planner.auth.models import User
from planner.core import audit, clock
from planner.core.errors import DomainError
from planner.core.forms import as_choices
from planner.core.pages import confirm_delete, page_number, per_page, save_form
from planner.core.permissions import Permission, can, login_required, require
from planner.extensions import db
from planner.programmes import bp, queries, services
from planner.programmes.forms import DepartmentForm, MembershipForm, ProgrammeForm, RegionForm, ROLE_LABELS
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.models import Department, Membership, Region
from planner.committee.status import committee_status
from planner.rollout.status import programme_status


@bp.route("/")
@login_required
def list_programmes():
    programmes = db.paginate(queries.visible_programmes(current_user), page=page_number(), per_page=per_page(),
                             error_out=False)
    return render_template("programmes/list.html", programmes=programmes,
                           can_create=can(Permission.PROGRAMME_CREATE))


def _programme_values(form) -> dict:
    return {"name": form.name.data, "system_name": form.system_name.data, "start_date": form.start_date.data,
            "home_time_zone": form.home_time_zone.data, "description": form.description.data}


@bp.route("/programmes/new", methods=["GET", "POST"])
@login_required
def create_programme():
    require(Permission.PROGRAMME_CREATE)
    form = ProgrammeForm()
    form.sponsor_id.offer(None, empty_label=_("Not chosen yet"))
    return save_form(
        "programmes/programme_form.html", form, lambda: services.create_programme(**_programme_values(form)),
        done=lambda programme: (
            _("Programme %(name)s created. Add its regions and departments next.", name=programme.name),
            url_for("programmes.show_programme", programme_id=programme.id)),
        programme=None)


@bp.route("/programmes/<int:programme_id>")
@login_required
def show_programme(programme_id: int):
    # the later areas import the programme area: their status cards are imported here, not at module level
    from planner.adoption.status import adoption_status
    from planner.changes.status import changes_status
    from planner.comms.status import comms_status
    from planner.feedback.status import feedback_status
    from planner.health.engine import run_health_check
    from planner.surveys.status import surveys_status
    from planner.training import queries as training_queries

    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    regions = db.session.scalars(queries.regions_of(programme.id)).all()
    on_day = clock.today()
    return render_template("programmes/show.html", programme=programme, regions=regions,
                           status=programme_status(programme, on_day),
                           committee=committee_status(programme, on_day),
                           comms=comms_status(programme, on_day), feedback=feedback_status(programme, on_day),
                           changes=changes_status(programme, on_day), surveys=surveys_status(programme, on_day),
                           adoption=adoption_status(programme, on_day),
                           health=run_health_check(programme, on_day, tolerate_errors=True),
                           people_by_region=training_queries.people_per(programme.id, "region_id",
                                                                        [r.id for r in regions]),
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
    form.sponsor_id.offer(programme.id, empty_label=_("Not chosen yet"))
    return save_form(
        "programmes/programme_form.html", form,
        lambda: services.update_programme(programme, expected_version=form.expected_version(),
                                          sponsor_id=form.sponsor_id.data, **_programme_values(form)),
        done=lambda _result: (_("Programme saved."),
                              url_for("programmes.show_programme", programme_id=programme.id)),
        programme=programme)


@bp.route("/programmes/<int:programme_id>/delete", methods=["GET", "POST"])
@login_required
def delete_programme(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_DELETE)
    return confirm_delete(
        what=programme.name, delete=lambda: services.delete_programme(programme),
        warning=_("Every region, department, person and role in it is deleted too."),
        done_message=_("Programme %(name)s deleted.", name=programme.name),
        done_url=url_for("programmes.list_programmes"),
        cancel_url=url_for("programmes.show_programme", programme_id=programme.id))


# --- regions ---------------------------------------------------------------------------------

def _region_values(form) -> dict:
    return {"name": form.name.data, "tier": form.tier.data, "time_zone": form.time_zone.data,
            "headcount": form.headcount.data, "site_notes": form.site_notes.data}


@bp.route("/programmes/<int:programme_id>/regions")
@login_required
def list_regions(programme_id: int):
    from planner.training import queries as training_queries  # a later area: it imports this one

    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    regions = db.paginate(queries.regions_of(programme.id), page=page_number(), per_page=per_page(),
                          error_out=False)
    return render_template("programmes/regions.html", programme=programme, regions=regions,
                           people_by_region=training_queries.people_per(programme.id, "region_id",
                                                                        [r.id for r in regions.items]),
                           can_edit=can(Permission.STRUCTURE_EDIT, programme))


@bp.route("/programmes/<int:programme_id>/regions/new", methods=["GET", "POST"])
@login_required
def create_region(programme_id: int):
    programme = load_programme(programme_id, Permission.STRUCTURE_EDIT)
    form = RegionForm(time_zone=programme.home_time_zone)
    return save_form(
        "programmes/region_form.html", form, lambda: services.create_region(programme, **_region_values(form)),
        done=lambda region: (_("Region %(name)s added.", name=region.name),
                             url_for("programmes.list_regions", programme_id=programme.id)),
        programme=programme, region=None)


@bp.route("/programmes/<int:programme_id>/regions/<int:region_id>/edit", methods=["GET", "POST"])
@login_required
def edit_region(programme_id: int, region_id: int):
    programme, region = load_in_programme(Region, programme_id, region_id, Permission.STRUCTURE_EDIT)
    form = RegionForm(obj=region)
    return save_form(
        "programmes/region_form.html", form,
        lambda: services.update_region(region, expected_version=form.expected_version(), **_region_values(form)),
        done=lambda _result: (_("Region %(name)s saved.", name=region.name),
                              url_for("programmes.list_regions", programme_id=programme.id)),
        programme=programme, region=region)


@bp.route("/programmes/<int:programme_id>/regions/<int:region_id>/delete", methods=["GET", "POST"])
@login_required
def delete_region(programme_id: int, region_id: int):
    programme, region = load_in_programme(Region, programme_id, region_id, Permission.STRUCTURE_EDIT)
    back = url_for("programmes.list_regions", programme_id=programme.id)
    return confirm_delete(what=region.name, delete=lambda: services.delete_region(region),
                          warning=_("Its people stay in the programme, without a region."),
                          done_message=_("Region %(name)s deleted.", name=region.name), done_url=back,
                          cancel_url=back)


# --- departments -----------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/departments")
@login_required
def list_departments(programme_id: int):
    from planner.training import queries as training_queries  # a later area: it imports this one

    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    departments = db.paginate(queries.departments_of(programme.id), page=page_number(), per_page=per_page(),
                              error_out=False)
    return render_template("programmes/departments.html", programme=programme, departments=departments,
                           people_by_department=training_queries.people_per(
                               programme.id, "department_id", [d.id for d in departments.items]),
                           can_edit=can(Permission.STRUCTURE_EDIT, programme))


@bp.route("/programmes/<int:programme_id>/departments/new", methods=["GET", "POST"])
@login_required
def create_department(programme_id: int):
    programme = load_programme(programme_id, Permission.STRUCTURE_EDIT)
    form = DepartmentForm()
    return save_form(
        "programmes/department_form.html", form,
        lambda: services.create_department(programme, name=form.name.data, is_it=form.is_it.data),
        done=lambda department: (_("Department %(name)s added.", name=department.name),
                                 url_for("programmes.list_departments", programme_id=programme.id)),
        programme=programme, department=None)


@bp.route("/programmes/<int:programme_id>/departments/<int:department_id>/edit", methods=["GET", "POST"])
@login_required
def edit_department(programme_id: int, department_id: int):
    programme, department = load_in_programme(Department, programme_id, department_id,
                                              Permission.STRUCTURE_EDIT)
    form = DepartmentForm(obj=department)
    return save_form(
        "programmes/department_form.html", form,
        lambda: services.update_department(department, expected_version=form.expected_version(),
                                           name=form.name.data, is_it=form.is_it.data),
        done=lambda _result: (_("Department %(name)s saved.", name=department.name),
                              url_for("programmes.list_departments", programme_id=programme.id)),
        programme=programme, department=department)


@bp.route("/programmes/<int:programme_id>/departments/<int:department_id>/delete", methods=["GET", "POST"])
@login_required
def delete_department(programme_id: int, department_id: int):
    programme, department = load_in_programme(Department, programme_id, department_id,
                                              Permission.STRUCTURE_EDIT)
    back = url_for("programmes.list_departments", programme_id=programme.id)
    return confirm_delete(what=department.name, delete=lambda: services.delete_department(department),
                          warning=_("Its people stay in the programme, without a department."),
                          done_message=_("Department %(name)s deleted.", name=department.name), done_url=back,
                          cancel_url=back)


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

    def grant():
        user = db.session.get(User, form.user_id.data)
        services.grant_role(programme, user, form.role.data)
        return user

    return save_form(
        "programmes/members.html", form, grant,
        done=lambda user: (_("%(email)s is now %(role)s.", email=user.email, role=ROLE_LABELS[form.role.data]),
                           url_for("programmes.list_members", programme_id=programme.id)),
        programme=programme, members=members, role_labels=ROLE_LABELS)


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
    events = db.paginate(audit.programme_events(programme.id), page=page_number(), per_page=per_page(),
                         error_out=False)
    return render_template("programmes/audit.html", programme=programme, events=events)

