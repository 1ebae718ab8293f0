"""Logging in and out: QUALITY.md items 1, 2, 4 and 5."""
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import select

from planner.auth.models import LoginThrottle, User
from planner.extensions import db
from planner.models import utcnow
from tests.conftest import PASSWORD, csrf_token_from, form_post, log_in


def _attempt(client, email, password, **query):
    page = client.get("/login")
    return client.post("/login", query_string=query, data={
        "email": email, "password": password, "csrf_token": csrf_token_from(page.get_data(as_text=True))})


def _cookie(client, name):
    return client.get_cookie(name)


def test_login_sets_a_lax_httponly_session_cookie(client, make_user):
    user = make_user()
    response = log_in(client, user.email)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header  # served over http in tests


def test_remember_cookie_is_lax_httponly_and_at_most_30_days(client, make_user):
    user = make_user()
    response = log_in(client, user.email, remember=True)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    cookie = _cookie(client, "remember_token")
    assert cookie.expires is not None
    assert cookie.expires - utcnow() <= timedelta(days=30, minutes=1)


def test_https_base_url_makes_cookies_secure(database_url):
    from planner import create_app

    secure_app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "BASE_URL": "https://planner.example"})
    assert secure_app.config["SESSION_COOKIE_SECURE"] is True
    assert secure_app.config["REMEMBER_COOKIE_SECURE"] is True
    assert secure_app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_login_clears_the_previous_session(client, make_user):
    user = make_user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    log_in(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id", "").startswith(f"{user.id}:")


def test_unknown_email_and_wrong_password_look_the_same(client, make_user):
    user = make_user()
    wrong_password = _attempt(client, user.email, "not the password at all")
    unknown_user = _attempt(client, "nobody@example.com", "not the password at all")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert "Wrong email or password." in wrong_password.get_data(as_text=True)
    assert "Wrong email or password." in unknown_user.get_data(as_text=True)


def test_inactive_user_cannot_log_in(client, make_user):
    user = make_user(is_active=False)
    assert _attempt(client, user.email, PASSWORD).status_code == 401


def test_passwords_are_argon2id_with_default_parameters_in_production(app, make_user):
    user = make_user()
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$")
    defaults = PasswordHasher()
    assert (defaults.time_cost, defaults.memory_cost, defaults.parallelism) == (3, 65536, 4)
    from planner.config import ProductionConfig

    assert ProductionConfig.ARGON2_PARAMS == {}  # argon2-cffi defaults apply


def test_login_rehashes_when_parameters_change(client, app, make_user):
    user = make_user()
    old_hash = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1).hash(PASSWORD)
    with app.app_context():
        db.session.get(User, user.id).password_hash = old_hash
        db.session.commit()
    log_in(client, user.email)
    with app.app_context():
        new_hash = db.session.get(User, user.id).password_hash
    assert new_hash != old_hash
    assert "m=8,t=1,p=1" in new_hash  # the testing configuration's parameters


def test_account_is_locked_after_five_failures_and_says_when(client, app, make_user):
    user = make_user()
    for _ in range(4):
        assert _attempt(client, user.email, "wrong password!!").status_code == 401
    assert _attempt(client, user.email, "wrong password!!").status_code == 401  # the fifth locks
    locked = _attempt(client, user.email, PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    assert "Try again in" in locked.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == f"account:{user.email}"))
        assert row.locked_until > utcnow()


def test_lock_holds_for_another_worker(app, make_user):
    """The lock lives in the database, so a second client (another worker) sees it too."""
    user = make_user()
    first = app.test_client()
    for _ in range(5):
        _attempt(first, user.email, "wrong password!!")
    second = app.test_client()
    assert _attempt(second, user.email, PASSWORD).status_code == 429


def test_lock_expires(client, app, make_user):
    user = make_user()
    for _ in range(5):
        _attempt(client, user.email, "wrong password!!")
    with app.app_context():
        row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == f"account:{user.email}"))
        row.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert _attempt(client, user.email, PASSWORD).status_code == 302


def test_failures_per_address_are_limited_across_accounts(client, app, make_user):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 6
    try:
        for n in range(6):
            _attempt(client, f"guess{n}@example.com", "wrong password!!")
        user = make_user()
        assert _attempt(client, user.email, PASSWORD).status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_IP"] = 50


def test_success_clears_the_account_counter(client, app, make_user):
    user = make_user()
    for _ in range(4):
        _attempt(client, user.email, "wrong password!!")
    assert _attempt(client, user.email, PASSWORD).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(LoginThrottle).where(
            LoginThrottle.key == f"account:{user.email}")) is None


def test_next_parameter_cannot_leave_the_site(client, make_user):
    user = make_user()
    response = _attempt(client, user.email, PASSWORD, next="https://evil.example/steal")
    assert response.headers["Location"] == "/"
    other = make_user()
    fresh = client.application.test_client()
    response = _attempt(fresh, other.email, PASSWORD, next="/account")
    assert response.headers["Location"] == "/account"


def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_logout_needs_post_and_ends_the_session(client, make_user):
    user = make_user()
    log_in(client, user.email)
    assert client.get("/logout").status_code == 405
    response = form_post(client, "/logout", {}, page_url="/account")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
