"""Bodies over MAX_CONTENT_LENGTH get 413 on every route, whether or not the route reads a body (an API call that
takes none, a delete) and whether or not it came with a length (QUALITY.md item 11).

A request body sent without a length (``Transfer-Encoding: chunked``, which gunicorn passes through) is read
here, up to MAX_CONTENT_LENGTH, and handed on with its length, so the size limit holds for it as for any other
body: over the limit it is refused with 413, never cut to the limit and used.
"""
from io import BytesIO

from flask import Flask, abort, current_app, request
from werkzeug.wsgi import get_content_length


class ChunkedBodyLimit:
    """WSGI middleware in front of the app: give a body without a Content-Length one, or refuse it."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if limit is not None and chunked and environ.get("wsgi.input_terminated") and get_content_length(environ) is None:
            body = environ["wsgi.input"].read(limit + 1)
            # over the limit, the length says so and nothing is left to read: the app answers 413
            environ["CONTENT_LENGTH"] = str(len(body))
            environ["wsgi.input"] = BytesIO(b"" if len(body) > limit else body)
            environ.pop("HTTP_TRANSFER_ENCODING", None)  # what follows is a plain body of that length
            environ.pop("wsgi.input_terminated")
        return self.wsgi_app(environ, start_response)


def _refuse_oversized_bodies() -> None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        abort(413)


def register_body_limits(app: Flask) -> None:
    app.wsgi_app = ChunkedBodyLimit(app, app.wsgi_app)
    app.before_request(_refuse_oversized_bodies)
