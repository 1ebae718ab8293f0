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


# --- each login on record (QUALITY.md item 2, ASVS V3.3.1) ------------------------------------------------

def _logins_of(app, user_id: int) -> int:
    from planner.auth.models import LoginSession

    with app.app_context():
        return len(db.session.scalars(select(LoginSession).where(LoginSession.user_id == user_id)).all())


def test_logging_out_ends_this_login_only_and_keeps_no_token_in_clear(app, make_user):
    """Logout deletes this device's login: the phone stays logged in, the laptop's cookies are worthless, and
    the table holds digests, never the tokens the cookies carry."""
    from planner.auth.models import LoginSession

    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, user.email)
    log_in(laptop, user.email, remember=True)
    assert _logins_of(app, user.id) == 2
    copied = laptop.get_cookie("remember_token").value
    assert form_post(laptop, "/logout", {}, page_url="/account").status_code == 302
    assert _logins_of(app, user.id) == 1
    assert phone.get("/").status_code == 200
    thief = app.test_client()
    thief.set_cookie("remember_token", copied)
    assert thief.get("/").status_code == 302
    with app.app_context():
        digests = db.session.scalars(select(LoginSession.token_hash)).all()
    phone_token = phone.get_cookie("session").value  # signed, not encrypted: its id is readable by its holder
    assert digests and not any(digest in copied or digest in phone_token for digest in digests)


def test_a_login_ends_when_its_remember_cookie_would_and_old_ones_are_cleared_at_the_next(app, make_user):
    from datetime import timedelta

    from planner.auth.models import LoginSession

    user = make_user()
    old = app.test_client()
    log_in(old, user.email)
    assert old.get("/").status_code == 200
    with app.app_context():
        row = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
        row.created_at -= app.config["REMEMBER_COOKIE_DURATION"] + timedelta(minutes=1)
        db.session.commit()
    assert old.get("/").status_code == 302  # too old, although still on record
    assert _logins_of(app, user.id) == 1
    log_in(app.test_client(), user.email)
    assert _logins_of(app, user.id) == 1  # the new one; the expired one was deleted on the way


def test_a_cookie_id_without_a_login_on_record_logs_nobody_in(app, make_user):
    """Cookies from before logins were on record (account and session token only), or with a made-up login
    token, name no login."""
    from planner.auth.services import logged_in_user

    user = make_user()
    with app.app_context():
        account = db.session.get(User, user.id)
        for cookie_id in (f"{user.id}:{account.session_token}", f"{user.id}:{account.session_token}:made-up",
                          f"{user.id}::", "x:y:z", ""):
            assert logged_in_user(cookie_id) is None, cookie_id
