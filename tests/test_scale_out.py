"""Several web hosts behind a load balancer (README "Running more than one web host"): the app keeps no
state in process memory, so any host can serve any request of a visitor.

Two apps stand in for two hosts: built apart, sharing only the database and ``SECRET_KEY``, as two
machines would. A visitor's cookies travel between them the way a load balancer without sticky
sessions would send them.
"""
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from planner import create_app
from planner.auth.models import User
from planner.extensions import db
from planner.programmes.models import Programme, Region
from tests.conftest import csrf_token_from, log_in

DEMO_PASSWORD = "rollout-demo-2026"
SHARED_SECRET = "one secret for every host " + "x" * 32


@pytest.fixture(autouse=True)
def _rolled_back():
    """These tests own their database: the two hosts commit for real."""
    yield


@pytest.fixture
def hosts(make_fresh_app):
    """(host A, host B) on one demo database with one SECRET_KEY."""
    first = make_fresh_app()
    first.config["SECRET_KEY"] = SHARED_SECRET
    result = first.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    second = create_app({"SQLALCHEMY_DATABASE_URI": first.config["SQLALCHEMY_DATABASE_URI"],
                         "SECRET_KEY": SHARED_SECRET})
    yield first, second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


def _move_cookies(source, target) -> None:
    """What the browser sends to whichever host the balancer picks: the same cookies."""
    target._cookies = {}
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def _programme_id(app) -> int:
    with app.app_context():
        programme_id = db.session.scalars(select(Programme.id)).one()
        db.session.rollback()
    return programme_id


def test_a_login_on_one_host_holds_on_the_other(hosts):
    host_a, host_b = hosts
    on_a, on_b = host_a.test_client(), host_b.test_client()
    log_in(on_a, "pm@example.com", DEMO_PASSWORD)

    _move_cookies(on_a, on_b)
    page = on_b.get("/")
    assert page.status_code == 200
    assert "Sign out" in page.get_data(as_text=True) or "Log out" in page.get_data(as_text=True)
    assert host_b.test_client().get("/").status_code == 302  # without the cookie: sent to log in


def test_a_form_from_one_host_is_accepted_by_the_other_and_both_see_the_write(hosts):
    host_a, host_b = hosts
    programme_id = _programme_id(host_a)
    on_a, on_b = host_a.test_client(), host_b.test_client()
    log_in(on_a, "pm@example.com", DEMO_PASSWORD)
    form_url = f"/programmes/{programme_id}/regions/new"
    token = csrf_token_from(on_a.get(form_url).get_data(as_text=True))

    _move_cookies(on_a, on_b)
    response = on_b.post(form_url, data={"csrf_token": token, "name": "Nordics", "tier": "standard",
                                         "time_zone": "Europe/Stockholm", "headcount": "40", "site_notes": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    with host_a.app_context():
        assert db.session.scalars(select(Region.name).where(Region.name == "Nordics")).one() == "Nordics"
        db.session.rollback()
    assert "Nordics" in on_a.get(f"/programmes/{programme_id}/regions").get_data(as_text=True)


def test_a_lock_earned_on_one_host_holds_on_the_other(hosts):
    host_a, host_b = hosts
    on_a = host_a.test_client()
    token = csrf_token_from(on_a.get("/login").get_data(as_text=True))
    for _ in range(5):
        on_a.post("/login", data={"email": "pm@example.com", "password": "not the password!", "csrf_token": token})

    on_b = host_b.test_client()
    token = csrf_token_from(on_b.get("/login").get_data(as_text=True))
    locked = on_b.post("/login", data={"email": "pm@example.com", "password": DEMO_PASSWORD, "csrf_token": token})
    assert locked.status_code == 429


def test_a_feed_url_made_by_one_host_is_served_by_the_other(hosts):
    host_a, host_b = hosts
    result = host_a.test_cli_runner().invoke(args=["feed-url", "chair@example.com"])
    assert result.exit_code == 0, result.output
    url = next(word for word in result.output.split() if word.startswith("http"))

    feed = host_b.test_client().get(urlsplit(url).path)
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    assert b"BEGIN:VEVENT" in feed.data


def test_log_out_everywhere_on_one_host_ends_a_remembered_login_on_the_other(hosts):
    host_a, host_b = hosts
    browser = host_a.test_client()
    log_in(browser, "pm@example.com", DEMO_PASSWORD, remember=True)
    remembered = browser.get_cookie("remember_token")
    assert remembered is not None

    on_b = host_b.test_client()
    on_b.set_cookie("remember_token", remembered.value, domain=remembered.domain, path=remembered.path)
    assert on_b.get("/").status_code == 200  # host B trusts host A's remember-me cookie

    token = csrf_token_from(browser.get("/account").get_data(as_text=True))
    assert browser.post("/account/logout-everywhere", data={"csrf_token": token}).status_code == 302
    with host_a.app_context():
        assert db.session.scalars(select(User).where(User.email == "pm@example.com")).one()
        db.session.rollback()

    stale = host_b.test_client()
    stale.set_cookie("remember_token", remembered.value, domain=remembered.domain, path=remembered.path)
    assert stale.get("/").status_code == 302  # sent to log in


def test_logging_out_on_one_host_ends_that_login_on_the_other(hosts):
    """The login a cookie names is kept in the shared database: logging out on host A makes a copy of its
    session cookie worthless on host B at once."""
    host_a, host_b = hosts
    browser = host_a.test_client()
    log_in(browser, "pm@example.com", DEMO_PASSWORD)
    session_cookie = browser.get_cookie("session")
    on_b = host_b.test_client()
    on_b.set_cookie("session", session_cookie.value, domain=session_cookie.domain, path=session_cookie.path)
    assert on_b.get("/").status_code == 200

    token = csrf_token_from(browser.get("/account").get_data(as_text=True))
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    assert on_b.get("/").status_code == 302  # sent to log in


def _failed_login_from(app, forwarded_for: str) -> None:
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": "nobody@example.com", "password": "not the password!", "csrf_token": token},
                headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": "10.0.0.2"})


def _throttled_addresses(app) -> set[str]:
    from planner.auth.models import LoginThrottle

    with app.app_context():
        keys = set(db.session.scalars(select(LoginThrottle.key).where(LoginThrottle.key.like("ip:%"))))
        db.session.rollback()
    return {key.removeprefix("ip:") for key in keys}


def test_behind_a_balancer_each_client_is_throttled_by_its_own_address(make_fresh_app):
    app = make_fresh_app()
    behind_balancer = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "PROXY_COUNT": 1})
    try:
        _failed_login_from(behind_balancer, "198.51.100.7, 203.0.113.5")  # a spoofed entry, then the balancer's
        assert _throttled_addresses(behind_balancer) == {"203.0.113.5"}
    finally:
        with behind_balancer.app_context():
            db.engine.dispose()


def test_without_proxies_the_forwarded_header_is_ignored(make_fresh_app):
    app = make_fresh_app()
    _failed_login_from(app, "203.0.113.5")
    assert _throttled_addresses(app) == {"10.0.0.2"}
