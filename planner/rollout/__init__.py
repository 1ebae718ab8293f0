from flask import Blueprint

bp = Blueprint("rollout", __name__)

from planner.rollout import plan_views, views  # noqa: E402,F401
