"""API role rows of the actions resource (see tests/api/rows_core.py): committee members agree and edit actions."""
import itertools
from datetime import date

from tests.api.rows_core import READ

#: agreeing: project managers and committee members; the body {} lacks what, who and when (422)
AGREE = (422, 422, 404, 422, 403, 403, 404)
#: a PATCH of nothing changes nothing
EDIT = (200, 200, 404, 200, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                   admin  pm  pm_other committee trainer viewer none
    ("api.actions_list", "GET"):         READ,
    ("api.actions_create", "POST"):      AGREE,
    ("api.actions_read", "GET"):         READ,
    ("api.actions_update", "PATCH"):     EDIT,
}
_numbers = itertools.count(1)


def _action(programme) -> int:
    from planner.committee import services
    from planner.extensions import db
    from planner.people import services as people

    number = next(_numbers)
    owner = people.create_person(programme, full_name=f"Action owner {number}", email=f"owner{number}@example.com",
                                 department_id=None, job_role="", region_id=None, is_super_user=False)
    db.session.flush()
    return services.add_action(programme, title="Access action", owner_id=owner.id, due_on=date(2026, 6, 1)).id


ITEMS = {"actions": _action}
