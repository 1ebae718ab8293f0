"""Proof with real peers (issue 5): meetings changed through the services, the outbox delivering to a real
SMTP server (aiosmtpd), and what arrives read as a recipient's mail and calendar clients would: the email
package, icalendar, vobject, recurring-ical-events, and a real CalDAV server (Radicale) with the caldav client.
"""
import base64
import re
import urllib.request
from datetime import date, datetime, time, timedelta, timezone
from email.utils import getaddresses
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from planner.committee import invitations, scheduling, services
from planner.committee.models import Meeting, MeetingOccurrence, Recurrence
from planner.core import outbox
from planner.extensions import db
from planner.people.models import Person
from tests.committee.helpers import committee_of
from tests.committee.peers import (
    Radicale, Received, SmtpServer, attendees_of, exdates_of, expand, forget_vobject_timezones, free_port, master_of,
    parse_envelope, vevents, vobject_series_utc, with_private_tzids,
)

UTC = timezone.utc
T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
MEMBERS = ["chair@example.com", "rep@example.com", "sponsor@example.com"]
GUEST = "vendor@example.com"
#: wide enough for every series below, both sides of the spring changes in both hemispheres
RANGE = (datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 5, 1, tzinfo=UTC))


def at(day: str, hour: int, minute: int = 0) -> datetime:
    """A UTC instant: at("03-15", 8) is 2027-03-15 08:00Z."""
    month, day_of_month = map(int, day.split("-"))
    return datetime(2027, month, day_of_month, hour, minute, tzinfo=UTC)


#: Six weekly meetings in each hemisphere; the second is cancelled, the fourth moved to the next day at 14:00.
SERIES = {
    # last Sunday of March 2027 is the 28th: 09:00 CET is 08:00Z, 09:00 CEST is 07:00Z
    "berlin": dict(zone="Europe/Berlin", first=datetime(2027, 3, 15, 9, 0), weekday="MO",
                   originals=[at("03-15", 8), at("03-22", 8), at("03-29", 7), at("04-05", 7), at("04-12", 7),
                              at("04-19", 7)],
                   moved_to=at("04-06", 12)),  # 14:00 CEST
    # first Sunday of April 2027 is the 4th: 18:00 AEDT is 07:00Z, 18:00 AEST is 08:00Z
    "sydney": dict(zone="Australia/Sydney", first=datetime(2027, 3, 18, 18, 0), weekday="TH",
                   originals=[at("03-18", 7), at("03-25", 7), at("04-01", 7), at("04-08", 8), at("04-15", 8),
                              at("04-22", 8)],
                   moved_to=at("04-09", 4)),  # 14:00 AEST
}
CANCELLED, MOVED = 1, 3


# --- fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_vobject_timezones():
    """Each test reads the VTIMEZONEs it received, not ones an earlier test left in vobject's registry."""
    forget_vobject_timezones()
    yield
    forget_vobject_timezones()


class Clock:
    """The planner's clock, pinned and moved on by hand so each send has its own DTSTAMP."""

    def __init__(self, now_is):
        self._pin = now_is
        self.now = T0
        now_is(T0)

    def advance(self, minutes: int = 7) -> datetime:
        self.now += timedelta(minutes=minutes)
        self._pin(self.now)
        return self.now


@pytest.fixture
def clock(now_is):
    return Clock(now_is)


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A configured, not yet started SMTP server; the app's mail settings point at it (restored afterwards)."""
    server = SmtpServer(free_port())
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USE_SSL", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "")
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server):
    smtp_server.start()
    return smtp_server


