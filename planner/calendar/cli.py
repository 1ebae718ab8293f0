"""Calendar commands: a user's feed URL, extending never-ending meeting series, and taking in iTIP replies.

``flask --app planner feed-url EMAIL``, ``roll-meetings`` and ``receive-replies FILE... | --imap``.
"""
import imaplib
import ssl
from dataclasses import dataclass
from pathlib import Path

import click
from flask import Blueprint, current_app
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from planner.auth.services import find_user_by_email
from planner.calendar import intake, tokens
from planner.calendar.replies import ReplyError
from planner.committee.models import Meeting, MeetingStatus
from planner.committee import invitations
from planner.committee.scheduling import ensure_occurrences
from planner.core.errors import DomainError, database_unavailable, write_conflict
from planner.extensions import db

bp = Blueprint("calendar_cli", __name__, cli_group=None)


@bp.cli.command("feed-url")
@click.argument("email")
def feed_url_command(email: str):
    """Print the calendar-feed URLs of the user with EMAIL (https, then webcal), creating them if needed."""
    user = find_user_by_email(email)
    if user is None:
        click.echo(f"No user has the email address {email}.", err=True)
        raise click.exceptions.Exit(1)
    tokens.ensure_feed_token(user)
    db.session.commit()
    web, webcal = tokens.feed_urls(user)
    click.echo(web)
    click.echo(webcal)


#: how often a meeting that collides with a change made at the same moment is rolled again before it is reported
ROLL_ATTEMPTS = 3


@bp.cli.command("roll-meetings")
def roll_meetings_command():
    """Daily: add the occurrences that have come within the horizon to every series that is not cancelled,
    and bring each scheduled meeting's attendees in line with the committee (members whose last day has
    passed get their cancellation).

    Each meeting is rolled and committed on its own. One changed while the job runs (a member added, its
    invitee made twice) is rolled back and tried again; one that still collides after ``ROLL_ATTEMPTS``, or that
    fails for another reason (logged with its trace), is reported and the exit code is 1, while the other
    meetings keep their day's work. Only a database that cannot be reached stops the job."""
    meeting_ids = db.session.scalars(select(Meeting.id).where(Meeting.status != MeetingStatus.CANCELLED)
                                     .order_by(Meeting.id)).all()
    rolled = added = queued = 0
    failed = False
    for meeting_id in meeting_ids:
        outcome = _roll_and_commit(meeting_id)
        if outcome is None:
            failed = True
        else:
            rolled, added, queued = rolled + 1, added + outcome[0], queued + outcome[1]
    click.echo(f"Added {added} occurrences to {rolled} meetings; queued {queued} invitation updates.")
    if failed:
        raise SystemExit(1)


def _roll_and_commit(meeting_id: int) -> tuple[int, int] | None:
    """Roll one meeting and commit it, trying again after a write conflict: (occurrences added, updates queued),
    or None when it failed (said on stderr; anything but a conflict also logged with its trace)."""
    for _attempt in range(ROLL_ATTEMPTS):
        try:
            outcome = _roll(meeting_id)
            db.session.commit()
            return outcome
        except Exception as error:  # noqa: BLE001 - one meeting's failure must not hold the others up
            db.session.rollback()
            if isinstance(error, OperationalError) and database_unavailable(error):
                raise
            if not (isinstance(error, StaleDataError) or (isinstance(error, DBAPIError) and write_conflict(error))):
                current_app.logger.exception("Meeting %s could not be rolled", meeting_id)
                click.echo(f"Meeting {meeting_id} could not be rolled: {error}", err=True)
                return None
            conflict = error
    click.echo(f"Meeting {meeting_id} was changed while it was rolled, {ROLL_ATTEMPTS} times; it is left for the "
               f"next run: {conflict}", err=True)
    return None


