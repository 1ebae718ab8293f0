"""Session and remember-me cookies, fixation, fresh logins and revocation (QUALITY.md items 1 and 2), beyond
tests/auth/ and tests/test_security_headers.py: every flag of both cookies over https, the production
configuration, a pre-login cookie or CSRF token being worthless after login, "basic" session protection, an
admin's password reset revoking remember-me cookies, and fresh logins for account changes.
"""
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import pytest
from sqlalchemy import func, select

from planner import create_app
from planner.api.models import ApiToken
from planner.auth.models import User
from planner.extensions import db
from tests.conftest import PASSWORD, csrf_token_from, form_post, log_in

HTTPS = {"base_url": "https://planner.example", "headers": {"Referer": "https://planner.example/login"}}


def _set_cookies(response) -> dict[str, SimpleCookie]:
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            cookies[name] = morsel
    return cookies


@pytest.fixture
def https_app(app):
    """The app as deployed behind TLS: BASE_URL is https, on the test database."""
    secure = create_app({"BASE_URL": "https://planner.example",
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    yield secure
    with secure.app_context():
        db.engine.dispose()


def test_over_https_both_cookies_carry_every_flag_and_remember_me_lasts_30_days(https_app, factories):
    user = factories.user()
    client = https_app.test_client()
    token = csrf_token_from(client.get("/login", **HTTPS).get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y",
                                           "csrf_token": token}, **HTTPS)
    assert response.status_code == 302
    cookies = _set_cookies(response)
    for name in ("session", "remember_token"):
        morsel = cookies[name]
        assert morsel["secure"] is True, name
        assert morsel["httponly"] is True, name
        assert morsel["samesite"] == "Lax", name
    expires = datetime.strptime(cookies["remember_token"]["expires"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30, minutes=1)
    assert not cookies["session"]["expires"], "the session cookie ends with the browser"


def test_the_production_configuration_keeps_the_cookie_rules(monkeypatch, app):
    monkeypatch.setenv("PLANNER_ENV", "production")
    monkeypatch.setenv("PLANNER_SECRET_KEY", "a-production-secret-for-this-test-only-0123456789")
    monkeypatch.setenv("PLANNER_BASE_URL", "https://planner.example")
    production = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    try:
        config = production.config
        assert not config["TESTING"] and config["REQUIRE_SECRET_KEY"]
        assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
        assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
        assert config["SESSION_COOKIE_SAMESITE"] == config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
        assert config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)
        assert production.login_manager.session_protection == "basic"
    finally:
        with production.app_context():
            db.engine.dispose()


def test_a_session_cookie_or_csrf_token_from_before_login_is_worthless_after_it(app, factories):
    """Fixation: whatever an attacker planted or read before the login (the cookie, its CSRF token) does not
    carry over into the logged-in session."""
    user = factories.user()
    client = app.test_client()
    page = client.get("/login")
    planted_cookie = client.get_cookie("session").value
    planted_token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": planted_token})
    assert response.status_code == 302
    assert client.get_cookie("session").value != planted_cookie
    assert client.get("/account").status_code == 200

    attacker = app.test_client()
    attacker.set_cookie("session", planted_cookie)
    assert attacker.get("/account").status_code == 302, "the planted cookie must not become logged in"
    refused = client.post("/account/logout-everywhere", data={"csrf_token": planted_token})
    assert refused.status_code == 400, "a CSRF token of the pre-login session must not work after login"
    assert client.get("/account").status_code == 200


def test_basic_session_protection_keeps_a_moved_session_but_asks_again_for_account_changes(app, factories):
    """A trainer whose phone changes network stays logged in ("basic", not "strong"), but the session is no
    longer fresh: changing the password asks for the password first."""
    assert app.login_manager.session_protection == "basic"
    user = factories.user()
    client = app.test_client()
    log_in(client, user.email)
    moved = {"User-Agent": "Phone on another network", "X-Forwarded-For": "198.51.100.7"}
    assert client.get("/", headers=moved).status_code == 200
    response = client.get("/account/password", headers=moved)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def _remembered(app, email):
    """A client holding only a remember-me cookie (the browser was closed): a session that is not fresh."""
    client = app.test_client()
    log_in(client, email, remember=True)
    remembered = app.test_client()
    remembered.set_cookie("remember_token", client.get_cookie("remember_token").value)
    return remembered


def test_an_admins_password_reset_revokes_the_users_sessions_and_remember_me_cookies(app, factories):
    user = factories.user()
    remembered = _remembered(app, user.email)
    other_device = app.test_client()
    log_in(other_device, user.email)
    assert remembered.get("/account").status_code == 200

    admin = factories.user(is_admin=True)
    admin_client = app.test_client()
    log_in(admin_client, admin.email)
    with app.app_context():
        version = db.session.get(User, user.id).version
    response = form_post(admin_client, f"/admin/users/{user.id}/edit", {
        "email": user.email, "is_active": "y", "new_password": "a new password set by the admin",
        "preferred_language": "", "person_id": "", "version": str(version)})
    assert response.status_code == 302
    assert remembered.get("/account").status_code == 302
    assert other_device.get("/account").status_code == 302
    log_in(app.test_client(), user.email, password="a new password set by the admin")


def test_a_remembered_session_must_log_in_again_to_create_an_api_token(app, factories):
    user = factories.user()
    remembered = _remembered(app, user.email)
    response = form_post(remembered, "/account/api-tokens", {"name": "stolen cookie's token"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    with app.app_context():
        assert db.session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id)) == 0


def test_a_remembered_admin_session_must_log_in_again_to_change_accounts(app, factories):
    user = factories.user()
    admin = factories.user(is_admin=True)
    remembered = _remembered(app, admin.email)
    with app.app_context():
        version = db.session.get(User, user.id).version
    response = form_post(remembered, f"/admin/users/{user.id}/edit", {
        "email": user.email, "is_active": "y", "is_admin": "y", "new_password": "", "preferred_language": "",
        "person_id": "", "version": str(version)}, page_url="/account")  # the form page itself asks to log in
    with app.app_context():
        assert not db.session.get(User, user.id).is_admin, "a remembered session granted admin rights"
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_cookies_copied_before_a_logout_do_not_work_after_it(app, factories):
    user = factories.user()
    client = app.test_client()
    log_in(client, user.email, remember=True)
    copied = {name: client.get_cookie(name).value for name in ("session", "remember_token")}
    assert form_post(client, "/logout", {}, page_url="/account").status_code == 302
    for name, value in copied.items():
        thief = app.test_client()
        thief.set_cookie(name, value)
        assert thief.get("/account").status_code == 302, f"the {name} cookie still logs in after logout"