@pytest.fixture
def programme(app, clock, make_programme, make_person):
    """A programme whose steering committee has a chair, a sponsor and a department representative, and a
    vendor who is not on it."""
    programme = make_programme()
    people = {"chair": ("Henrik Vogel", "Chair@Example.com"), "sponsor": ("Karin Lindqvist", "sponsor@example.com"),
              "rep": ("Amara Okafor", "rep@example.com"), "guest": ("Vera Vendor", GUEST)}
    ids = {key: make_person(programme, name, email=address).id for key, (name, address) in people.items()}
    with app.test_request_context():
        committee = committee_of(programme.id)
        for key, role in (("chair", "chair"), ("sponsor", "executive_sponsor"), ("rep", "department_representative")):
            services.add_member(committee, person_id=ids[key], role=role, starts_on=date(2026, 1, 1))
        db.session.commit()
    programme.guest_id = ids["guest"]
    return programme


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    pytest.importorskip("radicale")
    server = Radicale(tmp_path_factory.mktemp("radicale") / "collections")
    if not server.start():
        pytest.skip("Radicale did not start")
    yield server
    server.stop()


# --- helpers -------------------------------------------------------------------------------------------------


def weekly(place: str, **changes) -> scheduling.MeetingPlan:
    series = SERIES[place]
    values = dict(title="Steering committee", local_start=series["first"], time_zone=series["zone"],
                  duration_minutes=60, location="Board room", recurrence=Recurrence.WEEKLY,
                  weekdays=[series["weekday"]], count=6)
    values.update(changes)
    return scheduling.MeetingPlan(**values)


def schedule(programme, place: str = "berlin", **changes) -> Meeting:
    return scheduling.schedule_meeting(committee_of(programme.id), weekly(place, **changes), organiser_id=None,
                                       send_now=True)


def deliver(app, smtp, now: datetime) -> list[Received]:
    """Commit what the services queued, run the sender once as ``send-mail`` does, return what arrived."""
    db.session.commit()
    before = len(smtp.envelopes)
    with app.app_context():
        outbox.deliver_due(now=now)
    return [parse_envelope(envelope) for envelope in smtp.envelopes[before:]]


def received(smtp) -> list[Received]:
    """Everything the SMTP server accepted, in arrival order."""
    return [parse_envelope(envelope) for envelope in smtp.envelopes]


def invitations_to(smtp, address: str, uid: str) -> list[Received]:
    """The calendar emails about ``uid`` that reached ``address``, oldest first."""
    return [mail for mail in received(smtp)
            if mail.recipients == (address,) and mail.calendar_part is not None and mail.uid == uid]


def latest_request_for(smtp, address: str, uid: str) -> bytes:
    """The last REQUEST ``address`` received for ``uid``: what their calendar holds."""
    return [mail for mail in invitations_to(smtp, address, uid) if mail.method == "REQUEST"][-1].ics


def occurrence_at(meeting: Meeting, index: int) -> MeetingOccurrence:
    return sorted(meeting.occurrences, key=lambda occurrence: occurrence.original_start)[index]


def recipients(mails: list[Received]) -> list[str]:
    return sorted(address for mail in mails for address in mail.recipients)


def assert_invitation_email(mail: Received) -> bytes:
    """One recipient; multipart/mixed > multipart/alternative (text, HTML, text/calendar with the object's
    METHOD) + invite.ics holding the same object; the object reads in icalendar and vobject. Returns it."""
    message = mail.message
    assert len(mail.recipients) == 1
    assert [address.lower() for _name, address in getaddresses([str(message["To"])])] == list(mail.recipients)
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html, calendar_part = alternative.iter_parts()
    assert (text.get_content_type(), html.get_content_type(), calendar_part.get_content_type()) == \
        ("text/plain", "text/html", "text/calendar")
    assert attachment.get_filename() == "invite.ics"
    ics = calendar_part.get_payload(decode=True)
    assert attachment.get_payload(decode=True).rstrip(b"\r\n") == ics.rstrip(b"\r\n")
    assert b"\r\r\n" not in ics and ics.count(b"\n") == ics.count(b"\r\n"), "CRLF line ends, never doubled"
    method = str(icalendar.Calendar.from_ical(ics)["METHOD"])
    assert calendar_part.get_param("method") == method and calendar_part.get_content_charset() == "utf-8"
    read_by_vobject = vobject.readOne(ics.decode())
    assert read_by_vobject.method.value == method
    assert {v.uid.value for v in read_by_vobject.vevent_list} == {mail.uid}
    return ics


