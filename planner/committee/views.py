"""Committee pages: the committee's settings and members, action items, and decisions (the record a region's
go-live override points at). Meetings and their occurrences are in meeting_views.py."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from planner.committee import bp, queries, services
from planner.committee.forms import (
    ACTION_STATUS_LABELS,
    ROLE_LABELS,
    ActionForm,
    CommitteeSettingsForm,
    DecisionForm,
    LeavingForm,
    MemberForm,
    MemberRoleForm,
)
from planner.committee.models import ActionItem, CommitteeMember, CommitteeRole
from planner.core import clock
from planner.core.errors import DomainError
from planner.core.forms import show_domain_error
from planner.core.pages import id_arg, page_number, per_page, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.models import Region

# --- the committee and its members ------------------------------------------------------------------


def _role_form(member: CommitteeMember, formdata=None) -> MemberRoleForm:
    """The role select of one member's row; shown filled in, read from the request when posted."""
    if formdata is not None:
        return MemberRoleForm(formdata=formdata, prefix=f"role{member.id}-", meta={"csrf": False})
    return MemberRoleForm(formdata=None, prefix=f"role{member.id}-", meta={"csrf": False}, role=member.role.value,
                          version=member.version)


def _render_committee(programme, *, member_form: MemberForm | None = None, role_form: MemberRoleForm | None = None,
                      role_member_id: int | None = None, error: str | None = None, status: int = 200):
    """The committee page; a refused form (or action) comes back with its errors and the given status."""
    committee = queries.committee_of(programme.id)
    members = db.session.scalars(queries.members_of(committee.id)).all()
    current = [member for member in members if not member.has_left]
    left = sorted((member for member in members if member.has_left), key=lambda m: m.ends_on, reverse=True)
    can_manage = can(Permission.MEETINGS_MANAGE, programme)
    role_forms = {}
    if can_manage:
        member_form = member_form or MemberForm(formdata=None, starts_on=clock.today())
        member_form.person_id.offer(programme.id, empty_label=_("Choose a person"),
                                    exclude_ids={m.person_id for m in current})
        role_forms = {member.id: role_form if member.id == role_member_id else _role_form(member)
                      for member in current}
    return render_template(
        "committee/committee.html", programme=programme, committee=committee, current=current, left=left,
        open_actions=queries.open_actions_by_owner(programme.id, [member.person_id for member in left]),
        member_form=member_form, role_forms=role_forms, error=error, can_manage=can_manage,
        role_labels=ROLE_LABELS, today=clock.today()), status


def _load_member(programme_id: int, member_id: int, permission: Permission):
    programme = load_programme(programme_id, permission)
    member = db.session.get(CommitteeMember, member_id)
    if member is None or member.committee.programme_id != programme.id:
        abort(404)
    return programme, member


