"""API role rows of change requests (see rows_core.py for the format). Submitting is CHANGES_SUBMIT (project
managers and committee members); editing, deleting, assessing, implementing and rejecting are CHANGES_MANAGE;
deciding is DECISIONS_RECORD. With the body {} a step misses its fields, or (implement) is refused for a request
that is only submitted: 422."""
from datetime import date

from tests.api.rows_core import DELETE, READ, UPDATE

SUBMIT = (422, 422, 404, 422, 403, 403, 404)
MANAGE_STEP = (422, 422, 404, 403, 403, 403, 404)
DECIDE = (422, 422, 404, 422, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                admin  pm  pm_other committee trainer viewer none
    ("api.change_requests_list", "GET"):              READ,
    ("api.change_requests_create", "POST"):           SUBMIT,
    ("api.change_requests_read", "GET"):              READ,
    ("api.change_requests_update", "PATCH"):          UPDATE,
    ("api.change_requests_delete", "DELETE"):         DELETE,
    ("api.change_requests_assess", "POST"):           MANAGE_STEP,
    ("api.change_requests_decide", "POST"):           DECIDE,
    ("api.change_requests_implement", "POST"):        MANAGE_STEP,
    ("api.change_requests_reject", "POST"):           MANAGE_STEP,
}


def _change_request(programme) -> int:
    """A submitted request of kind "other"."""
    from planner.changes import services

    return services.submit_change(programme, submitted_by_id=None, title="Access change", kind="other",
                                  description="", requester_id=None, requested_on=date(2026, 9, 1),
                                  schedule_days=0, cost=None, risks="", plan_item_key="", new_start=None,
                                  new_duration=None).id


ITEMS = {"change_requests": _change_request}
