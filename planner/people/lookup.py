"""The people lookup: suggestions for the person search box (planner/people/picker.py) as one types."""
from flask import jsonify, request

from planner.core.permissions import Permission, login_required
from planner.extensions import db
from planner.people import bp
from planner.people.picker import LOOKUP_LIMIT, people_matching, person_label
from planner.programmes.loading import load_programme

#: longer text names nobody; it is cut rather than refused
MAX_QUERY_LENGTH = 200


@bp.route("/programmes/<int:programme_id>/people/lookup")
@login_required
def lookup_people(programme_id: int):
    """``?q=text&limit=N``: ``{"people": [{"id", "label"}]}``, at most 20 of the programme's people whose name or
    email contains the text (any case), those starting with it first, then by name. Blank text: nobody."""
    programme = load_programme(programme_id, Permission.PEOPLE_VIEW)
    text = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    limit = min(max(request.args.get("limit", LOOKUP_LIMIT, type=int) or LOOKUP_LIMIT, 1), LOOKUP_LIMIT)
    rows = db.session.execute(people_matching(programme.id, text).limit(limit)).all() if text else []
    response = jsonify(people=[{"id": pid, "label": person_label(name, email)} for pid, name, email in rows])
    response.headers["Cache-Control"] = "private, no-store"
    return response
