"""Use-cases of accounts: logging in (throttled), each login's own session, passwords, and admin management of
users."""
import secrets
from datetime import datetime

from flask import current_app
from flask_babel import format_datetime, gettext as _
from sqlalchemy import delete, func, select

from planner.auth.models import LoginSession, LoginThrottle, User, login_token_digest, new_session_token
from planner.auth.passwords import (MIN_PASSWORD_LENGTH, burn_equal_time, hash_password, needs_rehash,
                                    verify_password)
from planner.core import audit
from planner.core.errors import DomainError, check_version
from planner.core.transaction import end_reading
from planner.core.upsert import insert_ignoring_conflicts
from planner.extensions import db
from planner.models import utcnow


class LoginRefused(DomainError):
    """Wrong email or password: the same message whichever it was."""

    status_code = 401


class LoginLocked(DomainError):
    """Too many failures for this account or address; says when to try again."""

    status_code = 429

    def __init__(self, locked_until: datetime):
        minutes = max(1, int((locked_until - utcnow()).total_seconds() // 60) + 1)
        super().__init__(_("Too many failed attempts. Try again in %(minutes)d minutes (after %(time)s).",
                           minutes=minutes, time=format_datetime(locked_until, "short")))
        self.locked_until = locked_until


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _throttle_keys(email: str, client_ip: str) -> dict[str, int]:
    config = current_app.config
    return {
        f"account:{normalise_email(email)}": config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        f"ip:{client_ip}": config["LOGIN_MAX_FAILURES_PER_IP"],
    }


def _lock_in_force(keys, now: datetime) -> datetime | None:
    until = db.session.scalar(
        select(func.max(LoginThrottle.locked_until)).where(LoginThrottle.key.in_(list(keys)),
                                                          LoginThrottle.locked_until > now))
    return until


def _count_failure(key: str, limit: int, now: datetime) -> None:
    insert_ignoring_conflicts(LoginThrottle, {"key": key, "failure_count": 0, "window_started_at": now},
                              ["key"])
    row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())
    if now - row.window_started_at > current_app.config["LOGIN_FAILURE_WINDOW"]:
        row.failure_count = 0
        row.window_started_at = now
    row.failure_count += 1
    if row.failure_count >= limit:
        row.locked_until = now + current_app.config["LOGIN_LOCKOUT"]
        row.failure_count = 0
        row.window_started_at = now


def authenticate(email: str, password: str, client_ip: str) -> User:
    """Return the active user with these credentials, or raise LoginRefused / LoginLocked.

    Failures are counted per account and per client address in the database, so the limit holds
    across workers. The caller must keep the changes even though it answers with an error.
    """
    now = utcnow()
    keys = _throttle_keys(email, client_ip)
    locked_until = _lock_in_force(keys, now)
    if locked_until:
        raise LoginLocked(locked_until)
    user = find_user_by_email(email)
    password_hash = user.password_hash if user is not None and user.is_active else None
    user_id = user.id if user is not None else None
    end_reading()  # the hash takes a noticeable time: hold no write lock while it runs
    if password_hash is None:
        burn_equal_time(password)
        ok = False
    else:
        ok = verify_password(password_hash, password)
    if not ok:
        for key, limit in keys.items():
            _count_failure(key, limit, now)
        db.session.flush()
        raise LoginRefused(_("Wrong email or password."))
    user = db.session.get(User, user_id)  # read again: the account may have changed while the hash was checked
    if user is None or not user.is_active or user.password_hash != password_hash:
        raise LoginRefused(_("Wrong email or password."))
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == f"account:{user.email}"))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    db.session.flush()
    return user


# --- each login's own session ---------------------------------------------------------------------------------

def start_login_session(user: User, *, remember: bool) -> None:
    """Record a new login of ``user`` on this device; its token goes into the login cookie's id
    (``User.get_id``). It lasts as long as its remember-me cookie (``REMEMBER_COOKIE_DURATION``) when remembered,
    else ``PERMANENT_SESSION_LIFETIME``. Every user's logins that have ended are deleted on the way."""
    now = utcnow()
    db.session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"]
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=login_token_digest(token), created_at=now,
                                expires_at=now + lifetime))
    db.session.flush()
    user.login_token = token


