"""health_check_person_indexes: the role's spelling in the index of kinds of person; super-users by name

Readiness sums each person's training progress by region, department and job role, and labels each role with
one of its spellings (``min(job_role)``): with the spelling in ``ix_person_programme_role`` those reads come from
the index alone, in its order, without visiting 20,000 person rows and sorting them (SQLite: 19 to 12 ms at
scale 10). The super-users of a programme, by name, were found by reading every person in name order (16 ms);
``ix_person_super_users`` finds them at once (0.4 ms). Only indexes change; no row does.

Revision ID: f6a7b8c9d0e1
Revises: e5f6a7b8c9d0
Create Date: 2026-11-24 14:05:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f6a7b8c9d0e1'
down_revision = 'e5f6a7b8c9d0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_programme_role')
        batch_op.create_index('ix_person_programme_role', ['programme_id', 'job_role_key', 'department_id',
                                                             'region_id', 'job_role'], unique=False)
        batch_op.create_index('ix_person_super_users', ['programme_id', 'is_super_user', 'full_name', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_super_users')
        batch_op.drop_index('ix_person_programme_role')
        batch_op.create_index('ix_person_programme_role', ['programme_id', 'job_role_key', 'department_id',
                                                             'region_id'], unique=False)
