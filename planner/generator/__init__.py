"""Synthetic data for proof at scale: ``flask --app planner generate --scale N [--seed S] [--name NAME]``."""
import click
from flask import Blueprint, current_app

from planner.core import clock
from planner.core.errors import DomainError
from planner.extensions import db

bp = Blueprint("generator", __name__, cli_group=None)


@bp.cli.command("generate")
@click.option("--scale", type=click.FloatRange(min=0, min_open=True), required=True,
              help="1 is about 10 regions and 2,000 people; 10 is ten times that; fractions allowed.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same programme.")
@click.option("--name", default=None, help="The programme's name (default: from scale and seed).")
def generate_command(scale: float, seed: int, name: str | None):
    """Create one new synthetic programme, mid-rollout today; other programmes are not touched."""
    from planner.generator.run import generate_programme

    try:
        result = generate_programme(scale=scale, seed=seed, today=clock.today(), name=name)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    programme = result["programme"]
    click.echo(f"Generated {programme.name} (id {programme.id}) in {result['seconds']:.1f} s:")
    for label, count in result["counts"].items():
        click.echo(f"  {label:<22} {count:>8}")
    click.echo(f"Logins (password: {current_app.config['DEMO_PASSWORD']}):")
    for email, role in result["logins"]:
        click.echo(f"  {email:<48} {role}")
