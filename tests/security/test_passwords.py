"""Passwords (QUALITY.md item 4), beyond tests/auth/: the hash an app with the production parameters really stores
(argon2id, t=3, m=64 MiB, p=4), the rehash up to them at login, the 12-character minimum at every place a password
is set, and one answer for an unknown email, a wrong password and a deactivated account.
"""
import re

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from planner import create_app
from planner.auth import services as auth_services
from planner.auth.models import User
from planner.config import ProductionConfig
from planner.extensions import db
from tests.conftest import PASSWORD, csrf_token_from, form_post, log_in

PRODUCTION_HASH = re.compile(r"^\$argon2id\$v=19\$m=65536,t=3,p=4\$")


@pytest.fixture
def production_hashing(app):
    """An app that hashes as production does (argon2-cffi's defaults), on the test database."""
    assert ProductionConfig.ARGON2_PARAMS == {}
    hashing = create_app({"ARGON2_PARAMS": ProductionConfig.ARGON2_PARAMS,
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    yield hashing
    with hashing.app_context():
        db.engine.dispose()


def _stored_hash(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def test_an_account_made_with_the_production_parameters_stores_argon2id_t3_m64mib_p4(production_hashing):
    with production_hashing.app_context():
        user = auth_services.create_user("hashed@example.com", PASSWORD)
        db.session.commit()
        stored = user.password_hash
    assert PRODUCTION_HASH.match(stored), stored
    assert PasswordHasher().verify(stored, PASSWORD)
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(stored, PASSWORD + "!")


def test_login_rehashes_a_weaker_hash_up_to_the_production_parameters(production_hashing, factories):
    user = factories.user()  # hashed with the fast test parameters (m=8, t=1, p=1)
    weak = _stored_hash(production_hashing, user.id)
    assert "m=8,t=1,p=1" in weak

    failed = production_hashing.test_client()
    page = failed.get("/login")
    failed.post("/login", data={"email": user.email, "password": "not the password at all",
                                "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert _stored_hash(production_hashing, user.id) == weak, "a failed login must not touch the hash"

    log_in(production_hashing.test_client(), user.email)
    rehashed = _stored_hash(production_hashing, user.id)
    assert PRODUCTION_HASH.match(rehashed), rehashed
    assert PasswordHasher().verify(rehashed, PASSWORD)
    log_in(production_hashing.test_client(), user.email)
    assert _stored_hash(production_hashing, user.id) == rehashed, "an up-to-date hash is kept as it is"


ELEVEN, TWELVE = "eleven char", "twelve chars"


def test_twelve_characters_are_the_minimum_wherever_a_password_is_set(app, client, factories):
    assert (len(ELEVEN), len(TWELVE)) == (11, 12)
    with app.app_context():
        with pytest.raises(auth_services.DomainError):
            auth_services.create_user("short@example.com", ELEVEN)
        auth_services.create_user("long-enough@example.com", TWELVE)
        db.session.rollback()

    admin = factories.user(is_admin=True)
    log_in(client, admin.email)
    fields = {"is_active": "y", "preferred_language": "", "person_id": ""}
    short = form_post(client, "/admin/users/new", {**fields, "email": "new@example.com", "new_password": ELEVEN})
    assert short.status_code == 422 and "at least 12" in short.get_data(as_text=True)
    assert form_post(client, "/admin/users/new", {**fields, "email": "new@example.com",
                                                  "new_password": TWELVE}).status_code == 302
    user = factories.user()
    with app.app_context():
        version = db.session.get(User, user.id).version
    edit = f"/admin/users/{user.id}/edit"
    short = form_post(client, edit, {**fields, "email": user.email, "new_password": ELEVEN, "version": str(version)})
    assert short.status_code == 422 and "at least 12" in short.get_data(as_text=True)
    assert form_post(client, edit, {**fields, "email": user.email, "new_password": TWELVE,
                                    "version": str(version)}).status_code == 302

    own = app.test_client()
    log_in(own, user.email, password=TWELVE)
    short = form_post(own, "/account/password", {"current_password": TWELVE, "new_password": ELEVEN,
                                                 "confirm_password": ELEVEN})
    assert short.status_code == 422 and "at least 12" in short.get_data(as_text=True)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-user", "cli@example.com", "--password", ELEVEN]).exit_code != 0


def _login_answer(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/login")
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    body = re.sub(r'name="csrf_token" (type="hidden" )?value="[^"]+"', "csrf", response.get_data(as_text=True))
    return response.status_code, body.replace(email, "EMAIL"), sorted(response.headers.keys())


def test_unknown_email_wrong_password_and_deactivated_account_get_the_same_answer(app, factories):
    user = factories.user()
    inactive = factories.user(is_active=False)
    wrong_password = _login_answer(app, user.email, "not the password at all")
    unknown = _login_answer(app, "nobody-here@example.com", "not the password at all")
    deactivated = _login_answer(app, inactive.email, PASSWORD)
    assert wrong_password[0] == 401
    assert wrong_password == unknown == deactivated
