"""Invitations, cancellations and feeds, read back with icalendar, vobject and recurring-ical-events."""
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject

from planner.calendar import ics as ics_module
from planner.calendar.events import Attendee, CalendarEvent, Override
from planner.calendar.ics import build_cancel, build_publish, build_request

BERLIN = ZoneInfo("Europe/Berlin")
SYDNEY = ZoneInfo("Australia/Sydney")
UTC = timezone.utc
STAMP = datetime(2025, 2, 1, 8, 30, tzinfo=UTC)
CHAIR = Attendee("Chair@Example.org", "Ann Lee", role="CHAIR")
BOB = Attendee("bob@example.org", "Bob Stone, Jr.")
CEE = Attendee("cee@example.org", "Cee Dee", role="OPT-PARTICIPANT")


def meeting(**changes) -> CalendarEvent:
    """A weekly Monday 10:00 committee meeting in Berlin through the March and October DST changes."""
    start = datetime(2025, 3, 3, 10, 0, tzinfo=BERLIN)
    values = dict(uid="meeting-7@planner.example", sequence=0, summary="Steering committee", start=start,
                  end=start + timedelta(hours=1, minutes=30), dtstamp=STAMP, description="Agenda: go-live; risks",
                  location="Room 4", url="https://planner.example/meetings/7", organizer_email="Chair@Example.org",
                  organizer_name="Ann Lee", attendees=(CHAIR, BOB, CEE),
                  rrule={"FREQ": "WEEKLY", "BYDAY": ["MO"], "UNTIL": datetime(2025, 11, 10, 10, 0, tzinfo=BERLIN)})
    values.update(changes)
    return CalendarEvent(**values)


def one_off(**changes) -> CalendarEvent:
    return meeting(rrule=None, **changes)


def parse(ics: bytes) -> icalendar.Calendar:
    """Read with icalendar and with vobject; both must accept it."""
    assert vobject.readOne(ics.decode()) is not None
    return icalendar.Calendar.from_ical(ics)


def occurrences(ics: bytes, start=datetime(2024, 1, 1), end=datetime(2027, 1, 1)) -> list:
    calendar = icalendar.Calendar.from_ical(ics)
    return sorted(recurring_ical_events.of(calendar).between(start, end), key=lambda e: e.decoded("DTSTART"))


def assert_well_formed(ics: bytes) -> None:
    """CRLF everywhere, folded at 75 octets, no floating time, exactly one VTIMEZONE per TZID used."""
    assert b"\n" not in ics.replace(b"\r\n", b"") and b"\r\r" not in ics
    lines = ics.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    unfolded = ics.replace(b"\r\n ", b"").decode().split("\r\n")
    in_timezone = False
    for line in unfolded:
        in_timezone = (in_timezone or line == "BEGIN:VTIMEZONE") and line != "END:VTIMEZONE"
        name = re.split("[;:]", line, maxsplit=1)[0]
        if name in ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "DTSTAMP") and not in_timezone:
            value = line.rsplit(":", 1)[1]
            assert "TZID=" in line or "VALUE=DATE" in line or all(v.endswith("Z") for v in value.split(",")), line
    used = {name for line in unfolded for name in re.findall(r"TZID=([^:;]+)", line)}
    declared = [line[len("TZID:"):] for line in unfolded if line.startswith("TZID:")]
    assert sorted(used) == sorted(declared)
    assert "UTC" not in declared and "Etc/UTC" not in declared


# --- REQUEST ---------------------------------------------------------------------------------------------------


