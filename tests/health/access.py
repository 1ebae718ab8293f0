"""Access-matrix rows for the health check (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the login page.
POSTs carry a valid CSRF token and no other field: acknowledging without a finding and a reason answers 422, the
thresholds form posted empty answers 422 (every threshold is required; true as long as a registered rule has a
threshold), withdrawing needs no field (302, and deletes the acknowledgement).
"""
from planner.health.models import FindingAcknowledgement

LOGIN = "login"

#: reading: every role in the programme
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
#: PROGRAMME_EDIT (project managers)
EDIT_GET = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
EDIT_POST = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
EDIT_ACTION = (LOGIN, 302, 302, 404, 403, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("health.show_health", "GET"):                    READ,
    ("health.acknowledge_finding", "POST"):           EDIT_POST,
    ("health.withdraw_acknowledgement", "POST"):      EDIT_ACTION,
    ("health.edit_thresholds", "GET"):                EDIT_GET,
    ("health.edit_thresholds", "POST"):               EDIT_POST,
}

#: endpoints that delete -> (model, placeholder): an allowed POST must really delete the object
DELETES: dict = {
    "health.withdraw_acknowledgement": (FindingAcknowledgement, "ack_id"),
}

#: placeholder -> model, for the check that another programme's objects are out of reach
OBJECT_KEYS: dict = {"ack_id": FindingAcknowledgement}


def health_objects(programme) -> dict[str, int]:
    """An acknowledged finding, made through the service (call inside an app context, with ``programme``
    attached to the session; the caller commits). Its rule key names no registered rule, so it never changes
    which findings the health page shows."""
    from planner.health import services
    from planner.health.findings import Finding, Severity

    finding = Finding(rule="access_matrix", subject="programme", severity=Severity.LOW,
                      title="A finding for the access matrix", advice="None needed.", measure=1)
    ack = services.acknowledge_finding(programme, finding, "Seen in the access matrix.")
    return {"ack_id": ack.id}
