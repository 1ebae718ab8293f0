from flask import Blueprint

bp = Blueprint("people", __name__)

from planner.people import views  # noqa: E402,F401
