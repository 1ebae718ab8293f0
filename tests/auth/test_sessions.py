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


def test_a_login_lasts_as_its_cookie_would_and_ended_ones_are_deleted_at_anyones_next_login(app, make_user):
    """Remembered: as long as the remember-me cookie (30 days); not remembered: PERMANENT_SESSION_LIFETIME (12 h),
    after which the session cookie is refused anyway. A login past its end is refused although still on record,
    and the next login of anyone deletes it."""
    from datetime import timedelta

    from planner.auth.models import LoginSession

    user, other = make_user(), make_user()
    remembered, plain = app.test_client(), app.test_client()
    log_in(remembered, user.email, remember=True)
    log_in(plain, user.email)
    with app.app_context():
        rows = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)
                                  .order_by(LoginSession.id)).all()
        lifetimes = [row.expires_at - row.created_at for row in rows]
        assert lifetimes == [app.config["REMEMBER_COOKIE_DURATION"], app.config["PERMANENT_SESSION_LIFETIME"]]
        rows[0].expires_at = rows[0].created_at - timedelta(seconds=1)
        db.session.commit()
    assert remembered.get("/").status_code == 302  # ended, although still on record
    assert plain.get("/").status_code == 200
    assert _logins_of(app, user.id) == 2
    log_in(app.test_client(), other.email)  # someone else's login clears ended ones
    assert _logins_of(app, user.id) == 1


def test_logging_in_again_ends_this_browsers_earlier_login_and_logout_drops_the_remember_cookie(app, make_user):
    """A remembered login asked for a fresh login logs in again: the earlier login (and a copy of its remember-me
    cookie) ends then, and logging out afterwards leaves this browser logged out, its remember-me cookie deleted."""
    user = make_user()
    remembered = _remembered_only(app, user.email)
    copied = remembered.get_cookie("remember_token").value
    assert remembered.get("/account/password").headers["Location"].startswith("/login")  # not fresh
    log_in(remembered, user.email)  # again, without "remember me"
    assert _logins_of(app, user.id) == 1
    assert remembered.get_cookie("remember_token") is None
    thief = app.test_client()
    thief.set_cookie("remember_token", copied)
    assert thief.get("/").status_code == 302
    assert form_post(remembered, "/logout", {}, page_url="/account").status_code == 302
    assert remembered.get("/").status_code == 302
    assert _logins_of(app, user.id) == 0

    browser = app.test_client()
    log_in(browser, user.email, remember=True)
    assert form_post(browser, "/logout", {}, page_url="/account").status_code == 302
    assert browser.get_cookie("remember_token") is None


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
