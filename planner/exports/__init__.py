"""Programme exports: every register (plan, stages, waves, milestones, risks, decisions, actions, training) as CSV,
and all of them as one XLSX workbook, safe to open in a spreadsheet."""
from flask import Blueprint

bp = Blueprint("exports", __name__)

from planner.exports import views  # noqa: E402,F401
