"""Access-matrix rows for the administrators' Outbox pages (merged into tests/test_access_matrix.py).

Order: anonymous, admin, pm, pm_other, committee, trainer, viewer, none.

The URLs need ``message_id``: each side of the world gets one failed outbox message from
``make_message(programme_id)`` (call it inside the world's app context, before its commit), so the
administrator's Retry really retries and answers with its redirect.
"""
LOGIN = "login"

ROWS: dict[tuple[str, str], tuple] = {
    ("core.list_outbox", "GET"):              (LOGIN, 200, 403, 403, 403, 403, 403, 403),
    ("core.download_outbox_message", "GET"):  (LOGIN, 200, 403, 403, 403, 403, 403, 403),
    ("core.retry_outbox_message", "POST"):    (LOGIN, 302, 403, 403, 403, 403, 403, 403),
}


def make_message(programme_id: int) -> int:
    """A failed outbox message of the programme (the app context's session; flushed, not committed)."""
    from planner.core import mail, outbox
    from planner.core.models import OutboxStatus
    from planner.extensions import db

    message = outbox.enqueue(mail.compose(to="member@example.org", subject="Agenda published", text="Agenda"),
                             key=f"access-matrix:{programme_id}", kind="agenda", programme_id=programme_id)
    message.status = OutboxStatus.FAILED
    message.attempts = 8
    message.last_error = "ConnectionRefusedError: [Errno 111] Connection refused"
    db.session.flush()
    return message.id
