from flask import Blueprint

bp = Blueprint("comms", __name__)

from planner.comms import audience_views  # noqa: E402,F401
from planner.comms import views  # noqa: E402,F401
from planner.comms import status_views  # noqa: E402,F401
