"""audit_event programme time index: a programme's audit log read newest first a page at a time

The audit page sorted the programme's whole log for every page (4,456 events at scale 10: 3.7 ms of a 7.6 ms page);
the index on (programme_id, occurred_at, id) gives the page in order. It replaces the index on programme_id alone,
whose lookups it serves as well. Indexes only: no row changes.

Revision ID: 1279852d0bb2
Revises: b6196a8c4861
Create Date: 2026-11-24 20:09:21.625319

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '1279852d0bb2'
down_revision = 'b6196a8c4861'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_programme_id'))
        batch_op.create_index('ix_audit_event_programme_time', ['programme_id', 'occurred_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_programme_time')
        batch_op.create_index(batch_op.f('ix_audit_event_programme_id'), ['programme_id'], unique=False)
