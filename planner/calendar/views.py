"""Calendar pages: the secret feed URL and its settings, answering an invitation from its link, and
uploading a received iTIP reply."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.http import http_date

from planner.calendar import feeds, intake, tokens
from planner.calendar.forms import ANSWER_LABELS, ANSWERS, BUTTON_LABELS, ReplyUploadForm, RsvpForm
from planner.calendar.replies import ReplyError
from planner.committee import invitations
from planner.committee.models import Answer, MeetingInvitee, MeetingOccurrence, MeetingStatus, OccurrenceAnswer
from planner.core.errors import DomainError
from planner.core.pages import id_arg, render_form, render_refused
from planner.core.permissions import Permission, login_required, public
from planner.extensions import db
from planner.programmes.loading import load_programme

bp = Blueprint("calendar", __name__)

#: Per user and secret, so no shared cache may keep it; clients may reuse it for five minutes, which
#: absorbs apps that poll every minute or several devices on one URL while a change still shows soon.
FEED_CACHE_CONTROL = "private, max-age=300"


# --- the feed ------------------------------------------------------------------------------------

@bp.route("/calendar/<token>.ics")
@public
def feed(token: str):
    """The user's subscription feed. An unknown or revoked token is a plain 404 that says nothing more."""
    user = tokens.user_for_feed_token(token)
    if user is None:
        return Response("Not found\n", 404, mimetype="text/plain")
    built = feeds.build_feed(user)
    headers = {"ETag": built.etag, "Last-Modified": http_date(built.last_modified),
               "Cache-Control": FEED_CACHE_CONTROL}
    if _is_not_modified(built):
        return Response(status=304, headers=headers)
    return Response(built.body, 200, headers=headers, content_type="text/calendar; charset=utf-8")


def _is_not_modified(built: feeds.Feed) -> bool:
    """RFC 9110 13.2.2: If-None-Match, when sent, decides alone; an unparseable If-Modified-Since is ignored."""
    if "If-None-Match" in request.headers:
        return request.if_none_match.contains_weak(built.etag.strip('"'))
    since = request.if_modified_since
    return since is not None and built.last_modified.replace(microsecond=0) <= since


@bp.route("/me/calendar")
@login_required
def my_feed():
    """The user's feed addresses (webcal and https), or a button to create them. Never writes."""
    return render_template("calendar/my_feed.html", urls=tokens.feed_urls(current_user))


@bp.route("/me/calendar/reset", methods=["POST"])
@login_required
def reset_feed():
    """Create the feed address, or replace it: the old one stops working at once."""
    had_one = current_user.calendar_salt is not None
    tokens.reset_feed_token(current_user._get_current_object())
    if had_one:
        flash(_("You have a new calendar link. The old one no longer works: subscribe again with the new one."),
              "success")
    else:
        flash(_("Your calendar link is ready. Add it to your calendar app."), "success")
    return redirect(url_for("calendar.my_feed"))


# --- answering from the link in the invitation ---------------------------------------------------

@bp.route("/rsvp/<token>", methods=["GET", "POST"])
@public
def rsvp(token: str):
    """Accept, tentatively accept or decline, for the whole series or one occurrence (``?occurrence=<id>``).

    A cancelled meeting, a cancelled occurrence or a person taken off the meeting get 410 Gone: the
    link was real, but there is nothing left to answer.
    """
    invitee, occurrence = _rsvp_target(token)
    meeting = invitee.meeting
    gone = _why_gone(invitee, occurrence)
    context = {"invitee": invitee, "meeting": meeting, "occurrence": occurrence, "answers": ANSWERS,
               "answer_labels": ANSWER_LABELS, "button_labels": BUTTON_LABELS,
               "when": invitations.describe_when(meeting, occurrence or invitations.next_occurrence(meeting))}
    if gone:
        return render_template("calendar/rsvp_gone.html", message=gone, **context), 410
    form = RsvpForm()
    context["current"] = _current_answer(invitee, occurrence)
    if not form.validate_on_submit():
        return render_form("calendar/rsvp.html", form, **context)
    try:
        invitations.record_answer(invitee, form.answer.data, comment=form.comment.data or "", occurrence=occurrence)
    except DomainError as error:
        return render_refused("calendar/rsvp.html", form, error, **context)
    context["current"] = _current_answer(invitee, occurrence)
    return render_template("calendar/rsvp_done.html", **context)


def _rsvp_target(token: str) -> tuple[MeetingInvitee, MeetingOccurrence | None]:
    invitee = invitations.invitee_for_token(token)
    if invitee is None:
        abort(404)
    if "occurrence" not in request.args:
        return invitee, None
    occurrence_id = id_arg("occurrence")
    occurrence = db.session.get(MeetingOccurrence, occurrence_id) if occurrence_id else None
    if occurrence is None or occurrence.meeting_id != invitee.meeting_id:
        abort(404)
    return invitee, occurrence


def _why_gone(invitee: MeetingInvitee, occurrence: MeetingOccurrence | None) -> str | None:
    if invitee.meeting.status is MeetingStatus.CANCELLED:
        return _("This meeting was cancelled, so there is nothing to answer.")
    if invitee.removed_at is not None:
        return _("You are no longer invited to this meeting, so there is nothing to answer.")
    if occurrence is not None and occurrence.is_cancelled:
        return _("The meeting of %(day)s was cancelled, so there is nothing to answer.",
                 day=occurrence.original_start.strftime("%Y-%m-%d"))
    return None


def _current_answer(invitee: MeetingInvitee, occurrence: MeetingOccurrence | None):
    """The answer on record: for one occurrence its own if given, else the series' answer."""
    if occurrence is not None:
        row = db.session.scalar(select(OccurrenceAnswer).where(OccurrenceAnswer.invitee_id == invitee.id,
                                                               OccurrenceAnswer.occurrence_id == occurrence.id))
        if row is not None:
            return row.answer
    return invitee.answer


# --- uploading a received reply ------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/calendar-replies", methods=["GET", "POST"])
@login_required
def upload_reply(programme_id: int):
    """Record answers from a reply that reached someone's mailbox: an .eml (the sender must be the attendee)
    or a bare .ics (trusted: the project manager vouches for it). Only this programme's meetings match."""
    programme = load_programme(programme_id, Permission.MEETINGS_MANAGE)
    form = ReplyUploadForm()
    context = {"programme": programme}
    if not form.validate_on_submit():
        return render_form("calendar/upload_reply.html", form, **context)
    upload = form.file.data
    data = upload.read()
    try:
        recorded = intake.receive(data, is_ics=intake.looks_like_ics(data, upload.filename or ""),
                                  programme_id=programme.id)
    except ReplyError as error:
        return render_refused("calendar/upload_reply.html", form, DomainError(
            _("This file is not a calendar reply the planner can read (%(reason)s).", reason=str(error)),
            field="file"), **context)
    except DomainError as error:
        return render_refused("calendar/upload_reply.html", form, error, **context)
    for answer in recorded:
        meeting = answer.meeting_title + (f" ({answer.occurrence})" if answer.occurrence else "")
        flash(_("Recorded for %(meeting)s: %(email)s, %(answer)s.", meeting=meeting, email=answer.email,
                answer=ANSWER_LABELS[Answer(answer.answer)]), "success")
    return redirect(url_for("calendar.upload_reply", programme_id=programme.id))
