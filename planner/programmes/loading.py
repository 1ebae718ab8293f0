"""Loading a programme, or an object inside one, for the current user: 404 when out of reach."""
from flask import abort

from planner.core.permissions import Permission, require
from planner.extensions import db
from planner.programmes.models import Programme


def load_programme(programme_id: int, permission: Permission) -> Programme:
    """The programme, if the current user may do ``permission`` in it."""
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        abort(404)
    require(permission, programme)
    return programme


def load_in_programme(model, programme_id: int, object_id: int, permission: Permission):
    """An object of ``model`` that belongs to the programme in the URL, checked for ``permission``."""
    programme = load_programme(programme_id, permission)
    obj = db.session.get(model, object_id)
    if obj is None or obj.programme_id != programme.id:
        abort(404)
    return programme, obj
