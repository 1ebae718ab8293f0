from flask import Blueprint

bp = Blueprint("risks", __name__)

from planner.risks import views  # noqa: E402,F401