def end_login_session(user: User) -> None:
    """Log this device out for good: its login is deleted, so copies of its cookies stop working too."""
    if user.login_token:
        db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                      LoginSession.token_hash == login_token_digest(user.login_token)))
    user.login_token = ""


def _end_every_login(user: User) -> None:
    """Every session and remember-me cookie of the user stops working (the current one too)."""
    user.session_token = new_session_token()
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def logged_in_user(cookie_id: str) -> User | None:
    """The active user a login cookie's id names, when its login is on record and has not expired and the
    account's session token has not been replaced since; else None. One query."""
    user_pk, session_token, login_token = (cookie_id.split(":") + ["", ""])[:3]
    if not user_pk.isdigit() or not session_token or not login_token:
        return None
    user = db.session.scalar(
        select(User).join(LoginSession, LoginSession.user_id == User.id)
        .where(User.id == int(user_pk), LoginSession.token_hash == login_token_digest(login_token),
               LoginSession.expires_at > utcnow()))
    if user is None or not user.is_active or not secrets.compare_digest(user.session_token, session_token):
        return None
    user.login_token = login_token
    return user


def check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(_("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="new_password")


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a user's own password; every other session and remember-me cookie stops working."""
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_("Your current password is not correct."), field="current_password")
    check_new_password(new_password)
    user.password_hash = hash_password(new_password)
    _end_every_login(user)
    start_login_session(user, remember=False)  # this device carries on, with a new login
    audit.record_update(user, {"password": ["(changed)", "(changed)"]})


def log_out_everywhere(user: User) -> None:
    """Invalidate every session and remember-me cookie of this user."""
    _end_every_login(user)
    user.login_token = ""
    db.session.flush()


def set_preferred_language(user: User, language: str) -> None:
    """Remember the language the user wants the planner in ("" follows the browser)."""
    if language and language not in current_app.config["LANGUAGES"]:
        raise DomainError(_("That language is not available."), field="preferred_language")
    audit.record_update(user, audit.apply_changes(user, {"preferred_language": language}))
    db.session.flush()


def _check_email_free(email: str, user_id: int | None = None) -> None:
    clash = db.session.scalar(select(User.id).where(User.email == email, User.id != (user_id or 0)))
    if clash:
        raise DomainError(_("A user with this email already exists."), field="email")


def create_user(email: str, password: str, *, is_admin: bool = False, is_active: bool = True,
                preferred_language: str = "", person_id: int | None = None) -> User:
    """Create an account. Memberships are granted separately, per programme."""
    email = normalise_email(email)
    _check_email_free(email)
    if not password:
        raise DomainError(_("A new account needs a password."), field="new_password")
    check_new_password(password)
    user = User(email=email, password_hash=hash_password(password), is_admin=is_admin, is_active=is_active,
                preferred_language=preferred_language, person_id=person_id)
    db.session.add(user)
    audit.record_create(user)
    return user


def update_user(user: User, *, acting_user: User, expected_version: int, email: str, is_admin: bool,
                is_active: bool, preferred_language: str, person_id: int | None,
                new_password: str = "") -> None:
    """Edit an account as an admin. Admins cannot lock themselves out."""
    check_version(user, expected_version)
    email = normalise_email(email)
    _check_email_free(email, user.id)
    if user.id == acting_user.id and (not is_admin or not is_active):
        raise DomainError(_("You cannot remove your own admin rights or deactivate yourself."),
                          field="is_admin")
    changes = audit.apply_changes(user, {"email": email, "is_admin": is_admin, "is_active": is_active,
                                         "preferred_language": preferred_language, "person_id": person_id})
    if new_password:
        check_new_password(new_password)
        user.password_hash = hash_password(new_password)
        changes["password"] = ["(changed)", "(changed)"]
    if changes.keys() & {"password", "is_active", "email"}:
        _end_every_login(user)
    db.session.flush()
    audit.record_update(user, changes)


def delete_user(user: User, *, acting_user: User) -> None:
    """Delete an account (its memberships go with it; its audit history stays)."""
    if user.id == acting_user.id:
        raise DomainError(_("You cannot delete your own account."))
    audit.delete(user)
