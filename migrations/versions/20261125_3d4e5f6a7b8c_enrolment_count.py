"""enrolment_count: each session's enrolments counted, kept for the total of the API's list of enrolments

The API's list of a programme's enrolments counted every enrolment of the programme for its total on each
request (97,000 at scale 10: 2.7 ms of its 5 on SQLite, twice the time of the same page at scale 1). The table
keeps each session's count, whatever the enrolments' status; the total is their sum. planner/training/progress.py
keeps it in step at every commit, session by session. The upgrade fills it from the enrolments as they are at
this revision.

Revision ID: 3d4e5f6a7b8c
Revises: 2c3d4e5f6a7b
Create Date: 2026-11-25 11:05:12.418230

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3d4e5f6a7b8c'
down_revision = '2c3d4e5f6a7b'
branch_labels = None
depends_on = None

#: every session with an enrolment, and how many it has
FILL = """
INSERT INTO enrolment_count (session_id, programme_id, enrolments)
SELECT enrolment.session_id, training_session.programme_id, count(enrolment.id)
FROM enrolment
JOIN training_session ON training_session.id = enrolment.session_id
GROUP BY enrolment.session_id, training_session.programme_id
"""


def upgrade():
    op.create_table('enrolment_count',
    sa.Column('session_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('enrolments', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_enrolment_count_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_enrolment_count_session_id_training_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_enrolment_count'))
    )
    with op.batch_alter_table('enrolment_count', schema=None) as batch_op:
        batch_op.create_index('ix_enrolment_count_programme', ['programme_id', 'enrolments'], unique=False)
    op.execute(FILL)


def downgrade():
    with op.batch_alter_table('enrolment_count', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_count_programme')

    op.drop_table('enrolment_count')
