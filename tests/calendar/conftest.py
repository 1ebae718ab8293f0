"""The calendar layer is pure: these tests need neither the app nor a database."""
import pytest
import vobject.icalendar


@pytest.fixture(autouse=True)
def _rolled_back():
    """Replaces the root conftest's database fixture: nothing here touches the database."""
    yield


@pytest.fixture(autouse=True)
def _fresh_vobject_timezones():
    """vobject keeps the first VTIMEZONE it meets per TZID for the whole process; forget them per test,
    so each test reads the VTIMEZONE it built rather than one an earlier test registered."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    registry.clear()
    yield
    registry.clear()


@pytest.fixture
def private_tzids():
    """Rename every TZID in an iCalendar text to a name no library knows.

    icalendar (and so recurring-ical-events) resolves a known IANA TZID through zoneinfo and never
    reads the VTIMEZONE; under an unknown name it has to build the zone from our VTIMEZONE. Each call
    uses fresh names, as icalendar caches zones built from VTIMEZONEs per TZID for the process.
    """
    import re
    import uuid

    def rename(ics: bytes) -> bytes:
        names = set(re.findall(rb"TZID[:=]([^:;\r\n]+)", ics))
        for name in sorted(names, key=len, reverse=True):
            private = b"X-Private-" + uuid.uuid4().hex.encode()
            ics = ics.replace(b"TZID:" + name + b"\r\n", b"TZID:" + private + b"\r\n")
            ics = ics.replace(b"TZID=" + name + b":", b"TZID=" + private + b":")
        return ics

    return rename
