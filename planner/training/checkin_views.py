"""Self check-in pages: the trainer's code and QR code, and the public page where trainees check in."""
import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import InputRequired, Length

from planner.core import clock
from planner.core.errors import DomainError
from planner.core.forms import show_domain_error
from planner.core.permissions import Permission, can, login_required, public
from planner.core.transaction import keep_changes
from planner.extensions import db
from planner.programmes.loading import load_in_programme
from planner.training import bp, checkin
from planner.training.models import TrainingSession


class CheckinForm(FlaskForm):
    code = StringField(_l("Code shown by your trainer"), validators=[InputRequired(), Length(max=20)])
    email = EmailField(_l("Your email"), validators=[InputRequired(), Length(max=320)])


def _load_for_trainer(programme_id: int, session_id: int):
    """Project managers and admins, or the trainer giving the session."""
    programme, session = load_in_programme(TrainingSession, programme_id, session_id, Permission.ATTENDANCE_MARK)
    if not (can(Permission.TRAINING_MANAGE, programme) or session.trainer_id == current_user.id):
        abort(403)
    return programme, session


def _qr_svg(url: str) -> str:
    """The check-in address as an inline SVG QR code (no script, no style attribute: fits the CSP)."""
    return segno.make(url, error="m").svg_inline(scale=6, title=_("Check-in page"), svgclass="qr-code")


def _is_open(session: TrainingSession) -> bool:
    try:
        checkin.check_checkin_open(session)
    except DomainError:
        return False
    return True


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/check-in-code")
@login_required
def show_checkin_code(programme_id: int, session_id: int):
    programme, session = _load_for_trainer(programme_id, session_id)
    url = url_for("training.checkin", session_id=session.id, _external=True)
    opens, closes = checkin.checkin_window(session)
    code = checkin.checkin_code(session)
    return render_template("training/checkin_code.html", programme=programme, session=session,
                           code=code, url=url, qr_svg=_qr_svg(url) if code else None,
                           is_open=_is_open(session), opens=opens.astimezone(session.zone),
                           closes=closes.astimezone(session.zone))


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/check-in-code/open", methods=["POST"])
@login_required
def open_checkin(programme_id: int, session_id: int):
    programme, session = _load_for_trainer(programme_id, session_id)
    try:
        had_code = session.checkin_salt is not None
        checkin.open_checkin(session)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("New code ready. The old code no longer works.") if had_code else _("Check-in code ready."),
              "success")
    return redirect(url_for("training.show_checkin_code", programme_id=programme.id, session_id=session.id))


@bp.route("/check-in/<int:session_id>", methods=["GET", "POST"], endpoint="checkin")
@public
def checkin_page(session_id: int):
    """Trainees may have no account: the code and an email of someone enrolled are the proof."""
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        abort(404)
    form = CheckinForm()
    context = {"session": session, "is_open": _is_open(session)}
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("training/checkin.html", form=form, mark=None, **context), status
    try:
        mark = checkin.check_in(session, code=form.code.data, email=form.email.data,
                                client_ip=request.remote_addr or "unknown", now=clock.now())
    except DomainError as error:
        keep_changes()  # a failed attempt is counted even though the check-in is refused
        show_domain_error(form, error)
        return render_template("training/checkin.html", form=form, mark=None, **context), error.status_code
    return render_template("training/checkin.html", form=None, mark=mark, **context)