def assert_vtimezones_in_yearly_form(ics: bytes) -> None:
    """One VTIMEZONE per TZID used, each observance a yearly rule; no RDATE lists (CALENDAR.md rule 9)."""
    calendar = icalendar.Calendar.from_ical(ics)
    tzids = [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")]
    used = {param.decode() for param in _tzid_params(ics)}
    assert sorted(tzids) == sorted(used), "exactly one VTIMEZONE per TZID used"
    assert b"RDATE" not in ics
    for zone in calendar.walk("VTIMEZONE"):
        observances = zone.walk("STANDARD") + zone.walk("DAYLIGHT")
        assert {type(o).__name__ for o in observances} == {"TimezoneStandard", "TimezoneDaylight"}
        assert all(str(o["RRULE"]["FREQ"][0]) == "YEARLY" for o in observances)


def _tzid_params(ics: bytes) -> set[bytes]:
    return set(re.findall(rb";TZID=([^:;]+)", ics))


def sequences(ics: bytes) -> dict:
    """SEQUENCE per component: None for the master, the RECURRENCE-ID (UTC) for an occurrence."""
    found = {}
    for event in vevents(ics):
        key = event.decoded("RECURRENCE-ID").astimezone(UTC) if "RECURRENCE-ID" in event else None
        found[key] = int(event["SEQUENCE"])
    return found


# --- 1. a series across daylight saving, one occurrence cancelled, one moved ---------------------------------


@pytest.mark.parametrize("place", SERIES)
def test_each_member_receives_one_invitation_per_change_and_the_series_expands_right_in_utc(
        app, smtp, programme, clock, place):
    series = SERIES[place]
    zone = ZoneInfo(series["zone"])
    with app.test_request_context():
        meeting = schedule(programme, place)
        uid = meeting.uid
        invites = deliver(app, smtp, clock.now)
        assert recipients(invites) == MEMBERS
        assert {mail.method for mail in invites} == {"REQUEST"}
        assert all("Agenda" not in mail.message.get_body(("html",)).get_content() for mail in invites)

        clock.advance()
        first = occurrence_at(meeting, 0)
        services.add_agenda_item(first, title="Pilot readiness review", minutes_allotted=20)
        services.publish_agenda(first)
        agendas = deliver(app, smtp, clock.now)
        assert recipients(agendas) == MEMBERS and all(mail.calendar_part is None for mail in agendas)

        clock.advance()
        cancelled = occurrence_at(meeting, CANCELLED)
        cancelled_start = meeting.aware(cancelled.original_start)
        scheduling.cancel_occurrence(cancelled, reason="Quarter-end close", expected_version=None)
        cancels = deliver(app, smtp, clock.now)
        assert recipients(cancels) == MEMBERS and {mail.method for mail in cancels} == {"CANCEL"}

        clock.advance()
        moved = occurrence_at(meeting, MOVED)
        new_start = datetime.combine(moved.original_start.date() + timedelta(days=1), time(14, 0))
        scheduling.move_occurrence(moved, local_start=new_start, duration_minutes=60, location=None,
                                   expected_version=None)
        updates = deliver(app, smtp, clock.now)
        assert recipients(updates) == MEMBERS and {mail.method for mail in updates} == {"REQUEST"}

    everything = received(smtp)
    assert len(everything) == 4 * len(MEMBERS), "one email per member per change, nothing else"
    for mail in everything:
        if mail.calendar_part is not None:
            assert_vtimezones_in_yearly_form(assert_invitation_email(mail))

    for mail in updates:
        html = mail.message.get_body(("html",)).get_content()
        assert "Agenda" in html and "Pilot readiness review" in html, "the published agenda travels with updates"

    for mail in cancels:
        (event,) = vevents(mail.ics)
        assert event.decoded("RECURRENCE-ID") == cancelled_start
        assert event["RECURRENCE-ID"].params["TZID"] == series["zone"]
        assert event.decoded("RECURRENCE-ID").astimezone(UTC) == series["originals"][CANCELLED]
        assert str(event["STATUS"]) == "CANCELLED"

    originals = series["originals"]
    kept = [start for n, start in enumerate(originals) if n not in (CANCELLED, MOVED)]
    expected = sorted((start, start + timedelta(hours=1)) for start in kept + [series["moved_to"]])
    for address in MEMBERS:
        ics = latest_request_for(smtp, address, uid)
        assert expand(ics, *RANGE) == expected
        assert expand(with_private_tzids(ics), *RANGE) == expected, "the same through our VTIMEZONE alone"
        starts = [start for start, _end in expand(ics, *RANGE)]
        assert originals[MOVED] not in starts and originals[CANCELLED] not in starts
        assert exdates_of(master_of(ics)) == [cancelled_start]
        forget_vobject_timezones()
        assert vobject_series_utc(ics) == [start for n, start in enumerate(originals) if n != CANCELLED]
        assert all(start.astimezone(zone).hour == series["first"].hour
                   for n, start in enumerate(originals) if n != MOVED)


# --- 2. SEQUENCE, DTSTAMP, removing and adding people, cancelling the series -----------------------------------


def test_updates_keep_the_uid_raise_the_sequence_and_a_series_cancel_reaches_everyone_still_invited(
        app, smtp, programme, clock):
    with app.test_request_context():
        meeting = schedule(programme)
        uid = meeting.uid
        assert recipients(deliver(app, smtp, clock.now)) == MEMBERS

        clock.advance()
        scheduling.update_meeting(meeting, weekly("berlin", location="Room 2.14"), expected_version=None)
        assert recipients(deliver(app, smtp, clock.now)) == MEMBERS

        clock.advance()
        moved = occurrence_at(meeting, 2)
        scheduling.move_occurrence(moved, local_start=moved.original_start + timedelta(hours=4), duration_minutes=60,
                                   location=None, expected_version=None)
        assert recipients(deliver(app, smtp, clock.now)) == MEMBERS

        clock.advance()
        rep = next(invitee for invitee in meeting.invitees if invitee.email == "rep@example.com")
        invitations.remove_invitee(rep)
        (removal,) = deliver(app, smtp, clock.now)
        assert removal.recipients == ("rep@example.com",) and removal.method == "CANCEL"
        (event,) = vevents(removal.ics)
        assert attendees_of(event) == ["mailto:rep@example.com"] and "STATUS" not in event

        clock.advance()
        invitations.add_guest(meeting, db.session.get(Person, programme.guest_id))
        (welcome,) = deliver(app, smtp, clock.now)
        assert welcome.recipients == (GUEST,) and welcome.method == "REQUEST"
        assert f"mailto:{GUEST}" in attendees_of(master_of(welcome.ics))
        assert "mailto:rep@example.com" not in attendees_of(master_of(welcome.ics))

        clock.advance()
        scheduling.cancel_meeting(meeting, reason="Programme paused")
        series_cancels = deliver(app, smtp, clock.now)
        assert recipients(series_cancels) == sorted(["chair@example.com", "sponsor@example.com", GUEST])

    for mail in received(smtp):
        assert_vtimezones_in_yearly_form(assert_invitation_email(mail))
    for mail in series_cancels:
        assert mail.method == "CANCEL"
        (event,) = vevents(mail.ics)
        assert str(event["STATUS"]) == "CANCELLED" and "RECURRENCE-ID" not in event
        assert "RRULE" in event, "the whole series is cancelled"

    for address in MEMBERS + [GUEST]:
        mails = invitations_to(smtp, address, uid)
        assert {mail.uid for mail in mails} == {uid}
        stamps = [event.decoded("DTSTAMP") for mail in mails for event in vevents(mail.ics)[:1]]
        assert all(stamp.utcoffset() == timedelta(0) for stamp in stamps)
        assert all(line.endswith(b"Z") for mail in mails for line in mail.ics.splitlines()
                   if line.startswith(b"DTSTAMP")), "DTSTAMP written in UTC"
        assert len(set(stamps)) == len(stamps), "a fresh DTSTAMP on every send"
        held: dict = {}
        for mail in mails:
            sent = sequences(mail.ics)
            if held:
                # every component is at least what the calendar holds for it, and one of them is higher
                assert all(sequence >= held.get(key, held[None]) for key, sequence in sent.items()), (address, sent)
                assert any(sequence > held.get(key, held[None]) for key, sequence in sent.items()), (address, sent)
            if mail.method == "CANCEL" and None in sent and "STATUS" in master_of(mail.ics):
                assert sent[None] >= max(held.values()), "the series cancel is not below any occurrence held"
            held.update(sent)


# --- 3. a real CalDAV server keeps one object per meeting, updated in place ---------------------------------


@pytest.fixture
def calendars(radicale, request):
    """A fresh calendar collection on Radicale for each member, as their own calendar account would hold."""
    caldav = pytest.importorskip("caldav")
    made, clients = {}, []
    for address in MEMBERS:
        user = address.split("@")[0]
        propfind = urllib.request.Request(
            f"{radicale.url}{user}/", method="PROPFIND",
            headers={"Depth": "0", "Authorization": "Basic " + base64.b64encode(f"{user}:x".encode()).decode()})
        with urllib.request.urlopen(propfind, timeout=10) as response:
            assert response.status == 207
        clients.append(caldav.DAVClient(url=radicale.url, username=user, password="x"))
        made[address] = clients[-1].principal().make_calendar(name="Calendar", cal_id=request.node.name[:40])
    yield made
    for client in clients:
        client.close()


def stored(calendar) -> list[icalendar.Calendar]:
    return [icalendar.Calendar.from_ical(event.data) for event in calendar.get_events()]


def test_radicale_keeps_one_object_updated_in_place_and_expands_it_right_across_daylight_saving(
        app, smtp, programme, clock, calendars):
    series = SERIES["berlin"]
    with app.test_request_context():
        meeting = schedule(programme, "berlin")
        uid, meeting_id = meeting.uid, meeting.id
        deliver(app, smtp, clock.now)
        for address, calendar in calendars.items():
            calendar.add_event(latest_request_for(smtp, address, uid).decode(), increase_seqno=False)

        clock.advance()
        scheduling.cancel_occurrence(occurrence_at(meeting, CANCELLED), reason="", expected_version=None)
        clock.advance()
        moved = occurrence_at(meeting, MOVED)
        scheduling.move_occurrence(moved, local_start=datetime.combine(
            moved.original_start.date() + timedelta(days=1), time(14, 0)), duration_minutes=60, location=None,
            expected_version=None)
        deliver(app, smtp, clock.now)
    for address, calendar in calendars.items():
        update = latest_request_for(smtp, address, uid)
        calendar.event_by_uid(uid).save(raw_data=update)  # the same object, replaced as the client would

        (object_,) = stored(calendar)
        master, override = sorted(object_.walk("VEVENT"), key=lambda event: "RECURRENCE-ID" in event)
        assert str(master["UID"]) == str(override["UID"]) == uid
        assert int(master["SEQUENCE"]) > 0 and int(override["SEQUENCE"]) >= int(master["SEQUENCE"])
        assert override.decoded("RECURRENCE-ID").astimezone(UTC) == series["originals"][MOVED]
        assert override.decoded("DTSTART").astimezone(UTC) == series["moved_to"]

        found = calendar.search(start=RANGE[0], end=RANGE[1], event=True, expand=True, server_expand=True,
                                post_filter=False)
        starts = sorted(icalendar.Calendar.from_ical(o.data).walk("VEVENT")[0].decoded("DTSTART").astimezone(UTC)
                        for o in found)
        assert starts == sorted([start for n, start in enumerate(series["originals"]) if n not in (CANCELLED, MOVED)]
                                + [series["moved_to"]])

    with app.test_request_context():
        clock.advance()
        scheduling.cancel_meeting(db.session.get(Meeting, meeting_id), reason="Programme paused")
        deliver(app, smtp, clock.now)
    for address, calendar in calendars.items():
        (cancel,) = [mail for mail in invitations_to(smtp, address, uid) if mail.method == "CANCEL"
                     and "RECURRENCE-ID" not in vevents(mail.ics)[0]]
        received_object = icalendar.Calendar.from_ical(cancel.ics)
        keep = icalendar.Calendar()  # a stored object carries no METHOD (RFC 4791)
        for name in ("PRODID", "VERSION"):
            keep.add(name, received_object[name])
        for component in received_object.subcomponents:
            keep.add_component(component)
        before = int(master_of(calendar.event_by_uid(uid).data.encode())["SEQUENCE"])
        calendar.event_by_uid(uid).save(raw_data=keep.to_ical())

        (object_,) = stored(calendar)
        (event,) = object_.walk("VEVENT")
        assert str(event["UID"]) == uid and str(event["STATUS"]) == "CANCELLED"
        assert int(event["SEQUENCE"]) > before


# --- 4. a draft sends nothing --------------------------------------------------------------------------------


def test_a_draft_sends_nothing_whatever_changes_and_scheduling_sends_sequence_zero(app, smtp, programme, clock):
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), weekly("berlin"), organiser_id=None)
        scheduling.update_meeting(meeting, weekly("berlin", location="Room 2.14"), expected_version=None)
        moved = occurrence_at(meeting, MOVED)
        scheduling.move_occurrence(moved, local_start=moved.original_start + timedelta(hours=2), duration_minutes=60,
                                   location=None, expected_version=None)
        scheduling.cancel_occurrence(occurrence_at(meeting, CANCELLED), reason="", expected_version=None)
        invitations.add_guest(meeting, db.session.get(Person, programme.guest_id))
        invitations.remove_invitee(next(i for i in meeting.invitees if i.email == "rep@example.com"))
        assert deliver(app, smtp, clock.now + timedelta(days=1)) == []

        clock.advance()
        scheduling.publish_meeting(meeting)
        invites = deliver(app, smtp, clock.now)
    assert recipients(invites) == sorted(["chair@example.com", "sponsor@example.com", GUEST])
    for mail in invites:
        assert mail.method == "REQUEST" and set(sequences(assert_invitation_email(mail)).values()) == {0}


