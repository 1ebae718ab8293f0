"""lifecycle stages, waves, calendar, milestones, dependencies, decisions

Revision ID: 4d0beea80c0d
Revises: 23b9488d9c2d
Create Date: 2026-11-23 20:23:25.859400

The lifecycle (stages with deliverables, gate criteria and reviews; goals), regional waves with
defects, the working calendar (weekdays, holidays, freeze windows), milestones, dependencies
and committee decisions. Existing programmes get the six stages from the template.

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d0beea80c0d'
down_revision = '23b9488d9c2d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by', sa.String(length=300), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_decision_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_decision_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision'))
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_programme_id'), ['programme_id'], unique=False)

    op.create_table('defect',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('severity', sa.Enum('critical', 'high', 'medium', 'low', name='severity', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_defect_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_defect_region_id_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defect'))
    )
    with op.batch_alter_table('defect', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defect_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defect_region_id'), ['region_id'], unique=False)

    op.create_table('dependency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('predecessor_kind', sa.Enum('stage', 'wave', 'milestone', name='predecessor_kind', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('predecessor_id', sa.Integer(), nullable=False),
    sa.Column('successor_kind', sa.Enum('stage', 'wave', 'milestone', name='successor_kind', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('successor_id', sa.Integer(), nullable=False),
    sa.Column('lag_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('lag_days >= 0', name=op.f('ck_dependency_lag')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_dependency_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dependency')),
    sa.UniqueConstraint('programme_id', 'predecessor_kind', 'predecessor_id', 'successor_kind', 'successor_id', name=op.f('uq_dependency_programme_id_predecessor_kind_predecessor_id_successor_kind_successor_id'))
    )
    with op.batch_alter_table('dependency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dependency_programme_id'), ['programme_id'], unique=False)

    op.create_table('freeze_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('end_on >= start_on', name=op.f('ck_freeze_window_order')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_freeze_window_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_freeze_window'))
    )
    with op.batch_alter_table('freeze_window', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_freeze_window_programme_id'), ['programme_id'], unique=False)

    op.create_table('goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('company', 'system', name='goalkind', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('serves_id', sa.Integer(), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('baseline', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('target', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('actual', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('due_stage_number', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_goal_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['serves_id'], ['goal.id'], name=op.f('fk_goal_serves_id_goal'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal'))
    )
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_programme_id'), ['programme_id'], unique=False)

    op.create_table('holiday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_holiday_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_holiday_region_id_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holiday')),
    sa.UniqueConstraint('programme_id', 'region_id', 'day', name=op.f('uq_holiday_programme_id_region_id_day'))
    )
    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holiday_programme_id'), ['programme_id'], unique=False)

    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('kickoff', 'process_sign_off', 'vendor_selected', 'pilot_go_live', 'trial_end', 'wave_go_live', 'review', 'other', name='milestonekind', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('actual_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_milestone_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone'))
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_programme_id'), ['programme_id'], unique=False)

    op.create_table('stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('expertise_needed', sa.Text(), nullable=False),
    sa.Column('planned_start', sa.Date(), nullable=True),
    sa.Column('planned_finish', sa.Date(), nullable=True),
    sa.Column('actual_start', sa.Date(), nullable=True),
    sa.Column('actual_finish', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=False),
    sa.Column('override_approver_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['override_approver_id'], ['person.id'], name=op.f('fk_stage_override_approver_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_stage_owner_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_stage_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage')),
    sa.UniqueConstraint('programme_id', 'number', name=op.f('uq_stage_programme_id_number'))
    )
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_programme_id'), ['programme_id'], unique=False)

    op.create_table('wave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('pilot', 'key', 'standard', 'custom', name='wavekind', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('planned_go_live', sa.Date(), nullable=True),
    sa.Column('trial_days', sa.Integer(), nullable=False),
    sa.Column('actual_go_live', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('trial_days >= 0', name=op.f('ck_wave_trial')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_wave_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wave')),
    sa.UniqueConstraint('programme_id', 'name', name=op.f('uq_wave_programme_id_name'))
    )
    with op.batch_alter_table('wave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wave_programme_id'), ['programme_id'], unique=False)

    op.create_table('deliverable',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_done', sa.Boolean(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], name=op.f('fk_deliverable_stage_id_stage'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliverable'))
    )
    with op.batch_alter_table('deliverable', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliverable_stage_id'), ['stage_id'], unique=False)

    op.create_table('gate_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], name=op.f('fk_gate_criterion_stage_id_stage'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gate_criterion'))
    )
    with op.batch_alter_table('gate_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gate_criterion_stage_id'), ['stage_id'], unique=False)

    op.create_table('gate_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.Enum('passed', 'not_passed', name='gateoutcome', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['person.id'], name=op.f('fk_gate_review_approved_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_gate_review_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], name=op.f('fk_gate_review_stage_id_stage'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gate_review'))
    )
    with op.batch_alter_table('gate_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gate_review_stage_id'), ['stage_id'], unique=False)

    op.create_table('wave_region',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_wave_region_region_id_region'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_wave_region_wave_id_wave'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'region_id', name=op.f('pk_wave_region')),
    sa.UniqueConstraint('region_id', name=op.f('uq_wave_region_region_id'))
    )
    op.create_table('gate_criterion_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('is_met', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['gate_criterion.id'], name=op.f('fk_gate_criterion_result_criterion_id_gate_criterion'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['gate_review.id'], name=op.f('fk_gate_criterion_result_review_id_gate_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gate_criterion_result')),
    sa.UniqueConstraint('review_id', 'criterion_id', name=op.f('uq_gate_criterion_result_review_id_criterion_id'))
    )
    with op.batch_alter_table('gate_criterion_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gate_criterion_result_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gate_criterion_result_review_id'), ['review_id'], unique=False)

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('working_weekdays', sa.String(length=7), server_default='12345', nullable=False))
        batch_op.add_column(sa.Column('gate_max_severe_defects', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('gate_min_training_pct', sa.Integer(), server_default='90', nullable=False))
        batch_op.add_column(sa.Column('gate_min_adoption_pct', sa.Integer(), server_default='60', nullable=False))

    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.add_column(sa.Column('live_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('live_override_decision_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_region_live_override_decision_id_decision'), 'decision', ['live_override_decision_id'], ['id'], ondelete='SET NULL')

    add_stages_to_existing_programmes()



def downgrade():
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_region_live_override_decision_id_decision'), type_='foreignkey')
        batch_op.drop_column('live_override_decision_id')
        batch_op.drop_column('live_on')

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('gate_min_adoption_pct')
        batch_op.drop_column('gate_min_training_pct')
        batch_op.drop_column('gate_max_severe_defects')
        batch_op.drop_column('working_weekdays')

    with op.batch_alter_table('gate_criterion_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gate_criterion_result_review_id'))
        batch_op.drop_index(batch_op.f('ix_gate_criterion_result_criterion_id'))

    op.drop_table('gate_criterion_result')
    op.drop_table('wave_region')
    with op.batch_alter_table('gate_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gate_review_stage_id'))

    op.drop_table('gate_review')
    with op.batch_alter_table('gate_criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gate_criterion_stage_id'))

    op.drop_table('gate_criterion')
    with op.batch_alter_table('deliverable', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliverable_stage_id'))

    op.drop_table('deliverable')
    with op.batch_alter_table('wave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wave_programme_id'))

    op.drop_table('wave')
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_programme_id'))

    op.drop_table('stage')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_programme_id'))

    op.drop_table('milestone')
    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holiday_programme_id'))

    op.drop_table('holiday')
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_programme_id'))

    op.drop_table('goal')
    with op.batch_alter_table('freeze_window', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_freeze_window_programme_id'))

    op.drop_table('freeze_window')
    with op.batch_alter_table('dependency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dependency_programme_id'))

    op.drop_table('dependency')
    with op.batch_alter_table('defect', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defect_region_id'))
        batch_op.drop_index(batch_op.f('ix_defect_programme_id'))

    op.drop_table('defect')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_programme_id'))

    op.drop_table('decision')


#: the stage template as it stood when this migration was written (planner/lifecycle/template.py
#: may change later; a migration must keep producing the same data)
STAGES = [{'number': 1,
  'name': 'Overall planning',
  'goals': 'Diagnose the current state, analyse customer-facing problems, find the opportunities and write '
           'the overall plan, with company goals and system goals side by side.',
  'expertise_needed': 'Strategy consultant with CRM experience in the industry',
  'deliverables': ['Current-state diagnosis',
                   'Requirements survey',
                   'Feasibility study (technical, economic, operational, schedule)',
                   'Overall plan with phased goals'],
  'criteria': ['Every system goal serves a company goal and has a measurable target',
               'The first phase aims at a visible quick win, not at everything',
               'An executive sponsor is named and has accepted the role',
               'The feasibility study covers technical, economic, operational and schedule risks']},
 {'number': 2,
  'name': 'Project initiation',
  'goals': 'Form the project team with key people from each affected department and consultants, and choose '
           'where the rollout starts.',
  'expertise_needed': 'Project management and change management consultants',
  'deliverables': ['Project charter',
                   'Project team with a member from each affected department',
                   'Steering committee with its meeting calendar',
                   'Data cleaning and standardisation plan'],
  'criteria': ['Every affected department has a named representative in the team',
               'The steering committee is formed and its meetings are scheduled',
               'The pilot region is chosen',
               'Vision and short-term goals have been told to everyone affected']},
 {'number': 3,
  'name': 'Business-process optimisation',
  'goals': "Document today's processes, confirmed by every department involved with end users taking part, "
           'then redesign them rather than bending the system to broken processes.',
  'expertise_needed': 'Business-process consultants',
  'deliverables': ['Current processes documented',
                   'Redesigned processes',
                   'Process-change explanation for users'],
  'criteria': ['Current processes are documented and confirmed by every affected department',
               'End users took part in documenting and redesigning the processes',
               'Redesigned processes are signed off by the process owners']},
 {'number': 4,
  'name': 'Product selection',
  'goals': 'Choose the vendor and modules; compare a custom build with a packaged product.',
  'expertise_needed': 'Independent selection consultant; integration architect',
  'deliverables': ['Vendor shortlist and demonstrations',
                   'Build-versus-buy comparison',
                   'Selected vendor and modules',
                   'Integration assessment (ERP and other systems)'],
  'criteria': ['Build and buy were compared on cost, cycle time, stability and flexibility',
               'Required functions are covered without extra components to buy, or those are budgeted',
               'Network and database capacity at every site is assessed']},
 {'number': 5,
  'name': 'Implementation and application',
  'goals': 'Configure, migrate data, train, go live region by region, and work through the problems of real '
           'use.',
  'expertise_needed': 'Vendor implementation team; data-migration specialist; trainers',
  'deliverables': ['Configured system',
                   'Migrated and cleaned customer data',
                   'Trained users per region',
                   'Pilot region live and stable after its trial period',
                   'All regions live'],
  'criteria': ['Every region is live and through its trial period',
               'Open critical defects are resolved',
               "Training completion meets the programme's threshold in every region",
               'Internal experts (super-users) from the business support each region']},
 {'number': 6,
  'name': 'Continuous improvement',
  'goals': 'Review with the vendor and consultants whether the goals set at the start were met, and adjust. '
           'The project is never done.',
  'expertise_needed': 'Vendor account team; business analysts',
  'deliverables': ['Goals review: actual against target',
                   'Improvement backlog',
                   'Adoption report per region'],
  'criteria': ['Every goal has an actual value measured against its target',
               "Adoption meets the programme's threshold in every region"]}]


def add_stages_to_existing_programmes():
    """Every programme gets the six lifecycle stages, also those created before stages existed."""
    connection = op.get_bind()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    stage = sa.table("stage", sa.column("id", sa.Integer), sa.column("programme_id", sa.Integer),
                     sa.column("number", sa.Integer), sa.column("name", sa.String), sa.column("goals", sa.Text),
                     sa.column("expertise_needed", sa.Text), sa.column("override_reason", sa.Text),
                     sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime),
                     sa.column("version", sa.Integer))
    deliverable = sa.table("deliverable", sa.column("stage_id", sa.Integer), sa.column("title", sa.String),
                           sa.column("position", sa.Integer), sa.column("is_done", sa.Boolean),
                           sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime))
    criterion = sa.table("gate_criterion", sa.column("stage_id", sa.Integer), sa.column("text", sa.String),
                         sa.column("position", sa.Integer), sa.column("created_at", sa.DateTime),
                         sa.column("updated_at", sa.DateTime))
    programme_ids = connection.execute(sa.text("SELECT id FROM programme ORDER BY id")).scalars().all()
    for programme_id in programme_ids:
        for spec in STAGES:
            stage_id = connection.execute(stage.insert().values(
                programme_id=programme_id, number=spec["number"], name=spec["name"], goals=spec["goals"],
                expertise_needed=spec["expertise_needed"], override_reason="", created_at=now, updated_at=now,
                version=1).returning(stage.c.id)).scalar_one()
            for position, title in enumerate(spec["deliverables"]):
                connection.execute(deliverable.insert().values(stage_id=stage_id, title=title, position=position,
                                                               is_done=False, created_at=now, updated_at=now))
            for position, text in enumerate(spec["criteria"]):
                connection.execute(criterion.insert().values(stage_id=stage_id, text=text, position=position,
                                                             created_at=now, updated_at=now))
