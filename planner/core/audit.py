"""Writing the audit log. Services call these for every create, update and delete."""
import datetime as dt
import enum
from decimal import Decimal

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import Select, inspect, select

from planner.core.models import AuditEvent
from planner.extensions import db

#: columns that are bookkeeping, or secrets, and never belong in the log
UNLOGGED_COLUMNS = frozenset({"id", "created_at", "updated_at", "version", "password_hash", "session_token",
                              "rsvp_salt", "rsvp_token_hash", "calendar_salt", "calendar_token_hash",
                              "checkin_salt", "salt", "token_hash", "link_salt", "link_token_hash",
                              "job_role_key"})


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _logged_columns(obj) -> list[str]:
    return [attr.key for attr in inspect(obj).mapper.column_attrs if attr.key not in UNLOGGED_COLUMNS]


def _actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.email
    return None, "system"


def _programme_id(obj) -> int | None:
    if obj.__class__.__name__ == "Programme":
        return obj.id
    return getattr(obj, "programme_id", None)


def _event(action: str, obj, changes: dict, actor_id: int | None, actor_label: str) -> AuditEvent:
    return AuditEvent(
        actor_user_id=actor_id, actor_label=actor_label, action=action,
        object_type=obj.__class__.__name__, object_id=obj.id, programme_id=_programme_id(obj),
        object_label=str(obj)[:300], changes=changes,
    )


def _record(action: str, obj, changes: dict) -> AuditEvent:
    db.session.flush()
    event = _event(action, obj, changes, *_actor())
    db.session.add(event)
    return event


def record_create(obj) -> AuditEvent:
    """Log a new object with every logged field's initial value."""
    db.session.flush()
    changes = {key: [None, _plain(getattr(obj, key))] for key in _logged_columns(obj)}
    return _record("create", obj, changes)


def record_creates(objs: list) -> list[AuditEvent]:
    """Log many new objects at once (an import): one flush for the objects, their entries flushed together."""
    db.session.flush()
    actor_id, actor_label = _actor()
    events = [_event("create", obj, {key: [None, _plain(getattr(obj, key))] for key in _logged_columns(obj)},
                     actor_id, actor_label) for obj in objs]
    db.session.add_all(events)
    return events


def record_updates(changed: list[tuple[object, dict]]) -> list[AuditEvent]:
    """Log the changed fields of many objects at once (an import): one flush for the objects, their entries
    flushed together; an object whose fields did not change is not logged."""
    db.session.flush()
    actor_id, actor_label = _actor()
    events = [_event("update", obj, changes, actor_id, actor_label) for obj, changes in changed if changes]
    db.session.add_all(events)
    return events


def record_delete(obj) -> AuditEvent:
    """Log an object about to be deleted, with its last values."""
    changes = {key: [_plain(getattr(obj, key)), None] for key in _logged_columns(obj)}
    return _record("delete", obj, changes)


def delete(obj) -> None:
    """Log an object's last values, then delete it."""
    record_delete(obj)
    db.session.delete(obj)
    db.session.flush()


def apply_changes(obj, values: dict) -> dict:
    """Set ``values`` on ``obj`` and return ``{field: [old, new]}`` for the fields that changed."""
    changes = {}
    for key, new in values.items():
        old = getattr(obj, key)
        if old != new:
            setattr(obj, key, new)
            if key not in UNLOGGED_COLUMNS:
                changes[key] = [_plain(old), _plain(new)]
    return changes


def record_update(obj, changes: dict) -> AuditEvent | None:
    """Log the changed fields of an object; nothing is logged when nothing changed."""
    if not changes:
        return None
    return _record("update", obj, changes)


def programme_events(programme_id: int) -> Select:
    """A programme's audit log, newest first: read in the order of ``ix_audit_event_programme_time``, so a page
    of it costs the same however long the log is."""
    return (select(AuditEvent).where(AuditEvent.programme_id == programme_id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))
