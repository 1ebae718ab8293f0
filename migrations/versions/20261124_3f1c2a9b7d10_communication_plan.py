"""communication_plan

Revision ID: 3f1c2a9b7d10
Revises: d5adba5a3ad6
Create Date: 2026-11-24 01:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f1c2a9b7d10'
down_revision = 'd5adba5a3ad6'
branch_labels = None
depends_on = None

PURPOSES = ('vision_kickoff', 'status_update', 'go_live_notice', 'training_call', 'process_change', 'other')
CHANNELS = ('email', 'meeting', 'intranet', 'town_hall', 'other')


def upgrade():
    op.create_table('communication_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Enum(*PURPOSES, name='commspurpose', native_enum=False, length=30,
                                 create_constraint=True), nullable=False),
    sa.Column('audience_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum(*CHANNELS, name='commschannel', native_enum=False, length=30,
                                 create_constraint=True), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('recurrence', sa.String(length=500), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audience_id'], ['audience.id'], name=op.f('fk_communication_item_audience_id_audience'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_communication_item_owner_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_communication_item_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_communication_item_region_id_region'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communication_item'))
    )
    with op.batch_alter_table('communication_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_communication_item_audience_id'), ['audience_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_communication_item_programme_id'), ['programme_id'], unique=False)

    op.create_table('communication_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('occurrence_on', sa.Date(), nullable=True),
    sa.Column('audience_id', sa.Integer(), nullable=True),
    sa.Column('audience_name', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Enum(*PURPOSES, name='commspurpose', native_enum=False, length=30,
                                 create_constraint=True), nullable=False),
    sa.Column('channel', sa.Enum(*CHANNELS, name='commschannel', native_enum=False, length=30,
                                 create_constraint=True), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('happened_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recipients_count', sa.Integer(), nullable=False),
    sa.Column('without_email_count', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('reached_everyone', sa.Boolean(), nullable=False),
    sa.Column('covered_region_ids', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['audience_id'], ['audience.id'], name=op.f('fk_communication_log_audience_id_audience'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['communication_item.id'], name=op.f('fk_communication_log_item_id_communication_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_communication_log_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_communication_log_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_communication_log_region_id_region'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communication_log')),
    sa.UniqueConstraint('item_id', 'occurrence_on', name=op.f('uq_communication_log_item_id_occurrence_on'))
    )
    with op.batch_alter_table('communication_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_communication_log_audience_id'), ['audience_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_communication_log_happened_at'), ['happened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_communication_log_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_communication_log_programme_id'), ['programme_id'], unique=False)

    op.create_table('status_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('audience_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'sent', name='statusupdatestate', native_enum=False, length=30,
                               create_constraint=True), nullable=False),
    sa.Column('log_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audience_id'], ['audience.id'], name=op.f('fk_status_update_audience_id_audience'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_status_update_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['log_id'], ['communication_log.id'], name=op.f('fk_status_update_log_id_communication_log'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_status_update_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_update'))
    )
    with op.batch_alter_table('status_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_update_audience_id'), ['audience_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_status_update_programme_id'), ['programme_id'], unique=False)

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('go_live_notice_days', sa.Integer(), server_default='10', nullable=False))


def downgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('go_live_notice_days')
    with op.batch_alter_table('status_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_update_programme_id'))
        batch_op.drop_index(batch_op.f('ix_status_update_audience_id'))
    op.drop_table('status_update')
    with op.batch_alter_table('communication_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communication_log_programme_id'))
        batch_op.drop_index(batch_op.f('ix_communication_log_item_id'))
        batch_op.drop_index(batch_op.f('ix_communication_log_happened_at'))
        batch_op.drop_index(batch_op.f('ix_communication_log_audience_id'))
    op.drop_table('communication_log')
    with op.batch_alter_table('communication_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communication_item_programme_id'))
        batch_op.drop_index(batch_op.f('ix_communication_item_audience_id'))
    op.drop_table('communication_item')
