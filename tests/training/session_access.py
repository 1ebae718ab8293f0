"""Access-matrix rows for the session, roster and trainer pages (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the
login page. POSTs carry a valid CSRF token and no other field.

The statuses assume the world ``session_objects`` builds in each programme (the ids it returns fill the
placeholders session_id and enrolment_id):
- session_id is a SCHEDULED session that started an hour ago (its roster is open for marking), given by a
  trainer of its own: the matrix's "trainer" column is another trainer of the programme, so the roster is 403
  for them; scheduling it again is refused (422);
- enrolment_id is a person of its own, enrolled and not marked: removing needs no field (302), "mark all
  present" marks them (302), completing the roster is refused while they are unmarked (422).
"""
from datetime import timedelta

from planner.training.models import Enrolment, TrainingSession

LOGIN = "login"

#: reading: every role in the programme
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
#: TRAINING_MANAGE (project managers): a form page, a form posted empty (422), an action needing no field (302)
MANAGE_GET = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
MANAGE_POST = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
MANAGE_ACTION = (LOGIN, 302, 302, 404, 403, 403, 403, 404)
#: ATTENDANCE_MARK and the session's own trainer (the "trainer" column is another trainer: 403)
MARK_GET = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
MARK_POST = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
MARK_ACTION = (LOGIN, 302, 302, 404, 403, 403, 403, 404)
#: any logged-in user
ANY_USER = (LOGIN, 200, 200, 200, 200, 200, 200, 200)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("training.list_sessions", "GET"):                READ,
    ("training.new_session", "GET"):                  MANAGE_GET,
    ("training.new_session", "POST"):                 MANAGE_POST,
    ("training.show_session", "GET"):                 READ,
    ("training.edit_session", "GET"):                 MANAGE_GET,
    ("training.edit_session", "POST"):                MANAGE_POST,
    ("training.enrol_person", "POST"):                MANAGE_POST,
    ("training.remove_enrolment", "POST"):            MANAGE_ACTION,
    ("training.schedule_session", "POST"):            MANAGE_POST,   # already scheduled
    ("training.show_roster", "GET"):                  MARK_GET,
    ("training.mark_attendance", "POST"):             MARK_POST,
    ("training.mark_all_present", "POST"):            MARK_ACTION,
    ("training.complete_roster", "POST"):             MARK_POST,     # someone is unmarked
    ("training.my_sessions", "GET"):                  ANY_USER,
}

#: no delete endpoints (removing an enrolment keeps the row, REMOVED)
DELETES: dict = {}

#: placeholder -> model, for the check that another programme's objects are out of reach
OBJECT_KEYS: dict = {"session_id": TrainingSession, "enrolment_id": Enrolment}


def session_objects(programme) -> dict[str, int]:
    """The session objects the rows above assume, made through the services (call inside an app context, with
    ``programme`` attached to the session; the caller commits). The trainee and the trainer are of their own."""
    from sqlalchemy import select

    from planner.auth import services as auth_services
    from planner.core import clock
    from planner.extensions import db
    from planner.people import services as people_services
    from planner.programmes import services as programme_services
    from planner.programmes.models import Region
    from planner.training import sessions
    from planner.training.models import Course

    region = db.session.scalar(select(Region).where(Region.programme_id == programme.id).order_by(Region.id)
                               .limit(1))
    course = Course(programme_id=programme.id, title="Helix CRM basics", duration_minutes=180)
    db.session.add(course)
    trainer = auth_services.create_user(f"session.trainer.{programme.id}@example.com", "correct horse battery staple")
    db.session.flush()
    programme_services.grant_role(programme, trainer, "trainer")
    trainee = people_services.create_person(programme, full_name="Tessa Lind",
                                            email=f"trainee.{programme.id}@example.com", department_id=None,
                                            job_role="Sales representative", region_id=region.id,
                                            is_super_user=False)
    db.session.flush()
    local_now = clock.now().astimezone(region_zone(region)).replace(tzinfo=None)
    start = (local_now - timedelta(hours=1)).replace(second=0, microsecond=0)
    session = sessions.create_session(programme, course_id=course.id, region_id=region.id, trainer_id=trainer.id,
                                      start_on=start.date(), start_time=start.time(), duration_minutes=180,
                                      location="Room 1", online_url="", capacity=12)
    sessions.schedule_session(session)
    enrolment = sessions.enrol_person(session, trainee.id)
    db.session.flush()
    return {"session_id": session.id, "enrolment_id": enrolment.id}


def region_zone(region):
    from zoneinfo import ZoneInfo

    return ZoneInfo(region.time_zone)

