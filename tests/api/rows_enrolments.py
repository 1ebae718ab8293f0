"""API role rows of the enrolments resource and its actions (format: tests/api/rows_core.py)."""
import itertools

from tests.api.rows_core import CREATE, DELETE, READ
from tests.api.rows_sessions import MANAGE, make_session

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                        admin  pm  pm_other committee trainer viewer none
    ("api.enrolments_list", "GET"):           READ,
    ("api.enrolments_create", "POST"):        CREATE,
    ("api.enrolments_read", "GET"):           READ,
    ("api.enrolments_delete", "DELETE"):      DELETE,
    ("api.enrolments_move", "POST"):          CREATE,  # {} names no session: 422
    ("api.sessions_enrolments", "GET"):       READ,
    ("api.sessions_auto_enrol", "POST"):      MANAGE,
}

_numbers = itertools.count(1)


def make_enrolment(programme) -> int:
    """A person with a seat in a new session, through the services."""
    from planner.people import services as people_services
    from planner.training import sessions

    n = next(_numbers)
    person = people_services.create_person(programme, full_name=f"Trainee {n}", email=f"trainee{n}@example.com",
                                           department_id=None, job_role="", region_id=None, is_super_user=False)
    return sessions.enrol_person(make_session(programme), person.id).id


ITEMS = {"enrolments": make_enrolment}
