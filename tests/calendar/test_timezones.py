"""VTIMEZONEs in the yearly-rule form, read back by independent parsers (vobject, icalendar via dateutil)."""
from datetime import datetime, timedelta, timezone
from io import StringIO
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
from dateutil.tz import tzical

from planner.calendar.events import CalendarEvent
from planner.calendar.ics import build_publish
from planner.calendar.timezones import vtimezone

STAMP = datetime(2025, 1, 1, tzinfo=timezone.utc)
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Sao_Paulo", "Asia/Kolkata",
         "Europe/London", "America/Los_Angeles"]
# A winter and a summer date in each hemisphere (January is summer in Sydney and Sao Paulo's old DST).
WALL_TIMES = [datetime(2025, 1, 15, 10, 0), datetime(2025, 7, 15, 10, 0)]


def _event(start: datetime, uid: str = "e-1@test") -> CalendarEvent:
    return CalendarEvent(uid=uid, sequence=0, summary="Meeting", start=start, end=start + timedelta(hours=1),
                         dtstamp=STAMP)


def _vobject_starts_utc(ics: bytes) -> list[datetime]:
    calendar = vobject.readOne(ics.decode())
    starts = []
    for vevent in calendar.vevent_list:
        value = vevent.dtstart.value
        # Read through the VTIMEZONE (dateutil's tzical), not a zone vobject looked up by name.
        assert type(value.tzinfo).__module__.startswith("dateutil"), value.tzinfo
        starts.append(value.astimezone(timezone.utc))
    return starts


def _recurring_starts_utc(ics: bytes) -> list[datetime]:
    calendar = icalendar.Calendar.from_ical(ics)
    occurrences = recurring_ical_events.of(calendar).between(datetime(2000, 1, 1), datetime(2040, 1, 1))
    return sorted(o.decoded("DTSTART").astimezone(timezone.utc) for o in occurrences)


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("wall", WALL_TIMES, ids=["january", "july"])
def test_winter_and_summer_dates_read_back_at_the_zoneinfo_instant(zone_name, wall, private_tzids):
    start = wall.replace(tzinfo=ZoneInfo(zone_name))
    expected = start.astimezone(timezone.utc)
    ics = build_publish([_event(start)], name="Test")

    assert _vobject_starts_utc(ics) == [expected]
    assert _recurring_starts_utc(ics) == [expected]  # by name: icalendar's zoneinfo
    renamed = private_tzids(ics)
    assert b"Europe/" not in renamed and b"America/" not in renamed
    assert _recurring_starts_utc(renamed) == [expected]  # by our VTIMEZONE only
    assert _vobject_starts_utc(renamed) == [expected]


def test_sao_paulo_dropping_dst_in_2019_is_described_with_until(private_tzids):
    zone = ZoneInfo("America/Sao_Paulo")
    walls = [datetime(2018, 7, 10, 9), datetime(2019, 1, 15, 9), datetime(2019, 7, 15, 9),
             datetime(2020, 1, 15, 9), datetime(2020, 11, 15, 9)]
    events = [_event(w.replace(tzinfo=zone), uid=f"e-{i}@test") for i, w in enumerate(walls)]
    expected = sorted(w.replace(tzinfo=zone).astimezone(timezone.utc) for w in walls)
    assert [e.hour for e in expected] == [12, 11, 12, 12, 12]  # -03, -02 (DST), then -03 for good

    ics = build_publish(events, name="Test")
    component = vtimezone("America/Sao_Paulo", 2018, 2020)
    standard = [s for s in component.walk("STANDARD") if "RRULE" in s]
    assert len(standard) == 1 and "UNTIL" in standard[0]["RRULE"]
    assert all("RRULE" not in s or "UNTIL" in s["RRULE"] for s in component.walk("DAYLIGHT"))
    assert sorted(_vobject_starts_utc(ics)) == expected
    assert _recurring_starts_utc(private_tzids(ics)) == expected


