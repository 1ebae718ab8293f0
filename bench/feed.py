"""A calendar feed of 1,000 events against plain icalendar serialisation of the same events.

On a throwaway copy of the smallest scale's database, the committee member (a weekly meeting series, the
programme's milestones and go-lives) is made the trainer of as many extra training sessions (bulk rows, in
every region's time zone, some cancelled) as it takes for their feed to hold exactly 1,000 VEVENTs. Then,
taking turns so both see the same machine load:

- the feed: ``GET /calendar/<token>.ics`` through the test client (queries, building, serialising, ETag);
- the baseline: the same 1,000 VEVENTs built with icalendar's own API (``Event.add`` of every property the feed
  has: UID, DTSTAMP, DTSTART/DTEND with TZID, SUMMARY, LOCATION, DESCRIPTION, SEQUENCE, STATUS, CATEGORIES,
  URL, RRULE, EXDATE...) from plain Python values, plus the VTIMEZONEs, then ``Calendar.to_ical()``.
  The VTIMEZONEs are made once beforehand by icalendar (``Timezone.from_tzid``), as the planner keeps its own
  per process; the values are read from the feed beforehand too. Only building and serialising is timed.
"""
from __future__ import annotations

import gc
import time
from datetime import date, datetime, time as clock_time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import bindparam, event, select, update

from bench.datasets import app_config
from bench.measure import NOT_COUNTED, nearest_rank

EVENTS = 1000


