"""CSRF protection and safe methods (QUALITY.md item 3).

Every state-changing rule refuses a request without a token (400), except the explicit exempt
list below; GET never changes anything, so delete links only show a confirmation; logging out
needs a POST.
"""
import re

from planner.auth.models import User
from planner.extensions import csrf
from planner.people.models import Person
from planner.programmes.models import Department, Membership, Programme, Region
from tests.conftest import count_queries
from tests.test_access_matrix import DELETES, act_as, app_rules, build_world, exists, fill_url

STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: endpoints that take state-changing requests without a CSRF token. Keep it short, and say why next to each entry.
CSRF_EXEMPT: frozenset[str] = frozenset()
#: blueprints exempt as a whole: the JSON API (/api/v1) authenticates only by an ``Authorization: Bearer`` token,
#: never by the session cookie (tests/api/test_tokens.py), and a cross-site page cannot set that header
CSRF_EXEMPT_BLUEPRINTS: frozenset[str] = frozenset({"api"})

_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|MERGE|UPSERT)\b", re.IGNORECASE)


def _world_still_whole(app, world) -> list[str]:
    gone = []
    for side in (world.a, world.b):
        for model, obj in ((Programme, side.programme), (Region, side.region), (Department, side.department),
                           (Person, side.person), (Membership, side.membership), (User, side.other_user)):
            if not exists(app, model, obj.id):
                gone.append(f"{model.__name__} {obj.id}")
    return gone


def test_exempt_list_is_explicit_and_empty(app):
    exempt_views = set()
    for endpoint, view in app.view_functions.items():
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views:
            exempt_views.add(endpoint)
    assert exempt_views == CSRF_EXEMPT, "CSRF exemptions in the code must match CSRF_EXEMPT"
    assert CSRF_EXEMPT == frozenset()
    assert {blueprint.name for blueprint in csrf._exempt_blueprints} == CSRF_EXEMPT_BLUEPRINTS
    api_rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.partition(".")[0] == "api"]
    assert api_rules and all(rule.rule.startswith("/api/") for rule in api_rules), \
        "the exempt API blueprint must serve only /api/ paths, where a session cookie is never accepted"
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    assert app.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True


def test_every_state_changing_route_refuses_a_request_without_token(app, client, factories):
    world = build_world(factories)
    act_as(client, factories, world, "admin")  # an admin, so permission is never the reason
    checked, problems = [], []
    for rule in app_rules(app):
        if rule.endpoint in CSRF_EXEMPT:
            continue
        url = fill_url(rule, world.a.url_values())
        for method in sorted(rule.methods & STATE_CHANGING_METHODS):
            response = client.open(url, method=method, data={})
            checked.append(rule.endpoint)
            if response.status_code != 400:
                problems.append(f"{method} {url} ({rule.endpoint}): {response.status_code}")
            elif "The form expired" not in response.get_data(as_text=True):
                problems.append(f"{method} {url} ({rule.endpoint}): 400, but not for the missing token")
    assert not problems, "\n".join(problems)
    assert {"auth.logout", "programmes.delete_member", "people.confirm_import_people"} <= set(checked)
    assert not _world_still_whole(app, world)
    assert client.get("/account").status_code == 200, "a tokenless logout must not log out"


def test_a_token_from_another_session_is_refused(app, client, factories):
    world = build_world(factories)
    other = app.test_client()
    act_as(other, factories, world, "admin")
    stolen = re.search(r'name="csrf_token" value="([^"]+)"', other.get("/").get_data(as_text=True)).group(1)
    act_as(client, factories, world, "admin")
    url = f"/programmes/{world.a.programme.id}/regions/{world.a.region.id}/delete"
    assert client.post(url, data={"csrf_token": stolen}).status_code == 400
    assert exists(app, Region, world.a.region.id)


def test_no_get_request_writes_to_the_database(app, client, factories):
    world = build_world(factories)
    act_as(client, factories, world, "admin")
    values = world.a.url_values()
    problems = []
    for rule in app_rules(app):
        if "GET" not in rule.methods:
            continue
        url = fill_url(rule, values)
        with count_queries(app) as statements:
            response = client.get(url)
        writes = [statement for statement in statements if _WRITE.match(statement)]
        if response.status_code >= 400:
            problems.append(f"GET {url}: {response.status_code}")
        if writes:
            problems.append(f"GET {url} wrote: {writes}")
    assert not problems, "\n".join(problems)
    assert not _world_still_whole(app, world)


def test_get_on_a_delete_url_only_asks_for_confirmation(app, client, factories):
    world = build_world(factories)
    act_as(client, factories, world, "admin")
    values = world.a.url_values()
    delete_rules = [rule for rule in app_rules(app) if rule.endpoint in DELETES and "GET" in rule.methods]
    assert delete_rules, "expected delete pages with a GET confirmation"
    for rule in delete_rules:
        model, key = DELETES[rule.endpoint]
        response = client.get(fill_url(rule, values))
        html = response.get_data(as_text=True)
        assert response.status_code == 200, rule.endpoint
        assert re.search(r'<form method="post"', html), f"{rule.endpoint}: no POST form to confirm with"
        assert exists(app, model, values[key]), f"GET {rule.endpoint} deleted the object"


def test_delete_routes_without_a_confirmation_page_refuse_get(app, client, factories):
    world = build_world(factories)
    act_as(client, factories, world, "admin")
    values = world.a.url_values()
    for rule in app_rules(app):
        if rule.endpoint in DELETES and "GET" not in rule.methods:
            model, key = DELETES[rule.endpoint]
            assert client.get(fill_url(rule, values)).status_code == 405, rule.endpoint
            assert exists(app, model, values[key])


def test_logout_needs_post(app, client, factories):
    world = build_world(factories)
    act_as(client, factories, world, "viewer")
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert client.get("/account").status_code == 200, "GET /logout must not log out"
