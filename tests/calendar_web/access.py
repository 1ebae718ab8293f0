"""Access-matrix rows for the calendar pages (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the
login page.

The feed and RSVP links authenticate by their secret token, not by the session: the world's
``token`` placeholder must be one that matches nothing (e.g. ``"x" * 43``), so every role gets 404.
Their own tests (test_feed.py, test_rsvp.py) cover the real tokens.
"""
LOGIN = "login"

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                             anonymous admin  pm  pm_other committee trainer viewer none
    ("calendar.feed", "GET"):                      (404,   404, 404, 404, 404, 404, 404, 404),
    ("calendar.rsvp", "GET"):                      (404,   404, 404, 404, 404, 404, 404, 404),
    ("calendar.rsvp", "POST"):                     (404,   404, 404, 404, 404, 404, 404, 404),
    ("calendar.my_feed", "GET"):                   (LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ("calendar.reset_feed", "POST"):               (LOGIN, 302, 302, 302, 302, 302, 302, 302),
    ("calendar.upload_reply", "GET"):              (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    # posted with no file: the form comes back with its error
    ("calendar.upload_reply", "POST"):             (LOGIN, 422, 422, 404, 403, 403, 403, 404),
}
