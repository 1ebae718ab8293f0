"""Access-matrix rows for the readiness page, its chart and the training exports (merged into
tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the login page.

The rows assume the world of ``session_access.session_objects`` (its session_id is given by a trainer of its
own: the matrix's "trainer" column is another trainer, so the roster download is 403 for them) and the
placeholder values ``readiness_objects`` returns: the exports' <export_format> is "xlsx" (the matrix's <fmt> is
"png", which the chart takes).
"""

LOGIN = "login"

#: reading: every role in the programme
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
#: PEOPLE_EXPORT (project managers): the completion download lists people
EXPORT = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
#: TRAINING_MANAGE, or the session's own trainer (the "trainer" column is another trainer: 403)
ROSTER = (LOGIN, 200, 200, 404, 403, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("training.show_readiness", "GET"):               READ,
    ("training.readiness_chart", "GET"):              READ,
    ("training.export_completion", "GET"):            EXPORT,
    ("training.export_roster", "GET"):                ROSTER,
}

#: nothing is deleted here
DELETES: dict = {}

#: no objects of its own: the roster download uses session_access's session_id
OBJECT_KEYS: dict = {}


def readiness_objects(programme) -> dict[str, str]:
    """The placeholder values the rows above need beyond session_access's objects (no objects are made)."""
    return {"export_format": "xlsx"}
