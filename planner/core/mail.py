"""Building emails and handing them to the mail server (or to files when none is configured).

Messages are built once, when they are queued, and kept as the exact bytes that will be sent (but for
the tokens of secret links, filled in when sent: ``core.outbox_links``): lines end in CRLF and every
part is 7-bit (quoted-printable or base64), so any SMTP server accepts them as they are. Calendar parts follow CALENDAR.md "The email itself".
"""
import os
import re
import smtplib
import ssl
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar

from planner.core import clock

#: CRLF line ends and only 7-bit parts: the stored bytes go to the server unchanged
MAIL_POLICY = policy.SMTP.clone(cte_type="7bit")


def compose(*, to: str, subject: str, text: str, html: str | None = None,
            calendar: bytes | None = None, calendar_method: str | None = None,
            attachments: Sequence[tuple[str, bytes, str]] = ()) -> EmailMessage:
    """An email from MAIL_FROM to one recipient: text, optional HTML, optional invitation and files.

    With ``calendar`` (an iCalendar object as bytes) the message is multipart/mixed holding a
    multipart/alternative (text/plain, text/html, ``text/calendar; method=...``) and the same object
    again as an ``invite.ics`` attachment. The ``method`` parameter is the METHOD inside the object;
    ``calendar_method``, when given, must agree with it.
    """
    config = current_app.config
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = " ".join(subject.split())  # a line break in a title must not break (or inject) headers
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=urlsplit(config["BASE_URL"]).hostname or "localhost")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if calendar is not None:
        method = calendar_method_of(calendar)
        if calendar_method is not None and calendar_method.upper() != method:
            raise ValueError(f"calendar_method {calendar_method!r} differs from the object's METHOD {method!r}")
        # the text is re-split into lines and written with CRLF: the CR is never doubled
        message.add_alternative(calendar.decode("utf-8"), subtype="calendar", params={"method": method})
        message.add_attachment(calendar, maintype="application", subtype="ics", filename="invite.ics")
    for filename, content, mime_type in attachments:
        maintype, _slash, subtype = mime_type.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
    for part in message.walk():
        if part is not message:
            del part["MIME-Version"]  # only the top level carries it
    return message


def calendar_method_of(calendar: bytes) -> str:
    """The METHOD of an iCalendar object (REQUEST, CANCEL, ...); a part without one is refused."""
    method = Calendar.from_ical(calendar).get("METHOD")
    if not method:
        raise ValueError("an emailed calendar object needs a METHOD (REQUEST, CANCEL, ...)")
    return str(method).upper()


def message_bytes(message: EmailMessage) -> bytes:
    """The message as it goes on the wire: CRLF line ends."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def sender_address() -> str:
    """The bare address of MAIL_FROM, used as the envelope sender."""
    return parseaddr(current_app.config["MAIL_FROM"])[1]


class PermanentDeliveryError(Exception):
    """The server refused the message for good (5xx): retrying cannot help."""


class TransportUnavailable(Exception):
    """The mail server could not be reached or refused the login: no message of the batch can go now."""


class FileTransport:
    """The embedded default (no MAIL_SERVER): each message becomes ``<instance>/outbox/<id>-<kind>.eml``."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, *, message_id: int, kind: str, recipient: str, content: bytes) -> None:
        """Write the message's bytes exactly as they would be sent; never a half-written file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{message_id}-{re.sub(r'[^A-Za-z0-9_-]', '_', kind)}.eml"
        partial = path.with_suffix(".eml.partial")
        partial.write_bytes(content)
        os.replace(partial, path)

    def close(self) -> None:
        """Nothing to close."""


class SmtpTransport:
    """Delivery over SMTP, one connection per batch, opened at the first message."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        timeout = config["MAIL_TIMEOUT"]
        if config["MAIL_USE_SSL"]:
            connection = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout,
                                          context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        try:
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                connection.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, *, message_id: int, kind: str, recipient: str, content: bytes) -> None:
        """Send the stored bytes to ``recipient``; a 5xx refusal raises PermanentDeliveryError."""
        if self.connection is None:
            try:
                self.connection = self._connect()
            except (smtplib.SMTPException, OSError) as error:
                raise TransportUnavailable(describe_error(error)) from error
        try:
            self.connection.sendmail(sender_address(), [recipient], content)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            if 500 <= code < 600:
                raise PermanentDeliveryError(f"{code} {reply.decode(errors='replace')}") from error
            raise
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:
                self._reset()
                raise PermanentDeliveryError(f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}") \
                    from error
            self.close()
            raise
        except (smtplib.SMTPException, OSError):
            self.close()  # the connection may be broken: the next message reconnects
            raise

    def _reset(self) -> None:
        try:
            self.connection.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except (smtplib.SMTPException, OSError):
            self.connection.close()
        self.connection = None


def describe_error(error: BaseException) -> str:
    """A one-line account of a delivery error for the outbox page."""
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: {error.smtp_code} {error.smtp_error.decode(errors='replace')}"
    return f"{type(error).__name__}: {error}"


def open_transport():
    """The transport the configuration asks for: SMTP when MAIL_SERVER is set, files otherwise."""
    if current_app.config["MAIL_SERVER"]:
        return SmtpTransport(current_app.config)
    return FileTransport(Path(current_app.instance_path) / "outbox")
