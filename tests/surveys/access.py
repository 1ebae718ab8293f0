"""Access-matrix rows for the readiness-survey pages (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the login page.
POSTs carry a valid CSRF token and no other field.

The statuses assume the world ``surveys_objects`` builds in each programme:
- an audience listing one person of its own, and survey_id: a round to it, OPEN (so opening it again is
  refused with a flash and a redirect: 302; closing is done: 302; reminding without the round's version is
  refused with 422; deleting is refused because it has answers: 302 with a flash);
- survey_response_id: a paper form typed in for that round (removing it is done: 302, and it is gone).
The public answer page ``surveys.answer`` takes a real token: ``survey_tokens(survey_id)`` gives
{"surveys.answer": token} for the matrix's Side.tokens (call inside an app context). The round is open, so
every role gets the questions (200) and an empty POST is refused with 422.
"""
from datetime import timedelta

from planner.surveys.models import SurveyResponse, SurveyRound

LOGIN = "login"

#: reading aggregates: every role in the programme
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
#: ADOPTION_MANAGE (project managers): a form page, a form posted empty (422), an action needing no field (302)
MANAGE_GET = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
MANAGE_POST = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
MANAGE_ACTION = (LOGIN, 302, 302, 404, 403, 403, 403, 404)
#: the public answer page behind the signed link: no login, same for everyone
PUBLIC_GET = (200, 200, 200, 200, 200, 200, 200, 200)
PUBLIC_POST = (422, 422, 422, 422, 422, 422, 422, 422)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("surveys.list_rounds", "GET"):                   READ,
    ("surveys.new_round", "GET"):                     MANAGE_GET,
    ("surveys.new_round", "POST"):                    MANAGE_POST,
    ("surveys.show_round", "GET"):                    READ,
    ("surveys.results_chart", "GET"):                 READ,
    ("surveys.edit_round", "GET"):                    MANAGE_GET,
    ("surveys.edit_round", "POST"):                   MANAGE_POST,
    ("surveys.delete_round", "GET"):                  MANAGE_GET,
    ("surveys.delete_round", "POST"):                 MANAGE_ACTION,  # refused: it has answers (flash)
    ("surveys.open_round", "POST"):                   MANAGE_ACTION,  # refused: open already (flash)
    ("surveys.remind_round", "POST"):                 MANAGE_POST,  # no version posted: 422
    ("surveys.close_round", "POST"):                  MANAGE_ACTION,
    ("surveys.enter_paper", "GET"):                   MANAGE_GET,
    ("surveys.enter_paper", "POST"):                  MANAGE_POST,
    ("surveys.delete_paper_response", "POST"):        MANAGE_ACTION,
    ("surveys.list_unanswered", "GET"):               MANAGE_GET,
    ("surveys.answer", "GET"):                        PUBLIC_GET,
    ("surveys.answer", "POST"):                       PUBLIC_POST,
}

#: delete endpoints -> (model, placeholder): an allowed POST must really delete the object
DELETES: dict = {
    "surveys.delete_paper_response": (SurveyResponse, "survey_response_id"),
}

#: placeholder -> model, for the check that another programme's objects are out of reach
OBJECT_KEYS: dict = {"survey_id": SurveyRound, "survey_response_id": SurveyResponse}


def surveys_objects(programme) -> dict[str, int]:
    """The survey objects the rows above assume, made through the services (call inside an app context, with
    ``programme`` attached to the session; the caller commits). The person asked is one of their own, so the
    world's person stays free to be deleted."""
    from planner.comms import audiences
    from planner.core import clock
    from planner.people import services as people_services
    from planner.surveys import services

    person = people_services.create_person(programme, full_name="Sanna Berg",
                                           email=f"survey.{programme.id}@example.com", department_id=None,
                                           job_role="Service agent", region_id=None, is_super_user=False)
    region_id = programme.regions[0].id if programme.regions else None
    audience = audiences.create_audience(programme, name="Survey audience", description="", is_everyone=False,
                                         region_ids=[], department_ids=[], job_roles="", person_ids=[person.id])
    survey = services.create_round(programme, title="Readiness check", audience_id=audience.id,
                                   opens_on=clock.today(), closes_on=clock.today() + timedelta(days=14), intro="")
    services.open_round(survey)
    paper = services.enter_paper_response(survey, region_id=region_id,
                                          scores=dict(awareness=4, desire=4, knowledge=2, ability=3,
                                                      reinforcement=3),
                                          comment="", entered_by_id=None)
    return {"survey_id": survey.id, "survey_response_id": paper.id}


def survey_tokens(survey_id: int) -> dict[str, str]:
    """{"surveys.answer": a real link token} for the round's first invitation (call inside an app context)."""
    from sqlalchemy import select

    from planner.core import secret_links
    from planner.extensions import db
    from planner.surveys.models import SurveyInvitation
    from planner.surveys.services import LINK_PURPOSE

    invitation = db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.round_id == survey_id)
                                   .order_by(SurveyInvitation.id).limit(1))
    return {"surveys.answer": secret_links.derive_token(LINK_PURPOSE, invitation.link_salt)}
