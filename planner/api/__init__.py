"""The JSON API at /api/v1: personal tokens, ``/me``, the programme resources and the OpenAPI document.

``init_app(app)`` registers everything: the API blueprint (token-authenticated, CSRF-exempt), the token pages
under /account/api-tokens, and the ``create-api-token`` command. Resources live one per module in
``planner/api/resources/`` and are found there by themselves.
"""
from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    from planner.api import models  # noqa: F401 - the api_token table
    from planner.api import authentication, cli, errors, resources, token_views, views  # noqa: F401 - routes
    from planner.extensions import csrf

    authentication.install_session_interface(app)
    csrf.exempt(bp)  # a bearer token is not sent by browsers on their own: no CSRF to fear
    app.register_blueprint(bp)
    app.register_blueprint(token_views.bp)
    app.register_blueprint(cli.bp)
