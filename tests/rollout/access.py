"""Access-matrix rows for the rollout pages (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the
login page.
"""
from planner.committee.models import Decision
from planner.rollout.models import (
    Defect,
    Dependency,
    FreezeWindow,
    Holiday,
    Milestone,
    Wave,
)

LOGIN = "login"

#: reading: every role in the programme
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
#: a PLAN_EDIT form page
EDIT_GET = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
#: a PLAN_EDIT form posted empty: the form comes back with errors
EDIT_POST = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
#: a PLAN_EDIT action that needs no fields (delete, close): done, then a redirect
EDIT_ACTION = (LOGIN, 302, 302, 404, 403, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # --- waves, defects, calendar, milestones, dependencies, decisions (rollout and committee pages) ---
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("rollout.list_waves", "GET"):                    READ,
    ("rollout.create_wave", "GET"):                   EDIT_GET,
    ("rollout.create_wave", "POST"):                  EDIT_POST,
    ("rollout.show_wave", "GET"):                     READ,
    ("rollout.edit_wave", "GET"):                     EDIT_GET,
    ("rollout.edit_wave", "POST"):                    EDIT_POST,
    ("rollout.delete_wave", "GET"):                   EDIT_GET,
    ("rollout.delete_wave", "POST"):                  EDIT_ACTION,
    ("rollout.mark_region_live", "POST"):             EDIT_POST,
    ("rollout.list_defects", "GET"):                  READ,
    ("rollout.report_defect", "GET"):                 EDIT_GET,
    ("rollout.report_defect", "POST"):                EDIT_POST,
    ("rollout.close_defect", "POST"):                 EDIT_ACTION,
    ("rollout.calendar", "GET"):                      READ,
    ("rollout.calendar", "POST"):                     EDIT_POST,
    ("rollout.add_holiday", "POST"):                  EDIT_POST,
    ("rollout.delete_holiday", "POST"):               EDIT_ACTION,
    ("rollout.add_freeze_window", "POST"):            EDIT_POST,
    ("rollout.delete_freeze_window", "POST"):         EDIT_ACTION,
    ("rollout.list_milestones", "GET"):               READ,
    ("rollout.create_milestone", "GET"):              EDIT_GET,
    ("rollout.create_milestone", "POST"):             EDIT_POST,
    ("rollout.edit_milestone", "GET"):                EDIT_GET,
    ("rollout.edit_milestone", "POST"):               EDIT_POST,
    ("rollout.delete_milestone", "GET"):              EDIT_GET,
    ("rollout.delete_milestone", "POST"):             EDIT_ACTION,
    ("rollout.list_dependencies", "GET"):             READ,
    ("rollout.list_dependencies", "POST"):            EDIT_POST,
    ("rollout.delete_dependency", "POST"):            EDIT_ACTION,
    ("committee.list_decisions", "GET"):              READ,
    # DECISIONS_RECORD: project managers and committee members
    ("committee.list_decisions", "POST"):             (LOGIN, 422, 422, 404, 422, 403, 403, 404),
    # --- end of the waves ... decisions block ---
}

#: delete endpoints -> (model, placeholder): an allowed POST must really delete the object
DELETES: dict = {
    "rollout.delete_wave": (Wave, "wave_id"),
    "rollout.delete_holiday": (Holiday, "holiday_id"),
    "rollout.delete_freeze_window": (FreezeWindow, "freeze_id"),
    "rollout.delete_milestone": (Milestone, "milestone_id"),
    "rollout.delete_dependency": (Dependency, "dependency_id"),
}

#: placeholder -> model, for the check that another programme's objects are out of reach
OBJECT_KEYS: dict = {
    "wave_id": Wave, "defect_id": Defect, "holiday_id": Holiday, "freeze_id": FreezeWindow,
    "milestone_id": Milestone, "dependency_id": Dependency, "decision_id": Decision,
}
