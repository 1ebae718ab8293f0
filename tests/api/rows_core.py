"""API role rows of the core resources (found by tests/api/test_api_access.py: every ``rows_*.py`` module here).

A module gives ``ROWS``: (endpoint, method) -> one status per role of ``ROLES`` in test_api_access.py (admin,
pm, pm_other, committee, trainer, viewer, none), for a call with the role's token and the body ``{}``; and
``ITEMS``: resource name -> a function that makes one record in the programme through the services (inside an
app context; the caller commits) and returns its id, used for ``<item_id>``.
"""
import itertools

from sqlalchemy import select

from planner.extensions import db
from planner.lifecycle.models import Stage

#: reading: every role in the programme
READ = (200, 200, 404, 200, 200, 200, 404)
#: writing with the body {}: a create misses its required fields (422), a PATCH of nothing changes nothing (200)
CREATE = (422, 422, 404, 403, 403, 403, 404)
UPDATE = (200, 200, 404, 403, 403, 403, 404)
DELETE = (204, 204, 404, 403, 403, 403, 404)
EVERYONE = (200, 200, 200, 200, 200, 200, 200)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                   admin  pm  pm_other committee trainer viewer none
    ("api.me", "GET"):                   EVERYONE,
    ("api.openapi", "GET"):              EVERYONE,
    ("api.programmes_list", "GET"):      EVERYONE,
    ("api.programmes_create", "POST"):   (422, 403, 403, 403, 403, 403, 403),
    ("api.programmes_read", "GET"):      READ,
    ("api.programmes_update", "PATCH"):  UPDATE,
    ("api.programmes_delete", "DELETE"): (204, 403, 404, 403, 403, 403, 404),
    ("api.regions_list", "GET"):         READ,
    ("api.regions_create", "POST"):      CREATE,
    ("api.regions_read", "GET"):         READ,
    ("api.regions_update", "PATCH"):     UPDATE,
    ("api.regions_delete", "DELETE"):    DELETE,
    ("api.stages_list", "GET"):          READ,
    ("api.stages_read", "GET"):          READ,
    ("api.stages_update", "PATCH"):      UPDATE,
    ("api.risks_list", "GET"):           READ,
    ("api.risks_create", "POST"):        CREATE,
    ("api.risks_read", "GET"):           READ,
    ("api.risks_update", "PATCH"):       UPDATE,
    ("api.risks_delete", "DELETE"):      DELETE,
}


def _region(programme) -> int:
    from planner.programmes import services

    return services.create_region(programme, name=f"Access region {next(_numbers)}", tier="standard", time_zone="UTC", headcount=1,
                                  site_notes="").id


_numbers = itertools.count(1)


def _stage(programme) -> int:
    return db.session.scalar(select(Stage.id).where(Stage.programme_id == programme.id).order_by(Stage.number))


def _risk(programme) -> int:
    from planner.risks import services

    return services.create_risk(programme, title="Access risk", category="scope", likelihood=1, impact=1).id


ITEMS = {"regions": _region, "stages": _stage, "risks": _risk}
