"""Meeting pages: scheduling one-off and recurring meetings, the per-recipient invite records, and each
occurrence's agenda, attendance, minutes, decisions and actions, with its printable pack."""
import re
from datetime import datetime, time, timedelta

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from planner.calendar.ics import build_publish
from planner.committee import bp, invitations, queries, scheduling, services
from planner.committee.forms import (
    ANSWER_LABELS, ATTENDANCE_LABELS, DELIVERY_LABELS, ICS_ROLE_LABELS, MEETING_STATUS_LABELS,
    OCCURRENCE_STATUS_LABELS, AgendaItemForm, AgendaMoveForm, GuestForm, MeetingActionForm, MeetingDecisionForm,
    MeetingForm, MinutesForm, MoveOccurrenceForm, ReasonForm, attendance_form, repeat_in_words,
)
from planner.changes import queries as change_queries
from planner.committee.models import AgendaItem, MeetingInvitee, MeetingStatus
from planner.core import clock
from planner.core.errors import DomainError
from planner.core.forms import as_choices, show_domain_error
from planner.core.pages import page_number, per_page, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.loading import load_programme
from planner.risks import queries as risk_queries
from planner.risks.forms import STATUS_LABELS as RISK_STATUS_LABELS
from planner.rollout.calendar import programme_calendar
from planner.rollout.status import programme_status
from planner.training.enrolment import business_cancellations

#: how many upcoming occurrences the meeting page lists
UPCOMING_SHOWN = 12


def _load_meeting(programme_id: int, meeting_id: int, permission: Permission):
    programme = load_programme(programme_id, permission)
    meeting = queries.load_meeting(meeting_id)
    if meeting is None or meeting.programme_id != programme.id:
        abort(404)
    return programme, meeting


def _load_occurrence(programme_id: int, occurrence_id: int, permission: Permission):
    programme = load_programme(programme_id, permission)
    occurrence = queries.load_occurrence(occurrence_id)
    if occurrence is None or occurrence.programme_id != programme.id:
        abort(404)
    return programme, occurrence


def _load_agenda_item(programme_id: int, item_id: int, permission: Permission):
    programme = load_programme(programme_id, permission)
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.occurrence.programme_id != programme.id:
        abort(404)
    return programme, queries.load_occurrence(item.occurrence_id), item


def _queued(count: int) -> str:
    return ngettext("%(num)d email queued.", "%(num)d emails queued.", count)


