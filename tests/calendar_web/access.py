"""Access-matrix rows for the calendar pages (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the
login page.

The feed and RSVP links authenticate by their secret token, not by the session: the world gives each
side a real feed token and a real RSVP token (``Side.tokens``), so every role, anonymous too, gets the
feed and the RSVP page; an RSVP posted with no answer comes back with its error. Unknown and revoked
tokens (404) are covered in test_feed.py and test_rsvp.py.
"""
LOGIN = "login"

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                             anonymous admin  pm  pm_other committee trainer viewer none
    ("calendar.feed", "GET"):                      (200,   200, 200, 200, 200, 200, 200, 200),
    ("calendar.rsvp", "GET"):                      (200,   200, 200, 200, 200, 200, 200, 200),
    ("calendar.rsvp", "POST"):                     (422,   422, 422, 422, 422, 422, 422, 422),
    ("calendar.my_feed", "GET"):                   (LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ("calendar.reset_feed", "POST"):               (LOGIN, 302, 302, 302, 302, 302, 302, 302),
    ("calendar.upload_reply", "GET"):              (LOGIN, 200, 200, 404, 403, 403, 403, 404),
    # posted with no file: the form comes back with its error
    ("calendar.upload_reply", "POST"):             (LOGIN, 422, 422, 404, 403, 403, 403, 404),
}
