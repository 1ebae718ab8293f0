"""Enrolment pages: auto-enrolling a session, moving a person to another session of the course, and cancelling a
session (with the reason the committee pack reports)."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from planner.core.errors import DomainError
from planner.core.forms import VersionedForm, as_choices, optional_id_field
from planner.core.pages import save_form
from planner.core.permissions import Permission, login_required
from planner.extensions import db
from planner.programmes.loading import load_in_programme, load_programme
from planner.training import bp
from planner.training import enrolment as services
from planner.training.models import CancelReason, Enrolment, TrainingSession
from planner.training.session_views import _render_session

CANCEL_REASON_LABELS = {
    CancelReason.BUSINESS_PRIORITY: _l("Business priority (reported to the steering committee)"),
    CancelReason.TRAINER_UNAVAILABLE: _l("The trainer is not available"),
    CancelReason.TOO_FEW_TRAINEES: _l("Too few trainees"),
    CancelReason.OTHER: _l("Another reason (say which in the note)"),
}


class CancelSessionForm(VersionedForm):
    """Why the session is cancelled: the reason is required, the note is free text."""

    reason = SelectField(_l("Reason"), choices=as_choices([("", _l("Choose a reason"))]
                                                          + list(CANCEL_REASON_LABELS.items())),
                         validators=[InputRequired(message=_l("Choose why the session is cancelled."))])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=services.NOTE_LENGTH)])


class MoveForm(FlaskForm):
    to_session_id = optional_id_field(_l("Move to"))


@bp.context_processor
def _enrolment_helpers() -> dict:
    """The session page's enrolment partial loads its waitlist, move choices and flagged people with this."""
    return {"enrolment_panel": services.enrolment_panel, "cancel_reason_labels": CANCEL_REASON_LABELS}


def _back(programme_id: int, session_id: int):
    return redirect(url_for("training.show_session", programme_id=programme_id, session_id=session_id))


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/auto-enrol", methods=["POST"])
@login_required
def auto_enrol(programme_id: int, session_id: int):
    programme, session = load_in_programme(TrainingSession, programme_id, session_id, Permission.TRAINING_MANAGE)
    try:
        enrolled, waitlisted = services.auto_enrol(session)
    except DomainError as error:
        return _render_session(programme, session, error=error.message, status=error.status_code)
    if not enrolled and not waitlisted:
        flash(_("Nobody else in %(region)s needs this course.", region=session.region.name), "info")
    else:
        flash(ngettext("%(num)d person enrolled.", "%(num)d people enrolled.", len(enrolled)) + " "
              + ngettext("%(num)d person on the waitlist.", "%(num)d people on the waitlist.", len(waitlisted)),
              "success")
    return _back(programme.id, session.id)


@bp.route("/programmes/<int:programme_id>/enrolments/<int:enrolment_id>/move", methods=["POST"])
@login_required
def move_enrolment(programme_id: int, enrolment_id: int):
    programme = load_programme(programme_id, Permission.TRAINING_MANAGE)
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.session.programme_id != programme.id:
        abort(404)
    source = enrolment.session
    form = MoveForm()
    form.to_session_id.choices = as_choices([("", "")] + services.move_targets(source))
    try:
        if not form.validate():
            raise DomainError(_("Choose another session of the same course."))
        moved = services.move_person(enrolment, form.to_session_id.data)
    except DomainError as error:
        return _render_session(programme, source, error=error.message, status=error.status_code)
    when = moved.session.local_start.strftime("%a %Y-%m-%d %H:%M")
    if moved.status.value == "enrolled":
        flash(_("%(name)s moved to the session of %(when)s.", name=moved.person.full_name, when=when), "success")
    else:
        flash(_("The session of %(when)s is full: %(name)s is on its waitlist.", name=moved.person.full_name,
                when=when), "success")
    return _back(programme.id, source.id)


def _cancelled_message(outcome: services.CancelOutcome) -> str:
    message = _("Session cancelled.")
    if outcome.moved:
        message += " " + ngettext(
            "%(num)d person is on the waitlist of the session of %(when)s.",
            "%(num)d people are on the waitlist of the session of %(when)s.", len(outcome.moved),
            when=outcome.next_session.local_start.strftime("%a %Y-%m-%d %H:%M"))
    if outcome.flagged:
        message += " " + ngettext("%(num)d person has no other session yet.",
                                  "%(num)d people have no other session yet.", len(outcome.flagged))
    return message


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_session(programme_id: int, session_id: int):
    programme, session = load_in_programme(TrainingSession, programme_id, session_id, Permission.TRAINING_MANAGE)
    form = CancelSessionForm(version=session.version)
    return save_form(
        "training/cancel_session.html", form,
        lambda: services.cancel_session(session, reason=form.reason.data, note=form.note.data,
                                        expected_version=form.expected_version()),
        done=lambda outcome: (_cancelled_message(outcome),
                              url_for("training.show_session", programme_id=programme.id, session_id=session.id)),
        programme=programme, session=session, next_session=services.next_session_for(session),
        back=url_for("training.show_session", programme_id=programme.id, session_id=session.id))
