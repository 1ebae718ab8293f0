"""Dashboards per role (issue 8): one page per programme whose sections follow the user's roles in it."""
from flask import Blueprint

bp = Blueprint("dashboards", __name__)

from planner.dashboards import views  # noqa: E402,F401
