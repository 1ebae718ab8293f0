"""Survey pages: the rounds, their results (table and heat map, aggregates only), opening, reminding and
closing a round, typing in paper forms, who has not answered, and the public answer page behind the link."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.comms.audiences import audiences_of
from planner.core import clock
from planner.core.errors import DomainError, error_response
from planner.core.forms import as_choices
from planner.core.pages import (
    confirm_delete, id_arg, page_number, paginate, per_page, render_form, render_refused, save_form,
)
from planner.core.permissions import Permission, can, login_required, public
from planner.extensions import db
from planner.programmes.loading import load_in_programme, load_programme
from planner.programmes.models import Region
from planner.reports.readiness_heatmap import HeatmapRow, render_heatmap
from planner.surveys import bp, queries, services
from planner.surveys.forms import ELEMENT_LABELS, ELEMENT_QUESTIONS, PaperForm, RemindForm, RoundForm, ScoresForm
from planner.surveys.models import ELEMENTS, RoundState, SurveyResponse, SurveyRound
from planner.surveys.results import BARRIER_AT_OR_BELOW, MIN_ANSWERS, comments_of, round_results

CHART_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def _state_labels():
    return {RoundState.DRAFT: _("Draft"), RoundState.OPEN: _("Open"), RoundState.CLOSED: _("Closed")}


# --- rounds --------------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/surveys")
@login_required
def list_rounds(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    rounds = db.paginate(queries.rounds_of(programme.id), page=page_number(), per_page=per_page(), error_out=False)
    return render_template("surveys/rounds.html", programme=programme, rounds=rounds,
                           counts=queries.round_counts([survey.id for survey in rounds.items]),
                           state_labels=_state_labels(), can_manage=can(Permission.ADOPTION_MANAGE, programme))


def _audience_choices(programme_id: int):
    return as_choices([("", _("Choose an audience"))]
                      + [(audience.id, audience.name) for audience in db.session.scalars(audiences_of(programme_id))])


def _save_round(form: RoundForm, save):
    return save(title=form.title.data, audience_id=form.audience_id.data, opens_on=form.opens_on.data,
                closes_on=form.closes_on.data, intro=form.intro.data)


@bp.route("/programmes/<int:programme_id>/surveys/new", methods=["GET", "POST"])
@login_required
def new_round(programme_id: int):
    programme = load_programme(programme_id, Permission.ADOPTION_MANAGE)
    form = RoundForm()
    form.audience_id.choices = _audience_choices(programme.id)
    return save_form(
        "surveys/round_form.html", form,
        lambda: _save_round(form, lambda **values: services.create_round(programme, **values)),
        done=lambda survey: (_("Survey prepared: %(title)s. Open it to send the links.", title=survey.title),
                             url_for("surveys.show_round", programme_id=programme.id, survey_id=survey.id)),
        programme=programme, survey=None)


@bp.route("/programmes/<int:programme_id>/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@login_required
def edit_round(programme_id: int, survey_id: int):
    programme, survey = load_in_programme(SurveyRound, programme_id, survey_id, Permission.ADOPTION_MANAGE)
    form = RoundForm(obj=survey)
    form.audience_id.choices = _audience_choices(programme.id)
    return save_form(
        "surveys/round_form.html", form,
        lambda: _save_round(form, lambda **values: services.update_round(
            survey, expected_version=form.expected_version(), **values)),
        done=lambda _result: (_("Survey saved: %(title)s", title=survey.title),
                              url_for("surveys.show_round", programme_id=programme.id, survey_id=survey.id)),
        programme=programme, survey=survey)


@bp.route("/programmes/<int:programme_id>/surveys/<int:survey_id>/delete", methods=["GET", "POST"])
@login_required
def delete_round(programme_id: int, survey_id: int):
    programme, survey = load_in_programme(SurveyRound, programme_id, survey_id, Permission.ADOPTION_MANAGE)
    title = survey.title
    return confirm_delete(
        what=_("the survey %(title)s", title=title), delete=lambda: services.delete_round(survey),
        warning=_("The links sent for it stop working."),
        done_message=_("Survey deleted: %(title)s", title=title),
        done_url=url_for("surveys.list_rounds", programme_id=programme.id),
        cancel_url=url_for("surveys.show_round", programme_id=programme.id, survey_id=survey.id))


@bp.route("/programmes/<int:programme_id>/surveys/<int:survey_id>")
@login_required
def show_round(programme_id: int, survey_id: int):
    """The round's results per region: aggregates only, for everyone in the programme."""
    programme, survey = load_in_programme(SurveyRound, programme_id, survey_id, Permission.PROGRAMME_VIEW)
    results = round_results(survey)
    can_manage = can(Permission.ADOPTION_MANAGE, programme)
    return render_template(
        "surveys/round.html", programme=programme, survey=survey, results=results,
        comments=comments_of(survey, results) if can_manage else None,
        elements=ELEMENTS, element_labels=ELEMENT_LABELS, element_questions=ELEMENT_QUESTIONS,
        state_labels=_state_labels(), min_answers=MIN_ANSWERS, barrier_at=BARRIER_AT_OR_BELOW,
        can_manage=can_manage, today=clock.today())