def test_request_carries_what_clients_need():
    ics = build_request(one_off(sequence=3))
    assert_well_formed(ics)
    calendar = parse(ics)
    assert calendar["METHOD"] == "REQUEST" and calendar["PRODID"] == "-//Rollout Planner//EN"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["UID"] == "meeting-7@planner.example"
    assert vevent["SEQUENCE"] == 3
    assert b"DTSTAMP:20250201T083000Z" in ics
    assert b"DTSTART;TZID=Europe/Berlin:20250303T100000" in ics
    assert vevent["STATUS"] == "CONFIRMED"
    assert str(vevent["ORGANIZER"]) == "mailto:chair@example.org" and vevent["ORGANIZER"].params["CN"] == "Ann Lee"
    attendees = {str(a): a.params for a in vevent["ATTENDEE"]}
    assert set(attendees) == {"mailto:chair@example.org", "mailto:bob@example.org", "mailto:cee@example.org"}
    bob = attendees["mailto:bob@example.org"]
    assert (bob["CN"], bob["ROLE"], bob["PARTSTAT"], bob["RSVP"]) == ("Bob Stone, Jr.", "REQ-PARTICIPANT",
                                                                     "NEEDS-ACTION", "TRUE")
    assert attendees["mailto:chair@example.org"]["ROLE"] == "CHAIR"
    assert attendees["mailto:cee@example.org"]["ROLE"] == "OPT-PARTICIPANT"


def test_request_reads_the_same_in_vobject():
    ics = build_request(one_off())
    vevent = vobject.readOne(ics.decode()).vevent
    assert vevent.uid.value == "meeting-7@planner.example"
    assert vevent.dtstart.value.astimezone(UTC) == datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    assert vevent.dtstamp.value == STAMP
    assert vevent.organizer.value == "mailto:chair@example.org"
    assert sorted(a.value for a in vevent.attendee_list) == ["mailto:bob@example.org", "mailto:cee@example.org",
                                                             "mailto:chair@example.org"]
    assert vevent.description.value == "Agenda: go-live; risks"


def test_utc_event_has_no_vtimezone():
    start = datetime(2025, 5, 5, 14, 0, tzinfo=ZoneInfo("UTC"))
    ics = build_request(one_off(start=start, end=start + timedelta(hours=1)))
    assert_well_formed(ics)
    assert b"VTIMEZONE" not in ics and b"DTSTART:20250505T140000Z" in ics


