"""Self check-in: the trainer shows a QR code of the session's check-in link and a short code; people enrolled in the
session open the link and give their email, or open the short address and type the code and their email, and are
marked present (late after the first 10 minutes).

The link carries a 256-bit token (QUALITY.md item 9); the code (about 30 bits) is the fallback for typing, made up
for by the throttle, the time window and the enrolled email. Both are derived from the session's 128-bit random
salt and SECRET_KEY (``core.secret_links``) and never stored, so opening check-in again (a new salt) or rotating
SECRET_KEY revokes the old link and code. Either is accepted only from 30 minutes before the start to the end of
the session. Failed attempts are counted per session and client address in the login throttle table, so guessing
is stopped across workers.
"""
import hmac
from base64 import urlsafe_b64decode
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from planner.auth.models import LoginThrottle
from planner.core import audit, clock, secret_links
from planner.core.errors import DomainError
from planner.core.upsert import insert_ignoring_conflicts
from planner.extensions import db
from planner.people.models import Person
from planner.training.models import (
    AttendanceMark, Enrolment, EnrolmentStatus, MarkStatus, SessionStatus, TrainingSession,
)
from planner.training.sessions import upsert_mark

#: what the code and the link token are derived for, from the session's ``checkin_salt`` ("{id}": the session's id)
CODE_PURPOSE = "checkin:{id}"
LINK_PURPOSE = "checkin-link:{id}"
#: no 0/O, 1/I/L: easy to read off a projector and to type on a phone
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
#: check-in opens this long before the start (people arrive early) and closes at the end
OPENS_BEFORE = timedelta(minutes=30)
#: checking in later than this after the start counts as late
LATE_AFTER = timedelta(minutes=10)
#: failed attempts per session and client address ...
MAX_FAILURES = 10
MAX_FAILURES_PER_ADDRESS = 100
#: ... within this window lock that address out of that session's check-in for LOCKOUT
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)


class CheckinRefused(DomainError):
    """Wrong code or link, or an email of nobody enrolled: one message for both, so emails cannot be probed."""

    status_code = 422


class CheckinLocked(DomainError):
    status_code = 429


def checkin_code(session: TrainingSession) -> str | None:
    """The session's current code (None until check-in was opened)."""
    if not session.checkin_salt:
        return None
    token = secret_links.derive_token(CODE_PURPOSE.format(id=session.id), session.checkin_salt)
    value = int.from_bytes(urlsafe_b64decode(token + "="), "big")
    letters = []
    for _position in range(CODE_LENGTH):
        value, digit = divmod(value, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[digit])
    return "".join(letters)


def checkin_link_token(session: TrainingSession) -> str | None:
    """The token of the session's check-in link, shown in the QR code (None until check-in was opened): 256 bits,
    so holding the link is proof enough and no code is asked."""
    if not session.checkin_salt:
        return None
    return secret_links.derive_token(LINK_PURPOSE.format(id=session.id), session.checkin_salt)


def holds_link(session: TrainingSession, token: str) -> bool:
    """Whether ``token`` is the session's current link token (constant time; False until check-in was opened)."""
    return bool(session.checkin_salt) and secret_links.is_current(LINK_PURPOSE.format(id=session.id),
                                                                  session.checkin_salt, token)


def _code_matches(session: TrainingSession, code: str | None) -> bool:
    expected = checkin_code(session)
    return expected is not None and hmac.compare_digest(normalise_code(code).encode(), expected.encode())