# --- the list ----------------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/meetings")
@login_required
def list_meetings(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    past = request.args.get("when") == "past"
    today = clock.today()
    since = queries.start_of_today(today, programme.home_time_zone)
    occurrences = db.paginate(queries.occurrences_of(programme.id, since=since, past=past), page=page_number(),
                              per_page=per_page(), error_out=False)
    calendar = programme_calendar(programme)
    late = {o.id for o in occurrences.items if services.agenda_is_late(o, calendar)}
    return render_template("committee/meetings.html", programme=programme, occurrences=occurrences, past=past,
                           late=late, status_labels=OCCURRENCE_STATUS_LABELS,
                           can_manage=can(Permission.MEETINGS_MANAGE, programme))


# --- scheduling and changing a meeting ----------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting(programme_id: int):
    programme = load_programme(programme_id, Permission.MEETINGS_MANAGE)
    committee = queries.committee_of(programme.id)
    form = MeetingForm(time_zone=programme.home_time_zone, start_on=clock.today() + timedelta(days=7),
                       start_time=time(10, 0))

    def schedule():
        return scheduling.schedule_meeting(committee, form.to_plan(), organiser_id=current_user.id,
                                           send_now=bool(form.send_now.data))

    def done(meeting):
        if meeting.status is MeetingStatus.DRAFT:
            message = _("%(title)s saved as a draft; no invitations were sent.", title=meeting.title)
        else:
            sent = sum(1 for invitee in meeting.invitees if invitee.last_message_id is not None)
            message = _("%(title)s is scheduled.", title=meeting.title) + " " + _queued(sent)
        return message, url_for("committee.show_meeting", programme_id=programme.id, meeting_id=meeting.id)

    return save_form("committee/meeting_form.html", form, schedule, done=done, programme=programme, meeting=None)


@bp.route("/programmes/<int:programme_id>/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting(programme_id: int, meeting_id: int):
    programme, meeting = _load_meeting(programme_id, meeting_id, Permission.MEETINGS_MANAGE)
    form = MeetingForm(version=meeting.version, **MeetingForm.values_of(scheduling.plan_of(meeting)))
    return save_form(
        "committee/meeting_form.html", form,
        lambda: scheduling.update_meeting(meeting, form.to_plan(), expected_version=form.expected_version()),
        done=lambda queued: (_("%(title)s saved.", title=meeting.title) + " " + _queued(queued),
                             url_for("committee.show_meeting", programme_id=programme.id, meeting_id=meeting.id)),
        programme=programme, meeting=meeting)


# --- one meeting: its schedule and the invite record of every recipient ---------------------------------

def _render_meeting(programme, meeting, *, guest_form: GuestForm | None = None, error: str | None = None,
                    status: int = 200):
    """The meeting page; a refused action comes back with its message and the given status."""
    unanswered = request.args.get("answer") == "none"
    invitees = db.session.scalars(queries.invitees_of(meeting.id, unanswered=unanswered)).all()
    since = queries.start_of_today(clock.today(), meeting.time_zone)
    upcoming = [o for o in meeting.occurrences if o.starts_at >= since][:UPCOMING_SHOWN]
    can_manage = can(Permission.MEETINGS_MANAGE, programme)
    if can_manage:
        guest_form = guest_form or GuestForm(formdata=None, prefix="guest-")
        invited = db.session.scalars(select(MeetingInvitee.person_id).where(
            MeetingInvitee.meeting_id == meeting.id, MeetingInvitee.removed_at.is_(None))).all()
        guest_form.person_id.offer(programme.id, empty_label=_("Choose a person"), exclude_ids=invited)
    return render_template(
        "committee/meeting.html", programme=programme, meeting=meeting, invitees=invitees, unanswered=unanswered,
        out_of_date={i.id: invitations.is_out_of_date(meeting, i) for i in invitees},
        revision=invitations.revision(meeting), upcoming=upcoming, when=invitations.describe_when(meeting),
        repeat=repeat_in_words(meeting), guest_form=guest_form, error=error, can_manage=can_manage,
        status_labels=MEETING_STATUS_LABELS, occurrence_labels=OCCURRENCE_STATUS_LABELS,
        answer_labels=ANSWER_LABELS, role_labels=ICS_ROLE_LABELS, delivery_labels=DELIVERY_LABELS), status


def _meeting_action(programme, meeting, action, message):
    """Run a button's service call: flash and go back to the meeting, or show the refusal (422)."""
    try:
        result = action()
    except DomainError as error:
        return _render_meeting(programme, meeting, error=error.message, status=error.status_code)
    flash(message(result), "success")
    return redirect(url_for("committee.show_meeting", programme_id=programme.id, meeting_id=meeting.id))


@bp.route("/programmes/<int:programme_id>/meetings/<int:meeting_id>")
@login_required
def show_meeting(programme_id: int, meeting_id: int):
    programme, meeting = _load_meeting(programme_id, meeting_id, Permission.PROGRAMME_VIEW)
    return _render_meeting(programme, meeting)


@bp.route("/programmes/<int:programme_id>/meetings/<int:meeting_id>/publish", methods=["POST"])
@login_required
def publish_meeting(programme_id: int, meeting_id: int):
    programme, meeting = _load_meeting(programme_id, meeting_id, Permission.MEETINGS_MANAGE)
    return _meeting_action(programme, meeting, lambda: scheduling.publish_meeting(meeting),
                           lambda queued: _("%(title)s is scheduled.", title=meeting.title) + " " + _queued(queued))


@bp.route("/programmes/<int:programme_id>/meetings/<int:meeting_id>/resend", methods=["POST"])
@login_required
def resend_invitations(programme_id: int, meeting_id: int):
    programme, meeting = _load_meeting(programme_id, meeting_id, Permission.MEETINGS_MANAGE)
    return _meeting_action(programme, meeting, lambda: invitations.resend_out_of_date(meeting),
                           lambda queued: _("Re-sent to everyone out of date.") + " " + _queued(queued))


@bp.route("/programmes/<int:programme_id>/meetings/<int:meeting_id>/guests", methods=["POST"])
@login_required
def add_guest(programme_id: int, meeting_id: int):
    programme, meeting = _load_meeting(programme_id, meeting_id, Permission.MEETINGS_MANAGE)
    form = GuestForm(prefix="guest-")
    form.person_id.offer(programme.id)
    if not form.validate():
        return _render_meeting(programme, meeting, guest_form=form, status=422)
    person = db.session.get(Person, form.person_id.data) if form.person_id.data else None
    try:
        if person is None:
            raise DomainError(_("Choose a person to invite."), field="person_id")
        queued = invitations.add_guest(meeting, person, is_optional=form.is_optional.data)
    except DomainError as error:
        show_domain_error(form, error)
        return _render_meeting(programme, meeting, guest_form=form, status=error.status_code)
    flash(_("%(name)s is invited.", name=person.full_name) + " " + _queued(queued), "success")
    return redirect(url_for("committee.show_meeting", programme_id=programme.id, meeting_id=meeting.id))


@bp.route("/programmes/<int:programme_id>/meetings/<int:meeting_id>/invitees/<int:invitee_id>/remove",
          methods=["POST"])
@login_required
def remove_invitee(programme_id: int, meeting_id: int, invitee_id: int):
    programme, meeting = _load_meeting(programme_id, meeting_id, Permission.MEETINGS_MANAGE)
    invitee = db.session.get(MeetingInvitee, invitee_id)
    if invitee is None or invitee.meeting_id != meeting.id:
        abort(404)
    return _meeting_action(programme, meeting, lambda: invitations.remove_invitee(invitee),
                           lambda queued: _("%(name)s is no longer invited.", name=invitee.name) + " "
                           + _queued(queued))


@bp.route("/programmes/<int:programme_id>/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_meeting(programme_id: int, meeting_id: int):
    programme, meeting = _load_meeting(programme_id, meeting_id, Permission.MEETINGS_MANAGE)
    form = ReasonForm(version=meeting.version)
    return save_form(
        "committee/cancel_form.html", form, lambda: scheduling.cancel_meeting(meeting, reason=form.reason.data or ""),
        done=lambda queued: (_("%(title)s is cancelled.", title=meeting.title) + " " + _queued(queued),
                             url_for("committee.show_meeting", programme_id=programme.id, meeting_id=meeting.id)),
        programme=programme, meeting=meeting, occurrence=None,
        back=url_for("committee.show_meeting", programme_id=programme.id, meeting_id=meeting.id))


def _slug(text: str, fallback: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or fallback


@bp.route("/programmes/<int:programme_id>/meetings/<int:meeting_id>/invite.ics")
@login_required
def download_meeting_ics(programme_id: int, meeting_id: int):
    """The meeting as one calendar object to import by hand (METHOD:PUBLISH, no attendees)."""
    programme, meeting = _load_meeting(programme_id, meeting_id, Permission.PROGRAMME_VIEW)
    body = build_publish([invitations.meeting_event(meeting, dtstamp=meeting.updated_at, with_attendees=False)],
                         name=meeting.title, method="PUBLISH")
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{_slug(meeting.title, f"meeting-{meeting.id}")}.ics"'
    return response


# --- one occurrence: agenda, attendance, minutes, decisions, actions --------------------------------------

def _agenda_choices(form, programme_id: int, current_change_id: int | None = None,
                    current_risk_id: int | None = None) -> None:
    form.change_request_id.choices = as_choices([("", _("None"))]
                                                + change_queries.agenda_choices(programme_id, current_change_id))
    form.risk_id.choices = as_choices([("", _("None"))] + risk_queries.agenda_choices(programme_id, current_risk_id))
    form.presenter_id.offer(programme_id, empty_label=_("Nobody in particular"))
    form.milestone_id.choices = as_choices([("", _("None"))] + queries.milestone_choices(programme_id))
    form.gate_review_id.choices = as_choices([("", _("None"))] + queries.gate_review_choices(programme_id))


def _render_occurrence(programme, occurrence, *, forms: dict | None = None, error: str | None = None,
                       status: int = 200):
    """The occurrence page; ``forms`` holds a posted form that was refused, shown with its errors."""
    forms = dict(forms or {})
    meeting = occurrence.meeting
    now, today = clock.now(), clock.today()
    has_started = occurrence.starts_at <= now
    can_manage = can(Permission.MEETINGS_MANAGE, programme)
    can_record = can(Permission.DECISIONS_RECORD, programme) and has_started and not occurrence.is_cancelled
    invitees = queries.active_invitees(meeting.id)
    attendance = queries.attendance_of(occurrence.id)
    members = db.session.scalars(queries.members_of(meeting.committee_id)).all()
    if can_manage:
        forms.setdefault("agenda", AgendaItemForm(formdata=None, prefix="agenda-"))
        _agenda_choices(forms["agenda"], programme.id)
    if can_record:
        marks = {row.person_id: row for row in attendance}
        forms.setdefault("attendance", attendance_form(
            [i.person_id for i in invitees], data={
                **{f"status_{pid}": row.status.value for pid, row in marks.items()},
                **{f"delegate_{pid}": row.delegate_name for pid, row in marks.items()}}))
        forms.setdefault("minutes", MinutesForm(formdata=None, prefix="minutes-", minutes=occurrence.minutes,
                                                version=occurrence.version))
        forms.setdefault("decision", MeetingDecisionForm(formdata=None, prefix="decision-"))
        forms.setdefault("action", MeetingActionForm(formdata=None, prefix="action-",
                                                     due_on=today + timedelta(days=14)))
        _decision_choices(forms["decision"], programme.id, occurrence)
        forms["action"].owner_id.offer(programme.id, empty_label=_("Choose who owns it"))
    return render_template(
        "committee/occurrence.html", programme=programme, meeting=meeting, occurrence=occurrence,
        items=list(occurrence.agenda_items), total_minutes=services.agenda_minutes(occurrence),
        when=invitations.describe_when(meeting, occurrence), has_started=has_started,
        agenda_late=services.agenda_is_late(occurrence, programme_calendar(programme)),
        invitees=invitees, attendance={row.person_id: row for row in attendance},
        quorum=services.quorum_of(occurrence, members, attendance) if attendance else None,
        decisions=queries.decisions_of_occurrence(occurrence.id),
        actions=queries.actions_of_occurrence(occurrence.id), today=today, forms=forms, error=error,
        pending_changes=db.session.scalars(change_queries.pending_for_agenda(programme.id)).all()
        if can_manage and not has_started else [],
        can_manage=can_manage, can_record=can_record, status_labels=OCCURRENCE_STATUS_LABELS,
        attendance_labels=ATTENDANCE_LABELS), status


def _decision_choices(form, programme_id: int, occurrence) -> None:
    form.milestone_id.choices = as_choices([("", _("None"))] + queries.milestone_choices(programme_id))
    form.gate_review_id.choices = as_choices([("", _("None"))] + queries.gate_review_choices(programme_id))
    form.agenda_item_id.choices = as_choices([("", _("None"))] + [
        (item.id, f"{position}. {item.title}") for position, item in enumerate(occurrence.agenda_items, start=1)])


def _back_to_occurrence(programme, occurrence, message: str):
    flash(message, "success")
    return redirect(url_for("committee.show_occurrence", programme_id=programme.id, occurrence_id=occurrence.id))


def _occurrence_action(programme, occurrence, action, message):
    """Run a button's service call: flash and go back to the occurrence, or show the refusal (422)."""
    try:
        result = action()
    except DomainError as error:
        return _render_occurrence(programme, occurrence, error=error.message, status=error.status_code)
    return _back_to_occurrence(programme, occurrence, message(result))


def _occurrence_form(programme, occurrence, key: str, form, save, message):
    """Validate one of the occurrence page's forms and save it; a refusal re-renders the page (422)."""
    if not form.validate():
        return _render_occurrence(programme, occurrence, forms={key: form}, status=422)
    try:
        result = save()
    except DomainError as error:
        if error.field is None:  # said at the top: the form may not be on the page (before the meeting starts)
            return _render_occurrence(programme, occurrence, forms={key: form}, error=error.message,
                                      status=error.status_code)
        show_domain_error(form, error)
        return _render_occurrence(programme, occurrence, forms={key: form}, status=error.status_code)
    return _back_to_occurrence(programme, occurrence, message(result))


@bp.route("/programmes/<int:programme_id>/occurrences/<int:occurrence_id>")
@login_required
def show_occurrence(programme_id: int, occurrence_id: int):
    programme, occurrence = _load_occurrence(programme_id, occurrence_id, Permission.PROGRAMME_VIEW)
    return _render_occurrence(programme, occurrence)


@bp.route("/programmes/<int:programme_id>/occurrences/<int:occurrence_id>/agenda", methods=["POST"])
@login_required
def add_agenda_item(programme_id: int, occurrence_id: int):
    programme, occurrence = _load_occurrence(programme_id, occurrence_id, Permission.MEETINGS_MANAGE)
    form = AgendaItemForm(prefix="agenda-")
    _agenda_choices(form, programme.id)
    return _occurrence_form(
        programme, occurrence, "agenda", form,
        lambda: services.add_agenda_item(
            occurrence, title=form.title.data, notes=form.notes.data or "", presenter_id=form.presenter_id.data,
            minutes_allotted=form.minutes_allotted.data, milestone_id=form.milestone_id.data,
            gate_review_id=form.gate_review_id.data, change_request_id=form.change_request_id.data,
            risk_id=form.risk_id.data),
        lambda item: _("Added to the agenda: %(title)s", title=item.title))


@bp.route("/programmes/<int:programme_id>/agenda-items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_agenda_item(programme_id: int, item_id: int):
    programme, occurrence, item = _load_agenda_item(programme_id, item_id, Permission.MEETINGS_MANAGE)
    form = AgendaItemForm(obj=item)
    _agenda_choices(form, programme.id, item.change_request_id, item.risk_id)
    return save_form(
        "committee/agenda_item_form.html", form,
        lambda: services.update_agenda_item(
            item, expected_version=form.expected_version(), title=form.title.data, notes=form.notes.data or "",
            presenter_id=form.presenter_id.data, minutes_allotted=form.minutes_allotted.data,
            milestone_id=form.milestone_id.data, gate_review_id=form.gate_review_id.data,
            change_request_id=form.change_request_id.data, risk_id=form.risk_id.data),
        done=lambda _result: (_("Agenda item saved: %(title)s", title=item.title),
                              url_for("committee.show_occurrence", programme_id=programme.id,
                                      occurrence_id=occurrence.id)),
        programme=programme, occurrence=occurrence, item=item)


@bp.route("/programmes/<int:programme_id>/agenda-items/<int:item_id>/delete", methods=["POST"])
@login_required
def delete_agenda_item(programme_id: int, item_id: int):
    programme, occurrence, item = _load_agenda_item(programme_id, item_id, Permission.MEETINGS_MANAGE)
    title = item.title
    return _occurrence_action(programme, occurrence, lambda: services.delete_agenda_item(item),
                              lambda _result: _("Taken off the agenda: %(title)s", title=title))


@bp.route("/programmes/<int:programme_id>/agenda-items/<int:item_id>/move", methods=["POST"])
@login_required
def move_agenda_item(programme_id: int, item_id: int):
    programme, occurrence, item = _load_agenda_item(programme_id, item_id, Permission.MEETINGS_MANAGE)
    form = AgendaMoveForm()
    if not form.validate() or form.step.data == 0:
        return _render_occurrence(programme, occurrence, error=_("Move an item up or down by one place."),
                                  status=422)
    return _occurrence_action(programme, occurrence, lambda: services.move_agenda_item(item, step=form.step.data),
                              lambda _result: _("Agenda order saved."))


@bp.route("/programmes/<int:programme_id>/occurrences/<int:occurrence_id>/publish-agenda", methods=["POST"])
@login_required
def publish_agenda(programme_id: int, occurrence_id: int):
    programme, occurrence = _load_occurrence(programme_id, occurrence_id, Permission.MEETINGS_MANAGE)
    return _occurrence_action(programme, occurrence, lambda: services.publish_agenda(occurrence),
                              lambda queued: _("Agenda published.") + " " + _queued(queued))


@bp.route("/programmes/<int:programme_id>/occurrences/<int:occurrence_id>/move", methods=["GET", "POST"])
@login_required
def move_occurrence(programme_id: int, occurrence_id: int):
    programme, occurrence = _load_occurrence(programme_id, occurrence_id, Permission.MEETINGS_MANAGE)
    meeting = occurrence.meeting
    form = MoveOccurrenceForm(
        version=occurrence.version, start_on=occurrence.local_start.date(), start_time=occurrence.local_start.time(),
        duration_minutes=occurrence.duration_minutes,
        location=occurrence.location if occurrence.location is not None else meeting.location)
    return save_form(
        "committee/move_occurrence.html", form,
        lambda: scheduling.move_occurrence(
            occurrence, local_start=datetime.combine(form.start_on.data, form.start_time.data),
            duration_minutes=form.duration_minutes.data, location=form.location.data or "",
            expected_version=form.expected_version()),
        done=lambda queued: (_("Meeting moved to %(when)s.", when=invitations.describe_when(meeting, occurrence))
                             + " " + _queued(queued),
                             url_for("committee.show_occurrence", programme_id=programme.id,
                                     occurrence_id=occurrence.id)),
        programme=programme, meeting=meeting, occurrence=occurrence)


@bp.route("/programmes/<int:programme_id>/occurrences/<int:occurrence_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_occurrence(programme_id: int, occurrence_id: int):
    programme, occurrence = _load_occurrence(programme_id, occurrence_id, Permission.MEETINGS_MANAGE)
    meeting = occurrence.meeting
    form = ReasonForm(version=occurrence.version)
    return save_form(
        "committee/cancel_form.html", form,
        lambda: scheduling.cancel_occurrence(occurrence, reason=form.reason.data or "",
                                             expected_version=form.expected_version()),
        done=lambda queued: (_("The meeting of %(day)s is cancelled.", day=occurrence.local_start.date().isoformat())
                             + " " + _queued(queued),
                             url_for("committee.show_meeting", programme_id=programme.id, meeting_id=meeting.id)),
        programme=programme, meeting=meeting, occurrence=occurrence,
        back=url_for("committee.show_occurrence", programme_id=programme.id, occurrence_id=occurrence.id))


@bp.route("/programmes/<int:programme_id>/occurrences/<int:occurrence_id>/attendance", methods=["POST"])
@login_required
def record_attendance(programme_id: int, occurrence_id: int):
    programme, occurrence = _load_occurrence(programme_id, occurrence_id, Permission.DECISIONS_RECORD)
    form = attendance_form([i.person_id for i in queries.active_invitees(occurrence.meeting_id)],
                           formdata=request.form)

    def save():
        marks = {pid: (form[f"status_{pid}"].data, form[f"delegate_{pid}"].data or "")
                 for pid in form.person_ids if form[f"status_{pid}"].data}
        if not marks:
            raise DomainError(_("Mark who was present, absent or sent a delegate."))
        services.record_attendance(occurrence, marks)

    return _occurrence_form(programme, occurrence, "attendance", form, save, lambda _result: _("Attendance recorded."))


@bp.route("/programmes/<int:programme_id>/occurrences/<int:occurrence_id>/minutes", methods=["POST"])
@login_required
def record_minutes(programme_id: int, occurrence_id: int):
    programme, occurrence = _load_occurrence(programme_id, occurrence_id, Permission.DECISIONS_RECORD)
    form = MinutesForm(prefix="minutes-")
    return _occurrence_form(
        programme, occurrence, "minutes", form,
        lambda: services.record_minutes(occurrence, minutes=form.minutes.data,
                                        expected_version=form.expected_version()),
        lambda _result: _("Minutes saved."))


@bp.route("/programmes/<int:programme_id>/occurrences/<int:occurrence_id>/decisions", methods=["POST"])
@login_required
def record_meeting_decision(programme_id: int, occurrence_id: int):
    programme, occurrence = _load_occurrence(programme_id, occurrence_id, Permission.DECISIONS_RECORD)
    form = MeetingDecisionForm(prefix="decision-")
    _decision_choices(form, programme.id, occurrence)
    return _occurrence_form(
        programme, occurrence, "decision", form,
        lambda: services.record_decision(
            programme, text=form.text.data, recorded_by_id=current_user.id, occurrence=occurrence,
            milestone_id=form.milestone_id.data, gate_review_id=form.gate_review_id.data,
            agenda_item_id=form.agenda_item_id.data),
        lambda decision: _("Decision of %(day)s recorded.", day=decision.decided_on.isoformat()))


@bp.route("/programmes/<int:programme_id>/occurrences/<int:occurrence_id>/actions", methods=["POST"])
@login_required
def add_meeting_action(programme_id: int, occurrence_id: int):
    programme, occurrence = _load_occurrence(programme_id, occurrence_id, Permission.DECISIONS_RECORD)
    form = MeetingActionForm(prefix="action-")
    form.owner_id.offer(programme.id, empty_label=_("Choose who owns it"))
    return _occurrence_form(
        programme, occurrence, "action", form,
        lambda: services.add_action(programme, title=form.title.data, owner_id=form.owner_id.data,
                                    due_on=form.due_on.data, occurrence=occurrence),
        lambda action: _("Action agreed: %(title)s", title=action.title))


# --- the committee pack ---------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/occurrences/<int:occurrence_id>/pack")
@login_required
def show_pack(programme_id: int, occurrence_id: int):
    """A printable page for the meeting: agenda, programme status, milestones due, decisions, overdue actions,
    training cancelled for business reasons."""
    programme, occurrence = _load_occurrence(programme_id, occurrence_id, Permission.PROGRAMME_VIEW)
    today = clock.today()
    meeting = occurrence.meeting
    previous = queries.previous_occurrence(occurrence, meeting.committee_id)
    return render_template(
        "committee/pack.html", programme=programme, meeting=meeting, occurrence=occurrence,
        items=list(occurrence.agenda_items), total_minutes=services.agenda_minutes(occurrence),
        when=invitations.describe_when(meeting, occurrence), status=programme_status(programme, today),
        milestones=queries.milestones_due(programme.id, today), previous=previous,
        decisions=queries.decisions_between(programme.id, previous.local_start.date() if previous else None,
                                            occurrence.local_start.date()),
        overdue=queries.overdue_actions(programme.id, today), today=today,
        training_cancelled=business_cancellations(programme.id, previous.starts_at if previous else None,
                                                  occurrence.starts_at),
        top_risks=risk_queries.top_risks(programme.id), risk_labels=RISK_STATUS_LABELS,
        shows_people=can(Permission.PEOPLE_VIEW, programme))