def test_berlin_is_one_yearly_rule_pair():
    component = vtimezone("Europe/Berlin", 2025, 2026)
    text = component.to_ical().decode()
    assert "RDATE" not in text
    (daylight,), (standard,) = component.walk("DAYLIGHT"), component.walk("STANDARD")
    assert daylight["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert standard["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    # Each rule dated from when it took effect (EU summer time since 1981, October end since 1996).
    assert daylight.decoded("DTSTART") == datetime(1981, 3, 29, 2, 0)
    assert standard.decoded("DTSTART") == datetime(1996, 10, 27, 3, 0)
    assert daylight["TZOFFSETFROM"].to_ical() == "+0100" and daylight["TZOFFSETTO"].to_ical() == "+0200"


def test_new_york_2007_rule_change_becomes_two_rule_periods():
    component = vtimezone("America/New_York", 2006, 2008)
    rules = sorted((s.decoded("DTSTART").year, s["RRULE"].to_ical().decode()) for s in component.walk("DAYLIGHT"))
    assert rules == [(1987, "FREQ=YEARLY;UNTIL=20060403T070000Z;BYDAY=1SU;BYMONTH=4"),
                     (2007, "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3")]


def test_only_rules_in_force_in_the_years_asked_for_are_written():
    component = vtimezone("America/Sao_Paulo", 2024, 2026)
    (standard,) = component.walk("STANDARD")  # DST ended for good in February 2019
    assert not component.walk("DAYLIGHT")
    assert b"UNTIL=20190218T020000Z" in standard["RRULE"].to_ical()
    assert standard["TZOFFSETTO"].to_ical() == "-0300"


def test_zones_without_dst_get_one_fixed_standard():
    for zone_name, offset in [("Asia/Kolkata", "+0530"), ("UTC", "+0000"), ("Asia/Tokyo", "+0900")]:
        component = vtimezone(zone_name, 2025, 2027)
        (standard,) = component.walk("STANDARD")
        assert not component.walk("DAYLIGHT")
        assert "RRULE" not in standard
        assert standard["TZOFFSETFROM"].to_ical() == standard["TZOFFSETTO"].to_ical() == offset


def test_southern_hemisphere_daylight_starts_in_october():
    component = vtimezone("Australia/Sydney", 2025, 2025)
    (daylight,), (standard,) = component.walk("DAYLIGHT"), component.walk("STANDARD")
    assert daylight["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=10"
    assert standard["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=4"


@pytest.mark.parametrize("zone_name", ZONES + [
    "Europe/Dublin",  # negative DST in winter
    "Australia/Lord_Howe",  # 30-minute DST
    "America/St_Johns", "Pacific/Auckland", "America/Santiago", "Asia/Tehran",  # Tehran dropped DST in 2022
    "Africa/Casablanca",  # DST suspended around Ramadan: irregular dates
    "Asia/Jerusalem",  # "Friday before the last Sunday": weekday in a range of days
    "Pacific/Chatham", "America/Havana", "Europe/Chisinau",
])
def test_every_local_time_converts_like_zoneinfo(zone_name):
    """dateutil's tzical is what vobject and icalendar build from a VTIMEZONE: check every 6 hours."""
    zone = ZoneInfo(zone_name)
    for first_year, last_year in [(2019, 2024), (2025, 2026)]:
        ours = tzical(StringIO(vtimezone(zone_name, first_year, last_year).to_ical().decode())).get()
        instant = datetime(first_year, 1, 1, tzinfo=timezone.utc)
        while instant.year <= last_year:
            local = instant.astimezone(zone)
            offsets_nearby = {(instant + timedelta(hours=h)).astimezone(zone).utcoffset() for h in (-3, 3)}
            if len(offsets_nearby) == 1:  # skip wall times that a transition makes ambiguous or missing
                assert local.replace(tzinfo=ours).utcoffset() == local.utcoffset(), (zone_name, local)
            instant += timedelta(hours=6)


def test_no_rdate_and_no_floating_onset_in_any_zone():
    for zone_name in ["Africa/Casablanca", "Asia/Tehran", "America/Sao_Paulo", "Asia/Jerusalem"]:
        text = vtimezone(zone_name, 2018, 2026).to_ical().decode()
        assert "RDATE" not in text
        for line in text.split("\r\n"):
            if line.startswith("RRULE") and "UNTIL=" in line:
                assert line.split("UNTIL=")[1].split(";")[0].endswith("Z")


def test_each_call_returns_a_new_component():
    first = vtimezone("Europe/Berlin", 2025, 2025)
    first.add("x-mutated", "yes")
    assert "X-MUTATED" not in vtimezone("Europe/Berlin", 2025, 2025)
