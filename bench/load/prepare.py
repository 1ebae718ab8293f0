"""Give the load test its own logins in a generated programme, through the app's services (never raw SQL).

    python bench/load/prepare.py --programme-id ID --editors N --trainers N --browsers N --out accounts.json

Runs with the same environment as the server (DATABASE_URL, PLANNER_ENV, SECRET_KEY...). Each simulated user
gets its own account so nobody edits what another simulated user edits:

- an *editor* is a project manager with a one-off committee meeting of their own, scheduled through the same
  service as the "Schedule and send invitations" button; they edit the agenda of its occurrence;
- a *trainer* holds the trainer role and gives one session of their own that ended an hour ago (attendance
  is open for 7 days after a session), with 20 people of the region enrolled through the enrolment service;
- a *browser* is a committee member, project manager or viewer (in turn) who reads pages.

The accounts, their password (the demo password) and a sample of ids to browse (generated meetings,
occurrences, training sessions) are written as JSON for the locustfile. One commit at the end: all or nothing.
"""
import argparse
import json
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from planner import create_app  # noqa: E402

ENROLLED_PER_SESSION = 20
BROWSER_ROLES = ("committee_member", "project_manager", "viewer")
SAMPLE_SIZE = 20


def _email(kind: str, number: int, programme_id: int) -> str:
    return f"load.{kind}{number}.p{programme_id}@generated.example.com"


def _new_user(email: str, password: str, programme, role: str):
    from planner.auth import services as auth_services
    from planner.programmes import services as programme_services

    user = auth_services.create_user(email, password)
    programme_services.grant_role(programme, user, role)
    return user


def _editor_meeting(programme, committee, user, number: int):
    """A one-off meeting a fortnight ahead, scheduled (invitations queued in the outbox, nothing sent)."""
    from planner.committee import scheduling
    from planner.core import clock

    day = clock.today() + timedelta(days=14 + number // 8)
    plan = scheduling.MeetingPlan(
        title=f"Load test working session {number}", description="Agenda edited by the load test.",
        local_start=datetime.combine(day, time(9 + number % 8, 0)), time_zone=programme.home_time_zone,
        duration_minutes=60, location="Board room")
    meeting = scheduling.schedule_meeting(committee, plan, organiser_id=user.id, send_now=True)
    return meeting.occurrences[0]


def _trainer_session(programme, course, region, user, people_ids: list[int]):
    """A session given by ``user`` that ended an hour ago in the region's time zone, people enrolled, scheduled."""
    from planner.core import clock
    from planner.core.errors import DomainError
    from planner.training import sessions

    zone = ZoneInfo(region.time_zone)
    minutes = course.duration_minutes
    start = (clock.now() - timedelta(minutes=minutes + 60)).astimezone(zone).replace(tzinfo=None, second=0,
                                                                                      microsecond=0)
    for shift in range(4):  # a wall time skipped by a daylight-saving change is refused: try an hour earlier
        local = start - timedelta(hours=shift)
        try:
            session = sessions.create_session(
                programme, course_id=course.id, region_id=region.id, trainer_id=user.id, start_on=local.date(),
                start_time=local.time(), duration_minutes=None, location=f"{region.name}, load test room",
                online_url="", capacity=ENROLLED_PER_SESSION + 5)
            break
        except DomainError as error:
            if error.field != "start_time":
                raise
    else:
        raise RuntimeError(f"no valid start time for a session in {region.time_zone}")
    for person_id in people_ids:
        sessions.enrol_person(session, person_id)
    sessions.schedule_session(session)
    return session


def prepare(programme_id: int, editors: int, trainers: int, browsers: int) -> dict:
    from flask import current_app

    from planner.committee.models import Meeting, MeetingOccurrence
    from planner.committee.queries import committee_of
    from planner.extensions import db
    from planner.people.models import Person
    from planner.programmes.models import Programme, Region
    from planner.training.models import Course, TrainingSession

    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise SystemExit(f"no programme {programme_id}")
    password = current_app.config["DEMO_PASSWORD"]
    committee = committee_of(programme.id)
    result = {"programme_id": programme.id, "password": password, "editors": [], "trainers": [], "browsers": []}

    for number in range(1, editors + 1):
        user = _new_user(_email("editor", number, programme.id), password, programme, "project_manager")
        occurrence = _editor_meeting(programme, committee, user, number)
        result["editors"].append({"email": user.email, "occurrence_id": occurrence.id,
                                  "meeting_id": occurrence.meeting_id})

    course = db.session.scalars(select(Course).where(Course.programme_id == programme.id)
                                .order_by(Course.id)).first()
    regions = db.session.scalars(select(Region).where(Region.programme_id == programme.id)
                                 .order_by(Region.id)).all()
    used: set[int] = set()
    for number in range(1, trainers + 1):
        region = regions[(number - 1) % len(regions)]
        people_ids = [person_id for person_id in db.session.scalars(
            select(Person.id).where(Person.programme_id == programme.id, Person.region_id == region.id)
            .order_by(Person.id)) if person_id not in used][:ENROLLED_PER_SESSION]
        used.update(people_ids)
        user = _new_user(_email("trainer", number, programme.id), password, programme, "trainer")
        session = _trainer_session(programme, course, region, user, people_ids)
        result["trainers"].append({"email": user.email, "session_id": session.id, "enrolled": len(people_ids)})

    for number in range(1, browsers + 1):
        role = BROWSER_ROLES[(number - 1) % len(BROWSER_ROLES)]
        user = _new_user(_email("browser", number, programme.id), password, programme, role)
        result["browsers"].append({"email": user.email, "role": role})

    db.session.flush()
    load_meetings = {entry["meeting_id"] for entry in result["editors"]}
    result["meeting_ids"] = [meeting_id for meeting_id in db.session.scalars(
        select(Meeting.id).where(Meeting.programme_id == programme.id).order_by(Meeting.id))
        if meeting_id not in load_meetings][:SAMPLE_SIZE]
    result["occurrence_ids"] = db.session.scalars(
        select(MeetingOccurrence.id).where(MeetingOccurrence.meeting_id.in_(result["meeting_ids"]))
        .order_by(MeetingOccurrence.id)).all()[::3][:SAMPLE_SIZE]
    result["session_ids"] = db.session.scalars(
        select(TrainingSession.id).where(TrainingSession.programme_id == programme.id)
        .order_by(TrainingSession.id)).all()[::10][:SAMPLE_SIZE]
    db.session.commit()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programme-id", type=int, required=True)
    parser.add_argument("--editors", type=int, required=True)
    parser.add_argument("--trainers", type=int, required=True)
    parser.add_argument("--browsers", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        result = prepare(args.programme_id, args.editors, args.trainers, args.browsers)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"prepared {len(result['editors'])} editors, {len(result['trainers'])} trainers, "
          f"{len(result['browsers'])} browsers in programme {result['programme_id']}")


if __name__ == "__main__":
    main()
