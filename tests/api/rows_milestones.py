"""API role rows of the milestones resource (see tests/api/rows_core.py)."""
from datetime import date

from tests.api.rows_core import CREATE, DELETE, READ, UPDATE

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                      admin  pm  pm_other committee trainer viewer none
    ("api.milestones_list", "GET"):         READ,
    ("api.milestones_create", "POST"):      CREATE,
    ("api.milestones_read", "GET"):         READ,
    ("api.milestones_update", "PATCH"):     UPDATE,
    ("api.milestones_delete", "DELETE"):    DELETE,
}


def _milestone(programme) -> int:
    from planner.rollout import services

    return services.create_milestone(programme, name="Access milestone", kind="review", planned_on=date(2026, 6, 1),
                                     actual_on=None).id


ITEMS = {"milestones": _milestone}