@bp.route("/programmes/<int:programme_id>/surveys/<int:survey_id>/heatmap.<fmt>")
@login_required
def results_chart(programme_id: int, survey_id: int, fmt: str):
    programme, survey = load_in_programme(SurveyRound, programme_id, survey_id, Permission.PROGRAMME_VIEW)
    if fmt not in CHART_TYPES:
        abort(404)
    results = round_results(survey)
    rows = [HeatmapRow(row.label, row.answers, dict(row.means)) for row in results.rows]
    body = render_heatmap(rows, elements=[(name, str(ELEMENT_LABELS[name])) for name in ELEMENTS],
                          barrier_at=BARRIER_AT_OR_BELOW, fmt=fmt, title=survey.title)
    response = Response(body, mimetype=CHART_TYPES[fmt])
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


def _round_action(programme_id: int, survey_id: int, action, done_message):
    """A button on the round page: do it, flash the outcome (or the refusal), back to the round."""
    programme, survey = load_in_programme(SurveyRound, programme_id, survey_id, Permission.ADOPTION_MANAGE)
    try:
        result = action(survey)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(done_message(result), "success")
    return redirect(url_for("surveys.show_round", programme_id=programme.id, survey_id=survey.id))


@bp.route("/programmes/<int:programme_id>/surveys/<int:survey_id>/open", methods=["POST"])
@login_required
def open_round(programme_id: int, survey_id: int):
    return _round_action(programme_id, survey_id, lambda survey: services.open_round(survey),
                         lambda emailed: _("Survey open. %(count)d emails with a personal link are on their way.",
                                           count=emailed))


@bp.route("/programmes/<int:programme_id>/surveys/<int:survey_id>/remind", methods=["POST"])
@login_required
def remind_round(programme_id: int, survey_id: int):
    """Remind those who have not answered. The form carries the round's version: a second click (or a page
    older than the last change) is 409 and sends nothing; too soon after the last email is a flash."""
    programme, survey = load_in_programme(SurveyRound, programme_id, survey_id, Permission.ADOPTION_MANAGE)
    form = RemindForm()
    if not form.validate():
        return error_response(422, _("Reload the survey page and try again."))
    try:
        reminded = services.send_reminders(survey, expected_version=form.expected_version())
    except DomainError as error:
        if error.status_code == 409:
            raise
        flash(error.message, "error")
    else:
        flash(_("Reminder sent to %(count)d people who have not answered.", count=reminded), "success")
    return redirect(url_for("surveys.show_round", programme_id=programme.id, survey_id=survey.id))


@bp.route("/programmes/<int:programme_id>/surveys/<int:survey_id>/close", methods=["POST"])
@login_required
def close_round(programme_id: int, survey_id: int):
    return _round_action(programme_id, survey_id, services.close_round, lambda _result: _("Survey closed."))


# --- paper forms and who has not answered (project managers) -------------------------------------

