"""One commit per request, at the boundary.

Services only flush. When the view has produced its response, the request's work is committed if
the response is a success or a redirect, and rolled back otherwise: a form re-rendered with
errors (422), a refusal (403/404/409) or a crash (500) never leaves a half-written record.
A view that must keep a write despite answering with an error (a failed login is counted even
though the login is refused) says so with ``keep_changes()``.
"""
from flask import Flask, g, make_response
from sqlalchemy.orm.exc import StaleDataError

from planner.core.errors import error_response
from planner.extensions import db


def keep_changes() -> None:
    """Commit this request's changes even if the response is an error."""
    g.keep_changes = True


def register_request_transaction(app: Flask) -> None:
    @app.after_request
    def commit_or_roll_back(response):
        if response.status_code < 400 or g.get("keep_changes"):
            try:
                db.session.commit()
            except StaleDataError:
                # another request saved the same record first: as with a stale form, nothing is kept
                db.session.rollback()
                return make_response(*error_response(409))
        else:
            db.session.rollback()
        return response
