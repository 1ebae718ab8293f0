"""The communication plan, its log and the gap check: thin pages over services, flags and gaps."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from planner.comms import bp, queries, services
from planner.comms.audiences import audiences_of
from planner.comms.flags import (
    OccurrenceState, logs_by_occurrence, occurrences_of, programme_occurrences, state_counts,
)
from planner.comms.forms import (
    CHANNEL_LABELS, NOTICE_LABELS, PURPOSE_LABELS, STATE_LABELS, HeldForm, ItemForm, NoticeDaysForm, SendForm,
)
from planner.comms.gaps import NOTICE_WINDOW_DAYS, check_gaps
from planner.comms.models import CommsChannel, CommsPurpose, CommunicationItem
from planner.comms.recurrence import HORIZON, add_capped
from planner.core import clock
from planner.core.errors import DomainError
from planner.core.forms import as_choices, show_domain_error
from planner.core.pages import confirm_delete, id_arg, page_number, per_page, render_form, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.models import Region
from planner.rollout.calendar import programme_calendar

LABELS = {"purpose_labels": PURPOSE_LABELS, "channel_labels": CHANNEL_LABELS, "state_labels": STATE_LABELS}


# --- the plan ---------------------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/comms")
@login_required
def list_items(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    today = clock.today()
    by_item = programme_occurrences(programme, today)
    purpose = request.args.get("purpose") or None
    purpose = purpose if purpose in {value.value for value in CommsPurpose} else None
    state = request.args.get("state") or None
    #: "planned" dates lie beyond the due window, which the plan's figures do not expand: not a filter
    state = state if state in {value.value for value in OccurrenceState} - {OccurrenceState.PLANNED} else None
    item_ids = None
    if state is not None:
        item_ids = [item_id for item_id, listed in by_item.items()
                    if any(occurrence.state == state for occurrence in listed)]
    items = db.paginate(queries.items_of(programme.id, purpose=purpose, item_ids=item_ids), page=page_number(),
                        per_page=per_page(), error_out=False)
    return render_template("comms/plan.html", programme=programme, items=items, by_item=by_item,
                           counts=state_counts(by_item), purpose=purpose, state=state, today=today,
                           can_manage=can(Permission.COMMS_MANAGE, programme), **LABELS)


def _item_choices(form: ItemForm, programme_id: int) -> None:
    form.audience_id.choices = as_choices([("", _("Choose an audience"))] + [
        (audience.id, audience.name) for audience in db.session.scalars(audiences_of(programme_id))])
    form.owner_id.offer(programme_id, empty_label=_("Nobody yet"))
    form.region_id.choices = _region_choices(programme_id)


def _save_item(form: ItemForm, save):
    return save(title=form.title.data, purpose=form.purpose.data, audience_id=form.audience_id.data,
                channel=form.channel.data, owner_id=form.owner_id.data, message=form.message.data,
                planned_on=form.planned_on.data, recurrence=form.recurrence.data, region_id=form.region_id.data)


@bp.route("/programmes/<int:programme_id>/comms/new", methods=["GET", "POST"])
@login_required
def new_item(programme_id: int):
    programme = load_programme(programme_id, Permission.COMMS_MANAGE)
    form = ItemForm()
    _item_choices(form, programme.id)
    return save_form(
        "comms/item_form.html", form,
        lambda: _save_item(form, lambda **values: services.create_item(programme, **values)),
        done=lambda item: (_("Added to the plan: %(title)s", title=item.title),
                           url_for("comms.show_item", programme_id=programme.id, comm_item_id=item.id)),
        programme=programme, item=None)


@bp.route("/programmes/<int:programme_id>/comms/<int:comm_item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(programme_id: int, comm_item_id: int):
    programme, item = load_in_programme(CommunicationItem, programme_id, comm_item_id, Permission.COMMS_MANAGE)
    form = ItemForm(obj=item, purpose=item.purpose.value, channel=item.channel.value)
    _item_choices(form, programme.id)
    return save_form(
        "comms/item_form.html", form,
        lambda: _save_item(form, lambda **values: services.update_item(
            item, expected_version=form.expected_version(), **values)),
        done=lambda _result: (_("Plan item saved: %(title)s", title=item.title),
                              url_for("comms.show_item", programme_id=programme.id, comm_item_id=item.id)),
        programme=programme, item=item)


@bp.route("/programmes/<int:programme_id>/comms/<int:comm_item_id>/delete", methods=["GET", "POST"])
@login_required
def delete_item(programme_id: int, comm_item_id: int):
    programme, item = load_in_programme(CommunicationItem, programme_id, comm_item_id, Permission.COMMS_MANAGE)
    title = item.title
    return confirm_delete(
        what=_("the plan item %(title)s", title=title), delete=lambda: services.delete_item(item),
        warning=_("What was already sent or held stays in the log."),
        done_message=_("Plan item deleted: %(title)s", title=title),
        done_url=url_for("comms.list_items", programme_id=programme.id),
        cancel_url=url_for("comms.show_item", programme_id=programme.id, comm_item_id=item.id))


def _item_occurrences(programme, item: CommunicationItem, today: date):
    return occurrences_of([item], logs_by_occurrence(programme.id), today, programme_calendar(programme),
                          until=add_capped(item.planned_on, HORIZON))[item.id]


@bp.route("/programmes/<int:programme_id>/comms/<int:comm_item_id>")
@login_required
def show_item(programme_id: int, comm_item_id: int):
    programme, item = load_in_programme(CommunicationItem, programme_id, comm_item_id, Permission.PROGRAMME_VIEW)
    today = clock.today()
    return render_template("comms/item.html", programme=programme, item=item, today=today,
                           occurrences=_item_occurrences(programme, item, today),
                           can_manage=can(Permission.COMMS_MANAGE, programme),
                           can_see_people=can(Permission.PEOPLE_VIEW, programme), **LABELS)


def _open_dates(programme, item: CommunicationItem) -> list[date]:
    """Dates of the item not yet logged, up to the due window (missed ones may still be sent late)."""
    listed = occurrences_of([item], logs_by_occurrence(programme.id), clock.today(),
                            programme_calendar(programme))[item.id]
    return [occurrence.on for occurrence in listed
            if occurrence.state not in (OccurrenceState.DONE, OccurrenceState.PLANNED)]


@bp.route("/programmes/<int:programme_id>/comms/<int:comm_item_id>/send", methods=["GET", "POST"])
@login_required
def send_item(programme_id: int, comm_item_id: int):
    programme, item = load_in_programme(CommunicationItem, programme_id, comm_item_id, Permission.COMMS_MANAGE)
    if item.channel != CommsChannel.EMAIL:
        abort(404)
    dates = _open_dates(programme, item)
    form = SendForm(subject=item.title, body=item.message, occurrence_on=request.args.get("occurrence"))
    form.occurrence_on.choices = as_choices((day.isoformat(), day.isoformat()) for day in dates)
    context = {"programme": programme, "item": item, "has_dates": bool(dates)}
    if not form.validate_on_submit():
        return render_form("comms/send_item.html", form, **context)
    try:
        log = services.send_item(item, date.fromisoformat(form.occurrence_on.data), form.subject.data,
                                 form.body.data, current_user)
    except DomainError as error:
        show_domain_error(form, error)
        return render_form("comms/send_item.html", form, status=error.status_code, **context)
    flash(ngettext_sent(log), "success")
    return redirect(url_for("comms.show_item", programme_id=programme.id, comm_item_id=item.id))


def ngettext_sent(log) -> str:
    from flask_babel import ngettext

    message = ngettext("Queued for %(num)d person.", "Queued for %(num)d people.", log.recipients_count)
    if log.without_email_count:
        message += " " + ngettext("%(num)d person has no email address.", "%(num)d people have no email address.",
                                  log.without_email_count)
    return message


# --- the log ----------------------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/comms/log")
@login_required
def list_log(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    log = db.paginate(queries.log_of(programme.id), page=page_number(), per_page=per_page(), error_out=False)
    return render_template("comms/log.html", programme=programme, log=log,
                           can_manage=can(Permission.COMMS_MANAGE, programme),
                           can_see_people=can(Permission.PEOPLE_VIEW, programme), **LABELS)


def _held_choices(form: HeldForm, programme_id: int) -> None:
    form.item_id.choices = as_choices([("", _("None: not in the plan"))] + [
        (item.id, item.title) for item in db.session.scalars(queries.items_of(programme_id))
        if item.channel != CommsChannel.EMAIL])
    form.audience_id.choices = as_choices([("", _("Choose an audience"))] + [
        (audience.id, audience.name) for audience in db.session.scalars(audiences_of(programme_id))])
    form.region_id.choices = _region_choices(programme_id)


def _region_choices(programme_id: int):
    return as_choices([("", _("No particular region"))] + db.session.execute(
        select(Region.id, Region.name).where(Region.programme_id == programme_id).order_by(Region.name)).all())


@bp.route("/programmes/<int:programme_id>/comms/log/held", methods=["GET", "POST"])
@login_required
def record_held(programme_id: int):
    programme = load_programme(programme_id, Permission.COMMS_MANAGE)
    form = HeldForm(item_id=id_arg("item"), occurrence_on=_date_arg("occurrence"))
    _held_choices(form, programme.id)

    def save():
        item = db.session.get(CommunicationItem, form.item_id.data) if form.item_id.data is not None else None
        return services.record_held(
            programme, held_on=form.held_on.data, subject=form.subject.data, notes=form.notes.data, item=item,
            occurrence_on=form.occurrence_on.data, audience_id=form.audience_id.data, purpose=form.purpose.data,
            channel=form.channel.data, region_id=form.region_id.data,
            recipients_count=form.recipients_count.data or 0,
            recorded_by_id=current_user.id)

    return save_form("comms/held_form.html", form, save,
                     done=lambda log: (_("Recorded in the log: %(subject)s", subject=log.subject),
                                       url_for("comms.list_log", programme_id=programme.id)),
                     programme=programme)


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


# --- the gap check ----------------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/comms/gaps")
@login_required
def show_gaps(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    return _render_gaps(programme)


def _render_gaps(programme, form: NoticeDaysForm | None = None, status: int = 200):
    can_manage = can(Permission.COMMS_MANAGE, programme)
    if can_manage and form is None:
        form = NoticeDaysForm(formdata=None, obj=programme)
    return render_template("comms/gaps.html", programme=programme, report=check_gaps(programme, clock.today()),
                           notice_labels=NOTICE_LABELS, notice_window_days=NOTICE_WINDOW_DAYS,
                           form=form if can_manage else None,
                           can_manage=can_manage), status


@bp.route("/programmes/<int:programme_id>/comms/gaps/notice-days", methods=["POST"])
@login_required
def edit_notice_days(programme_id: int):
    programme = load_programme(programme_id, Permission.COMMS_MANAGE)
    form = NoticeDaysForm()
    if not form.validate():
        return _render_gaps(programme, form, 422)
    try:
        services.set_go_live_notice_days(programme, form.go_live_notice_days.data,
                                         expected_version=form.expected_version())
    except DomainError as error:
        show_domain_error(form, error)
        return _render_gaps(programme, form, error.status_code)
    flash(_("Go-live notices are now checked %(days)s working days ahead.", days=programme.go_live_notice_days),
          "success")
    return redirect(url_for("comms.show_gaps", programme_id=programme.id))
