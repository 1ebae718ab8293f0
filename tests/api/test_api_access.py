"""Every /api/v1 route: without a token it is 401 (also with a logged-in session cookie), and with a token its
answer per role is the one listed in a ``rows_*.py`` module here; a route with no row fails the completeness
test, so a new resource cannot go untested."""
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

from planner.extensions import db
from planner.programmes.models import Programme
from tests.api.helpers import token_for
from tests.conftest import log_in

ROLES = ("admin", "project_manager", "pm_other", "committee_member", "trainer", "viewer", "none")
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


def _row_modules():
    folder = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda info: info.name):
        if info.name.startswith("rows_"):
            yield importlib.import_module(f"tests.api.{info.name}")


ROWS: dict[tuple[str, str], tuple] = {}
ITEMS: dict = {}
for _module in _row_modules():
    ROWS.update(_module.ROWS)
    ITEMS.update(getattr(_module, "ITEMS", {}))


def api_rules(app):
    """(endpoint, method, rule) of every API route, HEAD and OPTIONS left out."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            for method in sorted(set(rule.methods) & set(METHODS)):
                yield rule.endpoint, method, rule


def _url(rule, programme_id: int, item_id: int) -> str:
    path = re.sub(r"<(?:\w+:)?programme_id>", str(programme_id), rule.rule)
    return re.sub(r"<(?:\w+:)?item_id>", str(item_id), path)


def _is_public(app, endpoint: str) -> bool:
    return getattr(app.view_functions[endpoint], "access", None) == "public"


def test_every_api_route_has_role_rows(app):
    missing = sorted((endpoint, method) for endpoint, method, _rule in api_rules(app)
                     if (endpoint, method) not in ROWS)
    assert not missing, f"API routes without rows in tests/api/rows_*.py: {missing}"
    stale = sorted(set(ROWS) - {(endpoint, method) for endpoint, method, _rule in api_rules(app)})
    assert not stale, f"rows for routes that do not exist: {stale}"


def test_without_a_token_every_api_route_is_401(app, client, make_programme, factories):
    programme = make_programme()
    user = factories.user_with_role("project_manager", programme)
    log_in(client, user.email)  # a session cookie must not count
    for endpoint, method, rule in api_rules(app):
        response = client.open(_url(rule, programme.id, 1), method=method, json={})
        if _is_public(app, endpoint):
            assert response.status_code == 200, endpoint
            continue
        assert response.status_code == 401, (endpoint, method, response.status_code)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["error"]
        assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("endpoint,method", sorted(ROWS))
def test_api_route_answers_each_role(app, make_programme, factories, endpoint, method):
    rule = next((rule for name, verb, rule in api_rules(app) if (name, verb) == (endpoint, method)), None)
    assert rule is not None, f"no route {endpoint} {method}"
    expected = dict(zip(ROLES, ROWS[(endpoint, method)], strict=True))
    programme, other = make_programme(), make_programme()
    for role in ROLES:
        if method == "DELETE" and "<int:item_id>" not in rule.rule:
            programme = make_programme()  # deleting the programme itself: a fresh one for each role
        holder = factories.user_with_role("project_manager" if role == "pm_other" else role,
                                          other if role == "pm_other" else programme)
        item_id = programme.id
        if "<int:item_id>" in rule.rule:
            resource = rule.rule.split("/<int:item_id>")[0].rsplit("/", 1)[1]
            with app.app_context():
                item_id = ITEMS[resource](db.session.get(Programme, programme.id))
                db.session.commit()
        response = app.test_client().open(_url(rule, programme.id, item_id), method=method, json={},
                                          headers={"Authorization": f"Bearer {token_for(app, holder)}"})
        assert response.status_code == expected[role], (role, endpoint, method, response.get_json())
        if response.status_code >= 400:
            assert {"error", "message"} <= set(response.get_json())
