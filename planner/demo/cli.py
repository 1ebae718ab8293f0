"""``flask --app planner demo``: load the demo programme and print its logins."""
import click
from flask import Blueprint, current_app

from planner.demo.loader import load_demo
from planner.extensions import db

bp = Blueprint("demo_cli", __name__, cli_group=None)


@bp.cli.command("demo")
def demo_command():
    """Load the demo programme (safe to run again: nothing that exists is changed)."""
    password = current_app.config["DEMO_PASSWORD"]
    result = load_demo(password)
    db.session.commit()
    created = ", ".join(f"{count} {what}" for what, count in result["created"].items() if count) or "nothing new"
    click.echo(f"Demo programme: {result['programme'].name} ({created}).")
    click.echo(f"Demo logins (password: {password}):")
    for email, roles in result["logins"]:
        click.echo(f"  {email:<22} {roles}")
