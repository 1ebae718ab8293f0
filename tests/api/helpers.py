"""Helpers the API tests share (the resource modules' tests reuse them): token clients and JSON calls."""
from planner.extensions import db

#: the API's root
API = "/api/v1"


def token_for(app, user) -> str:
    """A new personal API token of ``user``, through the service, committed."""
    from planner.api.tokens import create_api_token
    from planner.auth.models import User

    with app.app_context():
        _row, token = create_api_token(db.session.get(User, user.id), "tests")
        db.session.commit()
    return token


def api_client_for(app, factories, role: str, programme=None):
    """(client, headers, user) for a new user with ``role`` in ``programme`` ("admin", "none" or a Role value).
    The client holds no session: only the headers authenticate."""
    user = factories.user_with_role(role, programme)
    return app.test_client(), {"Authorization": f"Bearer {token_for(app, user)}"}, user


def programme_url(programme, resource: str, item_id: int | None = None) -> str:
    """``/api/v1/programmes/<id>/<resource>[/<item_id>]``."""
    base = f"{API}/programmes/{programme.id}/{resource}"
    return base if item_id is None else f"{base}/{item_id}"


def assert_error(response, status: int, *fields: str) -> dict:
    """The response is a JSON API error with ``status`` naming at least ``fields``; returns its body."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) >= {"error", "message"}, body
    for field in fields:
        assert field in body.get("fields", {}), body
    return body
