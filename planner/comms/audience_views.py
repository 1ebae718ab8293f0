"""Audience pages: the list with member counts, the rule form, and the members (names need PEOPLE_VIEW)."""
from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from planner.comms import audiences, bp
from planner.comms.forms import AudienceForm
from planner.comms.models import Audience
from planner.core.forms import as_choices
from planner.core.pages import confirm_delete, page_number, per_page, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.models import Department, Region


@bp.route("/programmes/<int:programme_id>/audiences")
@login_required
def list_audiences(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    page = db.paginate(audiences.audiences_of(programme.id), page=page_number(), per_page=per_page(),
                       error_out=False)
    rules = audiences.rules_of(page.items)
    regions, departments = _names(Region, programme.id), _names(Department, programme.id)
    return render_template("comms/audiences.html", programme=programme, audiences=page,
                           counts=audiences.member_counts(programme.id, page.items),
                           summaries={audience.id: describe_rule(rules[audience.id], audience, regions, departments)
                                      for audience in page.items},
                           can_manage=can(Permission.COMMS_MANAGE, programme))


def describe_rule(rule: dict, audience: Audience, regions: dict, departments: dict) -> str:
    """The rule in words, without names of people: "Regions: Berlin; Job roles: Sales rep; plus 2 people"."""
    if rule["is_everyone"]:
        return _("Everyone in the programme")
    parts = []
    if rule["regions"]:
        parts.append(_("Regions: %(names)s", names=", ".join(sorted(regions[key] for key in rule["regions"]))))
    if rule["departments"]:
        parts.append(_("Departments: %(names)s",
                       names=", ".join(sorted(departments[key] for key in rule["departments"]))))
    if audience.job_role_list:
        parts.append(_("Job roles: %(names)s", names=", ".join(audience.job_role_list)))
    if rule["people"]:
        parts.append(ngettext("plus %(num)d person by name", "plus %(num)d people by name", len(rule["people"])))
    return "; ".join(parts)


def _names(model, programme_id: int) -> dict[int, str]:
    return dict(db.session.execute(select(model.id, model.name).where(model.programme_id == programme_id)).all())


def _choices(form: AudienceForm, programme_id: int) -> None:
    form.region_ids.choices = as_choices(sorted(_names(Region, programme_id).items(), key=lambda pair: pair[1]))
    form.department_ids.choices = as_choices(sorted(_names(Department, programme_id).items(),
                                                    key=lambda pair: pair[1]))
    form.person_ids.choices = as_choices(db.session.execute(
        select(Person.id, Person.full_name).where(Person.programme_id == programme_id)
        .order_by(Person.full_name, Person.id)).all())


def _save(form: AudienceForm, save):
    return save(name=form.name.data, description=form.description.data, is_everyone=form.is_everyone.data,
                region_ids=form.region_ids.data, department_ids=form.department_ids.data,
                job_roles=form.job_roles.data, person_ids=form.person_ids.data)


@bp.route("/programmes/<int:programme_id>/audiences/new", methods=["GET", "POST"])
@login_required
def new_audience(programme_id: int):
    programme = load_programme(programme_id, Permission.COMMS_MANAGE)
    form = AudienceForm()
    _choices(form, programme.id)
    return save_form(
        "comms/audience_form.html", form,
        lambda: _save(form, lambda **values: audiences.create_audience(programme, **values)),
        done=lambda audience: (_("Audience added: %(name)s", name=audience.name),
                               url_for("comms.show_audience", programme_id=programme.id, audience_id=audience.id)),
        programme=programme, audience=None)


@bp.route("/programmes/<int:programme_id>/audiences/<int:audience_id>/edit", methods=["GET", "POST"])
@login_required
def edit_audience(programme_id: int, audience_id: int):
    programme, audience = load_in_programme(Audience, programme_id, audience_id, Permission.COMMS_MANAGE)
    form = AudienceForm(obj=audience, region_ids=[region.id for region in audience.regions],
                        department_ids=[department.id for department in audience.departments],
                        person_ids=[person.id for person in audience.people])
    _choices(form, programme.id)
    return save_form(
        "comms/audience_form.html", form,
        lambda: _save(form, lambda **values: audiences.update_audience(
            audience, expected_version=form.expected_version(), **values)),
        done=lambda _result: (_("Audience saved: %(name)s", name=audience.name),
                              url_for("comms.show_audience", programme_id=programme.id, audience_id=audience.id)),
        programme=programme, audience=audience)


@bp.route("/programmes/<int:programme_id>/audiences/<int:audience_id>/delete", methods=["GET", "POST"])
@login_required
def delete_audience(programme_id: int, audience_id: int):
    programme, audience = load_in_programme(Audience, programme_id, audience_id, Permission.COMMS_MANAGE)
    name = audience.name
    return confirm_delete(
        what=_("the audience %(name)s", name=name), delete=lambda: audiences.delete_audience(audience),
        warning=_("What was already sent to it stays in the log."),
        done_message=_("Audience deleted: %(name)s", name=name),
        done_url=url_for("comms.list_audiences", programme_id=programme.id),
        cancel_url=url_for("comms.show_audience", programme_id=programme.id, audience_id=audience.id))


@bp.route("/programmes/<int:programme_id>/audiences/<int:audience_id>")
@login_required
def show_audience(programme_id: int, audience_id: int):
    programme, audience = load_in_programme(Audience, programme_id, audience_id, Permission.PROGRAMME_VIEW)
    can_see_people = can(Permission.PEOPLE_VIEW, programme)
    members = (db.paginate(audiences.members_query(audience), page=page_number(), per_page=per_page(),
                           error_out=False) if can_see_people else None)
    return render_template("comms/audience.html", programme=programme, audience=audience, members=members,
                           member_count=audiences.member_count(audience), can_see_people=can_see_people,
                           can_manage=can(Permission.COMMS_MANAGE, programme))