def _back_to_committee(programme, message: str):
    flash(message, "success")
    return redirect(url_for("committee.show_committee", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/committee")
@login_required
def show_committee(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    return _render_committee(programme)


@bp.route("/programmes/<int:programme_id>/committee/settings", methods=["GET", "POST"])
@login_required
def edit_committee(programme_id: int):
    programme = load_programme(programme_id, Permission.MEETINGS_MANAGE)
    committee = queries.committee_of(programme.id)
    form = CommitteeSettingsForm(obj=committee)
    return save_form(
        "committee/committee_form.html", form,
        lambda: services.update_committee(
            committee, expected_version=form.expected_version(), name=form.name.data,
            quorum_percent=form.quorum_percent.data, quorum_needs_chair=form.quorum_needs_chair.data,
            agenda_notice_days=form.agenda_notice_days.data),
        done=lambda _result: (_("Committee settings saved."),
                              url_for("committee.show_committee", programme_id=programme.id)),
        programme=programme, committee=committee)


@bp.route("/programmes/<int:programme_id>/committee/members", methods=["POST"])
@login_required
def add_member(programme_id: int):
    programme = load_programme(programme_id, Permission.MEETINGS_MANAGE)
    committee = queries.committee_of(programme.id)
    form = MemberForm()
    form.person_id.offer(programme.id)
    if not form.validate():
        return _render_committee(programme, member_form=form, status=422)
    try:
        member = services.add_member(committee, person_id=form.person_id.data, role=form.role.data,
                                     starts_on=form.starts_on.data)
    except DomainError as error:
        show_domain_error(form, error)
        return _render_committee(programme, member_form=form, status=error.status_code)
    return _back_to_committee(programme, _("%(name)s joins the committee as %(role)s.", name=member.person.full_name,
                                           role=ROLE_LABELS[member.role]))


@bp.route("/programmes/<int:programme_id>/committee/members/<int:member_id>/leave", methods=["GET", "POST"])
@login_required
def record_leaving(programme_id: int, member_id: int):
    programme, member = _load_member(programme_id, member_id, Permission.MEETINGS_MANAGE)
    form = LeavingForm(version=member.version, ends_on=clock.today())
    return save_form(
        "committee/leave_form.html", form,
        lambda: services.record_leaving(member, ends_on=form.ends_on.data, reason=form.reason.data,
                                        expected_version=form.expected_version()),
        done=lambda queued: (
            _("%(name)s leaves the committee on %(day)s. Emails queued: %(count)d.",
              name=member.person.full_name, day=member.ends_on.isoformat(), count=queued),
            url_for("committee.show_committee", programme_id=programme.id)),
        programme=programme, member=member)


@bp.route("/programmes/<int:programme_id>/committee/members/<int:member_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge_leaving(programme_id: int, member_id: int):
    programme, member = _load_member(programme_id, member_id, Permission.MEETINGS_MANAGE)
    try:
        services.acknowledge_leaving(member)
    except DomainError as error:
        return _render_committee(programme, error=error.message, status=error.status_code)
    return _back_to_committee(programme, _("Noted that %(name)s left.", name=member.person.full_name))


@bp.route("/programmes/<int:programme_id>/committee/members/<int:member_id>/role", methods=["POST"])
@login_required
def change_member_role(programme_id: int, member_id: int):
    programme, member = _load_member(programme_id, member_id, Permission.MEETINGS_MANAGE)
    form = _role_form(member, formdata=request.form)
    if not form.validate():
        return _render_committee(programme, role_form=form, role_member_id=member.id, status=422)
    try:
        services.change_member_role(member, role=form.role.data, expected_version=form.expected_version())
    except DomainError as error:
        show_domain_error(form, error)
        return _render_committee(programme, role_form=form, role_member_id=member.id, status=error.status_code)
    return _back_to_committee(programme, _("%(name)s is now %(role)s.", name=member.person.full_name,
                                           role=ROLE_LABELS[CommitteeRole(member.role)]))


# --- action items ----------------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/actions")
@login_required
def list_actions(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    state = request.args.get("state", "open")
    if state not in queries.ACTION_STATES:
        state = "open"
    show_people = can(Permission.PEOPLE_VIEW, programme)
    owner_id = id_arg("owner") if show_people else None
    today = clock.today()
    actions = db.paginate(queries.actions_of(programme.id, state=state, today=today, owner_id=owner_id),
                          page=page_number(), per_page=per_page(), error_out=False)
    owners = queries.people_holding(programme.id, select(ActionItem.owner_id).where(
        ActionItem.programme_id == programme.id)) if show_people else []
    return render_template("committee/actions.html", programme=programme, actions=actions, state=state,
                           owner_id=owner_id, owners=owners,
                           today=today, status_labels=ACTION_STATUS_LABELS, show_people=show_people,
                           can_record=can(Permission.DECISIONS_RECORD, programme))


@bp.route("/programmes/<int:programme_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(programme_id: int, action_id: int):
    programme, action = load_in_programme(ActionItem, programme_id, action_id, Permission.DECISIONS_RECORD)
    form = ActionForm(obj=action)
    form.owner_id.offer(programme.id, empty_label=_("Choose who owns it"))
    return save_form(
        "committee/action_form.html", form,
        lambda: services.update_action(action, expected_version=form.expected_version(), title=form.title.data,
                                       owner_id=form.owner_id.data, due_on=form.due_on.data,
                                       status=form.status.data, notes=form.notes.data),
        done=lambda _result: (_("Action saved: %(title)s", title=action.title),
                              url_for("committee.list_actions", programme_id=programme.id)),
        programme=programme, action=action)


# --- decisions -------------------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/decisions", methods=["GET", "POST"])
@login_required
def list_decisions(programme_id: int):
    programme = load_programme(programme_id, Permission.DECISIONS_RECORD if request.method == "POST"
                               else Permission.PROGRAMME_VIEW)
    decisions = db.paginate(queries.decisions_of(programme.id), page=page_number(), per_page=per_page(),
                            error_out=False)
    overrides: dict[int, list[str]] = {}
    for decision_id, region_name in db.session.execute(
            select(Region.live_override_decision_id, Region.name)
            .where(Region.live_override_decision_id.in_([d.id for d in decisions.items])).order_by(Region.name)):
        overrides.setdefault(decision_id, []).append(region_name)
    form = DecisionForm(decided_on=clock.today())
    return save_form(
        "committee/decisions.html", form,
        lambda: services.record_decision(programme, text=form.text.data, decided_on=form.decided_on.data,
                                         decided_by=form.decided_by.data, recorded_by_id=current_user.id),
        done=lambda decision: (_("Decision of %(day)s recorded.", day=decision.decided_on.isoformat()),
                               url_for("committee.list_decisions", programme_id=programme.id)),
        programme=programme, decisions=decisions, overrides=overrides,
        can_record=can(Permission.DECISIONS_RECORD, programme))
