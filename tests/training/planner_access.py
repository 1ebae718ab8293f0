"""Access-matrix rows for the session planner and self check-in (merged into tests/test_access_matrix.py).

Same format as session_access.py: one status per role, in the order anonymous, admin, pm, pm_other, committee,
trainer, viewer, none; POSTs carry a valid CSRF token and no other field. The rows use the session of
``session_access.session_objects`` (placeholder session_id): SCHEDULED, started an hour ago, 180 minutes long, so
check-in is open; its trainer is of its own, so the matrix's "trainer" column (another trainer) gets 403 on the
code page. ``planner_objects`` adds nothing: these pages need no object of their own. ``checkin_tokens(session_id)``
opens check-in for that session and gives {"training.checkin_link": its link token} for the matrix's Side.tokens.
"""
from tests.training.session_access import MANAGE_GET, MANAGE_POST, MARK_ACTION, MARK_GET

#: @public: the trainee needs no account; an empty POST is a form with errors
PUBLIC_GET = (200, 200, 200, 200, 200, 200, 200, 200)
PUBLIC_POST = (422, 422, 422, 422, 422, 422, 422, 422)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("training.plan_sessions", "GET"):                MANAGE_GET,
    ("training.plan_sessions", "POST"):               MANAGE_POST,   # no capacity, no start time
    ("training.show_checkin_code", "GET"):            MARK_GET,
    ("training.open_checkin", "POST"):                MARK_ACTION,
    ("training.checkin", "GET"):                      PUBLIC_GET,
    ("training.checkin", "POST"):                     PUBLIC_POST,   # no code, no email
    ("training.checkin_link", "GET"):                 PUBLIC_GET,
    ("training.checkin_link", "POST"):                PUBLIC_POST,   # no email
}

DELETES: dict = {}

#: no new placeholders (session_id comes from session_access.OBJECT_KEYS)
OBJECT_KEYS: dict = {}

def planner_objects(programme) -> dict[str, int]:
    """The objects the rows above assume beyond ``session_access.session_objects``: none."""
    return {}


def checkin_tokens(session_id: int) -> dict[str, str]:
    """Open check-in for the session and give {"training.checkin_link": its link token} (call inside an app
    context; the caller commits)."""
    from planner.extensions import db
    from planner.training import checkin
    from planner.training.models import TrainingSession

    session = db.session.get(TrainingSession, session_id)
    checkin.open_checkin(session)
    return {"training.checkin_link": checkin.checkin_link_token(session)}
