"""Access-matrix rows for the enrolment pages (merged into tests/test_access_matrix.py).

Same format as tests/training/session_access.py: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. POSTs carry a valid CSRF token and no other
field.

The rows use the placeholders ``session_access.session_objects`` fills (session_id: a scheduled session under
way, enrolment_id: a person enrolled in it); ``enrolment_objects`` adds nothing of its own:
- auto-enrolling needs no field (302; the course has no requirement, so nobody is added);
- moving without a target session is refused (422);
- cancelling without a reason is refused (422), so the session stays scheduled for the other rows.
"""
from tests.training.session_access import LOGIN, MANAGE_ACTION, MANAGE_GET, MANAGE_POST

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("training.auto_enrol", "POST"):                  MANAGE_ACTION,
    ("training.move_enrolment", "POST"):              MANAGE_POST,   # no target session
    ("training.cancel_session", "GET"):               MANAGE_GET,
    ("training.cancel_session", "POST"):              MANAGE_POST,   # no reason
}

#: no delete endpoints (moving and cancelling keep the rows)
DELETES: dict = {}

#: placeholder -> model: session_id and enrolment_id are session_access's
OBJECT_KEYS: dict = {}

__all__ = ["LOGIN", "ROWS", "DELETES", "OBJECT_KEYS", "enrolment_objects"]


def enrolment_objects(programme) -> dict[str, int]:
    """The rows above need only ``session_access.session_objects``; nothing more is made."""
    return {}
