"""Login throttling held in the database (QUALITY.md item 5), with two app instances on one fresh database: two
gunicorn workers, each with its own engine and connection pool. Failures counted by one are seen by the other,
per account and per client address, and a locked account is told when to try again.
"""
import re

import pytest
from sqlalchemy import select

from planner import create_app
from planner.auth import services as auth_services
from planner.auth.models import LoginThrottle
from planner.extensions import db
from tests.conftest import PASSWORD, csrf_token_from

WRONG = "not the password at all"


@pytest.fixture
def _rolled_back():
    """These tests own a fresh database (committed for real): two apps must see each other's writes."""
    yield


@pytest.fixture
def workers(make_fresh_app):
    """Two apps on the same fresh database, and an account in it."""
    first = make_fresh_app()
    second = create_app({"SQLALCHEMY_DATABASE_URI": first.config["SQLALCHEMY_DATABASE_URI"]})
    with first.app_context():
        auth_services.create_user("worker-test@example.com", PASSWORD)
        db.session.commit()
    yield first, second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


def _attempt(app, email, password, address="203.0.113.10", headers=None):
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=environ, headers=headers)
    return client.post("/login", environ_base=environ, headers=headers, data={
        "email": email, "password": password, "csrf_token": csrf_token_from(page.get_data(as_text=True))})


def _rows(app) -> dict[str, LoginThrottle]:
    with app.app_context():
        rows = db.session.scalars(select(LoginThrottle)).all()
        db.session.expunge_all()
        return {row.key: row for row in rows}


def test_account_failures_on_two_workers_add_up_and_the_lock_says_when_it_ends(workers):
    first, second = workers
    engines = []
    for app in (first, second):
        with app.app_context():
            engines.append(db.engine)
    assert engines[0] is not engines[1], "each worker has its own engine and connections"
    limit = first.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for attempt in range(limit):
        app = first if attempt % 2 == 0 else second
        assert _attempt(app, "worker-test@example.com", WRONG).status_code == 401
    for app in (first, second):
        locked = _attempt(app, "worker-test@example.com", PASSWORD, address="198.51.100.20")
        assert locked.status_code == 429, "the lock must hold on both workers, from any address"
        text = locked.get_data(as_text=True)
        minutes = int(re.search(r"Try again in (\d+) minutes", text).group(1))
        assert 1 <= minutes <= first.config["LOGIN_LOCKOUT"].total_seconds() // 60 + 1
    row = _rows(second)["account:worker-test@example.com"]
    assert row.locked_until is not None


def test_address_failures_across_accounts_and_workers_lock_that_address_only(workers):
    first, second = workers
    for app in (first, second):
        app.config["LOGIN_MAX_FAILURES_PER_IP"] = 6
    for number in range(6):
        app = second if number % 2 else first
        assert _attempt(app, f"guess{number}@example.com", WRONG, address="203.0.113.66").status_code == 401
    for app in (first, second):
        assert _attempt(app, "worker-test@example.com", PASSWORD, address="203.0.113.66").status_code == 429
    assert _attempt(second, "worker-test@example.com", PASSWORD, address="198.51.100.20").status_code == 302
    assert _rows(first)["ip:203.0.113.66"].locked_until is not None


@pytest.fixture
def proxied_workers(make_fresh_app):
    """Two workers behind the README's proxy (PLANNER_PROXY_COUNT=1) on the same fresh database."""
    url = make_fresh_app().config["SQLALCHEMY_DATABASE_URI"]
    apps = [create_app({"SQLALCHEMY_DATABASE_URI": url, "PROXY_COUNT": 1}) for _ in range(2)]
    with apps[0].app_context():
        auth_services.create_user("worker-test@example.com", PASSWORD)
        db.session.commit()
    yield apps
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(proxied_workers):
    first, second = proxied_workers
    for app in (first, second):
        app.config["LOGIN_MAX_FAILURES_PER_IP"] = 6
    attacker = {"X-Forwarded-For": "203.0.113.66"}
    for number in range(6):
        _attempt(first if number % 2 else second, f"guess{number}@example.com", WRONG, address="127.0.0.1",
                 headers=attacker)
    someone_else = {"X-Forwarded-For": "198.51.100.20"}
    assert _attempt(first, "worker-test@example.com", PASSWORD, address="127.0.0.1",
                    headers=someone_else).status_code == 302
