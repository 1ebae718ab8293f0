"""Access-matrix rows for the audience, communication plan, log, gap and status-update pages (merged into
tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the login page.
POSTs carry a valid CSRF token and no other field: every form posted empty answers 422.

The statuses assume the world ``comms_objects`` builds in each programme:
- audience_id: an audience no plan item uses (deleting it is done: 302);
- comm_item_id: a weekly email plan item (to an everyone audience of its own) that started two weeks ago, so
  it has open dates (its send page shows the form); deleting it is done (302);
- status_update_id: a draft status update (editable; deleting it is done: 302).
"""
from datetime import timedelta

from planner.comms.models import Audience, CommunicationItem, StatusUpdate

LOGIN = "login"

#: reading: every role in the programme (names of audience members only with PEOPLE_VIEW, on the page itself)
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
#: COMMS_MANAGE (project managers): a form page, a form posted empty (422), a delete (302)
MANAGE_GET = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
MANAGE_POST = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
MANAGE_ACTION = (LOGIN, 302, 302, 404, 403, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("comms.list_audiences", "GET"):                  READ,
    ("comms.show_audience", "GET"):                   READ,
    ("comms.new_audience", "GET"):                    MANAGE_GET,
    ("comms.new_audience", "POST"):                   MANAGE_POST,
    ("comms.edit_audience", "GET"):                   MANAGE_GET,
    ("comms.edit_audience", "POST"):                  MANAGE_POST,
    ("comms.delete_audience", "GET"):                 MANAGE_GET,
    ("comms.delete_audience", "POST"):                MANAGE_ACTION,
    ("comms.list_items", "GET"):                      READ,
    ("comms.show_item", "GET"):                       READ,
    ("comms.new_item", "GET"):                        MANAGE_GET,
    ("comms.new_item", "POST"):                       MANAGE_POST,
    ("comms.edit_item", "GET"):                       MANAGE_GET,
    ("comms.edit_item", "POST"):                      MANAGE_POST,
    ("comms.delete_item", "GET"):                     MANAGE_GET,
    ("comms.delete_item", "POST"):                    MANAGE_ACTION,
    ("comms.send_item", "GET"):                       MANAGE_GET,
    ("comms.send_item", "POST"):                      MANAGE_POST,
    ("comms.list_log", "GET"):                        READ,
    ("comms.record_held", "GET"):                     MANAGE_GET,
    ("comms.record_held", "POST"):                    MANAGE_POST,
    ("comms.show_gaps", "GET"):                       READ,
    ("comms.edit_notice_days", "POST"):               MANAGE_POST,
    ("comms.list_status_updates", "GET"):             READ,
    ("comms.new_status_update", "GET"):               MANAGE_GET,
    ("comms.new_status_update", "POST"):              MANAGE_POST,   # no audience chosen
    ("comms.show_status_update", "GET"):              READ,
    ("comms.edit_status_update", "GET"):              MANAGE_GET,
    ("comms.edit_status_update", "POST"):             MANAGE_POST,
    ("comms.send_status_update", "POST"):             MANAGE_POST,   # no version: refused, nothing sent
    ("comms.delete_status_update", "GET"):            MANAGE_GET,
    ("comms.delete_status_update", "POST"):           MANAGE_ACTION,
}

#: delete endpoints -> (model, placeholder): an allowed POST must really delete the object
DELETES: dict = {
    "comms.delete_audience": (Audience, "audience_id"),
    "comms.delete_item": (CommunicationItem, "comm_item_id"),
    "comms.delete_status_update": (StatusUpdate, "status_update_id"),
}

#: placeholder -> model, for the check that another programme's objects are out of reach
OBJECT_KEYS: dict = {"audience_id": Audience, "comm_item_id": CommunicationItem, "status_update_id": StatusUpdate}


def comms_objects(programme) -> dict[str, int]:
    """The objects the rows above assume, made through the services (call inside an app context, with
    ``programme`` attached to the session; the caller commits)."""
    from planner.comms import audiences, services
    from planner.core import clock

    blank = {"description": "", "region_ids": [], "department_ids": [], "job_roles": "", "person_ids": []}
    free = audiences.create_audience(programme, name="Comms matrix audience", is_everyone=False,
                                     **dict(blank, job_roles="Sales representative"))
    everyone = audiences.create_audience(programme, name="Comms matrix everyone", is_everyone=True, **blank)
    item = services.create_item(programme, title="Weekly note", purpose="status_update", audience_id=everyone.id,
                                channel="email", owner_id=None, message="", region_id=None,
                                planned_on=clock.today() - timedelta(days=14), recurrence="FREQ=WEEKLY")
    update = services.draft_status_update(programme, everyone.id)
    return {"audience_id": free.id, "comm_item_id": item.id, "status_update_id": update.id}