# --- 5. each message arrives once, also after the mail server was down ---------------------------------------


def test_delivering_twice_sends_each_invitation_once(app, smtp, programme, clock):
    with app.test_request_context():
        schedule(programme)
        first = deliver(app, smtp, clock.now)
        again = deliver(app, smtp, clock.now)
        later = deliver(app, smtp, clock.now + timedelta(days=30))
    assert recipients(first) == MEMBERS and again == [] and later == []
    assert len(smtp.envelopes) == len(MEMBERS)


def test_after_an_outage_each_invitation_arrives_exactly_once(app, smtp_server, programme, clock):
    with app.test_request_context():
        meeting = schedule(programme)
        db.session.commit()
        with app.app_context():
            report = outbox.deliver_due(now=clock.now)
        assert str(report) == f"sent 0, retried {len(MEMBERS)}, failed 0"
        assert all(not invitations.is_out_of_date(meeting, invitee) for invitee in meeting.invitees)

        smtp_server.start()
        assert deliver(app, smtp_server, clock.now) == [], "nothing is due before the back-off has passed"
        arrived = deliver(app, smtp_server, clock.now + timedelta(hours=1))
        assert deliver(app, smtp_server, clock.now + timedelta(days=1)) == []
    assert recipients(arrived) == MEMBERS
    assert len(smtp_server.envelopes) == len(MEMBERS)
    assert {mail.method for mail in arrived} == {"REQUEST"}


