"""Access-matrix rows for the change request pages (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the login page.
POSTs carry a valid CSRF token and no other field.

The statuses assume the world ``changes_objects`` builds in each programme: change_id is a request that is
submitted (not yet assessed), so it may be edited, assessed, turned down and deleted; every form posted empty
answers 422 (the implement button needs the version it was shown with), deleting needs no field (302).
"""
from planner.changes.models import ChangeRequest

LOGIN = "login"

#: reading: every role in the programme
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
#: CHANGES_SUBMIT (project managers and committee members)
SUBMIT_GET = (LOGIN, 200, 200, 404, 200, 403, 403, 404)
SUBMIT_POST = (LOGIN, 422, 422, 404, 422, 403, 403, 404)
#: CHANGES_MANAGE (project managers)
MANAGE_GET = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
MANAGE_POST = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
MANAGE_ACTION = (LOGIN, 302, 302, 404, 403, 403, 403, 404)
#: DECISIONS_RECORD (project managers and committee members)
RECORD_GET = (LOGIN, 200, 200, 404, 200, 403, 403, 404)
RECORD_POST = (LOGIN, 422, 422, 404, 422, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("changes.list_changes", "GET"):                  READ,
    ("changes.new_change", "GET"):                    SUBMIT_GET,
    ("changes.new_change", "POST"):                   SUBMIT_POST,
    ("changes.show_change", "GET"):                   READ,
    ("changes.edit_change", "GET"):                   MANAGE_GET,
    ("changes.edit_change", "POST"):                  MANAGE_POST,
    ("changes.assess_change", "GET"):                 MANAGE_GET,
    ("changes.assess_change", "POST"):                MANAGE_POST,
    ("changes.decide_change", "GET"):                 RECORD_GET,
    ("changes.decide_change", "POST"):                RECORD_POST,
    ("changes.implement_change", "POST"):             MANAGE_POST,
    ("changes.reject_change", "GET"):                 MANAGE_GET,
    ("changes.reject_change", "POST"):                MANAGE_POST,
    ("changes.delete_change", "GET"):                 MANAGE_GET,
    ("changes.delete_change", "POST"):                MANAGE_ACTION,
}

#: delete endpoints -> (model, placeholder): an allowed POST must really delete the object
DELETES: dict = {
    "changes.delete_change": (ChangeRequest, "change_id"),
}

#: placeholder -> model, for the check that another programme's objects are out of reach
OBJECT_KEYS: dict = {"change_id": ChangeRequest}


def changes_objects(programme) -> dict[str, int]:
    """A submitted change request, made through the service (call inside an app context, with ``programme``
    attached to the session; the caller commits)."""
    from planner.changes import services
    from planner.core import clock

    change = services.submit_change(
        programme, submitted_by_id=None, title="Add a credit-limit check to quotes", kind="process",
        description="Finance asks for it.", requester_id=None, requested_on=clock.today(), schedule_days=0,
        cost=None, risks="", plan_item_key="", new_start=None, new_duration=None)
    return {"change_id": change.id}
