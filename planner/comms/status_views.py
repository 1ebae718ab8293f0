"""Status-update drafts: generate one for an audience from live data, edit it, send it (then it is read-only)."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.comms import bp, queries, services
from planner.comms.audiences import audiences_of
from planner.comms.forms import NewStatusUpdateForm, SendStatusUpdateForm, StatusUpdateForm
from planner.comms.models import StatusUpdate
from planner.comms.views import ngettext_sent
from planner.core.errors import DomainError
from planner.core.forms import as_choices
from planner.core.pages import confirm_delete, page_number, per_page, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.programmes.loading import load_in_programme, load_programme


@bp.route("/programmes/<int:programme_id>/status-updates")
@login_required
def list_status_updates(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    updates = db.paginate(queries.status_updates_of(programme.id), page=page_number(), per_page=per_page(),
                          error_out=False)
    return render_template("comms/status_updates.html", programme=programme, updates=updates,
                           can_manage=can(Permission.COMMS_MANAGE, programme))


@bp.route("/programmes/<int:programme_id>/status-updates/new", methods=["GET", "POST"])
@login_required
def new_status_update(programme_id: int):
    programme = load_programme(programme_id, Permission.COMMS_MANAGE)
    form = NewStatusUpdateForm()
    form.audience_id.choices = as_choices([("", _("Choose an audience"))] + [
        (audience.id, audience.name) for audience in db.session.scalars(audiences_of(programme.id))])
    return save_form(
        "comms/status_update_new.html", form,
        lambda: services.draft_status_update(programme, form.audience_id.data, created_by_id=current_user.id),
        done=lambda update: (_("Draft written from today's figures: read it and change what you like."),
                             url_for("comms.edit_status_update", programme_id=programme.id,
                                     status_update_id=update.id)),
        programme=programme)


@bp.route("/programmes/<int:programme_id>/status-updates/<int:status_update_id>")
@login_required
def show_status_update(programme_id: int, status_update_id: int):
    programme, update = load_in_programme(StatusUpdate, programme_id, status_update_id, Permission.PROGRAMME_VIEW)
    can_manage = can(Permission.COMMS_MANAGE, programme)
    return render_template("comms/status_update.html", programme=programme, update=update, can_manage=can_manage,
                           send_form=SendStatusUpdateForm(formdata=None, obj=update) if can_manage else None)


@bp.route("/programmes/<int:programme_id>/status-updates/<int:status_update_id>/edit", methods=["GET", "POST"])
@login_required
def edit_status_update(programme_id: int, status_update_id: int):
    programme, update = load_in_programme(StatusUpdate, programme_id, status_update_id, Permission.COMMS_MANAGE)
    if update.is_sent:
        flash(_("This status update was sent; it can no longer be changed."), "error")
        return redirect(url_for("comms.show_status_update", programme_id=programme.id, status_update_id=update.id))
    form = StatusUpdateForm(obj=update)
    return save_form(
        "comms/status_update_form.html", form,
        lambda: services.update_status_update(update, expected_version=form.expected_version(),
                                              subject=form.subject.data, body=form.body.data),
        done=lambda _result: (_("Draft saved."),
                              url_for("comms.show_status_update", programme_id=programme.id,
                                      status_update_id=update.id)),
        programme=programme, update=update)


@bp.route("/programmes/<int:programme_id>/status-updates/<int:status_update_id>/send", methods=["POST"])
@login_required
def send_status_update(programme_id: int, status_update_id: int):
    programme, update = load_in_programme(StatusUpdate, programme_id, status_update_id, Permission.COMMS_MANAGE)
    form = SendStatusUpdateForm()
    back = url_for("comms.show_status_update", programme_id=programme.id, status_update_id=update.id)
    if not form.validate() or not form.version.data:
        flash(_("Send it from its page."), "error")
        return render_template("comms/status_update.html", programme=programme, update=update, can_manage=True,
                               send_form=SendStatusUpdateForm(formdata=None, obj=update)), 422
    try:
        log = services.send_status_update(update, expected_version=form.expected_version(),
                                          sent_by_id=current_user.id)
    except DomainError as error:
        flash(error.message, "error")
        return render_template("comms/status_update.html", programme=programme, update=update, can_manage=True,
                               send_form=SendStatusUpdateForm(formdata=None, obj=update)), error.status_code
    flash(ngettext_sent(log), "success")
    return redirect(back)


@bp.route("/programmes/<int:programme_id>/status-updates/<int:status_update_id>/delete", methods=["GET", "POST"])
@login_required
def delete_status_update(programme_id: int, status_update_id: int):
    programme, update = load_in_programme(StatusUpdate, programme_id, status_update_id, Permission.COMMS_MANAGE)
    return confirm_delete(
        what=_("the draft %(subject)s", subject=update.subject), delete=lambda: services.delete_status_update(update),
        done_message=_("Draft deleted."),
        done_url=url_for("comms.list_status_updates", programme_id=programme.id),
        cancel_url=url_for("comms.show_status_update", programme_id=programme.id, status_update_id=update.id))
