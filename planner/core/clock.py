"""Today's date, in one place so tests can pin it.

Code calls ``today()`` and ``now()`` (imported by name or through the module, either works); tests
pin the date with the ``today_is`` fixture, which replaces ``_source``, and the time with ``now_is``,
which replaces ``_now_source``.
"""
from datetime import date, datetime, timezone


def _source() -> date:
    return date.today()


def _now_source() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    return _source()


def now() -> datetime:
    """The current time, aware in UTC."""
    return _now_source()
