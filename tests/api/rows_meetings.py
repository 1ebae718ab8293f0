"""API role rows of the meetings resource (see tests/api/rows_core.py)."""
from datetime import datetime

from tests.api.rows_core import CREATE, READ, UPDATE

#: a draft meeting of a committee without members: scheduling it would invite nobody (422)
SCHEDULE = (422, 422, 404, 403, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                         admin  pm  pm_other committee trainer viewer none
    ("api.meetings_list", "GET"):              READ,
    ("api.meetings_create", "POST"):           CREATE,
    ("api.meetings_read", "GET"):              READ,
    ("api.meetings_update", "PATCH"):          UPDATE,
    ("api.meetings_schedule", "POST"):         SCHEDULE,
    ("api.meetings_cancel", "POST"):           UPDATE,
    ("api.meetings_occurrences", "GET"):       READ,
}


def _meeting(programme) -> int:
    from planner.committee import queries, scheduling

    plan = scheduling.MeetingPlan(title="Access meeting", local_start=datetime(2026, 6, 2, 10, 0), time_zone="UTC")
    return scheduling.schedule_meeting(queries.committee_of(programme.id), plan, organiser_id=None).id


ITEMS = {"meetings": _meeting}
