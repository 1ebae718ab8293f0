from flask import Blueprint

bp = Blueprint("lifecycle", __name__)

from planner.lifecycle import views  # noqa: E402,F401
