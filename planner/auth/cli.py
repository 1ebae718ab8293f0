"""Account commands."""
import click
from flask import Blueprint

from planner.auth import services
from planner.core.errors import DomainError

bp = Blueprint("auth_cli", __name__, cli_group=None)


@bp.cli.command("create-user")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Make the user an administrator of the whole planner.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 12 characters; asked for when not given.")
def create_user_command(email: str, admin: bool, password: str):
    """Create a user account."""
    from planner.extensions import db

    try:
        user = services.create_user(email, password, is_admin=admin)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Created {'admin ' if user.is_admin else ''}user {user.email}")
