"""Use-cases of readiness surveys: preparing a round, opening it (the audience is resolved to people and each
gets a signed link by email), reminding those who have not answered, closing it, and recording answers given
through the link or typed in from paper forms."""
from datetime import date, datetime, timedelta

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from planner.comms.audiences import members_query
from planner.comms.models import Audience
from planner.core import audit, clock, mail, outbox, outbox_links, secret_links
from planner.core.errors import DomainError, check_version
from planner.core.links import external_url
from planner.extensions import db
from planner.programmes.models import Programme, Region
from planner.surveys.models import (
    ELEMENTS, ResponseSource, RoundState, SurveyInvitation, SurveyResponse, SurveyRound,
)

LINK_PURPOSE = "survey-answer"
#: the kind of secret link a survey email carries (``core.outbox_links``), keyed by the invitation's id
SURVEY_LINK = "survey"
#: a derived token is 43 characters; anything much longer is not worth a database lookup
_MAX_TOKEN_LENGTH = 100
MAX_COMMENT = 2000
#: a reminder waits this long after the last email of the round (the invitations or the last reminder)
REMIND_AGAIN_AFTER = timedelta(hours=12)


class RoundClosedError(DomainError):
    """The round is no longer taking answers: the link was real, but there is nothing left to answer."""

    status_code = 410


# --- rounds -------------------------------------------------------------------------------------

def _round_values(programme_id: int, *, title: str, audience_id: int | None, opens_on: date | None,
                  closes_on: date | None, intro: str) -> dict:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Give the survey a title."), field="title")
    if len(title) > 200:
        raise DomainError(_("The title is longer than 200 characters."), field="title")
    audience = db.session.get(Audience, audience_id) if audience_id else None
    if audience is None or audience.programme_id != programme_id:
        raise DomainError(_("Choose an audience of this programme."), field="audience_id")
    if opens_on is None:
        raise DomainError(_("Give the day the survey opens."), field="opens_on")
    if closes_on is None:
        raise DomainError(_("Give the last day for answers."), field="closes_on")
    if closes_on < opens_on:
        raise DomainError(_("The last day for answers comes before the survey opens."), field="closes_on")
    return {"title": title, "audience_id": audience.id, "opens_on": opens_on, "closes_on": closes_on,
            "intro": (intro or "").strip()[:5000]}


def create_round(programme: Programme, *, title: str, audience_id: int | None, opens_on: date | None,
                 closes_on: date | None, intro: str) -> SurveyRound:
    """Prepare a readiness survey for an audience; nobody is asked until it is opened."""
    survey = SurveyRound(programme_id=programme.id, state=RoundState.DRAFT, reminders_sent=0,
                         **_round_values(programme.id, title=title, audience_id=audience_id, opens_on=opens_on,
                                         closes_on=closes_on, intro=intro))
    db.session.add(survey)
    audit.record_create(survey)
    return survey


def update_round(survey: SurveyRound, *, expected_version: int | None, title: str, audience_id: int | None,
                 opens_on: date | None, closes_on: date | None, intro: str) -> None:
    """Change a round's title, dates or introduction. The audience is fixed once the round has been opened:
    the people asked were resolved from it then."""
    check_version(survey, expected_version)
    values = _round_values(survey.programme_id, title=title, audience_id=audience_id, opens_on=opens_on,
                           closes_on=closes_on, intro=intro)
    if survey.state is not RoundState.DRAFT and values["audience_id"] != survey.audience_id:
        raise DomainError(_("The audience cannot change once the survey has been sent."), field="audience_id")
    changes = audit.apply_changes(survey, values)
    db.session.flush()
    audit.record_update(survey, changes)


def delete_round(survey: SurveyRound) -> None:
    """Remove a round that has no answers yet (answers are the record of how ready people were)."""
    if db.session.scalar(select(SurveyResponse.id).where(SurveyResponse.round_id == survey.id).limit(1)):
        raise DomainError(_("This survey has answers; close it instead of deleting it."))
    audit.delete(survey)