def test_other_aware_times_are_written_in_utc():
    start = datetime(2025, 5, 5, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    ics = build_request(one_off(start=start, end=start + timedelta(hours=1)))
    assert b"VTIMEZONE" not in ics and b"DTSTART:20250505T120000Z" in ics


def test_end_in_another_zone_is_written_in_the_start_zone():
    start = datetime(2025, 5, 5, 14, 0, tzinfo=BERLIN)
    ics = build_request(one_off(start=start, end=datetime(2025, 5, 5, 13, 0, tzinfo=UTC)))
    assert b"DTEND;TZID=Europe/Berlin:20250505T150000" in ics


@pytest.mark.parametrize("bad", [
    dict(start=datetime(2025, 3, 3, 10, 0), end=datetime(2025, 3, 3, 11, 0)),  # floating
    dict(dtstamp=datetime(2025, 3, 3, 10, 0)),  # floating DTSTAMP
    dict(organizer_email=""),
    dict(is_cancelled=True),  # a REQUEST with STATUS:CANCELLED is ignored by clients: use build_cancel
    dict(end=datetime(2025, 3, 3, 9, 0, tzinfo=BERLIN)),  # ends before it starts
    dict(start=date(2025, 3, 3), end=datetime(2025, 3, 4, 10, 0, tzinfo=BERLIN)),
    dict(attendees=(Attendee("not an address", "X"),)),
])
def test_request_refuses_what_clients_would_misread(bad):
    with pytest.raises(ValueError):
        build_request(one_off(**bad))


def test_until_and_count_together_are_refused():
    with pytest.raises(ValueError):
        build_request(meeting(rrule={"FREQ": "DAILY", "COUNT": 3, "UNTIL": datetime(2025, 4, 1, tzinfo=UTC)}))


def test_recurring_request_sends_master_and_moved_occurrences_together():
    moved = Override(recurrence_id=datetime(2025, 3, 17, 10, 0, tzinfo=BERLIN),
                     start=datetime(2025, 3, 18, 14, 0, tzinfo=BERLIN), end=datetime(2025, 3, 18, 15, 0, tzinfo=BERLIN),
                     sequence=1, location="Room 9")
    dropped = Override(recurrence_id=datetime(2025, 3, 24, 9, 0, tzinfo=UTC),  # given in UTC: 10:00 Berlin
                       start=datetime(2025, 3, 24, 10, 0, tzinfo=BERLIN),
                       end=datetime(2025, 3, 24, 11, 30, tzinfo=BERLIN), sequence=2, is_cancelled=True)
    ics = build_request(meeting(sequence=2, overrides=(moved, dropped),
                                exdates=(datetime(2025, 4, 7, 10, 0, tzinfo=BERLIN),)))
    assert_well_formed(ics)
    master, override = parse(ics).walk("VEVENT")
    assert "RECURRENCE-ID" not in master and master["SEQUENCE"] == 2
    assert b"RRULE:FREQ=WEEKLY;UNTIL=20251110T090000Z;BYDAY=MO" in ics  # UNTIL in UTC with Z
    assert b"EXDATE;TZID=Europe/Berlin:20250324T100000,20250407T100000" in ics
    assert b"RECURRENCE-ID;TZID=Europe/Berlin:20250317T100000" in ics
    assert override["UID"] == master["UID"]
    assert override["SEQUENCE"] == 2  # never below the series'
    assert override["LOCATION"] == "Room 9"
    assert len(override["ATTENDEE"]) == 3


# --- CANCEL ----------------------------------------------------------------------------------------------------


def test_cancel_of_the_series_keeps_the_uid_with_a_higher_sequence():
    sent = meeting(sequence=4)
    request = parse(build_request(sent)).walk("VEVENT")[0]
    ics = build_cancel(replace(sent, sequence=sent.sequence + 1, is_cancelled=True))
    assert_well_formed(ics)
    calendar = parse(ics)
    assert calendar["METHOD"] == "CANCEL"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["UID"] == request["UID"] and vevent["SEQUENCE"] > request["SEQUENCE"]
    assert vevent["STATUS"] == "CANCELLED"
    assert "RECURRENCE-ID" not in vevent
    assert len(vevent["ATTENDEE"]) == 3
    assert all("RSVP" not in attendee.params for attendee in vevent["ATTENDEE"])


def test_cancel_for_a_removed_attendee_lists_only_them_and_no_status():
    ics = build_cancel(meeting(sequence=1), only_attendee=BOB)
    assert_well_formed(ics)
    (vevent,) = parse(ics).walk("VEVENT")
    assert str(vevent["ATTENDEE"]) == "mailto:bob@example.org"
    assert "STATUS" not in vevent
    assert ics.count(b"ATTENDEE") == 1 and b"cee@example.org" not in ics


def test_cancel_of_one_occurrence_names_it_in_the_master_zone():
    ics = build_cancel(meeting(sequence=3), recurrence_id=datetime(2025, 6, 16, 8, 0, tzinfo=UTC))
    assert_well_formed(ics)
    (vevent,) = parse(ics).walk("VEVENT")
    assert b"RECURRENCE-ID;TZID=Europe/Berlin:20250616T100000" in ics
    assert b"DTSTART;TZID=Europe/Berlin:20250616T100000" in ics
    assert b"DTEND;TZID=Europe/Berlin:20250616T113000" in ics
    assert vevent["STATUS"] == "CANCELLED" and vevent["SEQUENCE"] == 3
    assert "RRULE" not in vevent


def test_removing_someone_from_one_occurrence_names_them_and_it_only():
    ics = build_cancel(meeting(sequence=1), recurrence_id=datetime(2025, 6, 16, 10, 0, tzinfo=BERLIN),
                       only_attendee=CEE)
    (vevent,) = parse(ics).walk("VEVENT")
    assert str(vevent["ATTENDEE"]) == "mailto:cee@example.org" and "STATUS" not in vevent
    assert b"RECURRENCE-ID;TZID=Europe/Berlin:20250616T100000" in ics


def test_an_occurrence_of_a_one_off_meeting_cannot_be_cancelled():
    with pytest.raises(ValueError):
        build_cancel(one_off(), recurrence_id=datetime(2025, 3, 3, 10, 0, tzinfo=BERLIN))


def test_cancel_of_a_moved_occurrence_carries_the_moved_times():
    moved = Override(recurrence_id=datetime(2025, 3, 17, 10, 0, tzinfo=BERLIN),
                     start=datetime(2025, 3, 18, 14, 0, tzinfo=BERLIN), end=datetime(2025, 3, 18, 15, 0, tzinfo=BERLIN),
                     sequence=5)
    ics = build_cancel(meeting(sequence=2, overrides=(moved,)), recurrence_id=moved.recurrence_id)
    (vevent,) = parse(ics).walk("VEVENT")
    assert b"RECURRENCE-ID;TZID=Europe/Berlin:20250317T100000" in ics
    assert b"DTSTART;TZID=Europe/Berlin:20250318T140000" in ics
    assert vevent["SEQUENCE"] == 5


def test_cancel_then_expansion_drops_only_that_occurrence():
    """What a client does with a single-occurrence CANCEL: the occurrence leaves the series."""
    series = icalendar.Calendar.from_ical(build_request(meeting()))
    cancel = icalendar.Calendar.from_ical(
        build_cancel(meeting(sequence=1), recurrence_id=datetime(2025, 6, 16, 10, 0, tzinfo=BERLIN)))
    master = series.walk("VEVENT")[0]
    master.add("exdate", cancel.walk("VEVENT")[0].decoded("RECURRENCE-ID"))
    starts = [e.decoded("DTSTART") for e in recurring_ical_events.of(series).between(date(2025, 6, 1),
                                                                                    date(2025, 7, 1))]
    assert datetime(2025, 6, 16, 10, 0, tzinfo=BERLIN) not in starts and len(starts) == 4


# --- recurrence, expanded by recurring-ical-events ----------------------------------------------------------------


@pytest.fixture(params=["tzid", "vtimezone"])
def read_back(request, private_tzids):
    """Expand by TZID name (icalendar's zoneinfo) and by our VTIMEZONE alone (unknown TZID)."""
    if request.param == "tzid":
        return occurrences
    return lambda ics, *args: occurrences(private_tzids(ics), *args)


def test_weekly_berlin_keeps_wall_time_across_both_dst_changes(read_back):
    moved = Override(recurrence_id=datetime(2025, 3, 17, 10, 0, tzinfo=BERLIN),
                     start=datetime(2025, 3, 18, 14, 0, tzinfo=BERLIN), end=datetime(2025, 3, 18, 15, 0, tzinfo=BERLIN),
                     sequence=1)
    dropped = Override(recurrence_id=datetime(2025, 10, 27, 10, 0, tzinfo=BERLIN),
                       start=datetime(2025, 10, 27, 10, 0, tzinfo=BERLIN),
                       end=datetime(2025, 10, 27, 11, 30, tzinfo=BERLIN), sequence=1, is_cancelled=True)
    event = meeting(sequence=1, overrides=(moved, dropped), exdates=(datetime(2025, 4, 7, 10, 0, tzinfo=BERLIN),))
    found = read_back(build_request(event))
    starts = [o.decoded("DTSTART") for o in found]
    local = [s.astimezone(BERLIN) for s in starts]
    utc = [s.astimezone(UTC) for s in starts]
    regular = [(l, u) for l, u in zip(local, utc) if l.weekday() == 0]
    assert all((l.hour, l.minute) == (10, 0) for l, _ in regular)
    winter = [u.hour for l, u in regular if (l.month, l.day) < (3, 30) or (l.month, l.day) > (10, 26)]
    summer = [u.hour for l, u in regular if (3, 30) < (l.month, l.day) < (10, 26)]
    assert set(winter) == {9} and set(summer) == {8} and len(winter) + len(summer) == len(regular)
    assert datetime(2025, 3, 24, 9, 0, tzinfo=UTC) in utc  # last Monday before the change: 09:00 UTC
    assert datetime(2025, 3, 31, 8, 0, tzinfo=UTC) in utc  # first after: 08:00 UTC
    assert datetime(2025, 10, 20, 8, 0, tzinfo=UTC) in utc and datetime(2025, 11, 3, 9, 0, tzinfo=UTC) in utc
    # moved: at its new time, not at the old; dropped (EXDATE and cancelled override): absent
    assert datetime(2025, 3, 18, 13, 0, tzinfo=UTC) in utc and datetime(2025, 3, 17, 9, 0, tzinfo=UTC) not in utc
    assert datetime(2025, 4, 7, 8, 0, tzinfo=UTC) not in utc
    assert datetime(2025, 10, 27, 9, 0, tzinfo=UTC) not in utc
    assert len(starts) == 37 - 2  # Mondays 3 March .. 10 November, less two dropped
    moved_occurrence = next(o for o in found if o.decoded("DTSTART").astimezone(UTC).day == 18)
    assert moved_occurrence["SEQUENCE"] == 1


def test_weekly_sydney_keeps_wall_time_across_april_and_october(read_back):
    start = datetime(2025, 3, 4, 18, 0, tzinfo=SYDNEY)  # Tuesdays 18:00
    event = meeting(start=start, end=start + timedelta(hours=1), rrule={"FREQ": "WEEKLY", "COUNT": 40},
                    organizer_email="pm@example.org")
    utc = [o.decoded("DTSTART").astimezone(UTC) for o in read_back(build_publish([event], name="Sydney"))]
    local = [u.astimezone(SYDNEY) for u in utc]
    assert len(utc) == 40 and all((t.weekday(), t.hour) == (1, 18) for t in local)
    assert datetime(2025, 4, 1, 7, 0, tzinfo=UTC) in utc  # AEDT +11 until 6 April
    assert datetime(2025, 4, 8, 8, 0, tzinfo=UTC) in utc  # AEST +10
    assert datetime(2025, 9, 30, 8, 0, tzinfo=UTC) in utc and datetime(2025, 10, 7, 7, 0, tzinfo=UTC) in utc


@pytest.mark.parametrize("rrule, start, expected", [
    ({"FREQ": "MONTHLY", "BYDAY": ["2TU"], "COUNT": 4}, datetime(2025, 1, 14, 9, 0),
     [date(2025, 1, 14), date(2025, 2, 11), date(2025, 3, 11), date(2025, 4, 8)]),
    ({"FREQ": "MONTHLY", "BYDAY": ["-1FR"], "COUNT": 4}, datetime(2025, 1, 31, 9, 0),
     [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 28), date(2025, 4, 25)]),
    ({"FREQ": "MONTHLY", "BYMONTHDAY": [15], "COUNT": 3}, datetime(2025, 1, 15, 9, 0),
     [date(2025, 1, 15), date(2025, 2, 15), date(2025, 3, 15)]),
    ({"FREQ": "DAILY", "COUNT": 4}, datetime(2025, 3, 29, 9, 0),
     [date(2025, 3, 29), date(2025, 3, 30), date(2025, 3, 31), date(2025, 4, 1)]),
    ({"FREQ": "WEEKLY", "INTERVAL": 2, "BYDAY": ["MO", "TH"], "COUNT": 5}, datetime(2025, 3, 3, 9, 0),
     [date(2025, 3, 3), date(2025, 3, 6), date(2025, 3, 17), date(2025, 3, 20), date(2025, 3, 31)]),
    ({"FREQ": "WEEKLY", "BYDAY": ["WE"], "UNTIL": datetime(2025, 4, 2, 9, 0, tzinfo=BERLIN)},
     datetime(2025, 3, 12, 9, 0), [date(2025, 3, 12), date(2025, 3, 19), date(2025, 3, 26), date(2025, 4, 2)]),
    ({"FREQ": "WEEKLY", "BYDAY": ["WE"], "UNTIL": date(2025, 4, 1)},  # a date: through that day
     datetime(2025, 3, 12, 9, 0), [date(2025, 3, 12), date(2025, 3, 19), date(2025, 3, 26)]),
], ids=["2nd-tuesday", "last-friday", "monthly-15th", "daily", "every-2-weeks-mo-th", "until", "until-date"])
def test_recurrence_patterns_expand_to_the_right_days(rrule, start, expected, read_back):
    start = start.replace(tzinfo=BERLIN)
    ics = build_request(meeting(start=start, end=start + timedelta(hours=1), rrule=rrule))
    found = read_back(ics)
    assert [o.decoded("DTSTART").date() for o in found] == expected
    assert all(o.decoded("DTSTART").astimezone(BERLIN).hour == 9 for o in found)
    if "UNTIL" in rrule:
        assert re.search(rb"RRULE:[^\r]*UNTIL=\d{8}T\d{6}Z", ics)
    # vobject expands the same set
    rruleset = vobject.readOne(ics.decode()).vevent.getrruleset(addRDate=True)
    assert [d.date() for d in rruleset] == expected


