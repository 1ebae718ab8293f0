"""login_session: each login on record, so logging out ends it for copies of its cookies too

A login cookie's id now names one login (``login_session``, holding the SHA-256 of its token and when it expires)
besides the account and its session token; logging out deletes the login (QUALITY.md item 2, ASVS V3.3.1). A new table only: no row
changes. Cookies from before the upgrade name no login, so everyone logs in once more after it.

Revision ID: 53787a62c657
Revises: f6a7b8c9d0e1
Create Date: 2026-11-24 16:42:17.004905

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '53787a62c657'
down_revision = 'f6a7b8c9d0e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_login_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_session_token_hash'))
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_session_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_login_session_expires_at'))

    op.drop_table('login_session')
