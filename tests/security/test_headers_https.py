"""Security headers over https on every GET route (QUALITY.md item 8), beyond tests/test_security_headers.py (which
sweeps the pages over plain http): with an https BASE_URL every page, public token page and /api/v1 GET route
answers with the CSP, nosniff, DENY, the referrer policy and HSTS of at least a year.
"""
import pytest

from planner import create_app
from planner.extensions import db
from tests.security import api_sweep
from tests.security.api_world import ApiWorld
from tests.conftest import PASSWORD, csrf_token_from
from tests.test_access_matrix import app_rules, fill_url
from tests.test_security_headers import header_problems

HTTPS = {"base_url": "https://planner.example"}


@pytest.fixture
def https_app(app):
    secure = create_app({"BASE_URL": "https://planner.example",
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    yield secure
    with secure.app_context():
        db.engine.dispose()


def hsts_problems(response) -> list[str]:
    value = response.headers.get("Strict-Transport-Security", "")
    directives = {part.strip().split("=")[0].lower(): part.strip() for part in value.split(";") if part.strip()}
    if "max-age" not in directives:
        return ["no Strict-Transport-Security max-age"]
    max_age = int(directives["max-age"].split("=")[1])
    return [] if max_age >= 31536000 else [f"HSTS max-age {max_age} is under a year"]


def test_every_get_route_over_https_sends_hsts_and_the_security_headers(https_app, factories, _rolled_back):
    api = ApiWorld(https_app, factories, _rolled_back)
    admin = factories.user(is_admin=True)
    client = https_app.test_client()
    page = client.get("/login", **HTTPS)
    logged_in = client.post("/login", data={"email": admin.email, "password": PASSWORD,
                                            "csrf_token": csrf_token_from(page.get_data(as_text=True))},
                            headers={"Referer": "https://planner.example/login"}, **HTTPS)
    assert logged_in.status_code == 302
    problems, checked = [], 0
    values = api.world.a.url_values()
    responses = {"GET /login (anonymous)": https_app.test_client().get("/login", **HTTPS),
                 "GET /no-such-page": client.get("/no-such-page", **HTTPS)}
    for rule in app_rules(https_app):
        if "GET" in rule.methods:
            url = fill_url(rule, values)
            responses[f"GET {url}"] = client.get(url, **HTTPS)
    for op in api_sweep.operations(https_app):
        if op.method == "GET":
            url_values = {"programme_id": api.a, "item_id": api.item(op, api.a)}
            url = op.url(**{key: value for key, value in url_values.items() if key in op.parameters})
            responses[f"GET {url}"] = client.get(url, headers=api.headers, **HTTPS)
    for name, response in responses.items():
        checked += 1
        if response.status_code >= 400 and name != "GET /no-such-page":
            problems.append(f"{name}: {response.status_code}")
        problems += [f"{name}: {problem}" for problem in header_problems(response) + hsts_problems(response)]
    assert not problems, "\n".join(problems)
    assert checked > 200, checked


def test_the_hsts_check_fails_a_short_or_missing_policy(app, client):
    response = client.get("/login")
    assert hsts_problems(response) == ["no Strict-Transport-Security max-age"]
    response.headers["Strict-Transport-Security"] = "max-age=300"
    assert hsts_problems(response) == ["HSTS max-age 300 is under a year"]
