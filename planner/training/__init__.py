from flask import Blueprint

bp = Blueprint("training", __name__)

from planner.training import views  # noqa: E402,F401
from planner.training import session_views  # noqa: E402,F401
from planner.training import planner_views  # noqa: E402,F401
from planner.training import checkin_views  # noqa: E402,F401
from planner.training import enrolment_views  # noqa: E402,F401
from planner.training import readiness_views  # noqa: E402,F401