def test_all_day_events_use_dates():
    milestone = CalendarEvent(uid="milestone-3@planner.example", sequence=0, summary="Go-live wave 1",
                              start=date(2025, 6, 2), end=date(2025, 6, 3), dtstamp=STAMP,
                              rrule={"FREQ": "YEARLY", "UNTIL": date(2027, 6, 2)},
                              exdates=(datetime(2026, 6, 2, 0, 0, tzinfo=UTC),))
    ics = build_publish([milestone], name="Milestones")
    assert_well_formed(ics)
    assert b"DTSTART;VALUE=DATE:20250602" in ics and b"DTEND;VALUE=DATE:20250603" in ics
    assert b"UNTIL=20270602;" in ics or b"UNTIL=20270602\r" in ics
    assert b"EXDATE;VALUE=DATE:20260602" in ics and b"VTIMEZONE" not in ics
    assert [o.decoded("DTSTART") for o in occurrences(ics, date(2025, 1, 1), date(2030, 1, 1))] == [
        date(2025, 6, 2), date(2027, 6, 2)]


# --- PUBLISH and feeds -------------------------------------------------------------------------------------------


def test_feed_has_no_method_and_no_attendees():
    ics = build_publish([meeting(), one_off(uid="meeting-8@planner.example")], name="Ann's planner")
    assert_well_formed(ics)
    calendar = parse(ics)
    assert "METHOD" not in calendar
    assert b"ATTENDEE" not in ics and b"RSVP" not in ics and b"ORGANIZER" not in ics
    assert calendar["NAME"] == "Ann's planner" and calendar["X-WR-CALNAME"] == "Ann's planner"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in ics
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in ics
    assert ics.count(b"BEGIN:VTIMEZONE") == 1


