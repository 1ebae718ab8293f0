"""Who is calling the API: only ``Authorization: Bearer <token>`` counts.

A session cookie never authenticates an API call (a page's session must not be usable cross-site against a
CSRF-exempt API), and an API response never sets or refreshes a session cookie. Once the token is checked,
``current_user`` is its user, so ``require()``, ``load_programme()`` and the services work as on the pages.
"""
from flask import Flask, current_app, g, request
from flask.sessions import SecureCookieSessionInterface

from planner.api import bp
from planner.api.tokens import user_for_api_token
from planner.api.errors import error_json


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def unauthenticated():
    from flask_babel import gettext as _

    return error_json(401, _("Send a personal API token as Authorization: Bearer <token>. "
                             "Create one under My account, API tokens."))


@bp.before_request
def authenticate_by_token():
    """Set the request's user from the bearer token; refuse anything else, unless the view is public."""
    view = current_app.view_functions.get(request.endpoint or "")
    g._login_user = current_app.login_manager.anonymous_user()  # whatever the session cookie says
    if getattr(view, "access", None) == "public":
        return None
    user = user_for_api_token(bearer_token())
    if user is None:
        return unauthenticated()
    g._login_user = user
    return None


class NoApiSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie sessions, except that an API response never sets, refreshes or deletes the cookie."""

    def save_session(self, app, session, response) -> None:
        if request.path.startswith(bp.url_prefix + "/"):
            return None
        return super().save_session(app, session, response)


def install_session_interface(app: Flask) -> None:
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = NoApiSessionInterface()
    elif not isinstance(app.session_interface, NoApiSessionInterface):
        raise RuntimeError("The API expects Flask's cookie sessions, to keep them out of API responses.")
