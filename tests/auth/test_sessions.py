"""Password changes and "log out everywhere" end other sessions and remember-me cookies."""
from sqlalchemy import select

from planner.auth.models import User
from planner.extensions import db
from tests.conftest import PASSWORD, form_post, log_in

NEW_PASSWORD = "a brand new passphrase 42"


def _remembered_only(app, user_email):
    """A client holding only a remember-me cookie, as after the browser was closed."""
    client = app.test_client()
    log_in(client, user_email, remember=True)
    remember = client.get_cookie("remember_token").value
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    return fresh


def test_remember_me_logs_back_in(app, make_user):
    user = make_user()
    client = _remembered_only(app, user.email)
    assert client.get("/").status_code == 200


def test_changing_password_logs_out_other_sessions_and_remember_cookies(app, make_user):
    user = make_user()
    other_device = app.test_client()
    log_in(other_device, user.email)
    remembered = _remembered_only(app, user.email)

    client = app.test_client()
    log_in(client, user.email)
    response = form_post(client, "/account/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session carries on
    assert other_device.get("/").status_code == 302
    assert remembered.get("/").status_code == 302
    log_in(app.test_client(), user.email, password=NEW_PASSWORD)


def test_change_password_needs_a_fresh_login(app, make_user):
    user = make_user()
    remembered = _remembered_only(app, user.email)
    response = remembered.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_change_password_refuses_short_or_wrong(app, make_user):
    user = make_user()
    client = app.test_client()
    log_in(client, user.email)
    short = form_post(client, "/account/password", {
        "current_password": PASSWORD, "new_password": "elevenchars", "confirm_password": "elevenchars"})
    assert short.status_code == 422
    assert "at least 12" in short.get_data(as_text=True)
    wrong = form_post(client, "/account/password", {
        "current_password": "not my password", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert wrong.status_code == 422
    assert "current password is not correct" in wrong.get_data(as_text=True)
    log_in(app.test_client(), user.email)  # the old password still works


def test_log_out_everywhere(app, make_user):
    user = make_user()
    other_device = app.test_client()
    log_in(other_device, user.email)
    remembered = _remembered_only(app, user.email)
    client = app.test_client()
    log_in(client, user.email)
    assert form_post(client, "/account/logout-everywhere", {}, page_url="/account").status_code == 302
    for device in (client, other_device, remembered):
        assert device.get("/").status_code == 302


def test_deactivated_user_is_logged_out(app, make_user):
    user = make_user()
    client = app.test_client()
    log_in(client, user.email)
    with app.app_context():
        db.session.scalar(select(User).where(User.id == user.id)).is_active = False
        db.session.commit()
    assert client.get("/").status_code == 302
