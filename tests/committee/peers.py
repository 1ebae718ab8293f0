"""Real peers for the invitation tests: an SMTP server (aiosmtpd) and a CalDAV server (Radicale), both on
127.0.0.1, started and stopped by the tests; and readers for what they receive, built only on the email
package, icalendar, vobject and recurring-ical-events, never on the planner's own calendar code."""
import email
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage

import icalendar
import recurring_ical_events
import vobject
from aiosmtpd.controller import Controller

UTC = timezone.utc


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _KeepingHandler:
    """Keeps every envelope the server accepts, in arrival order."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd server that can be stopped and started again on the same port (a mail server outage)."""

    def __init__(self, port: int):
        self.port = port
        self.handler = _KeepingHandler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def envelopes(self) -> list:
        return self.handler.envelopes


@dataclass(frozen=True)
class Received:
    """One email as it arrived: the envelope recipients and the parsed message."""

    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def calendar_part(self) -> EmailMessage | None:
        return next((part for part in self.message.walk() if part.get_content_type() == "text/calendar"), None)

    @property
    def ics(self) -> bytes:
        """The calendar object of an invitation, as carried in the text/calendar part."""
        return self.calendar_part.get_payload(decode=True)

    @property
    def method(self) -> str:
        return str(icalendar.Calendar.from_ical(self.ics)["METHOD"])

    @property
    def uid(self) -> str:
        return str(icalendar.Calendar.from_ical(self.ics).walk("VEVENT")[0]["UID"])


def parse_envelope(envelope) -> Received:
    """An envelope as the recipient's mail client reads it."""
    return Received(tuple(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=policy.default))


def vevents(ics: bytes) -> list[icalendar.Event]:
    return icalendar.Calendar.from_ical(ics).walk("VEVENT")


def master_of(ics: bytes) -> icalendar.Event:
    (master,) = [event for event in vevents(ics) if "RECURRENCE-ID" not in event]
    return master


def attendees_of(event: icalendar.Event) -> list[str]:
    values = event.get("ATTENDEE", [])
    return [str(value) for value in (values if isinstance(values, list) else [values])]


def exdates_of(event: icalendar.Event) -> list[datetime]:
    values = event.get("EXDATE", [])
    return [entry.dt for value in (values if isinstance(values, list) else [values]) for entry in value.dts]


def expand(ics: bytes, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of every occurrence recurring-ical-events finds between ``start`` and ``end``."""
    found = recurring_ical_events.of(icalendar.Calendar.from_ical(ics)).between(start, end)
    return sorted((event.decoded("DTSTART").astimezone(UTC), event.decoded("DTEND").astimezone(UTC))
                  for event in found)


def with_private_tzids(ics: bytes) -> bytes:
    """Every TZID renamed to a name no library knows, so a reader must build the zone from our VTIMEZONE.

    icalendar resolves a known IANA name through zoneinfo and never reads the VTIMEZONE; it caches zones
    built from VTIMEZONEs per TZID for the process, hence fresh names on every call.
    """
    for name in sorted(set(re.findall(rb"TZID[:=]([^:;\r\n]+)", ics)), key=len, reverse=True):
        private = b"X-Private-" + uuid.uuid4().hex.encode()
        ics = ics.replace(b"TZID:" + name + b"\r\n", b"TZID:" + private + b"\r\n")
        ics = ics.replace(b"TZID=" + name + b":", b"TZID=" + private + b":")
    return ics


def forget_vobject_timezones() -> None:
    """vobject keeps the first VTIMEZONE it reads per TZID for the whole process: forget them."""
    vars(vobject.icalendar)["__tzidMap"].clear()


def vobject_series_utc(ics: bytes) -> list[datetime]:
    """The master's occurrences (RRULE minus EXDATE) in UTC as vobject reads them, through the VTIMEZONE."""
    vevent = next(v for v in vobject.readOne(ics.decode()).vevent_list if not hasattr(v, "recurrence_id"))
    start = vevent.dtstart.value
    assert type(start.tzinfo).__module__.startswith("dateutil"), f"vobject did not read the VTIMEZONE: {start!r}"
    return sorted(moment.astimezone(UTC) for moment in vevent.getrruleset(addRDate=True))


class Radicale:
    """Radicale 3 in a thread on 127.0.0.1: no authentication, every user may do everything, a temporary store.

    Since 3.5 its defaults deny everything (auth ``denyall``, rights ``owner_only``), so both are set.
    """

    def __init__(self, folder):
        from radicale import config as radicale_config

        self.port = free_port()
        self.configuration = radicale_config.load()
        self.configuration.update({
            "server": {"hosts": f"127.0.0.1:{self.port}"},
            "auth": {"type": "none", "delay": "0"},
            "rights": {"type": "authenticated"},
            "storage": {"filesystem_folder": str(folder)},
            "web": {"type": "none"},
        }, "test", privileged=True)
        self.url = f"http://127.0.0.1:{self.port}/"
        self._stop = self._thread = None

    def start(self) -> bool:
        """Start and wait until it listens; False when it does not come up within 10 seconds."""
        from radicale import server as radicale_server

        self._stop, stop_seen_by_server = socket.socketpair()
        self._thread = threading.Thread(target=radicale_server.serve, args=(self.configuration, stop_seen_by_server),
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self._thread.is_alive():
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.close()
            self._thread.join(timeout=10)
