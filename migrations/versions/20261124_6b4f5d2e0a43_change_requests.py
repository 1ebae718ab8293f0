"""change_requests

Revision ID: 6b4f5d2e0a43
Revises: 5a3e4c1d9f32
Create Date: 2026-11-24 01:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b4f5d2e0a43'
down_revision = '5a3e4c1d9f32'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('change_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('scope', 'schedule', 'process', 'other', name='changekind', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=True),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'assessed', 'approved', 'rejected', 'implemented', name='changestatus', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('schedule_days', sa.Integer(), nullable=False),
    sa.Column('cost', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('risks', sa.Text(), nullable=False),
    sa.Column('plan_item_key', sa.String(length=40), nullable=False),
    sa.Column('new_start', sa.Date(), nullable=True),
    sa.Column('new_duration', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('assessment', sa.Text(), nullable=False),
    sa.Column('assessed_by_id', sa.Integer(), nullable=True),
    sa.Column('assessed_at', sa.DateTime(), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=False),
    sa.Column('rejected_by_id', sa.Integer(), nullable=True),
    sa.Column('rejected_at', sa.DateTime(), nullable=True),
    sa.Column('implemented_by_id', sa.Integer(), nullable=True),
    sa.Column('implemented_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_change_request_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requester_id'], ['person.id'], name=op.f('fk_change_request_requester_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_change_request_decision_id_decision'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_change_request_submitted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assessed_by_id'], ['user_account.id'], name=op.f('fk_change_request_assessed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_change_request_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rejected_by_id'], ['user_account.id'], name=op.f('fk_change_request_rejected_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['implemented_by_id'], ['user_account.id'], name=op.f('fk_change_request_implemented_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_request')),
    sa.UniqueConstraint('programme_id', 'number', name=op.f('uq_change_request_programme_id_number'))
    )
    with op.batch_alter_table('change_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_request_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_request_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_request_decision_id'), ['decision_id'], unique=False)

    op.create_table('change_request_region',
    sa.Column('change_request_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['change_request_id'], ['change_request.id'], name=op.f('fk_change_request_region_change_request_id_change_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_change_request_region_region_id_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('change_request_id', 'region_id', name=op.f('pk_change_request_region'))
    )
    op.create_table('change_request_stage',
    sa.Column('change_request_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['change_request_id'], ['change_request.id'], name=op.f('fk_change_request_stage_change_request_id_change_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], name=op.f('fk_change_request_stage_stage_id_stage'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('change_request_id', 'stage_id', name=op.f('pk_change_request_stage'))
    )
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_request_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_agenda_item_change_request_id'), ['change_request_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_agenda_item_change_request_id_change_request'), 'change_request',
                                    ['change_request_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agenda_item_change_request_id_change_request'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_agenda_item_change_request_id'))
        batch_op.drop_column('change_request_id')
    op.drop_table('change_request_stage')
    op.drop_table('change_request_region')
    with op.batch_alter_table('change_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_request_decision_id'))
        batch_op.drop_index(batch_op.f('ix_change_request_status'))
        batch_op.drop_index(batch_op.f('ix_change_request_programme_id'))
    op.drop_table('change_request')
