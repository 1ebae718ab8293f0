"""Job roles match without regard to case in every language, in SQL as in Python (SQLite's lower() folds
only ASCII; the stored key is folded in Python)."""
from sqlalchemy import select

from planner.extensions import db
from planner.people import services as people_services
from planner.people.models import Person
from planner.programmes.models import Programme
from planner.training import queries, services
from planner.training.models import Course
from tests.training.test_sessions_helpers import make_course


def test_a_requirement_reaches_people_whatever_the_case_of_their_role(app, factories):
    programme = factories.programme()
    field = factories.person(programme, "Jana", job_role="AUSSENDIENST")
    doctor = factories.person(programme, "Lea", job_role="  ärztin ")
    factories.person(programme, "Ola", job_role="Innendienst")
    course_id = make_course(app, programme)
    with app.app_context():
        course = db.session.get(Course, course_id)
        services.add_requirement(course, job_role="Außendienst", department_id=None)
        services.add_requirement(course, job_role="Ärztin", department_id=None)
        db.session.flush()
        needing = set(db.session.scalars(queries.required_person_ids(course)))
        assert needing == {field.id, doctor.id}
        people = {person.id: person for person in db.session.scalars(select(Person))}
        python_view = {person_id for person_id, person in people.items()
                       if any(requirement.matches(person) for requirement in course.requirements)}
        assert python_view == needing
        assert [c.id for c in queries.needed_courses(people[field.id])] == [course_id]
        db.session.rollback()


def test_the_key_follows_every_change_of_the_role(app, factories):
    programme = factories.programme()
    person = factories.person(programme, job_role="Sales Representative")
    with app.app_context():
        target = db.session.get(Person, person.id)
        assert target.job_role_key == "sales representative"
        people_services.update_person(target, expected_version=None, full_name=target.full_name,
                                      email=target.email, department_id=None, job_role="Straße  Team",
                                      region_id=None, is_super_user=False)
        db.session.flush()
        assert db.session.scalar(select(Person.job_role_key).where(Person.id == person.id)) == "strasse team"
        assert db.session.get(Programme, programme.id) is not None
        db.session.rollback()
