"""Access-matrix rows for the programme exports (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the login page.
The CSV download's <register> is "risks" (``exports_objects``): every role in the programme may export it (a
viewer without its owners' names). The per-person training register needs PEOPLE_EXPORT; its 403 for the other
roles is tested in tests/exports/test_exports.py.
"""

LOGIN = "login"

#: reading: every role in the programme
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("exports.list_exports", "GET"):                  READ,
    ("exports.export_register", "GET"):               READ,
    ("exports.export_workbook", "GET"):               READ,
}

#: nothing is deleted here
DELETES: dict = {}

#: no objects of its own
OBJECT_KEYS: dict = {}


def exports_objects(programme) -> dict[str, str]:
    """The placeholder values the rows above need (no objects are made)."""
    return {"register": "risks"}
