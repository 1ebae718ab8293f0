"""Access-matrix rows for the dashboards (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the login page.
"""
LOGIN = "login"

#: reading: every role in the programme (each sees the sections of its own roles)
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("dashboards.show_dashboard", "GET"):             READ,
}

#: no delete endpoints
DELETES: dict = {}

#: no object placeholders: the dashboard takes only the programme id
OBJECT_KEYS: dict = {}
