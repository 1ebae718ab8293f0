"""training_kind: the people counted per region, department and job role, with their progress summed, kept

Readiness, the requirement map and the course pages counted every person of the programme per kind (region,
department, job role) on every request: a pass over 20,000 people at scale 10, 27 ms of the project manager's
dashboard on PostgreSQL. The table keeps those counts, about 1,500 rows for 20,000 people;
planner/training/progress.py keeps it in step at every commit, region by region. The upgrade fills it from the
people and their kept progress (training_progress) as they are at this revision.

Revision ID: 1b2c3d4e5f6a
Revises: 0a1b2c3d4e5f
Create Date: 2026-11-25 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1b2c3d4e5f6a'
down_revision = '0a1b2c3d4e5f'
branch_labels = None
depends_on = None

#: a person is trained when they completed every course they need (their kept progress)
FILL = """
INSERT INTO training_kind (programme_id, region_id, department_id, job_role_key, job_role, people, needing, trained)
SELECT person.programme_id, person.region_id, person.department_id, person.job_role_key, min(person.job_role),
       count(person.id), count(training_progress.person_id),
       coalesce(sum(CASE WHEN training_progress.completed >= training_progress.needed THEN 1 ELSE 0 END), 0)
FROM person LEFT OUTER JOIN training_progress ON training_progress.person_id = person.id
GROUP BY person.programme_id, person.job_role_key, person.department_id, person.region_id
"""


def upgrade():
    op.create_table('training_kind',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('job_role_key', sa.String(length=360), nullable=False),
    sa.Column('job_role', sa.String(length=120), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('needing', sa.Integer(), nullable=False),
    sa.Column('trained', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_training_kind_department_id_department'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_training_kind_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_training_kind_region_id_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_kind'))
    )
    with op.batch_alter_table('training_kind', schema=None) as batch_op:
        batch_op.create_index('ix_training_kind_programme', ['programme_id', 'region_id', 'department_id', 'job_role_key', 'people', 'needing', 'trained', 'job_role'], unique=False)
    op.execute(FILL)


def downgrade():
    with op.batch_alter_table('training_kind', schema=None) as batch_op:
        batch_op.drop_index('ix_training_kind_programme')

    op.drop_table('training_kind')