def test_single_meeting_download_is_publish_with_organizer_but_no_attendees():
    ics = build_publish([one_off()], name="Steering committee", method="PUBLISH")
    calendar = parse(ics)
    assert calendar["METHOD"] == "PUBLISH"
    assert b"ATTENDEE" not in ics and b"RSVP" not in ics
    assert str(calendar.walk("VEVENT")[0]["ORGANIZER"]) == "mailto:chair@example.org"


def test_publish_refuses_other_methods():
    with pytest.raises(ValueError):
        build_publish([one_off()], name="x", method="REQUEST")


def test_feed_is_byte_identical_for_the_same_data():
    events = [meeting(), one_off(uid="meeting-8@planner.example", start=datetime(2026, 1, 5, 9, 0, tzinfo=SYDNEY),
                                 end=datetime(2026, 1, 5, 10, 0, tzinfo=SYDNEY))]
    first = build_publish(events, name="Feed")
    ics_module._shared_vtimezone.cache_clear()
    assert build_publish(list(events), name="Feed") == first
    changed = build_publish([replace(events[0], sequence=1)] + events[1:], name="Feed")
    assert changed != first


def test_one_vtimezone_per_zone_covering_all_events():
    events = [one_off(uid=f"m-{year}@x", start=datetime(year, 7, 1, 10, 0, tzinfo=BERLIN),
                      end=datetime(year, 7, 1, 11, 0, tzinfo=BERLIN)) for year in (2025, 2029)]
    events.append(one_off(uid="m-sydney@x", start=datetime(2025, 7, 1, 10, 0, tzinfo=SYDNEY),
                          end=datetime(2025, 7, 1, 11, 0, tzinfo=SYDNEY)))
    ics = build_publish(events, name="Feed")
    assert_well_formed(ics)
    assert ics.count(b"BEGIN:VTIMEZONE") == 2
    calendar = vobject.readOne(ics.decode())
    assert [e.dtstart.value.astimezone(UTC).hour for e in calendar.vevent_list] == [8, 8, 0]