def open_round(survey: SurveyRound, *, today: date | None = None, send_mail: bool = True) -> int:
    """Open the round (first time, or again after closing it): the audience is resolved to people now; each
    person not asked before gets an invitation with their own link, and on re-opening those who have not
    answered get a reminder. Returns how many people were emailed.

    ``send_mail=False`` marks invitations sent without writing outbox rows (the demo)."""
    today = today or clock.today()
    if survey.state is RoundState.OPEN:
        raise DomainError(_("This survey is open already."))
    if survey.closes_on < today:
        raise DomainError(_("The last day for answers (%(day)s) has passed; move it before opening the survey.",
                            day=survey.closes_on.isoformat()), field="closes_on")
    reopening = survey.state is RoundState.CLOSED
    now = clock.now()
    survey.state = RoundState.OPEN
    survey.opened_at = survey.opened_at or now
    survey.closed_at = None
    db.session.flush()
    # remind first: a newcomer invited just now needs no reminder on top of the invitation
    reminded = send_reminders(survey, send_mail=send_mail, _audit=False, _reopening=True) if reopening else 0
    invited = _invite_new_members(survey, now, send_mail)
    audit.record_update(survey, {"state": ["closed" if reopening else "draft", "open"],
                                 "invited": [None, invited], "reminded": [None, reminded]})
    return invited + reminded


def _invite_new_members(survey: SurveyRound, now: datetime, send_mail: bool) -> int:
    already = set(db.session.scalars(select(SurveyInvitation.person_id).where(SurveyInvitation.round_id == survey.id)))
    invited = 0
    for person in db.session.scalars(members_query(survey.audience)):
        if person.id in already:
            continue
        link = secret_links.new_link(LINK_PURPOSE)
        invitation = SurveyInvitation(programme_id=survey.programme_id, round_id=survey.id, person_id=person.id,
                                      link_salt=link.salt, link_token_hash=link.token_hash, sent_at=now)
        invitation.person = person
        invitation.round = survey
        db.session.add(invitation)
        if send_mail:
            db.session.flush()
            _email(survey, invitation, key=f"survey:{survey.id}:{person.id}", is_reminder=False)
        invited += 1
    db.session.flush()
    return invited


def send_reminders(survey: SurveyRound, *, expected_version: int | None = None, send_mail: bool = True,
                   _audit: bool = True, _reopening: bool = False) -> int:
    """Email everyone asked in this open round who has not answered yet (each reminder is a new message).
    Refused on a stale version (a double click) and within ``REMIND_AGAIN_AFTER`` of the round's last email
    (its opening or the last reminder); re-opening a closed round reminds without that wait. Returns how many
    were reminded."""
    check_version(survey, expected_version)
    if survey.state is not RoundState.OPEN:
        raise DomainError(_("Only an open survey can send reminders."))
    now = clock.now()
    last = max((moment for moment in (survey.opened_at, survey.reminded_at) if moment is not None), default=None)
    if not _reopening and last is not None and now < last + REMIND_AGAIN_AFTER:
        hours = REMIND_AGAIN_AFTER.total_seconds() / 3600
        raise DomainError(_("The last email for this survey went out less than %(hours)d hours ago. Remind again "
                            "from %(when)s (UTC), so people are not flooded.", hours=hours,
                            when=(last + REMIND_AGAIN_AFTER).strftime("%Y-%m-%d %H:%M")))
    survey.reminders_sent = (survey.reminders_sent or 0) + 1
    survey.reminded_at = now
    number = survey.reminders_sent
    waiting = db.session.scalars(select(SurveyInvitation).where(SurveyInvitation.round_id == survey.id,
                                                                 SurveyInvitation.answered_at.is_(None))
                                 .order_by(SurveyInvitation.id)).all()
    if send_mail:
        for invitation in waiting:
            _email(survey, invitation, key=f"survey:{survey.id}:{invitation.person_id}:reminder:{number}",
                   is_reminder=True)
    db.session.flush()
    if _audit:
        audit.record_update(survey, {"reminders_sent": [number - 1, number], "reminded": [None, len(waiting)]})
    return len(waiting)


def close_round(survey: SurveyRound) -> None:
    """Stop taking answers; the links then say the survey is closed."""
    if survey.state is not RoundState.OPEN:
        raise DomainError(_("Only an open survey can be closed."))
    changes = audit.apply_changes(survey, {"state": RoundState.CLOSED, "closed_at": clock.now()})
    db.session.flush()
    audit.record_update(survey, changes)


def survey_tokens(invitation_ids) -> dict[int, str]:
    """Invitation id -> the token of its answer link now, for the mail sender (one query). After SECRET_KEY
    changed, the link in earlier emails no longer works; the invitation then gets a new salt, so a reminder
    carries a link that works."""
    return secret_links.current_tokens(SurveyInvitation.id, invitation_ids, purpose=LINK_PURPOSE,
                                       salt=SurveyInvitation.link_salt, stored_hash=SurveyInvitation.link_token_hash)


outbox_links.register(SURVEY_LINK, survey_tokens)


