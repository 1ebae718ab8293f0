"""API role rows of feedback (see rows_core.py for the format). Reading needs PEOPLE_VIEW (viewers: 403, as on
the answering list); every member submits (the body {} misses the text: 422); answering is FEEDBACK_ANSWER
(project managers), and a PATCH of nothing answers nothing (200). Feedback is not deleted."""
import itertools

ANSWERING_LIST = (200, 200, 404, 200, 200, 403, 404)
SUBMIT = (422, 422, 404, 422, 422, 422, 404)
ANSWER = (200, 200, 404, 403, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                  admin  pm  pm_other committee trainer viewer none
    ("api.feedback_list", "GET"):       ANSWERING_LIST,
    ("api.feedback_create", "POST"):    SUBMIT,
    ("api.feedback_read", "GET"):       ANSWERING_LIST,
    ("api.feedback_update", "PATCH"):   ANSWER,
}

_numbers = itertools.count(1)


def _feedback(programme) -> int:
    """An open question of a new person (each asks once, far from the daily limit)."""
    from planner.feedback import services
    from planner.people import services as people_services

    n = next(_numbers)
    person = people_services.create_person(programme, full_name=f"Asking person {n}",
                                           email=f"asking{n}@example.com", department_id=None, job_role="",
                                           region_id=None, is_super_user=False)
    return services.submit_feedback(programme, kind="question", topic="system", text="Where is the training?",
                                    region_id=None, person=person).id


ITEMS = {"feedback": _feedback}
