"""The rollout health check: rules that watch for the known ways rollouts fail, with findings, evidence and
advice; per-programme thresholds; acknowledgements that hold until a finding gets worse."""
from flask import Blueprint

#: ``cli_group=None``: the blueprint's command (``flask health-check``) sits at the top level
bp = Blueprint("health", __name__, cli_group=None)

from planner.health import cli, views  # noqa: E402,F401  (registers the routes and the command)
