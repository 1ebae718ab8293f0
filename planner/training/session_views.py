"""Session pages: the list (with the training-window flag), planning and editing a session, manual enrolment,
the trainer's roster on a phone, and the trainer's own sessions."""
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.core import clock
from planner.core.errors import DomainError
from planner.core.forms import as_choices, show_domain_error
from planner.core.pages import id_arg, page_number, per_page, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.programmes.loading import load_in_programme, load_programme
from planner.training import bp
from planner.training import session_queries as queries
from planner.training import enrolment as enrolment_services
from planner.training import sessions as services
from planner.training.models import Enrolment, TrainingSession
from planner.training.session_forms import (
    MARK_LABELS, SESSION_STATUS_LABELS, WHEN_LABELS, WINDOW_LABELS, EnrolForm, MarkForm, SessionForm,
)

# --- the list, planning and editing -----------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/sessions")
@login_required
def list_sessions(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    when = request.args.get("when", "upcoming")
    if when not in queries.WHEN_CHOICES:
        when = "upcoming"
    region_id = id_arg("region")
    course_id = id_arg("course")
    sessions = db.paginate(queries.sessions_of(programme.id, now=clock.now(), region_id=region_id,
                                               course_id=course_id, when=when),
                           page=page_number(), per_page=per_page(), error_out=False)
    return render_template(
        "training/sessions.html", programme=programme, sessions=sessions, when=when, region_id=region_id,
        course_id=course_id, regions=queries.region_choices(programme.id),
        courses=queries.course_choices(programme.id), flags=queries.window_flags(programme, sessions.items),
        enrolled=queries.enrolled_counts([session.id for session in sessions.items]),
        status_labels=SESSION_STATUS_LABELS, window_labels=WINDOW_LABELS, when_labels=WHEN_LABELS,
        can_manage=can(Permission.TRAINING_MANAGE, programme))


def _session_form(programme, **kwargs) -> SessionForm:
    form = SessionForm(**kwargs)
    form.course_id.choices = as_choices([("", _("Choose a course"))] + queries.course_choices(programme.id))
    form.region_id.choices = as_choices([("", _("Choose a region"))] + queries.region_choices(programme.id))
    form.trainer_id.choices = as_choices([("", _("No trainer yet"))] + queries.trainer_choices(programme.id))
    return form


@bp.route("/programmes/<int:programme_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(programme_id: int):
    programme = load_programme(programme_id, Permission.TRAINING_MANAGE)
    form = _session_form(programme, course_id=id_arg("course"),
                         region_id=id_arg("region"))
    return save_form(
        "training/session_form.html", form, lambda: services.create_session(programme, **form.values()),
        done=lambda session: (_("Session proposed for %(day)s. Schedule it when it is confirmed.",
                                day=session.local_start.strftime("%Y-%m-%d %H:%M")),
                              url_for("training.show_session", programme_id=programme.id, session_id=session.id)),
        programme=programme, session=None)


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(programme_id: int, session_id: int):
    programme, session = load_in_programme(TrainingSession, programme_id, session_id, Permission.TRAINING_MANAGE)
    form = _session_form(programme, obj=session, start_on=session.local_start.date(),
                         start_time=session.local_start.time())
    return save_form(
        "training/session_form.html", form,
        lambda: enrolment_services.update_session(session, expected_version=form.expected_version(),
                                                  **form.values()),
        done=lambda _result: (_("Session saved."), url_for("training.show_session", programme_id=programme.id,
                                                           session_id=session.id)),
        programme=programme, session=session)


def _render_session(programme, session, *, enrol_form: EnrolForm | None = None, error: str | None = None,
                    status: int = 200):
    """The session page; a refused enrolment (or action) comes back with its message and the given status."""
    can_manage = can(Permission.TRAINING_MANAGE, programme)
    enrolments = queries.enrolments_of(session.id)
    if can_manage:
        enrol_form = enrol_form or EnrolForm(formdata=None)
        enrol_form.person_id.offer(programme.id, empty_label=_("Choose a person"),
                                   exclude_ids={enrolment.person_id for enrolment in enrolments})
    return render_template(
        "training/session.html", programme=programme, session=session, enrolments=enrolments,
        enrol_form=enrol_form, error=error, can_manage=can_manage, may_mark=services.may_mark(programme, session),
        flag=queries.window_flags(programme, [session]).get(session.id), status_labels=SESSION_STATUS_LABELS,
        window_labels=WINDOW_LABELS), status


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>")
@login_required
def show_session(programme_id: int, session_id: int):
    programme, session = load_in_programme(TrainingSession, programme_id, session_id, Permission.PROGRAMME_VIEW)
    return _render_session(programme, session)


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/enrol", methods=["POST"])
@login_required
def enrol_person(programme_id: int, session_id: int):
    programme, session = load_in_programme(TrainingSession, programme_id, session_id, Permission.TRAINING_MANAGE)
    form = EnrolForm()
    form.person_id.offer(programme.id)
    if not form.validate():
        return _render_session(programme, session, enrol_form=form, status=422)
    try:
        enrolment = services.enrol_person(session, form.person_id.data)
    except DomainError as error:
        show_domain_error(form, error)
        return _render_session(programme, session, enrol_form=form, status=error.status_code)
    flash(_("%(name)s is enrolled.", name=enrolment.person.full_name), "success")
    return redirect(url_for("training.show_session", programme_id=programme.id, session_id=session.id))


@bp.route("/programmes/<int:programme_id>/enrolments/<int:enrolment_id>/remove", methods=["POST"])
@login_required
def remove_enrolment(programme_id: int, enrolment_id: int):
    programme = load_programme(programme_id, Permission.TRAINING_MANAGE)
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.session.programme_id != programme.id:
        abort(404)
    try:
        enrolment_services.remove_person(enrolment)  # the seat goes to the first person waiting
    except DomainError as error:
        return _render_session(programme, enrolment.session, error=error.message, status=error.status_code)
    flash(_("%(name)s is no longer enrolled.", name=enrolment.person.full_name), "success")
    return redirect(url_for("training.show_session", programme_id=programme.id, session_id=enrolment.session_id))


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/schedule", methods=["POST"])
@login_required
def schedule_session(programme_id: int, session_id: int):
    programme, session = load_in_programme(TrainingSession, programme_id, session_id, Permission.TRAINING_MANAGE)
    try:
        services.schedule_session(session)
    except DomainError as error:
        return _render_session(programme, session, error=error.message, status=error.status_code)
    flash(_("Session scheduled."), "success")
    return redirect(url_for("training.show_session", programme_id=programme.id, session_id=session.id))


# --- the roster ----------------------------------------------------------------------------------------------

def _load_for_marking(programme_id: int, session_id: int):
    programme, session = load_in_programme(TrainingSession, programme_id, session_id, Permission.ATTENDANCE_MARK)
    if not services.may_mark(programme, session):
        abort(403)
    return programme, session


def _wants_json() -> bool:
    return (request.headers.get("X-Requested-With") is not None
            or request.accept_mimetypes.best == "application/json")


def _render_roster(programme, session, *, error: str | None = None, status: int = 200):
    enrolments = queries.enrolments_of(session.id)
    return render_template(
        "training/roster.html", programme=programme, session=session, enrolments=enrolments,
        marks=queries.marks_of(session.id), mark_labels=MARK_LABELS, error=error,
        is_open=_marking_open(session)), status


def _marking_open(session: TrainingSession) -> bool:
    try:
        services.check_marking_open(session)
    except DomainError:
        return False
    return True


def _back_to_roster(programme, session, message: str):
    flash(message, "success")
    return redirect(url_for("training.show_roster", programme_id=programme.id, session_id=session.id))


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/roster")
@login_required
def show_roster(programme_id: int, session_id: int):
    programme, session = _load_for_marking(programme_id, session_id)
    return _render_roster(programme, session)


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/roster/marks", methods=["POST"])
@login_required
def mark_attendance(programme_id: int, session_id: int):
    programme, session = _load_for_marking(programme_id, session_id)
    form = MarkForm()
    try:
        if not form.validate():
            raise DomainError(_("Choose a trainee and present, late, excused or absent."))
        mark = services.mark_attendance(session, person_id=form.person_id.data, status=form.status.data,
                                        note=form.note.data, marked_by_id=current_user.id)
    except DomainError as error:
        if _wants_json():
            return jsonify(ok=False, error=error.message), error.status_code
        return _render_roster(programme, session, error=error.message, status=error.status_code)
    if _wants_json():
        return jsonify(ok=True, mark={"person_id": mark.person_id, "status": mark.status.value, "note": mark.note,
                                      "label": str(MARK_LABELS[mark.status]),
                                      "marked_at": mark.marked_at.isoformat()})
    return _back_to_roster(programme, session, _("%(mark)s saved.", mark=MARK_LABELS[mark.status]))


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/roster/all-present", methods=["POST"])
@login_required
def mark_all_present(programme_id: int, session_id: int):
    programme, session = _load_for_marking(programme_id, session_id)
    try:
        count = services.mark_all_present(session, marked_by_id=current_user.id)
    except DomainError as error:
        return _render_roster(programme, session, error=error.message, status=error.status_code)
    return _back_to_roster(programme, session, _("Marked %(count)d people present.", count=count))


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/roster/complete", methods=["POST"])
@login_required
def complete_roster(programme_id: int, session_id: int):
    programme, session = _load_for_marking(programme_id, session_id)
    try:
        services.complete_roster(session)
    except DomainError as error:
        return _render_roster(programme, session, error=error.message, status=error.status_code)
    return _back_to_roster(programme, session, _("Roster completed. Thank you."))


# --- the trainer's own sessions ----------------------------------------------------------------------------

@bp.route("/training/my-sessions")
@login_required
def my_sessions():
    now = clock.now()
    today, this_week = [], []
    for session in db.session.scalars(queries.sessions_of_trainer(current_user.id, now)):
        local_today = now.astimezone(session.zone).date()
        day = session.local_start.date()
        if day == local_today:
            today.append(session)
        elif local_today < day and day.isocalendar()[:2] == local_today.isocalendar()[:2]:
            this_week.append(session)
    shown = {session.id for session in today}
    open_rosters = [session for session in db.session.scalars(
        queries.open_rosters_of_trainer(current_user.id, now).limit(100)) if session.id not in shown]
    return render_template("training/my_sessions.html", today=today, this_week=this_week,
                           open_rosters=open_rosters, status_labels=SESSION_STATUS_LABELS)