def _email(survey: SurveyRound, invitation: SurveyInvitation, *, key: str, is_reminder: bool) -> None:
    person = invitation.person
    links = outbox_links.SecretLinks()
    link = external_url("surveys.answer", token=links.token(SURVEY_LINK, invitation.id))
    context = {"survey": survey, "person": person, "link": link, "is_reminder": is_reminder,
               "programme_name": db.session.get(Programme, survey.programme_id).name}
    subject = (_("Reminder: %(title)s", title=survey.title) if is_reminder
               else _("Your view, please: %(title)s", title=survey.title))
    message = mail.compose(to=person.email.lower(), subject=subject,
                           text=render_template("surveys/email/invitation.txt", **context),
                           html=render_template("surveys/email/invitation.html", **context))
    outbox.enqueue(message, key=key, kind="survey", programme_id=survey.programme_id, links=links)


# --- answers ------------------------------------------------------------------------------------

def invitation_for_token(token: str) -> SurveyInvitation | None:
    """The invitation a survey link belongs to, or None for an unknown or malformed link (also one made under an
    earlier SECRET_KEY)."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    invitation = db.session.scalar(select(SurveyInvitation).where(
        SurveyInvitation.link_token_hash == secret_links.token_hash(token)))
    if invitation is None or not secret_links.is_current(LINK_PURPOSE, invitation.link_salt, token):
        return None
    return invitation


def clean_scores(scores: dict) -> dict[str, int]:
    """The five scores as whole numbers from 1 to 5; anything else is refused, naming the element."""
    cleaned = {}
    for name in ELEMENTS:
        value = scores.get(name)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool) or not 1 <= number <= 5 or str(value).strip() != str(number):
            raise DomainError(_("Choose a score from 1 to 5."), field=name)
        cleaned[name] = number
    return cleaned


def _clean_comment(comment: str | None) -> str:
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError(_("The comment is longer than %(count)d characters.", count=MAX_COMMENT), field="comment")
    return comment


def _response_of(invitation_id: int) -> SurveyResponse | None:
    return db.session.scalar(select(SurveyResponse).where(SurveyResponse.invitation_id == invitation_id))


def answer_survey(invitation: SurveyInvitation, *, scores: dict, comment: str = "") -> SurveyResponse:
    """Record (or change) a person's answers through their link, while the round is open. Two submissions at the
    same moment (a double click) keep one response: the later one updates it."""
    survey = invitation.round
    if survey.state is not RoundState.OPEN:
        raise RoundClosedError(_("This survey is closed, so answers can no longer be given. Thank you all the same."))
    values = {**clean_scores(scores), "comment": _clean_comment(comment)}
    now = clock.now()
    response = _response_of(invitation.id)
    if response is None:
        response = SurveyResponse(programme_id=invitation.programme_id, round_id=survey.id,
                                  invitation_id=invitation.id, person_id=invitation.person_id,
                                  region_id=invitation.person.region_id, source=ResponseSource.LINK,
                                  submitted_at=now, **values)
        try:
            with db.session.begin_nested():  # one response per invitation (unique): the database decides
                db.session.add(response)
        except IntegrityError:  # another request inserted it since the lookup: update theirs instead
            response = _response_of(invitation.id)
    for key, value in values.items():
        setattr(response, key, value)
    response.submitted_at = now
    invitation.answered_at = now
    db.session.flush()
    return response


def enter_paper_response(survey: SurveyRound, *, region_id: int | None, scores: dict, comment: str = "",
                         entered_by_id: int | None) -> SurveyResponse:
    """Type in one paper form (no name: only its region). Taken while the round is open or after it closed (forms
    collected before the close), never for a round not yet sent."""
    if survey.state is RoundState.DRAFT:
        raise DomainError(_("Open the survey before entering answers."))
    region = db.session.get(Region, region_id) if region_id else None
    if region is None or region.programme_id != survey.programme_id:
        raise DomainError(_("Choose the region written on the form."), field="region_id")
    response = SurveyResponse(programme_id=survey.programme_id, round_id=survey.id, region_id=region.id,
                              source=ResponseSource.PAPER, entered_by_id=entered_by_id,
                              submitted_at=clock.now(), comment=_clean_comment(comment), **clean_scores(scores))
    db.session.add(response)
    audit.record_create(response)
    return response


def delete_paper_response(response: SurveyResponse) -> None:
    """Remove a paper form typed in by mistake (answers given through a link belong to their person)."""
    if response.source is not ResponseSource.PAPER:
        raise DomainError(_("Only answers typed in from paper can be removed."))
    audit.delete(response)
