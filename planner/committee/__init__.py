from flask import Blueprint

bp = Blueprint("committee", __name__)

from planner.committee import views  # noqa: E402,F401
