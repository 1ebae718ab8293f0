from flask import Blueprint

bp = Blueprint("people", __name__)

from planner.people import lookup, views  # noqa: E402,F401
