"""outbox_message.links: secret links are filled in when an email is sent, never stored

A queued email now holds a placeholder where an RSVP, survey or feedback link's token goes, and ``links`` records
which link each placeholder stands for (QUALITY.md item 9). A new nullable column: no row changes. Emails queued
before the upgrade keep the links they were built with and are sent as they are.

A downgrade refuses while an email with placeholders still waits to be sent (the older code would send the
placeholders): let the sender deliver them first.

Revision ID: b6196a8c4861
Revises: 53787a62c657
Create Date: 2026-11-24 19:40:18.822653

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6196a8c4861'
down_revision = '53787a62c657'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('links', sa.JSON(none_as_null=True), nullable=True))


def downgrade():
    waiting = op.get_bind().scalar(sa.text(
        "SELECT count(*) FROM outbox_message WHERE links IS NOT NULL AND status <> 'sent'"))
    if waiting:
        raise RuntimeError(f"{waiting} queued emails hold secret-link placeholders that only this revision fills "
                           "in: run the mail sender until they are sent (or failed ones are deleted), then downgrade")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('links')
