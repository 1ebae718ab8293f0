"""Domain errors raised by services, and the error pages and JSON errors the app answers with."""
from flask import Flask, current_app, g, jsonify, render_template, request, session
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule of the domain refused the change. ``field`` names the form field at fault, if any."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleEditError(DomainError):
    """Someone else saved the record after this edit was started."""

    status_code = 409

    def __init__(self, message: str | None = None):
        super().__init__(message or str(_l("Someone else changed this record while you were "
                                            "editing it. Reload the page to see their changes.")))


def check_version(obj, expected_version: int | None) -> None:
    """Refuse an edit that was started against an older version of the record."""
    if expected_version is not None and obj.version != expected_version:
        raise StaleEditError()


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


ERROR_TITLES = {
    400: _l("Bad request"),
    401: _l("Please log in"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Changed by someone else"),
    413: _l("Too large"),
    422: _l("Could not be saved"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Try again in a moment"),
}

ERROR_MESSAGES = {
    400: _l("The request could not be understood. If you submitted a form, reload the page and try again."),
    401: _l("You need to log in to see this page."),
    403: _l("Your role in this programme does not allow this."),
    404: _l("There is nothing here, or you do not have access to it."),
    405: _l("This address does not accept that kind of request."),
    409: _l("Someone else changed this record while you were editing it. Reload to see their changes."),
    413: _l("The file or form you sent is larger than the planner accepts (5 MB)."),
    422: _l("Some of what you sent could not be accepted."),
    429: _l("Too many attempts. Please wait and try again."),
    500: _l("The planner hit an unexpected error. Nothing was saved. Please try again."),
    503: _l("The database did not answer. Nothing was saved. Please try again in a moment."),
}


#: the 409 of a write the database refused because of another made at the same moment (``write_conflict``)
WRITE_CONFLICT_MESSAGE = _l("Someone else saved the same thing at the same moment, or it exists already. Nothing "
                            "of yours was saved: reload the page to see what is there now, then try again.")

#: SQLSTATEs of a write refused because of another one at the same moment: a unique key taken, a row referred
#: to deleted meanwhile, a deadlock, a serialisation failure
_CONFLICT_STATES = ("23505", "23503", "40P01", "40001")
#: SQLite's words for the first two (it has no deadlocks: one writer at a time)
_SQLITE_CONFLICTS = ("UNIQUE constraint failed", "FOREIGN KEY constraint failed")


def write_conflict(exc: DBAPIError) -> bool:
    """Whether the database refused the write because of another one made at the same moment (two clicks on
    one button, two people adding the same thing, two transactions locking the same rows in opposite orders):
    the request is refused with a 409 and can simply be tried again. Other refusals (a NOT NULL or CHECK
    constraint) are bugs and stay 500s in pages (the API answers any IntegrityError its views raise with a 409:
    api/errors.py)."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in _CONFLICT_STATES
    return isinstance(exc, IntegrityError) and str(exc.orig).startswith(_SQLITE_CONFLICTS)


def log_write_conflict(exc: DBAPIError, where: str) -> None:
    """Log a conflict as a warning, with the constraint and the trace: a bug that collides every time (a row
    written twice by the app itself) answers 409s too, and must still show in the error log."""
    diag = getattr(exc.orig, "diag", None)
    current_app.logger.warning("Write conflict %s %s %s (constraint %s): %s", where, request.method, request.path,
                               getattr(diag, "constraint_name", None), exc.orig, exc_info=exc)


def write_conflict_response():
    """The 409 answer to a write refused by ``write_conflict``: the request's work is rolled back (the failed
    statement left the transaction unusable) and its flashed messages dropped."""
    from planner.extensions import db

    db.session.rollback()
    session.pop("_flashes", None)
    return error_response(409, str(WRITE_CONFLICT_MESSAGE))


def error_response(code: int, message: str | None = None):
    message = message or str(ERROR_MESSAGES.get(code, ERROR_MESSAGES[500]))
    if wants_json():
        body = {"error": str(ERROR_TITLES.get(code, "Error")), "message": message}
        if request.path.startswith("/api/"):
            body["fields"] = {}  # the API's ErrorOut always has it, as the blueprint's own errors do
        return jsonify(body), code
    return render_template("errors/error.html", code=code, title=ERROR_TITLES.get(code, ERROR_TITLES[500]),
                           message=message), code


def database_unavailable_response():
    """The 503 answer when the database did not answer (a lost connection, a server restarting, SQLite locked
    past its busy timeout), built without asking the database anything again.

    The request's work is thrown away, and so are its flashed messages (a "saved" notice must not outlive the
    failed save). The page is drawn as for a visitor who is not logged in: showing the menu would load the
    user from the database, which would fail again (or, on SQLite, wait out the busy timeout a second time).
    """
    from planner.extensions import db

    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is gone: nothing is left to roll back
        current_app.logger.warning("Rollback after a database error failed as well", exc_info=True)
    session.pop("_flashes", None)
    g._login_user = current_app.login_manager.anonymous_user()  # flask-login's per-request user
    return error_response(503)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        message = None
        if exc.code == 400 and exc.description and "CSRF" in exc.description:
            message = str(_l("The form expired or came from another site. Reload the page and try again."))
        response, code = error_response(exc.code, message)
        if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            return response, code, {"Allow": ", ".join(exc.valid_methods)}
        return response, code

    @app.errorhandler(DomainError)
    def handle_domain(exc: DomainError):
        return error_response(exc.status_code, exc.message)

    @app.errorhandler(StaleDataError)
    def handle_concurrent_edit(exc: StaleDataError):
        """Two saves of one record at the same moment: the version check passed for both, the database
        refused the second (its UPDATE matched no row of the version it read). The same answer as a stale form."""
        from planner.extensions import db

        db.session.rollback()
        return error_response(409)

    @app.errorhandler(IntegrityError)
    def handle_integrity_error(exc: IntegrityError):
        if not write_conflict(exc):  # a NOT NULL or CHECK constraint: a bug to see
            return handle_unexpected(exc)
        log_write_conflict(exc, "on")
        return write_conflict_response()

    @app.errorhandler(OperationalError)
    def handle_operational_error(exc: OperationalError):
        if write_conflict(exc):  # a deadlock: the database chose this request to give way
            log_write_conflict(exc, "on")
            return write_conflict_response()
        if not database_unavailable(exc):  # a missing table, a statement timeout: a bug to see, not an outage
            return handle_unexpected(exc)
        app.logger.error("Database unavailable on %s %s", request.method, request.path, exc_info=exc)
        return database_unavailable_response()

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        from planner.extensions import db

        app.logger.error("Unhandled error on %s %s", request.method, request.path, exc_info=exc)
        db.session.rollback()  # a failed flush leaves the session unusable; the error page still reads it
        return error_response(500)


#: SQLite's words for a database it cannot reach or lock (after the busy timeout)
_SQLITE_UNAVAILABLE = ("database is locked", "database table is locked", "unable to open database file")


def database_unavailable(exc: OperationalError) -> bool:
    """Whether the database could not be reached (a lost or refused connection, a server shutting down, SQLite
    locked past its busy timeout): worth trying again in a moment. Other operational errors (no such table,
    a statement timeout, a deadlock) are errors of the request and answer 500."""
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate.startswith(("08", "57P"))  # connection exception; admin shutdown, cannot connect now
    message = str(exc.orig).lower()
    if any(words in message for words in _SQLITE_UNAVAILABLE):
        return True
    return type(exc.orig).__module__.startswith("psycopg")  # refused before any SQLSTATE: the server is away
