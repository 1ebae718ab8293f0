"""Feedback pages: the personal signed page (no account needed), submitting from the programme, the answering
list and item page, a person's link, and the FAQ."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from planner.core import clock
from planner.core.errors import DomainError
from planner.core.forms import as_choices, show_domain_error
from planner.core.pages import id_arg, page_number, per_page
from planner.core.permissions import Permission, can, login_required, public
from planner.extensions import db
from planner.feedback import bp, links, queries, services
from planner.feedback.forms import (
    KIND_LABELS, STATE_LABELS, TOPIC_LABELS, AnswerForm, ItemActionForm, PublishForm, SubmitForm,
)
from planner.feedback.models import FeedbackItem, FeedbackLink, FeedbackState, FeedbackTopic
from planner.feedback.status import STALE_AFTER_DAYS, age_in_days
from planner.people.models import Person
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.models import Programme, Region

#: a person's own page lists at most this many of their items (newest first)
OWN_ITEMS_SHOWN = 50
LABELS = dict(kind_labels=KIND_LABELS, topic_labels=TOPIC_LABELS, state_labels=STATE_LABELS)


def _region_choices(programme_id: int):
    regions = db.session.execute(select(Region.id, Region.name).where(Region.programme_id == programme_id)
                                 .order_by(Region.name)).all()
    return as_choices([("", _("No particular region"))] + [(region_id, name) for region_id, name in regions])


def _submit(programme: Programme, form: SubmitForm, *, person: Person | None, user_id: int | None):
    """Validate and save a submission; None when saved, else the status to re-render the form with."""
    if not form.validate_on_submit():
        return 422 if request.method == "POST" else None
    try:
        services.submit_feedback(programme, kind=form.kind.data, topic=form.topic.data, text=form.text.data,
                                 region_id=form.region_id.data, person=person, user_id=user_id)
    except DomainError as error:
        show_domain_error(form, error)
        return error.status_code
    flash(_("Thank you. Your message was sent to the project team; the answer will appear here and reach you "
            "by email."), "success")
    return None


# --- the personal signed page ----------------------------------------------------------------------------

@bp.route("/feedback/<token>", methods=["GET", "POST"])
@public
def by_token(token: str):
    """A person's own page through their signed link: ask or comment, see earlier items and their answers, and
    the programme's FAQ. An unknown or revoked token is a 404."""
    person = links.person_for_token(token)
    if person is None:
        abort(404)
    programme = person.programme
    form = SubmitForm(region_id=person.region_id)
    form.region_id.choices = _region_choices(programme.id)
    status = _submit(programme, form, person=person, user_id=None) if request.method == "POST" else None
    if request.method == "POST" and status is None:
        return redirect(url_for("feedback.by_token", token=token))
    items = db.session.scalars(queries.items_of_person(person.id).limit(OWN_ITEMS_SHOWN)).all()
    faq = db.session.scalars(queries.faq_of(programme.id)).all()
    return render_template("feedback/by_token.html", person=person, programme=programme, form=form, items=items,
                           faq=faq, **LABELS), status or 200


# --- submitting while logged in ----------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/feedback/new", methods=["GET", "POST"])
@login_required
def submit_feedback(programme_id: int):
    """Any member asks a question or gives feedback, as their person in the programme when their account has
    one; the page lists what they sent before and the answers."""
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    person = current_user.person
    if person is not None and person.programme_id != programme.id:
        person = None
    form = SubmitForm(region_id=person.region_id if person is not None else None)
    form.region_id.choices = _region_choices(programme.id)
    status = _submit(programme, form, person=person, user_id=current_user.id) if request.method == "POST" else None
    if request.method == "POST" and status is None:
        return redirect(url_for("feedback.submit_feedback", programme_id=programme.id))
    items = db.session.scalars(queries.items_of_user(programme.id, current_user.id, person.id if person else None)
                               .limit(OWN_ITEMS_SHOWN)).all()
    return render_template("feedback/submit.html", programme=programme, form=form, items=items,
                           **LABELS), status or 200


# --- answering ---------------------------------------------------------------------------------------------

