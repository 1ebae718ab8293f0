"""API role rows of attendance (under a session: its item ids come from ITEMS["sessions"] in rows_sessions.py).

As on the roster page, only those who may mark the session reach it: project managers and admins, and a trainer
for the sessions they give (the matrix's trainer gives none of them: 403). The session is far ahead, so marking is
not open yet: 422.
"""
#: admin, pm, pm_other, committee, trainer (of another session), viewer, none
MARKERS = (200, 200, 404, 403, 403, 403, 404)
NOT_OPEN = (422, 422, 404, 403, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                          admin  pm  pm_other committee trainer viewer none
    ("api.attendance_list", "GET"):             MARKERS,
    ("api.attendance_mark", "POST"):            NOT_OPEN,  # {} misses the person and the mark: 422
    ("api.attendance_all_present", "POST"):     NOT_OPEN,
    ("api.attendance_complete", "POST"):        NOT_OPEN,
}
