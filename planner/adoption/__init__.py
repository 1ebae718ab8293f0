from flask import Blueprint

bp = Blueprint("adoption", __name__)
from planner.adoption import views  # noqa: E402,F401
