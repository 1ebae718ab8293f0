"""Curriculum pages: courses, their requirements and the people who need them, and the requirement map per
region with the people no requirement reaches. Sessions and attendance are in session_views.py."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from planner.core.errors import DomainError
from planner.core.forms import as_choices, show_domain_error
from planner.core.pages import confirm_delete, id_arg, page_number, paginate, per_page, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.queries import regions_by_name
from planner.training import bp, queries, services
from planner.training.forms import FORMAT_LABELS, CourseForm, RequirementForm
from planner.training.models import Course, CourseRequirement

# --- courses --------------------------------------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/courses")
@login_required
def list_courses(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    courses = db.paginate(queries.courses_of(programme.id), page=page_number(), per_page=per_page(),
                          error_out=False)
    return render_template("training/courses.html", programme=programme, courses=courses,
                           figures=queries.course_figures(programme.id, [course.id for course in courses.items]),
                           format_labels=FORMAT_LABELS, can_manage=can(Permission.TRAINING_MANAGE, programme))


def _save_course(form: CourseForm, save):
    return save(title=form.title.data, description=form.description.data,
                duration_minutes=form.duration_minutes.data, format=form.format.data,
                material_links=form.material_links.data)


@bp.route("/programmes/<int:programme_id>/courses/new", methods=["GET", "POST"])
@login_required
def new_course(programme_id: int):
    programme = load_programme(programme_id, Permission.TRAINING_MANAGE)
    form = CourseForm()
    return save_form(
        "training/course_form.html", form,
        lambda: _save_course(form, lambda **values: services.create_course(programme, **values)),
        done=lambda course: (_("Course added: %(title)s", title=course.title),
                             url_for("training.show_course", programme_id=programme.id, course_id=course.id)),
        programme=programme, course=None)


@bp.route("/programmes/<int:programme_id>/courses/<int:course_id>/edit", methods=["GET", "POST"])
@login_required
def edit_course(programme_id: int, course_id: int):
    programme, course = load_in_programme(Course, programme_id, course_id, Permission.TRAINING_MANAGE)
    form = CourseForm(obj=course, format=course.format.value)
    return save_form(
        "training/course_form.html", form,
        lambda: _save_course(form, lambda **values: services.update_course(
            course, expected_version=form.expected_version(), **values)),
        done=lambda _result: (_("Course saved: %(title)s", title=course.title),
                              url_for("training.show_course", programme_id=programme.id, course_id=course.id)),
        programme=programme, course=course)


@bp.route("/programmes/<int:programme_id>/courses/<int:course_id>/delete", methods=["GET", "POST"])
@login_required
def delete_course(programme_id: int, course_id: int):
    programme, course = load_in_programme(Course, programme_id, course_id, Permission.TRAINING_MANAGE)
    title = course.title
    return confirm_delete(
        what=_("the course %(title)s", title=title), delete=lambda: services.delete_course(course),
        warning=_("Its requirements go with it; the people they matched no longer need the course."),
        done_message=_("Course deleted: %(title)s", title=title),
        done_url=url_for("training.list_courses", programme_id=programme.id),
        cancel_url=url_for("training.show_course", programme_id=programme.id, course_id=course.id))


def _render_course(programme, course: Course, *, form: RequirementForm | None = None, status: int = 200):
    """The course page; a refused requirement form comes back with its errors and the given status."""
    can_manage = can(Permission.TRAINING_MANAGE, programme)
    if can_manage and form is None:
        form = RequirementForm(formdata=None)
        form.department_id.choices = _department_choices(programme.id)
    kinds = queries.people_per_role_and_department(programme.id)
    people = paginate(queries.people_needing(course),  # counted per kind of person: no pass over everybody
                      total=queries.people_per_course(programme.id, kinds).get(course.id, 0))
    return render_template(
        "training/course.html", programme=programme, course=course, format_labels=FORMAT_LABELS,
        requirements=db.session.scalars(queries.requirements_of(course.id)).all(), people=people,
        form=form if can_manage else None,
        job_roles=queries.job_roles_among(kinds) if can_manage else [],
        can_manage=can_manage), status


def _department_choices(programme_id: int):
    return as_choices([("", _("Any department"))] + queries.department_choices(programme_id))


@bp.route("/programmes/<int:programme_id>/courses/<int:course_id>")
@login_required
def show_course(programme_id: int, course_id: int):
    programme, course = load_in_programme(Course, programme_id, course_id, Permission.PROGRAMME_VIEW)
    return _render_course(programme, course)


@bp.route("/programmes/<int:programme_id>/courses/<int:course_id>/requirements", methods=["POST"])
@login_required
def add_requirement(programme_id: int, course_id: int):
    programme, course = load_in_programme(Course, programme_id, course_id, Permission.TRAINING_MANAGE)
    form = RequirementForm()
    form.department_id.choices = _department_choices(programme.id)
    if not form.validate():
        return _render_course(programme, course, form=form, status=422)
    try:
        requirement = services.add_requirement(course, job_role=form.job_role.data,
                                               department_id=form.department_id.data)
    except DomainError as error:
        show_domain_error(form, error)
        return _render_course(programme, course, form=form, status=error.status_code)
    flash(_("Requirement added: %(who)s.", who=requirement_in_words(requirement)), "success")
    return redirect(url_for("training.show_course", programme_id=programme.id, course_id=course.id))


@bp.route("/programmes/<int:programme_id>/requirements/<int:requirement_id>/delete", methods=["POST"])
@login_required
def delete_requirement(programme_id: int, requirement_id: int):
    programme, requirement = load_in_programme(CourseRequirement, programme_id, requirement_id,
                                               Permission.TRAINING_MANAGE)
    course_id, words = requirement.course_id, requirement_in_words(requirement)
    services.delete_requirement(requirement)
    flash(_("Requirement removed: %(who)s.", who=words), "success")
    return redirect(url_for("training.show_course", programme_id=programme.id, course_id=course_id))


def requirement_in_words(requirement: CourseRequirement) -> str:
    """Who a requirement reaches: "Sales representative in Sales", "everyone in Service", "everyone"."""
    department = requirement.department.name if requirement.department is not None else None
    if requirement.job_role and department:
        return _("%(role)s in %(department)s", role=requirement.job_role, department=department)
    if requirement.job_role:
        return _("%(role)s in any department", role=requirement.job_role)
    if department:
        return _("everyone in %(department)s", department=department)
    return _("everyone")


# --- the requirement map --------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/training/requirements")
@login_required
def requirements(programme_id: int):
    """The requirement map a page of regions at a time (``?regions_page=``; the people without a region after the
    last), with the whole programme's totals, and the people no requirement reaches (``?page=``), of one region
    when ``?region=`` names one."""
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    region_choices = queries.region_choices(programme.id)
    region_id = id_arg("region")
    if region_id not in {choice_id for choice_id, _name in region_choices}:
        region_id = None
    regions = paginate(regions_by_name(programme.id), total=len(region_choices), arg="regions_page")
    last_page = regions.page == max(regions.pages, 1)  # where the people without a region are shown
    courses_needed = queries.CoursesNeeded(programme.id)  # the requirements, read once for the three counts
    needs = queries.need_counts(programme.id, region_ids=[region.id for region in regions.items]
                                + ([None] if last_page else []), courses_needed=courses_needed)
    totals = queries.need_totals(programme.id, courses_needed=courses_needed)
    unrequired = paginate(queries.people_without_requirement(programme.id, region_id),
                          total=totals.unrequired if region_id is None
                          else queries.need_totals(programme.id, region_id, courses_needed=courses_needed).unrequired)
    return render_template(
        "training/requirements.html", programme=programme, regions=regions, region_choices=region_choices,
        region_id=region_id, courses=db.session.scalars(queries.courses_of(programme.id)).all(),
        counts=needs.per_region_course, unrequired_counts=needs.unrequired, totals=totals, unrequired=unrequired,
        has_no_region_row=last_page and (None in needs.unrequired
                                         or any(region is None for region, _ in needs.per_region_course)))
