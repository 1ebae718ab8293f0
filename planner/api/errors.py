"""Every API error as JSON ``{"error", "message", "fields"}`` with a 4xx status (ErrorOut in the document).

Registered on the API blueprint, so errors raised by API views answer here: HTTP errors (401 with a Bearer
challenge), a service's DomainError (422 at its field, 409 for a stale version), a request body that is not
valid JSON (400) or does not fit the schema (422, raised as ``BadRequest`` by ``invalid_body``), a save that
lost a race or a unique key (409).
"""
from flask import jsonify
from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from planner.api import bp
from planner.core.errors import ERROR_MESSAGES, ERROR_TITLES, DomainError
from planner.extensions import db


#: what a 401 tells the client about how to authenticate (RFC 6750)
CHALLENGE = 'Bearer realm="Rollout Planner API"'


class BadRequest(Exception):
    """A request the API cannot read: not JSON, bad query parameters. Answers 400 (or ``status``)."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None, status: int = 400):
        super().__init__(message)
        self.message, self.fields, self.status = message, fields or {}, status


def error_json(status: int, message: str | None = None, fields: dict[str, list[str]] | None = None):
    body = {"error": str(ERROR_TITLES.get(status, ERROR_TITLES[500])),
            "message": message or str(ERROR_MESSAGES.get(status, ERROR_MESSAGES[500])), "fields": fields or {}}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = CHALLENGE
    return response


def _message(error: dict) -> str:
    """A plain sentence for one pydantic error."""
    kind = error["type"]
    if kind == "missing":
        return _("This is required.")
    if kind == "extra_forbidden":
        return _("This field is not accepted here.")
    if kind == "string_pattern_mismatch":
        return _("Write some text here (not only spaces, and without NUL characters).")
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error") or error["msg"])
    return error["msg"]


#: the most field errors a 422 lists; the rest are counted in its message (a body with 400,000 unknown keys
#: would otherwise answer megabytes, slowly)
MAX_FIELD_ERRORS = 50


def invalid_body(exc: ValidationError) -> BadRequest:
    """The error to raise for a body that pydantic refused: 400 when it is not JSON, else 422 per field (at most
    ``MAX_FIELD_ERRORS`` of them, with a count of the others)."""
    errors = exc.errors(include_url=False, include_context=True, include_input=False)
    if any(error["type"] == "json_invalid" for error in errors):
        return BadRequest(_("The body is not valid JSON."))
    message = _("Some of what you sent could not be accepted.")
    fields = validation_fields(errors[:MAX_FIELD_ERRORS])
    if len(errors) > MAX_FIELD_ERRORS:
        message += " " + _("The first %(listed)d problems are listed, and %(more)s more.", listed=MAX_FIELD_ERRORS,
                           more=format(len(errors) - MAX_FIELD_ERRORS, ","))
    return BadRequest(message, fields, status=422)


def validation_fields(errors: list) -> dict[str, list[str]]:
    """pydantic's errors (``exc.errors()``) as messages per field."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        name = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(name, []).append(_message(error))
    return fields


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    response = error_json(exc.code)
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return error_json(exc.status_code, exc.message, {exc.field: [exc.message]} if exc.field else {})


@bp.errorhandler(BadRequest)
def bad_request(exc: BadRequest):
    return error_json(exc.status, exc.message, exc.fields)


@bp.errorhandler(IntegrityError)
def conflict(exc: IntegrityError):
    """The database refused a duplicate the service's own check let through (a save at the same moment, or a
    comparison the database makes differently): nothing is kept, the client is told it conflicts."""
    db.session.rollback()
    return error_json(409, _("This conflicts with a record that exists already (a name or number taken). "
                             "Nothing was saved."))


@bp.errorhandler(StaleDataError)
def lost_race(exc: StaleDataError):
    """Two saves of one record at the same moment: the second is refused as a stale edit."""
    db.session.rollback()
    return error_json(409)
