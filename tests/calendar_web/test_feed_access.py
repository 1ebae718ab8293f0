"""The calendar rows of the access matrix, checked here until tests/test_access_matrix.py merges them."""
import pytest

from tests.calendar_web.access import LOGIN, ROWS
from tests.test_access_matrix import ROLES, _is_login_redirect, act_as, build_world, csrf_token, fill_url, rule_for

#: a token that matches no feed and no invitation
UNKNOWN_TOKEN = "x" * 43


@pytest.mark.parametrize(("endpoint", "method", "role"),
                         [(endpoint, method, role) for (endpoint, method) in ROWS for role in ROLES])
def test_calendar_access(app, client, factories, endpoint, method, role):
    world = build_world(factories)
    act_as(client, factories, world, role)
    url = fill_url(rule_for(app, endpoint), {**world.a.url_values(), "token": UNKNOWN_TOKEN})
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client, role != "anonymous")})

    expected = ROWS[(endpoint, method)][ROLES.index(role)]
    if expected == LOGIN:
        assert _is_login_redirect(response), response.status_code
    else:
        assert response.status_code == expected, response.get_data(as_text=True)[:300]


def test_every_calendar_route_has_a_row(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("calendar.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == set(ROWS)
