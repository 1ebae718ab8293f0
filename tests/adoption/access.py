"""Access-matrix rows for the adoption pages (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the login page.
POSTs carry a valid CSRF token and no other field.

The statuses assume the world ``adoption_objects`` builds in each programme: adoption_figure_id is a figure
of the programme's first region for this week, super_user_id a super-user of that region (removing needs no
field: 302). The nomination form uses the matrix's own region_id; the chart's <fmt> is the matrix's "png".
"""
from sqlalchemy import select

from planner.adoption import services
from planner.adoption.models import AdoptionFigure
from planner.core import clock
from planner.extensions import db
from planner.people import services as people_services
from planner.people.models import Person
from planner.programmes.models import Region

LOGIN = "login"

#: reading: every role in the programme (figures and flags carry no personal data)
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
#: ADOPTION_MANAGE (project managers): a form page, a form posted empty (422), an action needing no field (302)
MANAGE_GET = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
MANAGE_POST = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
MANAGE_ACTION = (LOGIN, 302, 302, 404, 403, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("adoption.show_adoption", "GET"):                READ,
    ("adoption.record_figure", "GET"):                MANAGE_GET,
    ("adoption.record_figure", "POST"):               MANAGE_POST,
    ("adoption.edit_figure", "GET"):                  MANAGE_GET,
    ("adoption.edit_figure", "POST"):                 MANAGE_POST,
    ("adoption.delete_figure", "GET"):                MANAGE_GET,
    ("adoption.delete_figure", "POST"):               MANAGE_ACTION,
    ("adoption.import_figures", "GET"):               MANAGE_GET,
    ("adoption.import_figures", "POST"):              MANAGE_POST,
    ("adoption.confirm_import_figures", "POST"):      MANAGE_POST,   # no file text: asked to upload again
    ("adoption.export_figures", "GET"):               READ,
    ("adoption.adoption_chart", "GET"):               READ,
    ("adoption.show_super_users", "GET"):             READ,
    ("adoption.nominate_super_user", "GET"):          MANAGE_GET,
    ("adoption.nominate_super_user", "POST"):         MANAGE_POST,
    ("adoption.remove_super_user", "POST"):           MANAGE_ACTION,
}

#: delete endpoints -> (model, placeholder): a successful POST must really delete the object
DELETES = {
    "adoption.delete_figure": (AdoptionFigure, "adoption_figure_id"),
}

#: placeholder -> model, for the test that another programme's objects are 404 through this one's URLs
OBJECT_KEYS = {"adoption_figure_id": AdoptionFigure, "super_user_id": Person}


def adoption_objects(programme) -> dict[str, int]:
    """One adoption figure and one super-user in the programme's first region, made through the services inside
    the caller's app context (the caller commits); returns the placeholder values."""
    region = db.session.scalar(select(Region).where(Region.programme_id == programme.id).order_by(Region.id))
    figure = services.record_figure(programme, region_id=region.id, week=clock.today(), active_users=3,
                                    licensed_users=4)
    person = people_services.create_person(
        programme, full_name="Sue Expert", email=f"sue.expert.{programme.id}@example.com", department_id=None,
        job_role="Sales representative", region_id=region.id, is_super_user=False)
    db.session.flush()
    services.set_super_user(programme, person, True)
    return {"adoption_figure_id": figure.id, "super_user_id": person.id}
