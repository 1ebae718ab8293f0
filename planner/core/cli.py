"""Operations commands: backup and restore."""
from pathlib import Path

import click
from flask import Blueprint

from planner.core.backup import BackupNotSupported, backup_sqlite, restore_sqlite
from planner.extensions import db

bp = Blueprint("core_cli", __name__, cli_group=None)


@bp.cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path):
    """Back up the database to PATH while the planner keeps running (SQLite)."""
    try:
        pages = backup_sqlite(db.engine, path)
    except BackupNotSupported as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {pages} pages to {path}")


@bp.cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool):
    """Replace the database with the backup at PATH (SQLite). Stop the app first."""
    if not yes:
        click.confirm("This replaces everything in the database. Go on?", abort=True)
    try:
        restore_sqlite(db.engine, path)
    except BackupNotSupported as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored from {path}. Run 'flask --app planner db upgrade' if the backup is older.")
