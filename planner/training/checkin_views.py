"""Self check-in pages: the trainer's code and QR code, and the public pages where trainees check in: the link in the
QR code (its token is the proof, so only the email is asked) and the short address where the code is typed."""
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


class LinkCheckinForm(FlaskForm):
    """Through the link in the QR code: the link stands for the code."""

    email = EmailField(_l("Your email"), validators=[InputRequired(), Length(max=320)])


class CheckinForm(LinkCheckinForm):
    """At the short address: the code is typed as well."""

    code = StringField(_l("Code shown by your trainer"), validators=[InputRequired(), Length(max=20)])


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
    short_url = url_for("training.checkin", session_id=session.id, _external=True)
    token = checkin.checkin_link_token(session)
    link_url = url_for("training.checkin_link", session_id=session.id, token=token, _external=True) if token else None
    opens, closes = checkin.checkin_window(session)
    return render_template("training/checkin_code.html", programme=programme, session=session,
                           code=checkin.checkin_code(session), short_url=short_url, link_url=link_url,
                           qr_svg=_qr_svg(link_url) if link_url else None, is_open=_is_open(session),
                           opens=opens.astimezone(session.zone), closes=closes.astimezone(session.zone))


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
        flash(_("New code and link ready. The old ones no longer work.") if had_code
              else _("Check-in code and link ready."), "success")
    return redirect(url_for("training.show_checkin_code", programme_id=programme.id, session_id=session.id))


@bp.route("/check-in/<int:session_id>", methods=["GET", "POST"], endpoint="checkin")
@public
def checkin_page(session_id: int):
    """Trainees may have no account: the code and an email of someone enrolled are the proof."""
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        abort(404)
    return _check_in(session, CheckinForm())


@bp.route("/check-in/<int:session_id>/<token>", methods=["GET", "POST"], endpoint="checkin_link")
@public
def checkin_link_page(session_id: int, token: str):
    """The link in the QR code: its token and an email of someone enrolled are the proof. An unknown session, one
    without check-in opened and a wrong or replaced token get the same 404."""
    session = db.session.get(TrainingSession, session_id)
    if session is None or not checkin.holds_link(session, token):
        abort(404)
    return _check_in(session, LinkCheckinForm(), link_token=token)


def _check_in(session: TrainingSession, form: LinkCheckinForm, link_token: str | None = None):
    """The check-in form, and checking in once it is posted: with the typed code, or with ``link_token``."""
    context = {"session": session, "is_open": _is_open(session)}
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("training/checkin.html", form=form, mark=None, **context), status
    proof = {"link_token": link_token} if link_token is not None else {"code": form.code.data}
    try:
        mark = checkin.check_in(session, email=form.email.data, client_ip=request.remote_addr or "unknown",
                                now=clock.now(), **proof)
    except DomainError as error:
        keep_changes()  # a failed attempt is counted even though the check-in is refused
        show_domain_error(form, error)
        return render_template("training/checkin.html", form=form, mark=None, **context), error.status_code
    return render_template("training/checkin.html", form=None, mark=mark, **context)
