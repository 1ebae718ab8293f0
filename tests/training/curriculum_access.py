"""Access-matrix rows for the curriculum pages (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the
login page. POSTs carry a valid CSRF token and no other field.

The statuses assume the world ``curriculum_objects`` builds in each programme (the ids it returns fill
the placeholders course_id and requirement_id):
- course_id is a course with no sessions (deleting it is done: 302), posted empty its edit form is refused
  (no title: 422);
- requirement_id is its one requirement, "Sales representative" in any department, so adding a requirement
  with both fields empty ("everyone") is done (302).
Reading needs PROGRAMME_VIEW (every role of the programme); writing needs TRAINING_MANAGE (project managers).
"""
from planner.training.models import Course, CourseRequirement

LOGIN = "login"

#: reading: every role in the programme
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
#: TRAINING_MANAGE (project managers): a form page, a form posted empty (422), an action needing no field (302)
MANAGE_GET = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
MANAGE_POST = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
MANAGE_ACTION = (LOGIN, 302, 302, 404, 403, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("training.list_courses", "GET"):                 READ,
    ("training.new_course", "GET"):                   MANAGE_GET,
    ("training.new_course", "POST"):                  MANAGE_POST,
    ("training.show_course", "GET"):                  READ,
    ("training.edit_course", "GET"):                  MANAGE_GET,
    ("training.edit_course", "POST"):                 MANAGE_POST,
    ("training.delete_course", "GET"):                MANAGE_GET,
    ("training.delete_course", "POST"):               MANAGE_ACTION,
    ("training.add_requirement", "POST"):             MANAGE_ACTION,  # both empty: everyone
    ("training.delete_requirement", "POST"):          MANAGE_ACTION,
    ("training.requirements", "GET"):                 READ,
}

#: delete endpoints -> (model, placeholder): an allowed POST must really delete the object
DELETES: dict = {
    "training.delete_course": (Course, "course_id"),
    "training.delete_requirement": (CourseRequirement, "requirement_id"),
}

#: placeholder -> model, for the check that another programme's objects are out of reach
OBJECT_KEYS: dict = {"course_id": Course, "requirement_id": CourseRequirement}


def curriculum_objects(programme) -> dict[str, int]:
    """The curriculum objects the rows above assume, made through the services (call inside an app context,
    with ``programme`` attached to the session; the caller commits)."""
    from planner.training import services

    course = services.create_course(programme, title="Selling with Helix", description="", duration_minutes=120,
                                    format="classroom", material_links="https://video.example.com/helix")
    requirement = services.add_requirement(course, job_role="Sales representative", department_id=None)
    return {"course_id": course.id, "requirement_id": requirement.id}
