from flask import Blueprint

bp = Blueprint("committee", __name__)

from planner.committee import meeting_views, views  # noqa: E402,F401