# --- 6. found while proving: SEQUENCE bookkeeping and the outbox key ----------------------------------


def test_a_series_change_after_a_moved_occurrence_still_reaches_everyone(app, smtp, programme, clock):
    with app.test_request_context():
        meeting = schedule(programme)
        uid = meeting.uid
        deliver(app, smtp, clock.now)

        clock.advance()
        moved = occurrence_at(meeting, 2)
        scheduling.move_occurrence(moved, local_start=moved.original_start + timedelta(hours=4), duration_minutes=60,
                                   location=None, expected_version=None)
        assert recipients(deliver(app, smtp, clock.now)) == MEMBERS

        clock.advance()
        queued = scheduling.update_meeting(meeting, weekly("berlin", location="Room 2.14"), expected_version=None)
        updates = deliver(app, smtp, clock.now)
    assert queued == len(MEMBERS) and recipients(updates) == MEMBERS
    for address in MEMBERS:
        ics = latest_request_for(smtp, address, uid)
        assert str(master_of(ics)["LOCATION"]) == "Room 2.14"


def test_after_a_twice_moved_and_a_cancelled_occurrence_a_new_guest_alone_is_sent_the_invitation(
        app, smtp, programme, clock):
    with app.test_request_context():
        meeting = schedule(programme)
        deliver(app, smtp, clock.now)
        moved = occurrence_at(meeting, MOVED)
        for hours in (2, 3):
            clock.advance()
            scheduling.move_occurrence(moved, local_start=moved.original_start + timedelta(hours=hours),
                                       duration_minutes=60, location=None, expected_version=None)
            deliver(app, smtp, clock.now)
        clock.advance()
        scheduling.cancel_occurrence(occurrence_at(meeting, CANCELLED), reason="", expected_version=None)
        assert recipients(deliver(app, smtp, clock.now)) == MEMBERS
        assert [invitee.email for invitee in meeting.invitees if invitations.is_out_of_date(meeting, invitee)] == []

        clock.advance()
        invitations.add_guest(meeting, db.session.get(Person, programme.guest_id))
        assert recipients(deliver(app, smtp, clock.now)) == [GUEST]


