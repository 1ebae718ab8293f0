"""person_indexes: people by programme and name, region, department and job role

The people page sorts a programme's people by name, and readiness, audiences and course needs count them by
region, department and job role: without these, each read every person row of the programme.

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-11-24 07:50:29.615123

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8c9'
down_revision = 'c3d4e5f6a7b8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_programme_department', ['programme_id', 'department_id'], unique=False)
        batch_op.create_index('ix_person_programme_name', ['programme_id', 'full_name', 'id'], unique=False)
        batch_op.create_index('ix_person_programme_region', ['programme_id', 'region_id'], unique=False)
        batch_op.create_index('ix_person_programme_role', ['programme_id', 'job_role_key', 'department_id',
                                                             'region_id'], unique=False)



def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_programme_role')
        batch_op.drop_index('ix_person_programme_region')
        batch_op.drop_index('ix_person_programme_name')
        batch_op.drop_index('ix_person_programme_department')