def _add_sessions(user_id: int, count: int, today: date) -> None:
    """``count`` training sessions given by ``user_id``: a row each, like the generator's bulk rows."""
    from planner.extensions import db
    from planner.generator.bulk import insert_returning_ids
    from planner.programmes.models import Region
    from planner.training.models import Course, SessionStatus, TrainingSession
    from planner.training.sessions import session_uid

    regions = db.session.execute(select(Region.id, Region.programme_id, Region.name, Region.time_zone)
                                 .order_by(Region.id)).all()
    courses = db.session.execute(select(Course.id, Course.duration_minutes).order_by(Course.id)).all()
    rows = []
    for number in range(count):
        region_id, programme_id, name, zone = regions[number % len(regions)]
        course_id, minutes = courses[number % len(courses)]
        day = today + timedelta(days=number // 4 - 120)
        local_start = datetime.combine(day, (clock_time(9, 0), clock_time(13, 30))[number % 2])
        starts_at = local_start.replace(tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
        cancelled = number % 10 == 9
        rows.append({"programme_id": programme_id, "course_id": course_id, "region_id": region_id,
                     "trainer_id": user_id, "uid": f"bench-feed-{number}", "time_zone": zone,
                     "local_start": local_start, "duration_minutes": minutes, "starts_at": starts_at,
                     "ends_at": starts_at + timedelta(minutes=minutes), "location": f"{name}, room {number % 7 + 1}",
                     "online_url": "", "capacity": 12,
                     "status": SessionStatus.CANCELLED if cancelled else SessionStatus.SCHEDULED,
                     "cancel_note": "", "sequence": 1 if cancelled else 0, "roster_completed_at": None})
    ids = insert_returning_ids(TrainingSession, rows)
    table = TrainingSession.__table__
    db.session.execute(update(table).where(table.c.id == bindparam("session_id")).values(uid=bindparam("new_uid")),
                       [{"session_id": session_id, "new_uid": session_uid(session_id)} for session_id in ids])


def _vevents(body: bytes) -> list:
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def prepare(url: str, today: date, log) -> tuple[object, str, str]:
    """The app on the copy, the feed's path and the login whose feed it is."""
    from planner import create_app
    from planner.auth.models import User
    from planner.calendar import feeds, tokens
    from planner.extensions import db
    from planner.programmes.models import Membership

    app = create_app(app_config(url))
    with app.app_context():
        user = db.session.scalar(select(User).join(Membership).where(Membership.role == "committee_member")
                                 .order_by(User.id).limit(1))
        token = tokens.ensure_feed_token(user)
        already = len(_vevents(feeds.build_feed(user).body))
        if already > EVENTS:
            raise RuntimeError(f"{user.email}'s feed already has {already} events")
        _add_sessions(user.id, EVENTS - already, today)
        db.session.commit()
        email = user.email
        log(f"feed: {email} had {already} events; gave them {EVENTS - already} training sessions")
        db.session.remove()
    return app, f"/calendar/{token}.ics", email


def _python_value(prop):
    """A parsed property's plain Python value, so ``Event.add`` has to encode it again."""
    if isinstance(prop, icalendar.prop.vDDDLists):
        return [item.dt for item in prop.dts]
    if isinstance(prop, icalendar.prop.vCategory):
        return list(prop.cats)
    if hasattr(prop, "dt"):
        return prop.dt
    if isinstance(prop, icalendar.prop.vRecur):
        return {key: list(value) for key, value in prop.items()}
    if isinstance(prop, icalendar.prop.vInt):
        return int(prop)
    return str(prop)


def baseline_inputs(body: bytes) -> tuple[list[list[tuple]], list[icalendar.Timezone]]:
    """Every VEVENT of the feed as (name, value, parameters) triples, and the VTIMEZONEs icalendar makes for the
    zones and years the events use."""
    events, years = [], {}
    for vevent in _vevents(body):
        events.append([])
        for name in vevent:
            values = vevent[name] if isinstance(vevent[name], list) else [vevent[name]]
            for prop in values:
                parameters = {key: val for key, val in prop.params.items() if key not in ("TZID", "VALUE")}
                value = _python_value(prop)
                events[-1].append((name.lower(), value, parameters or None))
                if isinstance(value, datetime) and isinstance(value.tzinfo, ZoneInfo):
                    first, last = years.get(value.tzinfo.key, (value.year, value.year))
                    years[value.tzinfo.key] = (min(first, value.year), max(last, value.year))
    zones = [icalendar.Timezone.from_tzid(zone, first_date=date(first, 1, 1), last_date=date(last + 1, 1, 1))
             for zone, (first, last) in sorted(years.items())]
    return events, zones


def build_with_icalendar(events: list[list[tuple]], zones: list[icalendar.Timezone]) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Benchmark baseline//EN")
    calendar.add("version", "2.0")
    for zone in zones:
        calendar.add_component(zone)
    for props in events:
        vevent = icalendar.Event()
        for name, value, parameters in props:
            vevent.add(name, value, parameters=parameters)
        calendar.add_component(vevent)
    return calendar.to_ical()


def run(url: str, today: date, *, warmups: int, repeats: int, log) -> dict:
    """Time the feed and the baseline; returns their figures."""
    from planner.extensions import db

    app, path, email = prepare(url, today, log)
    client = app.test_client()
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def seen(conn, cursor, statement, *args):
        if not NOT_COUNTED.match(statement):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"the feed answered {response.status_code}")
        body = response.get_data()
        events, zones = baseline_inputs(body)
        baseline_body = build_with_icalendar(events, zones)
        feed_count, baseline_count = len(_vevents(body)), len(_vevents(baseline_body))
        feed_times, baseline_times, query_counts, statuses = [], [], [], set()
        for number in range(warmups + repeats):
            statements.clear()
            gc.collect()  # each side starts clean: neither pays for collecting the other's garbage
            started = time.perf_counter()
            response = client.get(path)
            response.get_data()
            feed_seconds = time.perf_counter() - started
            statuses.add(response.status_code)
            count = len(statements)
            gc.collect()
            started = time.perf_counter()
            build_with_icalendar(events, zones)
            baseline_seconds = time.perf_counter() - started
            if number >= warmups:
                feed_times.append(feed_seconds)
                baseline_times.append(baseline_seconds)
                query_counts.append(count)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
        with app.app_context():
            db.session.remove()
            engine.dispose()
    return {"email": email, "path": path, "feed_events": feed_count, "baseline_events": baseline_count,
            "feed_bytes": len(body), "baseline_bytes": len(baseline_body), "zones": len(zones),
            "feed_p50": nearest_rank(feed_times, 50), "feed_p95": nearest_rank(feed_times, 95),
            "baseline_p50": nearest_rank(baseline_times, 50), "baseline_p95": nearest_rank(baseline_times, 95),
            "queries": (min(query_counts), max(query_counts)), "statuses": sorted(statuses)}
