"""Invitations stored on a real CalDAV server (Radicale 3, started here) and read back with the caldav client."""
import base64
import socket
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from planner.calendar.events import Attendee, CalendarEvent, Override
from planner.calendar.ics import build_request

radicale_config = pytest.importorskip("radicale.config", reason="Radicale is not installed")
radicale_server = pytest.importorskip("radicale.server", reason="Radicale is not installed")
caldav = pytest.importorskip("caldav", reason="the caldav client is not installed")

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
USER = "planner"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def radicale_url(tmp_path_factory):
    """Radicale on 127.0.0.1 with no authentication, every user allowed everything, storage in a temporary folder.

    Since 3.5 Radicale's defaults deny everything (auth ``denyall``, rights ``owner_only``), so both are set.
    """
    port = _free_port()
    configuration = radicale_config.load()
    configuration.update({
        "server": {"hosts": f"127.0.0.1:{port}"},
        "auth": {"type": "none", "delay": "0"},  # no pause after the client's first, anonymous request
        "rights": {"type": "authenticated"},  # with auth none: every request may read and write
        "storage": {"filesystem_folder": str(tmp_path_factory.mktemp("radicale") / "collections")},
        "web": {"type": "none"},
    }, "test", privileged=True)
    stop, stop_seen_by_server = socket.socketpair()
    server = threading.Thread(target=radicale_server.serve, args=(configuration, stop_seen_by_server), daemon=True)
    server.start()
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or not server.is_alive():
                pytest.skip("Radicale did not start")
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    stop.close()
    server.join(timeout=10)


@pytest.fixture
def calendar(radicale_url, request):
    """A fresh calendar collection per test, for the principal that a PROPFIND creates first."""
    propfind = urllib.request.Request(
        f"{radicale_url}{USER}/", method="PROPFIND",
        headers={"Depth": "0", "Authorization": "Basic " + base64.b64encode(f"{USER}:secret".encode()).decode()})
    with urllib.request.urlopen(propfind, timeout=10) as response:
        assert response.status == 207
    with caldav.DAVClient(url=radicale_url, username=USER, password="secret") as client:
        yield client.principal().make_calendar(name="Steering committee", cal_id=request.node.name[:60])


def meeting(**changes) -> CalendarEvent:
    start = datetime(2025, 3, 3, 10, 0, tzinfo=BERLIN)
    values = dict(uid="meeting-7@planner.example", sequence=0, summary="Steering committee", start=start,
                  end=start + timedelta(hours=1), dtstamp=datetime(2025, 2, 1, 8, 0, tzinfo=UTC),
                  organizer_email="chair@example.org", organizer_name="Ann Lee",
                  attendees=(Attendee("bob@example.org", "Bob Stone"),),
                  rrule={"FREQ": "WEEKLY", "BYDAY": ["MO"], "COUNT": 10})
    values.update(changes)
    return CalendarEvent(**values)


def _stored(calendar) -> list[icalendar.Calendar]:
    return [icalendar.Calendar.from_ical(event.data) for event in calendar.get_events()]


def test_an_update_replaces_the_invite_on_the_server(calendar):
    # Radicale 3.9 accepts the iTIP object as sent, METHOD included (RFC 4791 asks stored objects to carry
    # none; it stores it untouched). increase_seqno=False keeps caldav from raising SEQUENCE itself.
    calendar.add_event(build_request(meeting(rrule=None)).decode(), increase_seqno=False)
    moved_start = datetime(2025, 3, 4, 15, 0, tzinfo=BERLIN)
    update = meeting(rrule=None, sequence=1, start=moved_start, end=moved_start + timedelta(hours=1),
                     dtstamp=datetime(2025, 2, 2, 8, 0, tzinfo=UTC))
    calendar.add_event(build_request(update).decode(), increase_seqno=False)

    (stored,) = _stored(calendar)
    (vevent,) = stored.walk("VEVENT")
    assert vevent["UID"] == "meeting-7@planner.example"
    assert vevent["SEQUENCE"] == 1
    assert vevent.decoded("DTSTART") == moved_start and vevent.decoded("DTSTART").tzinfo.key == "Europe/Berlin"
    assert vevent.decoded("DTSTART").astimezone(UTC) == datetime(2025, 3, 4, 14, 0, tzinfo=UTC)


def test_a_moved_occurrence_is_stored_as_recurrence_id_and_expanded_by_the_server(calendar):
    moved = Override(recurrence_id=datetime(2025, 3, 17, 10, 0, tzinfo=BERLIN),
                     start=datetime(2025, 3, 18, 14, 0, tzinfo=BERLIN), end=datetime(2025, 3, 18, 15, 0, tzinfo=BERLIN),
                     sequence=1)
    dropped = Override(recurrence_id=datetime(2025, 3, 24, 10, 0, tzinfo=BERLIN),
                       start=datetime(2025, 3, 24, 10, 0, tzinfo=BERLIN),
                       end=datetime(2025, 3, 24, 11, 0, tzinfo=BERLIN), sequence=1, is_cancelled=True)
    calendar.add_event(build_request(meeting(sequence=1, overrides=(moved, dropped))).decode(), increase_seqno=False)

    (stored,) = _stored(calendar)
    master, override = stored.walk("VEVENT")
    assert "RECURRENCE-ID" not in master and master["SEQUENCE"] == 1
    assert override.decoded("RECURRENCE-ID") == datetime(2025, 3, 17, 10, 0, tzinfo=BERLIN)
    assert override.decoded("DTSTART") == datetime(2025, 3, 18, 14, 0, tzinfo=BERLIN)

    # Server-side time-range search and expansion over March and April, across the change to summer time.
    found = calendar.search(start=datetime(2025, 3, 8, tzinfo=UTC), end=datetime(2025, 4, 8, tzinfo=UTC),
                            event=True, expand=True, server_expand=True, post_filter=False)
    starts = sorted(icalendar.Calendar.from_ical(o.data).walk("VEVENT")[0].decoded("DTSTART").astimezone(UTC)
                    for o in found)
    assert starts == [datetime(2025, 3, 10, 9, 0, tzinfo=UTC),  # 10:00 CET
                      datetime(2025, 3, 18, 13, 0, tzinfo=UTC),  # moved from the 17th
                      datetime(2025, 3, 31, 8, 0, tzinfo=UTC),  # 10:00 CEST; the 24th was cancelled
                      datetime(2025, 4, 7, 8, 0, tzinfo=UTC)]


def test_a_search_outside_the_series_finds_nothing(calendar):
    calendar.add_event(build_request(meeting()).decode(), increase_seqno=False)
    found = calendar.search(start=datetime(2025, 6, 1, tzinfo=UTC), end=datetime(2025, 7, 1, tzinfo=UTC),
                            event=True, expand=True, server_expand=True, post_filter=False)
    assert found == []  # COUNT=10 weekly from 3 March ends on 5 May
