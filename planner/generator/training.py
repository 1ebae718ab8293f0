"""Training: courses and their requirements per job role through the services; sessions in each region's
training window before its go-live, their enrolments and attendance marks as bulk rows. Invitations are
recorded as sent (SEQUENCE 0, REQUEST) without outbox rows, as the demo does: nothing is mailed."""
import math
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, update

from planner.core import clock
from planner.extensions import db
from planner.generator.bulk import insert_returning_ids, insert_rows
from planner.generator.structure import Frame
from planner.generator.vocabulary import COURSES
from planner.training import services
from planner.training.models import (
    AttendanceMark, Enrolment, EnrolmentStatus, MarkStatus, SessionStatus, TrainingSession,
)
from planner.training.session_queries import go_live_by_region, region_calendars
from planner.training.sessions import session_uid

MARKS = ((MarkStatus.PRESENT, 0.88), (MarkStatus.LATE, 0.05), (MarkStatus.EXCUSED, 0.03), (MarkStatus.ABSENT, 0.04))
SLOTS = (time(9, 0), time(13, 30))


def create_courses(frame: Frame) -> list[tuple[int, int, frozenset[str]]]:
    """The courses and who must take them; returns (course id, minutes, job roles needing it or empty)."""
    courses = []
    for title, course_format, minutes, roles in COURSES:
        course = services.create_course(frame.programme, title=title, description=f"{title}, hands on.",
                                        duration_minutes=minutes, format=course_format,
                                        material_links="https://learn.example.com/guide")
        for role in roles or ("",):
            services.add_requirement(course, job_role=role, department_id=None)
        courses.append((course, minutes, frozenset(roles)))
    db.session.flush()
    return [(course.id, minutes, roles) for course, minutes, roles in courses]


def create_sessions(frame: Frame, people: list[dict], courses, *, sessions_wanted: int, rng) -> dict[str, int]:
    """Sessions per region and course in the region's training window, everyone needing the course enrolled,
    past sessions marked by their trainer. Returns the row counts."""
    programme = frame.programme
    go_lives = go_live_by_region(programme.id)
    calendars = region_calendars(programme, go_lives)
    groups = []
    for region in frame.regions:
        if region.id not in go_lives:
            continue
        in_region = [row for row in people if row["region_id"] == region.id]
        for course_id, minutes, roles in courses:
            needing = [row["id"] for row in in_region if not roles or row["job_role"] in roles]
            if needing:
                groups.append((region, course_id, minutes, needing))
    total_needed = sum(len(group[3]) for group in groups)
    capacity = max(8, math.ceil(total_needed / max(1, sessions_wanted)))
    now = clock.now()
    busy: dict[int, list[tuple[datetime, datetime]]] = {trainer: [] for trainer in frame.trainer_ids}
    session_rows, seats = [], []
    slot_of_region: dict[int, int] = {}
    for region, course_id, minutes, needing in groups:
        calendar, go_live = calendars[region.id], go_lives[region.id]
        last_day = calendar.add_working_days(go_live, -(programme.training_min_lead_days + 1))
        first_day = calendar.add_working_days(go_live, -(programme.training_max_lead_days - 1))
        window = (last_day - first_day).days
        count = math.ceil(len(needing) / capacity)
        size = math.ceil(len(needing) / count)
        for index in range(count):
            slot = slot_of_region.get(region.id, 0)
            slot_of_region[region.id] = slot + 1
            day = calendar.next_working_day(first_day + timedelta(days=(slot // 2 * 3) % max(1, window)))
            day = min(day, last_day)
            local_start = datetime.combine(day, SLOTS[slot % 2])
            starts_at = local_start.replace(tzinfo=ZoneInfo(region.time_zone)).astimezone(timezone.utc)
            ends_at = starts_at + timedelta(minutes=minutes)
            trainer_id = _free_trainer(busy, starts_at, ends_at, rng)
            session_rows.append({
                "programme_id": programme.id, "course_id": course_id, "region_id": region.id,
                "trainer_id": trainer_id, "uid": f"pending-{programme.id}-{len(session_rows)}",
                "time_zone": region.time_zone, "local_start": local_start, "duration_minutes": minutes,
                "starts_at": starts_at, "ends_at": ends_at, "location": f"{region.name}, training room",
                "online_url": "", "capacity": min(1000, size + 2), "status": SessionStatus.SCHEDULED,
                "cancel_note": "", "sequence": 0,
                "roster_completed_at": ends_at if ends_at < now else None,
                "trainer_email_sent": frame.trainer_emails.get(trainer_id), "trainer_sequence_sent": 0 if trainer_id else None,
                "trainer_method_sent": "REQUEST" if trainer_id else None})
            seats.append(needing[index * size:(index + 1) * size])
    session_ids = insert_returning_ids(TrainingSession, session_rows)
    table = TrainingSession.__table__
    db.session.execute(update(table).where(table.c.id == bindparam("session_id")).values(uid=bindparam("new_uid")),
                       [{"session_id": session_id, "new_uid": session_uid(session_id)} for session_id in session_ids])
    enrolments, marks = [], []
    statuses, weights = zip(*MARKS)
    for session_id, row, person_ids in zip(session_ids, session_rows, seats):
        for person_id in person_ids:
            enrolments.append({"session_id": session_id, "person_id": person_id, "status": EnrolmentStatus.ENROLLED,
                               "last_sequence_sent": 0, "last_method_sent": "REQUEST"})
            if row["ends_at"] < now:
                marks.append({"session_id": session_id, "person_id": person_id, "note": "", "source": "trainer",
                              "status": rng.choices(statuses, weights)[0], "marked_by_id": row["trainer_id"],
                              "marked_at": row["ends_at"]})
    insert_rows(Enrolment, enrolments)
    insert_rows(AttendanceMark, marks)
    return {"training_session": len(session_rows), "enrolment": len(enrolments), "attendance_mark": len(marks)}


def _free_trainer(busy: dict, starts_at: datetime, ends_at: datetime, rng) -> int | None:
    """A trainer with nothing else at that time (no trainer in two places at once)."""
    trainers = list(busy)
    offset = rng.randrange(len(trainers))
    for trainer in trainers[offset:] + trainers[:offset]:
        if all(ends_at <= start or starts_at >= end for start, end in busy[trainer]):
            busy[trainer].append((starts_at, ends_at))
            return trainer
    return None
