"""Change requests: scope, schedule, process and other changes, assessed, decided by the steering committee in a
meeting, then implemented or rejected."""
from flask import Blueprint

bp = Blueprint("changes", __name__)

from planner.changes import views  # noqa: E402,F401