def test_a_series_cancel_is_not_below_the_sequence_of_a_moved_occurrence(app, smtp, programme, clock):
    with app.test_request_context():
        meeting = schedule(programme)
        uid = meeting.uid
        deliver(app, smtp, clock.now)
        moved = occurrence_at(meeting, MOVED)
        for hours in (2, 3):
            clock.advance()
            scheduling.move_occurrence(moved, local_start=moved.original_start + timedelta(hours=hours),
                                       duration_minutes=60, location=None, expected_version=None)
            deliver(app, smtp, clock.now)
        clock.advance()
        scheduling.cancel_meeting(meeting, reason="")
        deliver(app, smtp, clock.now)
    for address in MEMBERS:
        *earlier, cancel = invitations_to(smtp, address, uid)
        held = max(sequence for mail in earlier for sequence in sequences(mail.ics).values())
        assert cancel.method == "CANCEL" and sequences(cancel.ics)[None] > held


def test_moving_a_second_occurrence_reaches_everyone(app, smtp, programme, clock):
    with app.test_request_context():
        meeting = schedule(programme)
        uid = meeting.uid
        deliver(app, smtp, clock.now)
        for index in (2, MOVED):
            clock.advance()
            occurrence = occurrence_at(meeting, index)
            scheduling.move_occurrence(occurrence, local_start=occurrence.original_start + timedelta(hours=2),
                                       duration_minutes=60, location=None, expected_version=None)
            assert recipients(deliver(app, smtp, clock.now)) == MEMBERS, f"moving occurrence {index}"
    for address in MEMBERS:
        assert len(vevents(latest_request_for(smtp, address, uid))) == 3, "the master and both moved occurrences"


def test_someone_removed_and_invited_again_receives_the_invitation_again(app, smtp, programme, clock):
    with app.test_request_context():
        meeting = schedule(programme)
        uid = meeting.uid
        deliver(app, smtp, clock.now)
        clock.advance()
        invitations.remove_invitee(next(i for i in meeting.invitees if i.email == "rep@example.com"))
        assert recipients(deliver(app, smtp, clock.now)) == ["rep@example.com"]
        clock.advance()
        invitations.add_guest(meeting, db.session.get(Person, next(i.person_id for i in meeting.invitees
                                                                   if i.email == "rep@example.com")))
        again = deliver(app, smtp, clock.now)
    assert recipients(again) == ["rep@example.com"] and again[0].method == "REQUEST"
    assert [mail.method for mail in invitations_to(smtp, "rep@example.com", uid)] == ["REQUEST", "CANCEL", "REQUEST"]
