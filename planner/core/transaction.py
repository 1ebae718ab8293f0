"""One commit per request, at the boundary.

Services only flush. When the view has produced its response, the request's work is committed if
the response is a success or a redirect, and rolled back otherwise: a form re-rendered with
errors (422), a refusal (403/404/409) or a crash (500) never leaves a half-written record.
A view that must keep a write despite answering with an error (a failed login is counted even
though the login is refused) says so with ``keep_changes()``.
"""
from flask import Flask, g

from planner.extensions import db


def keep_changes() -> None:
    """Commit this request's changes even if the response is an error."""
    g.keep_changes = True


def register_request_transaction(app: Flask) -> None:
    @app.after_request
    def commit_or_roll_back(response):
        if response.status_code < 400 or g.get("keep_changes"):
            db.session.commit()
        else:
            db.session.rollback()
        return response
