"""Today's date, in one place so tests can pin it.

Code calls ``today()`` (imported by name or through the module, either works); tests pin the
date with the ``today_is`` fixture, which replaces ``_source``.
"""
from datetime import date


def _source() -> date:
    return date.today()


def today() -> date:
    return _source()
