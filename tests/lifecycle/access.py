"""Access-matrix rows for the lifecycle pages (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the
login page.

POSTs carry a CSRF token and nothing else. Every lifecycle action needs something filled in, so
an allowed empty POST is refused with its form shown again (422): a deliverable or criterion
needs its text, a checklist toggle the state it asks for ("done"), a gate review its date, a
stage edit its goals, a goal its title; closing the world's stage 1 is refused because its gate
has never been reviewed and no override is given. Only the goal delete has nothing to fill in
(302, and the goal is gone).
"""
from planner.lifecycle.models import Deliverable, Goal, Stage

LOGIN = "login"

READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
EDIT_PAGE = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
EDIT_REFUSED = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
EDIT_DONE = (LOGIN, 302, 302, 404, 403, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    ("lifecycle.list_stages", "GET"): READ,
    ("lifecycle.show_stage", "GET"): READ,
    ("lifecycle.edit_stage", "GET"): EDIT_PAGE,
    ("lifecycle.edit_stage", "POST"): EDIT_REFUSED,
    ("lifecycle.add_deliverable", "POST"): EDIT_REFUSED,
    ("lifecycle.toggle_deliverable", "POST"): EDIT_REFUSED,
    ("lifecycle.add_criterion", "POST"): EDIT_REFUSED,
    ("lifecycle.review_gate", "GET"): EDIT_PAGE,
    ("lifecycle.review_gate", "POST"): EDIT_REFUSED,
    ("lifecycle.close_stage", "POST"): EDIT_REFUSED,
    ("lifecycle.list_goals", "GET"): READ,
    ("lifecycle.create_goal", "GET"): EDIT_PAGE,
    ("lifecycle.create_goal", "POST"): EDIT_REFUSED,
    ("lifecycle.edit_goal", "GET"): EDIT_PAGE,
    ("lifecycle.edit_goal", "POST"): EDIT_REFUSED,
    ("lifecycle.delete_goal", "GET"): EDIT_PAGE,
    ("lifecycle.delete_goal", "POST"): EDIT_DONE,
}

#: delete endpoints -> (model, placeholder): an allowed POST must really delete the object
DELETES: dict = {"lifecycle.delete_goal": (Goal, "goal_id")}

#: placeholder -> model, for the check that another programme's objects are out of reach
OBJECT_KEYS: dict = {"stage_id": Stage, "deliverable_id": Deliverable, "goal_id": Goal}
