"""Every secret a link or an API call carries, derived from what the database holds, and a scan of the whole database
for any of them in plaintext (QUALITY.md item 9).

Link tokens are derived from a per-row random salt and SECRET_KEY (``planner.core.secret_links``); ``salts()`` names
every salt column with the purpose its token is derived for, and a test fails when a table grows a column that
looks like a secret and is not listed, so the scan cannot miss a new kind of link.
"""
import email
from email import policy

from planner.core import secret_links

#: columns named like secrets that hold no secret in plaintext: hashes of tokens, and the login cookie's part
#: (only usable signed with SECRET_KEY, and replaced by "log out everywhere")
NOT_PLAINTEXT_SECRETS = {("user_account", "calendar_token_hash"), ("meeting_invitee", "rsvp_token_hash"),
                         ("feedback_link", "token_hash"), ("survey_invitation", "link_token_hash"),
                         ("api_token", "token_hash"), ("api_token", "prefix"), ("user_account", "session_token"),
                         ("user_account", "password_hash"), ("login_session", "token_hash")}


def salts() -> dict[tuple[str, str], str]:
    """(table, salt column) -> the purpose its token is derived for, as the app names it ("{id}": the row's id)."""
    from planner.calendar.tokens import FEED_PURPOSE
    from planner.committee.invitations import RSVP_PURPOSE
    from planner.feedback.links import LINK_PURPOSE as FEEDBACK_PURPOSE
    from planner.surveys.services import LINK_PURPOSE as SURVEY_PURPOSE
    from planner.training.checkin import LINK_PURPOSE as CHECKIN_LINK_PURPOSE

    return {("user_account", "calendar_salt"): FEED_PURPOSE, ("meeting_invitee", "rsvp_salt"): RSVP_PURPOSE,
            ("feedback_link", "salt"): FEEDBACK_PURPOSE, ("survey_invitation", "link_salt"): SURVEY_PURPOSE,
            ("training_session", "checkin_salt"): CHECKIN_LINK_PURPOSE}


def live_tokens(snap: dict) -> dict[str, str]:
    """token -> "table.column #id" for every salt in the snapshot (call inside an app context)."""
    tokens = {}
    for (table, column), purpose in salts().items():
        for row in snap[table].values():
            if row.get(column):
                token = secret_links.derive_token(purpose.format(id=row["id"]), row[column])
                tokens[token] = f"{table}.{column} #{row['id']}"
    return tokens


def readable(value) -> str | None:
    """The text a value shows a reader of the database: emails decoded part by part (a token in a quoted-printable
    or base64 body is still there), JSON as its text."""
    if isinstance(value, bytes):
        raw = value.decode("latin-1")
        if raw.startswith(("From:", "To:", "Subject:", "Date:", "Message-ID:", "MIME-Version:", "Content-Type:")):
            message = email.message_from_bytes(value, policy=policy.default)
            parts = [str(part.get_content()) for part in message.walk() if not part.is_multipart()]
            return raw + "\n" + "\n".join(parts)
        return raw
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return repr(value)
    return None


def plaintext_hits(snap: dict, secrets: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    """(table, column) -> which secrets it holds in plaintext."""
    hits: dict[tuple[str, str], list[str]] = {}
    for table, rows in snap.items():
        for row in rows.values():
            for column, value in row.items():
                text = readable(value)
                if not text:
                    continue
                text = text.replace("=\r\n", "").replace("=\n", "")
                for secret, what in secrets.items():
                    if secret in text:
                        hits.setdefault((table, column), []).append(what)
    return hits
