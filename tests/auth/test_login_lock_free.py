"""A login checks the password (argon2: a tenth of a second or more) holding no database lock, so on SQLite
other workers' writes do not queue behind every login (bench/load found logins serialising the writers)."""
import sqlite3

import pytest
from sqlalchemy import make_url

from planner.auth import services
from planner.extensions import db
from tests.conftest import csrf_token_from


@pytest.fixture(autouse=True)
def _rolled_back():
    """The login commits for real: this module owns its database."""
    yield


def test_another_writer_gets_the_write_lock_while_a_login_checks_the_password(make_fresh_app, monkeypatch):
    app = make_fresh_app()
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("the write lock held by a POST's transaction is SQLite's")
    with app.app_context():
        from tests.factories import Factories

        user = Factories(app).user()
        db.session.commit()
        email = user.email
    others_could_write = []
    real_verify = services.verify_password

    def verify_while_another_worker_writes(password_hash, password):
        other = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            others_could_write.append(True)
        except sqlite3.OperationalError:  # database is locked
            others_could_write.append(False)
        finally:
            other.close()
        return real_verify(password_hash, password)

    monkeypatch.setattr(services, "verify_password", verify_while_another_worker_writes)
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": "correct horse battery staple",
                                           "csrf_token": token})
    assert response.status_code == 302
    assert others_could_write == [True]


def test_a_password_changed_while_the_old_one_was_checked_does_not_log_in(make_fresh_app, monkeypatch):
    """The hash is checked outside the transaction; an admin's reset landing meanwhile must win."""
    app = make_fresh_app()
    with app.app_context():
        from tests.factories import Factories

        user = Factories(app).user()
        db.session.commit()
        email, user_id = user.email, user.id
    real_verify = services.verify_password

    def verify_while_an_admin_resets_the_password(password_hash, password):
        with app.app_context():
            from planner.auth.models import User
            from planner.auth.passwords import hash_password

            db.session.get(User, user_id).password_hash = hash_password("a brand new password, long")
            db.session.commit()
        return real_verify(password_hash, password)

    monkeypatch.setattr(services, "verify_password", verify_while_an_admin_resets_the_password)
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": "correct horse battery staple",
                                           "csrf_token": token})
    assert response.status_code == 401
