"""Access-matrix rows for the risk register (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the login page.
POSTs carry a valid CSRF token and no other field: every form posted empty answers 422, deleting needs no
field (302). The charts' <fmt> is "png" (the matrix's value).
"""
from planner.risks.models import Risk

LOGIN = "login"

#: reading: every role in the programme
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
#: RISKS_MANAGE (project managers)
MANAGE_GET = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
MANAGE_POST = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
MANAGE_ACTION = (LOGIN, 302, 302, 404, 403, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("risks.list_risks", "GET"):                      READ,
    ("risks.heat_map_chart", "GET"):                  READ,
    ("risks.score_trend_chart", "GET"):               READ,
    ("risks.show_risk", "GET"):                       READ,
    ("risks.new_risk", "GET"):                        MANAGE_GET,
    ("risks.new_risk", "POST"):                       MANAGE_POST,
    ("risks.edit_risk", "GET"):                       MANAGE_GET,
    ("risks.edit_risk", "POST"):                      MANAGE_POST,
    ("risks.review_risk", "GET"):                     MANAGE_GET,
    ("risks.review_risk", "POST"):                    MANAGE_POST,
    ("risks.delete_risk", "GET"):                     MANAGE_GET,
    ("risks.delete_risk", "POST"):                    MANAGE_ACTION,
}

#: delete endpoints -> (model, placeholder): an allowed POST must really delete the object
DELETES: dict = {
    "risks.delete_risk": (Risk, "risk_id"),
}

#: placeholder -> model, for the check that another programme's objects are out of reach
OBJECT_KEYS: dict = {"risk_id": Risk}


def risks_objects(programme) -> dict[str, int]:
    """An open risk, made through the service (call inside an app context, with ``programme`` attached to the
    session; the caller commits)."""
    from planner.risks import services

    risk = services.create_risk(programme, title="The sponsor moves on", category="sponsorship", likelihood=3,
                                impact=4, mitigation="Name a deputy sponsor.")
    return {"risk_id": risk.id}
