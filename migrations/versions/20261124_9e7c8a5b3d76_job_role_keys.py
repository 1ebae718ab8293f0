"""job role keys: job roles compared by a stored case-folded key

Revision ID: 9e7c8a5b3d76
Revises: 8d6b7f4a2c65
Create Date: 2026-11-24 01:40:00

SQLite's lower() folds only ASCII letters, so "Außendienst" and "AUSSENDIENST" did not match in SQL
while they did in Python. People and course requirements now carry ``job_role_key`` (spaces collapsed,
case folded in Python), filled here for existing rows.
"""
import sqlalchemy as sa
from alembic import op

revision = '9e7c8a5b3d76'
down_revision = '8d6b7f4a2c65'
branch_labels = None
depends_on = None


def _key(job_role):
    return " ".join((job_role or "").split()).casefold()


def _fill(table_name: str) -> None:
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column("job_role", sa.String),
                     sa.column("job_role_key", sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(table.c.id, table.c.job_role).where(table.c.job_role != "")).all()
    for row_id, job_role in rows:
        connection.execute(table.update().where(table.c.id == row_id).values(job_role_key=_key(job_role)))


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_role_key', sa.String(length=360), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_person_job_role_key'), ['job_role_key'], unique=False)
    with op.batch_alter_table('course_requirement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_role_key', sa.String(length=360), nullable=False, server_default=''))
    _fill('person')
    _fill('course_requirement')


def downgrade():
    with op.batch_alter_table('course_requirement', schema=None) as batch_op:
        batch_op.drop_column('job_role_key')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_job_role_key'))
        batch_op.drop_column('job_role_key')
