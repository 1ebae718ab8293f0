from flask import Blueprint

bp = Blueprint("programmes", __name__)

from planner.programmes import views  # noqa: E402,F401
