"""Access-matrix rows for the feedback pages (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the
login page. POSTs carry a valid CSRF token and no other field.

The statuses assume the world ``feedback_objects`` builds in each programme: feedback_id is an open question
from a person of its own. Every answering action needs the item's version, so posted empty it is 422. The
person_link rows use the matrix's own person_id (posting makes a new link: 302).

The signed page ``/feedback/<token>`` authenticates by its token, not by the session: the world must give it a
real token of the side's person, ``secret_tokens(person)`` (inside an app context; commit after), to be merged
into ``Side.tokens``; then every role, anonymous too, gets the page, and a form posted empty comes back with
its errors (422). Unknown and revoked tokens (404) are covered in test_pages.py.
"""
from planner.extensions import db
from planner.feedback import links, services
from planner.feedback.models import FeedbackItem
from planner.people import services as people_services

LOGIN = "login"

#: everyone in the programme (PROGRAMME_VIEW): the FAQ and submitting a question
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
SUBMIT_POST = (LOGIN, 422, 422, 404, 422, 422, 422, 404)
#: PEOPLE_VIEW (not viewers): the list and the items name who asked
PEOPLE_READ = (LOGIN, 200, 200, 404, 200, 200, 403, 404)
#: FEEDBACK_ANSWER (project managers)
ANSWER_GET = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
ANSWER_POST = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
ANSWER_ACTION = (LOGIN, 302, 302, 404, 403, 403, 403, 404)
#: the signed page: its token decides, not the session
TOKEN_GET = (200, 200, 200, 200, 200, 200, 200, 200)
TOKEN_POST = (422, 422, 422, 422, 422, 422, 422, 422)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("feedback.by_token", "GET"):                     TOKEN_GET,
    ("feedback.by_token", "POST"):                    TOKEN_POST,
    ("feedback.submit_feedback", "GET"):              READ,
    ("feedback.submit_feedback", "POST"):             SUBMIT_POST,
    ("feedback.show_faq", "GET"):                     READ,
    ("feedback.list_feedback", "GET"):                PEOPLE_READ,
    ("feedback.show_feedback", "GET"):                PEOPLE_READ,
    ("feedback.answer_feedback", "POST"):             ANSWER_POST,
    ("feedback.close_feedback", "POST"):              ANSWER_POST,
    ("feedback.reopen_feedback", "POST"):             ANSWER_POST,
    ("feedback.publish_feedback", "POST"):            ANSWER_POST,
    ("feedback.unpublish_feedback", "POST"):          ANSWER_POST,
    ("feedback.person_link", "GET"):                  ANSWER_GET,
    ("feedback.person_link", "POST"):                 ANSWER_ACTION,  # makes a new link; needs no field
}

#: nothing is deleted here
DELETES: dict = {}

OBJECT_KEYS = {"feedback_id": FeedbackItem}


def feedback_objects(programme) -> dict[str, int]:
    """An open question from a person of the programme (made through the services; the caller commits)."""
    asker = people_services.create_person(programme, full_name="Fay Asker", email="fay.asker@example.com",
                                          department_id=None, job_role="Sales representative", region_id=None,
                                          is_super_user=False)
    db.session.flush()
    item = services.submit_feedback(programme, kind="question", topic="system", text="How do I log in?",
                                    region_id=None, person=asker)
    return {"feedback_id": item.id}


def secret_tokens(person) -> dict[str, str]:
    """The real token of ``person``'s feedback link (created if needed), for ``Side.tokens``."""
    return {"feedback.by_token": links.feedback_token(person)}
