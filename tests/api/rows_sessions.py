"""API role rows of the training sessions resource and its actions (format: tests/api/rows_core.py)."""
import itertools
from datetime import date, time

from tests.api.rows_core import CREATE, READ, UPDATE
from tests.api.rows_courses import make_course

#: an action for training managers that works on a fresh session with the body {}
MANAGE = (200, 200, 404, 403, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                       admin  pm  pm_other committee trainer viewer none
    ("api.sessions_list", "GET"):            READ,
    ("api.sessions_create", "POST"):         CREATE,
    ("api.sessions_read", "GET"):            READ,
    ("api.sessions_update", "PATCH"):        UPDATE,
    ("api.sessions_schedule", "POST"):       MANAGE,
    ("api.sessions_cancel", "POST"):         CREATE,  # {} has no reason: 422
}

_numbers = itertools.count(1)


def make_session(programme):
    """A proposed session (far ahead, so enrolment is open and marking is not) of a new course in a new region."""
    from planner.extensions import db
    from planner.programmes import services as programme_services
    from planner.training import sessions
    from planner.training.models import Course

    region = programme_services.create_region(programme, name=f"Session region {next(_numbers)}", tier="standard",
                                              time_zone="UTC", headcount=1, site_notes="")
    course = db.session.get(Course, make_course(programme))
    return sessions.create_session(programme, course_id=course.id, region_id=region.id, trainer_id=None,
                                   start_on=date(2090, 3, 6), start_time=time(10), duration_minutes=None,
                                   location="Room 1", online_url="", capacity=5)


ITEMS = {"sessions": lambda programme: make_session(programme).id}


# --- helpers the session, enrolment and attendance tests share (each commits, returns ids) ---------------------

def add_session(app, programme, *, start_on=date(2090, 3, 6), start_time=time(10), capacity=5, trainer_id=None,
                course_id=None, region_id=None, people=0) -> dict:
    """A proposed session in a new UTC region (or ``region_id``) of a new course (or ``course_id``), with
    ``people`` new people enrolled: {"session", "course", "region", "people": [ids]}."""
    from planner.extensions import db
    from planner.people import services as people_services
    from planner.programmes import services as programme_services
    from planner.programmes.models import Programme
    from planner.training import sessions

    with app.app_context():
        target = db.session.get(Programme, programme.id)
        if region_id is None:
            region_id = programme_services.create_region(target, name=f"Session region {next(_numbers)}",
                                                         tier="standard", time_zone="UTC", headcount=1,
                                                         site_notes="").id
        course_id = course_id or make_course(target)
        session = sessions.create_session(target, course_id=course_id, region_id=region_id, trainer_id=trainer_id,
                                          start_on=start_on, start_time=start_time, duration_minutes=None,
                                          location="Room 1", online_url="", capacity=capacity)
        person_ids = []
        for _n in range(people):
            n = next(_numbers)
            person = people_services.create_person(
                target, full_name=f"Trainee {n}", email=f"session-trainee{n}@example.com", department_id=None,
                job_role="", region_id=region_id, is_super_user=False)
            sessions.enrol_person(session, person.id)
            person_ids.append(person.id)
        db.session.commit()
        return {"session": session.id, "course": course_id, "region": region_id, "people": person_ids}
