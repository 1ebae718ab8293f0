"""Absolute links for emails and calendar objects, built from BASE_URL.

Mail is also composed outside a request (CLI commands, the demo loader), where ``url_for`` has no
host to work with; building the path from the URL map and prefixing BASE_URL works in both.
"""
from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """``BASE_URL`` + the path of ``endpoint`` (query arguments for values the route does not take)."""
    values = {key: value for key, value in values.items() if value is not None}
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path
