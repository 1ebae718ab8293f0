from flask import Blueprint

bp = Blueprint("training", __name__)

from planner.training import views  # noqa: E402,F401
from planner.training import session_views  # noqa: E402,F401
