"""One commit per request, at the boundary.

Services only flush. When the view has produced its response, the request's work is committed if
the response is a success or a redirect, and rolled back otherwise: a form re-rendered with
errors (422), a refusal (403/404/409) or a crash (500) never leaves a half-written record.
A view that must keep a write despite answering with an error (a failed login is counted even
though the login is refused) says so with ``keep_changes()``. When the commit itself fails because the
database stopped answering, the response the view produced is replaced by the 503 error page: the
visitor is never told "saved" about work that was not. When it fails because another request wrote the same
thing at the same moment (a duplicate, a deadlock), the answer is the 409 of ``write_conflict``.
"""
from flask import Flask, current_app, g, make_response, request, session
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from planner.core.errors import (
    database_unavailable, database_unavailable_response, error_response, log_write_conflict, write_conflict,
    write_conflict_response,
)
from planner.extensions import db

#: headers of the view's own answer that must not survive into the error page that replaces it
_ANSWER_HEADERS = ("Location", "Content-Disposition", "ETag", "Last-Modified", "Refresh")


def end_reading() -> None:
    """End the request's transaction before slow work that needs no database, such as checking a password hash,
    so that no lock is held meanwhile: on SQLite a POST's transaction takes the write lock at its first
    statement, and every other writer would queue behind the slow work. The next statement starts a new
    transaction. Only for a request that has written nothing yet."""
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("end_reading() would throw away this request's changes")
    db.session.rollback()


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
                session.pop("_flashes", None)
                return _replace_answer(response, make_response(*error_response(409)))
            except (IntegrityError, OperationalError) as error:
                if write_conflict(error):  # a duplicate saved, or a deadlock, at the same moment
                    log_write_conflict(error, "at the commit of")
                    return _replace_answer(response, make_response(*write_conflict_response()))
                if not isinstance(error, OperationalError) or not database_unavailable(error):
                    raise
                current_app.logger.error("Database unavailable at the commit of %s %s", request.method,
                                         request.path, exc_info=True)
                return _replace_answer(response, make_response(*database_unavailable_response()))
        else:
            db.session.rollback()
        return response


def _replace_answer(response, replacement):
    """Put ``replacement``'s status and body into ``response``, keeping the headers added to every answer
    (security headers run before this hook)."""
    for name in _ANSWER_HEADERS:
        response.headers.pop(name, None)
    response.status_code = replacement.status_code
    response.content_type = replacement.content_type
    response.set_data(replacement.get_data())
    response.headers["Cache-Control"] = "no-store"
    return response