def _roll(meeting_id: int) -> tuple[int, int]:
    """(occurrences added, invitation updates queued) for one meeting, in the session's transaction."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id)
                                .options(selectinload(Meeting.occurrences), selectinload(Meeting.invitees)))
    if meeting is None or meeting.status is MeetingStatus.CANCELLED:  # deleted or cancelled since the job began
        return 0, 0
    added = ensure_occurrences(meeting)
    queued = 0
    if meeting.status is MeetingStatus.SCHEDULED:
        invitations.ensure_invitees(meeting)
        queued = invitations.send_updates(meeting)
    return added, queued


# --- replies ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What became of one received message."""

    source: str
    is_recorded: bool
    detail: str

    def __str__(self) -> str:
        return f"{self.source}: {'recorded' if self.is_recorded else 'refused'}: {self.detail}"


def process_message(data: bytes, source: str, *, is_ics: bool = False) -> Outcome:
    """Record one received message in its own transaction: committed whole, or rolled back and reported."""
    try:
        recorded = intake.receive(data, is_ics=is_ics)
        db.session.commit()
    except (ReplyError, DomainError) as error:
        db.session.rollback()
        return Outcome(source, False, str(error))
    except Exception:
        db.session.rollback()
        raise
    return Outcome(source, True, "; ".join(str(answer) for answer in recorded))


def _connect_imap(config) -> imaplib.IMAP4:
    if config["IMAP_USE_SSL"]:
        return imaplib.IMAP4_SSL(config["IMAP_SERVER"], config["IMAP_PORT"], ssl_context=ssl.create_default_context(),
                                 timeout=config["MAIL_TIMEOUT"])
    return imaplib.IMAP4(config["IMAP_SERVER"], config["IMAP_PORT"], timeout=config["MAIL_TIMEOUT"])


def fetch_imap(config, *, connect=_connect_imap) -> list[Outcome]:
    """Process every unseen message of IMAP_FOLDER, marking each \\Seen once it was recorded or refused.

    A message that fails for another reason (the database is down) stays unseen for the next run.
    """
    client = connect(config)
    outcomes = []
    try:
        client.login(config["IMAP_USERNAME"], config["IMAP_PASSWORD"])
        status, _data = client.select(config["IMAP_FOLDER"])
        if status != "OK":
            raise click.ClickException(f"Cannot open the IMAP folder {config['IMAP_FOLDER']}.")
        _status, found = client.uid("SEARCH", None, "UNSEEN")
        for uid in (found[0] or b"").split():
            _status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in parts if isinstance(part, tuple)), b"")
            outcomes.append(process_message(raw, f"IMAP message {uid.decode()}"))
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return outcomes


@bp.cli.command("receive-replies")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--trusted", is_flag=True,
              help="Also take bare .ics replies, which carry no sender: you vouch that each came from its attendee.")
@click.option("--imap", "use_imap", is_flag=True, help="Fetch unseen messages from the IMAP_* mailbox.")
def receive_replies_command(files: tuple[Path, ...], trusted: bool, use_imap: bool):
    """Record the answers in received iTIP replies: .eml files (the sender must be the attendee), .ics files
    with --trusted, or the unseen messages of the reply mailbox with --imap."""
    if not files and not use_imap:
        raise click.UsageError("Name reply files, or use --imap.")
    outcomes = []
    for path in files:
        data = path.read_bytes()
        is_ics = intake.looks_like_ics(data, path.name)
        if is_ics and not trusted:
            outcomes.append(Outcome(str(path), False, "a bare .ics reply has no sender; add --trusted to vouch for it"))
            continue
        outcomes.append(process_message(data, str(path), is_ics=is_ics))
    if use_imap:
        if not current_app.config["IMAP_SERVER"]:
            raise click.ClickException("IMAP_SERVER is not set.")
        outcomes += fetch_imap(current_app.config)
    for outcome in outcomes:
        click.echo(str(outcome), err=not outcome.is_recorded)
    recorded = sum(outcome.is_recorded for outcome in outcomes)
    click.echo(f"{recorded} recorded, {len(outcomes) - recorded} refused.")
