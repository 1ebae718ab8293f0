"""training_progress: each person's training progress, kept rather than worked out per page

Readiness summed every person's needs and completions from the requirements and the attendance marks on every
dashboard (0.2 s at 20,000 people on SQLite). The table keeps each person's figures; planner/training/progress.py
keeps it in step at every commit. The upgrade fills it from the rows already there, with the definitions of that
module as they are at this revision.

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-11-24 09:33:30.416705

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5f6a7b8c9d0'
down_revision = 'd4e5f6a7b8c9'
branch_labels = None
depends_on = None

#: a person needs a course when one of its requirements matches their role (empty: any) and department (empty:
#: any); a mark present or late in a session of the course that is not cancelled completes it
FILL = """
INSERT INTO training_progress (person_id, programme_id, needed, completed)
SELECT needed.person_id, needed.programme_id, count(needed.course_id), count(completed.course_id)
FROM (SELECT DISTINCT person.id AS person_id, person.programme_id AS programme_id,
                      course_requirement.course_id AS course_id
      FROM person JOIN course_requirement
        ON course_requirement.programme_id = person.programme_id
       AND (course_requirement.job_role_key = '' OR course_requirement.job_role_key = coalesce(person.job_role_key, ''))
       AND (course_requirement.department_id IS NULL OR course_requirement.department_id = person.department_id)
     ) AS needed
LEFT OUTER JOIN (SELECT DISTINCT attendance_mark.person_id AS person_id, training_session.course_id AS course_id
                 FROM attendance_mark JOIN training_session ON training_session.id = attendance_mark.session_id
                 WHERE training_session.status != 'cancelled' AND attendance_mark.status IN ('present', 'late')
                ) AS completed
  ON completed.person_id = needed.person_id AND completed.course_id = needed.course_id
GROUP BY needed.person_id, needed.programme_id
"""


def upgrade():
    op.create_table('training_progress',
    sa.Column('person_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('needed', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_training_progress_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_training_progress_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_training_progress'))
    )
    with op.batch_alter_table('training_progress', schema=None) as batch_op:
        batch_op.create_index('ix_training_progress_programme', ['programme_id', 'person_id', 'needed', 'completed'], unique=False)
    op.execute(FILL)


def downgrade():
    with op.batch_alter_table('training_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_training_progress_programme')

    op.drop_table('training_progress')