def _region_choices(programme_id: int):
    regions = db.session.execute(db.select(Region.id, Region.name).where(Region.programme_id == programme_id)
                                 .order_by(Region.name, Region.id)).all()
    return as_choices([("", _("Choose a region"))] + [(region_id, name) for region_id, name in regions])


@bp.route("/programmes/<int:programme_id>/surveys/<int:survey_id>/paper", methods=["GET", "POST"])
@login_required
def enter_paper(programme_id: int, survey_id: int):
    """Type in paper forms one after another: after each save the form comes back empty, region kept."""
    programme, survey = load_in_programme(SurveyRound, programme_id, survey_id, Permission.ADOPTION_MANAGE)
    form = PaperForm()
    form.region_id.choices = _region_choices(programme.id)
    if request.method == "GET":
        form.region_id.data = id_arg("region")
    entered = db.paginate(queries.paper_responses(survey.id), page=page_number(), per_page=per_page(),
                          error_out=False)
    context = {"programme": programme, "survey": survey, "entered": entered, "elements": ELEMENTS,
               "element_labels": ELEMENT_LABELS}
    if not form.validate_on_submit():
        return render_form("surveys/paper.html", form, **context)
    try:
        services.enter_paper_response(survey, region_id=form.region_id.data, scores=form.scores(),
                                      comment=form.comment.data, entered_by_id=current_user.id)
    except DomainError as error:
        return render_refused("surveys/paper.html", form, error, **context)
    flash(_("Form saved. Enter the next one."), "success")
    return redirect(url_for("surveys.enter_paper", programme_id=programme.id, survey_id=survey.id,
                            region=form.region_id.data))


@bp.route("/programmes/<int:programme_id>/survey-responses/<int:survey_response_id>/delete", methods=["POST"])
@login_required
def delete_paper_response(programme_id: int, survey_response_id: int):
    programme, response = load_in_programme(SurveyResponse, programme_id, survey_response_id,
                                            Permission.ADOPTION_MANAGE)
    round_id = response.round_id
    try:
        services.delete_paper_response(response)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Paper form removed."), "success")
    return redirect(url_for("surveys.enter_paper", programme_id=programme.id, survey_id=round_id))


@bp.route("/programmes/<int:programme_id>/surveys/<int:survey_id>/unanswered")
@login_required
def list_unanswered(programme_id: int, survey_id: int):
    """Who was asked and has not answered: names, so only for those who run the surveys."""
    programme, survey = load_in_programme(SurveyRound, programme_id, survey_id, Permission.ADOPTION_MANAGE)
    unanswered = db.session.scalar(queries.unanswered_count(survey.id))
    people = paginate(queries.unanswered_people(survey, unanswered), total=unanswered)
    return render_template("surveys/unanswered.html", programme=programme, survey=survey, people=people)


# --- the public answer page ----------------------------------------------------------------------

@bp.route("/survey/<token>", methods=["GET", "POST"], endpoint="answer")
@public
def answer_page(token: str):
    """The five questions behind the link in the email. Unknown links are 404; a closed or withdrawn round is
    410 Gone with a kind word: the link was real, but there is nothing left to answer."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        abort(404)
    survey = invitation.round
    context = {"survey": survey, "elements": ELEMENTS, "element_labels": ELEMENT_LABELS,
               "element_questions": ELEMENT_QUESTIONS}
    if survey.state is not RoundState.OPEN:
        return render_template("surveys/answer_closed.html", **context), 410
    previous = db.session.scalar(db.select(SurveyResponse).where(SurveyResponse.invitation_id == invitation.id))
    if previous is not None:
        form = ScoresForm(data={**{name: str(value) for name, value in previous.scores().items()},
                                "comment": previous.comment})
    else:
        form = ScoresForm()
    context["has_answered"] = previous is not None
    if not form.validate_on_submit():
        return render_form("surveys/answer.html", form, **context)
    try:
        services.answer_survey(invitation, scores=form.scores(), comment=form.comment.data)
    except DomainError as error:
        if error.status_code == 410:
            return render_template("surveys/answer_closed.html", **context), 410
        return render_refused("surveys/answer.html", form, error, **context)
    return render_template("surveys/answer_done.html", **context)
