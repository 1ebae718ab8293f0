"""Keep secret-token URLs out of the logs (QUALITY.md item 9).

Calendar-feed, RSVP, feedback, survey and self check-in links work without a login, so their token is a password:
request lines, paths and referrers that carry one are rewritten to ``/calendar/[redacted].ics``,
``/rsvp/[redacted]``, ``/feedback/[redacted]``, ``/survey/[redacted]`` and ``/check-in/<id>/[redacted]`` (the
session id is kept; ``/check-in/<id>``, where the code is typed, has no secret) before anything is written. A personal
API token (``rpt_`` and 20 or more URL-safe characters, in a query string, a header or a message) becomes
``rpt_[redacted]``.
``install(app)`` covers the development server (the ``werkzeug`` logger) and the app's own logger; ``gunicorn.conf.py`` points gunicorn at
``RedactingGunicornLogger`` for its access and error logs.
"""
import logging
import re

from flask import Flask

_SECRET_PATHS = (
    (re.compile(r"/calendar/[^/\s?#\"']+\.ics"), "/calendar/[redacted].ics"),
    (re.compile(r"/rsvp/[^/\s?#\"']+"), "/rsvp/[redacted]"),
    # /programmes/<id>/feedback/<feedback_id> is an ordinary page: kept as it is
    (re.compile(r"(/programmes/\d+)?/feedback/[^/\s?#\"']+"),
     lambda match: match.group(0) if match.group(1) else "/feedback/[redacted]"),
    (re.compile(r"/survey/[^/\s?#\"']+"), "/survey/[redacted]"),
    (re.compile(r"(/check-in/\d+)/[^/\s?#\"']+"), r"\1/[redacted]"),
    # a personal API token wherever it appears (?access_token=rpt_..., a Bearer header in an error)
    (re.compile(r"rpt_[A-Za-z0-9_-]{20,}"), "rpt_[redacted]"),
)


def redact(text: str) -> str:
    """``text`` with the secret token of every feed, RSVP, feedback, survey or check-in link path, and every API
    token, replaced."""
    for pattern, replacement in _SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes):
        return redact(value.decode("latin-1")).encode("latin-1")
    return value


class RedactTokensFilter(logging.Filter):
    """Rewrites a record's message and arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redact_value(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact_value(value) for value in record.args)
        return True


def _add_once(logger: logging.Logger) -> None:
    if not any(isinstance(existing, RedactTokensFilter) for existing in logger.filters):
        logger.addFilter(RedactTokensFilter())


def install(app: Flask) -> None:
    """Redact the development server's request log and the app's own log (an error names the path)."""
    _add_once(logging.getLogger("werkzeug"))
    _add_once(app.logger)


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is only needed to serve in production
    _GunicornLogger = None

if _GunicornLogger is not None:

    class RedactingGunicornLogger(_GunicornLogger):
        """gunicorn's logger with tokens taken out of the access log (request line, path, referrer and
        every other atom) and of the error log ("Error handling request /rsvp/...")."""

        def __init__(self, cfg):
            super().__init__(cfg)
            _add_once(self.error_log)

        def atoms(self, resp, req, environ, request_time):
            """The access-log atoms, redacted."""
            atoms = super().atoms(resp, req, environ, request_time)
            return {key: _redact_value(value) for key, value in atoms.items()}
