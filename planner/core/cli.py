"""Operations commands: backup and restore, and the mail sender."""
import signal
import threading
from pathlib import Path

import click
from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from planner.core.backup import BackupNotSupported, backup_sqlite, restore_sqlite
from planner.extensions import db

bp = Blueprint("core_cli", __name__, cli_group=None)

#: messages claimed per delivery pass
BATCH_SIZE = 100


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


@bp.cli.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped (Ctrl+C or SIGTERM).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds between delivery passes with --loop.")
def send_mail_command(loop: bool, interval: float):
    """Deliver the emails that are due from the outbox, once or (--loop) continuously."""
    from planner.core.outbox import deliver_due

    if not loop:
        click.echo(str(deliver_due(limit=BATCH_SIZE)))
        return
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_args: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    click.echo(f"Delivering every {interval:g} seconds; Ctrl+C stops.")
    try:
        while not stop.is_set():
            try:
                report = deliver_due(limit=BATCH_SIZE)
            except SQLAlchemyError as error:  # the database is away for a moment: try again next pass
                db.session.rollback()
                click.echo(f"Database error, trying again shortly: {error.__class__.__name__}: {error}", err=True)
            else:
                handled = report.sent + report.retried + report.failed
                if handled:
                    click.echo(str(report))
                if handled >= BATCH_SIZE:
                    continue  # more may be due: no pause
            stop.wait(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        db.session.remove()
    click.echo("Stopped.")