def _enum_arg(name: str, enum_class):
    try:
        return enum_class(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/programmes/<int:programme_id>/feedback")
@login_required
def list_feedback(programme_id: int):
    """Everything people sent, open first and the oldest open on top, with each open item's age in days;
    filtered by state, topic and region. Names are shown, so it needs PEOPLE_VIEW."""
    programme = load_programme(programme_id, Permission.PEOPLE_VIEW)
    state, topic = _enum_arg("state", FeedbackState), _enum_arg("topic", FeedbackTopic)
    region_id = id_arg("region")
    items = db.paginate(queries.items_of(programme.id, state=state, topic=topic, region_id=region_id),
                        page=page_number(), per_page=per_page(), error_out=False)
    today = clock.today()
    return render_template(
        "feedback/list.html", programme=programme, items=items, state=state, topic=topic, region_id=region_id,
        regions=_region_choices(programme.id), oldest=db.session.scalar(queries.oldest_open(programme.id)),
        today=today, age_in_days=age_in_days, stale_after=STALE_AFTER_DAYS, **LABELS)


def _render_item(programme: Programme, item: FeedbackItem, *, answer_form: AnswerForm | None = None,
                 publish_form: PublishForm | None = None, action_error: str | None = None, status: int = 200):
    can_answer = can(Permission.FEEDBACK_ANSWER, programme)
    if can_answer:
        answer_form = answer_form or AnswerForm(formdata=None, answer=item.answer, version=item.version)
        publish_form = publish_form or PublishForm(formdata=None, version=item.version,
                                                   faq_question=item.faq_question or item.text)
    has_link = item.person_id is not None and can_answer and db.session.scalar(
        select(FeedbackLink.id).where(FeedbackLink.person_id == item.person_id)) is not None
    return render_template(
        "feedback/item.html", programme=programme, item=item, can_answer=can_answer,
        answer_form=answer_form if can_answer else None, publish_form=publish_form if can_answer else None,
        action_form=ItemActionForm(formdata=None, version=item.version), action_error=action_error,
        has_link=has_link, age=age_in_days(item.submitted_at, clock.today()), **LABELS), status


@bp.route("/programmes/<int:programme_id>/feedback/<int:feedback_id>")
@login_required
def show_feedback(programme_id: int, feedback_id: int):
    programme, item = load_in_programme(FeedbackItem, programme_id, feedback_id, Permission.PEOPLE_VIEW)
    return _render_item(programme, item)


def _back_to(item: FeedbackItem):
    return redirect(url_for("feedback.show_feedback", programme_id=item.programme_id, feedback_id=item.id))


@bp.route("/programmes/<int:programme_id>/feedback/<int:feedback_id>/answer", methods=["POST"])
@login_required
def answer_feedback(programme_id: int, feedback_id: int):
    """Answer (or correct the answer); whoever asked gets the answer by email with their link."""
    programme, item = load_in_programme(FeedbackItem, programme_id, feedback_id, Permission.FEEDBACK_ANSWER)
    form = AnswerForm()
    if not form.validate():
        return _render_item(programme, item, answer_form=form, status=422)
    try:
        sent = services.answer_feedback(item, answer=form.answer.data, answered_by_id=current_user.id,
                                        expected_version=form.expected_version())
    except DomainError as error:
        show_domain_error(form, error)
        return _render_item(programme, item, answer_form=form, status=error.status_code)
    flash(_("Answer saved and sent by email.") if sent else _("Answer saved."), "success")
    return _back_to(item)


def _item_action(programme_id: int, feedback_id: int, action, done_message: str):
    """Close, reopen or unpublish: a version check, the service, a flash; a refusal re-renders the item."""
    programme, item = load_in_programme(FeedbackItem, programme_id, feedback_id, Permission.FEEDBACK_ANSWER)
    form = ItemActionForm()
    if not form.validate():
        return _render_item(programme, item, action_error=_("Reload the page and try again."), status=422)
    try:
        action(item, expected_version=form.expected_version())
    except DomainError as error:
        return _render_item(programme, item, action_error=error.message, status=error.status_code)
    flash(done_message, "success")
    return _back_to(item)


@bp.route("/programmes/<int:programme_id>/feedback/<int:feedback_id>/close", methods=["POST"])
@login_required
def close_feedback(programme_id: int, feedback_id: int):
    return _item_action(programme_id, feedback_id, services.close_feedback, _("Closed without an answer."))


@bp.route("/programmes/<int:programme_id>/feedback/<int:feedback_id>/reopen", methods=["POST"])
@login_required
def reopen_feedback(programme_id: int, feedback_id: int):
    return _item_action(programme_id, feedback_id, services.reopen_feedback, _("Opened again."))


@bp.route("/programmes/<int:programme_id>/feedback/<int:feedback_id>/publish", methods=["POST"])
@login_required
def publish_feedback(programme_id: int, feedback_id: int):
    """Put an answered question on the FAQ, worded as given here (never with who asked)."""
    programme, item = load_in_programme(FeedbackItem, programme_id, feedback_id, Permission.FEEDBACK_ANSWER)
    form = PublishForm()
    if not form.validate():
        return _render_item(programme, item, publish_form=form, status=422)
    try:
        services.publish_to_faq(item, faq_question=form.faq_question.data,
                                expected_version=form.expected_version())
    except DomainError as error:
        show_domain_error(form, error)
        return _render_item(programme, item, publish_form=form, status=error.status_code)
    flash(_("Published to the FAQ."), "success")
    return _back_to(item)


@bp.route("/programmes/<int:programme_id>/feedback/<int:feedback_id>/unpublish", methods=["POST"])
@login_required
def unpublish_feedback(programme_id: int, feedback_id: int):
    return _item_action(programme_id, feedback_id, services.unpublish_from_faq, _("Taken off the FAQ."))


# --- a person's link ----------------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/people/<int:person_id>/feedback-link", methods=["GET", "POST"])
@login_required
def person_link(programme_id: int, person_id: int):
    """The person's personal feedback link, to pass on to them; POST makes a new one (the old one stops
    working). Viewing never creates a link."""
    programme, person = load_in_programme(Person, programme_id, person_id, Permission.FEEDBACK_ANSWER)
    if request.method == "POST":
        links.reset_feedback_link(person)
        flash(_("A new feedback link was made for %(name)s; the old one no longer works.", name=person.full_name),
              "success")
        return redirect(url_for("feedback.person_link", programme_id=programme.id, person_id=person.id))
    has_link = db.session.scalar(select(FeedbackLink.id).where(FeedbackLink.person_id == person.id)) is not None
    return render_template("feedback/person_link.html", programme=programme, person=person,
                           url=links.feedback_url(person) if has_link else None)


# --- the FAQ ------------------------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/faq")
@login_required
def show_faq(programme_id: int):
    """The published answers, by topic, for everyone in the programme; never who asked."""
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    return render_template("feedback/faq.html", programme=programme,
                           faq=db.session.scalars(queries.faq_of(programme.id)).all(),
                           can_answer=can(Permission.FEEDBACK_ANSWER, programme), **LABELS)
