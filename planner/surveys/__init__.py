"""Readiness surveys (ADKAR: awareness, desire, knowledge, ability, reinforcement, each scored 1-5) per audience
and region, answered through a signed link or entered from paper."""
from flask import Blueprint

bp = Blueprint("surveys", __name__)

from planner.surveys import views  # noqa: E402,F401
