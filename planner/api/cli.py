"""``flask --app planner create-api-token EMAIL [--name NAME]``: a token for a script, printed as the last word."""
import click
from flask import Blueprint

from planner.api.tokens import create_api_token
from planner.auth.services import find_user_by_email
from planner.core.errors import DomainError
from planner.extensions import db

bp = Blueprint("api_cli", __name__, cli_group=None)


@bp.cli.command("create-api-token")
@click.argument("email")
@click.option("--name", default="Command line", show_default=True, help="What the token is for.")
def create_api_token_command(email: str, name: str):
    """Create a personal API token for the user with EMAIL and print it (it is shown only this once)."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        raise click.ClickException(f"No active user with the email {email}.")
    try:
        row, token = create_api_token(user, name)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"API token {row.name!r} for {user.email} (shown only now; send it as Authorization: Bearer): "
               f"{token}")