def normalise_code(text: str | None) -> str:
    """What people type: any case, with spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def checkin_window(session: TrainingSession) -> tuple[datetime, datetime]:
    """From 30 minutes before the start to the end, in UTC."""
    return session.starts_at - OPENS_BEFORE, session.ends_at


def check_checkin_open(session: TrainingSession, now: datetime | None = None) -> None:
    """Refuse a cancelled session, and any time outside the check-in window."""
    if session.status is SessionStatus.CANCELLED:
        raise DomainError(_("This session is cancelled."))
    now = now or clock.now()
    opens, closes = checkin_window(session)
    if now < opens:
        raise DomainError(_("Check-in opens 30 minutes before the session starts."))
    if now > closes:
        raise DomainError(_("This session has ended, so check-in is closed. Ask your trainer to mark you."))


def open_checkin(session: TrainingSession, now: datetime | None = None) -> str:
    """Give the session a new check-in code and link (any earlier code and link stop working) and return the code.
    Refused for a cancelled or ended session."""
    if session.status is SessionStatus.CANCELLED:
        raise DomainError(_("This session is cancelled."))
    if (now or clock.now()) > session.ends_at:
        raise DomainError(_("This session has ended, so check-in is closed."))
    reopened = session.checkin_salt is not None
    session.checkin_salt = secret_links.new_salt()
    audit.record_update(session, {"checkin": ["open" if reopened else None, "new code"]})
    return checkin_code(session)


def _throttle_keys(session_id: int, client_ip: str, email: str) -> dict[str, int]:
    """{throttle key: failures allowed}: few per address and email (one person mistyping locks only
    themselves, not a whole class behind one office address), many more per address (guessing codes
    across many emails still stops)."""
    return {f"checkin:{session_id}:ip:{client_ip}:email:{email}": MAX_FAILURES,
            f"checkin:{session_id}:ip:{client_ip}": MAX_FAILURES_PER_ADDRESS}


def _locked_until(key: str, now: datetime) -> datetime | None:
    return db.session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.key == key,
                                                                      LoginThrottle.locked_until > now))


def _count_failure(key: str, now: datetime, allowed: int) -> None:
    insert_ignoring_conflicts(LoginThrottle, {"key": key, "failure_count": 0, "window_started_at": now}, ["key"])
    row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())
    if now - row.window_started_at > FAILURE_WINDOW:
        row.failure_count, row.window_started_at = 0, now
    row.failure_count += 1
    if row.failure_count >= allowed:
        row.locked_until = now + LOCKOUT
        row.failure_count, row.window_started_at = 0, now
    db.session.flush()


def check_in(session: TrainingSession, *, code: str | None = None, link_token: str | None = None,
             email: str | None, client_ip: str, now: datetime | None = None) -> AttendanceMark:
    """Mark an enrolled person present (late after the first 10 minutes) from their email and either the code
    they typed or the token of the link they opened (exactly one of ``code`` and ``link_token``).

    A mark already saying present or late is kept as it is. Raises CheckinLocked after too many failures from
    this address, DomainError outside the window, CheckinRefused for a wrong code or link or an email of nobody
    enrolled; a failure is counted, and the caller must keep that change although it answers with an error.
    """
    if (code is None) == (link_token is None):
        raise ValueError("check_in needs either a code or a link token")
    now = now or clock.now()
    email = (email or "").strip().lower()
    keys = _throttle_keys(session.id, client_ip, email)
    locked_until = max(filter(None, (_locked_until(key, now) for key in keys)), default=None)
    if locked_until is not None:
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        raise CheckinLocked(_("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=minutes))
    check_checkin_open(session, now)
    person_id = None
    if email:
        person_id = db.session.scalar(
            select(Person.id).join(Enrolment, Enrolment.person_id == Person.id)
            .where(Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.ENROLLED,
                   func.lower(Person.email) == email).limit(1))
    proof_ok = holds_link(session, link_token) if link_token is not None else _code_matches(session, code)
    if not proof_ok or person_id is None:
        for key, allowed in keys.items():
            _count_failure(key, now, allowed)
        if link_token is not None:
            raise CheckinRefused(_("That email does not match anyone enrolled in this session. Use the email your "
                                   "invitation was sent to."))
        raise CheckinRefused(_("That code and email do not match anyone enrolled in this session. Check the code "
                               "on the screen and use the email your invitation was sent to."))
    existing = db.session.scalar(select(AttendanceMark).where(AttendanceMark.session_id == session.id,
                                                              AttendanceMark.person_id == person_id))
    if existing is not None and existing.status in (MarkStatus.PRESENT, MarkStatus.LATE):
        return existing
    status = MarkStatus.LATE if now > session.starts_at + LATE_AFTER else MarkStatus.PRESENT
    before = existing.status if existing is not None else None
    mark_id = upsert_mark({"session_id": session.id, "person_id": person_id, "status": status,
                            "note": existing.note if existing is not None else "", "marked_by_id": None,
                            "marked_at": now, "source": "self"})
    mark = db.session.get(AttendanceMark, mark_id, populate_existing=True)
    if before is None:
        audit.record_create(mark)
    else:
        audit.record_update(mark, {"status": [before.value, mark.status.value], "source": ["trainer", "self"]})
    return mark
