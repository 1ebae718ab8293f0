"""The administrators' Outbox page: every queued email with its status, retry and raw download."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defer

from planner.core import outbox
from planner.core.errors import DomainError
from planner.core.models import OutboxMessage, OutboxStatus
from planner.core.pages import page_number, per_page
from planner.core.permissions import Permission, login_required, require
from planner.core.views import bp
from planner.extensions import db

#: the outbox is a global, administrators-only page (a dedicated global permission would read better)
OUTBOX_PERMISSION = Permission.MAIL_MANAGE


def _status_labels() -> dict[OutboxStatus, str]:
    return {OutboxStatus.PENDING: _("Waiting"), OutboxStatus.SENDING: _("Sending"),
            OutboxStatus.SENT: _("Sent"), OutboxStatus.FAILED: _("Failed")}


def _load_message(message_id: int) -> OutboxMessage:
    require(OUTBOX_PERMISSION)
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return message


@bp.route("/admin/outbox")
@login_required
def list_outbox():
    """Newest first, optionally only one status."""
    require(OUTBOX_PERMISSION)
    query = select(OutboxMessage).options(defer(OutboxMessage.content)) \
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    status = request.args.get("status", "")
    if status in {member.value for member in OutboxStatus}:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    else:
        status = ""
    messages = db.paginate(query, page=page_number(), per_page=per_page(), error_out=False)
    return render_template("core/outbox.html", messages=messages, status=status, status_labels=_status_labels())


@bp.route("/admin/outbox/<int:message_id>/retry", methods=["POST"])
@login_required
def retry_outbox_message(message_id: int):
    """A failed message gets a fresh set of attempts; any other is left alone and the reason flashed."""
    message = _load_message(message_id)
    try:
        outbox.retry(message)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("%(message)s will be sent again shortly.", message=message.subject or message.recipient), "success")
    # back to the same filter and page
    return redirect(url_for("core.list_outbox", status=request.args.get("status") or None,
                            page=page_number() if "page" in request.args else None))


@bp.route("/admin/outbox/<int:message_id>.eml")
@login_required
def download_outbox_message(message_id: int):
    """The raw message as queued: exactly what is (or was) sent, but for secret links, which hold placeholders
    (``core.outbox_links``): the administrator's copy opens nobody's RSVP, survey or feedback page."""
    message = _load_message(message_id)
    return Response(message.content, mimetype="message/rfc822",
                    headers={"Content-Disposition": f'attachment; filename="outbox-{message.id}.eml"'})
