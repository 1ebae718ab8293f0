"""training_miss: the seats missed and not made up since, kept for the readiness page's no-shows

The readiness page found its no-shows among every enrolment of the programme's ended sessions on each request
(90,000 at scale 10, 50 ms of SQL on SQLite). The table keeps the missed seats: enrolled in a session that is not
cancelled, then marked absent or left unmarked on a completed roster, in a course the person has not completed
in any session. planner/training/progress.py keeps it in step at every commit, person by person; whether the
session has ended is asked when the rows are read. The upgrade fills it from the enrolments, sessions and marks
as they are at this revision.

Revision ID: 2c3d4e5f6a7b
Revises: 1b2c3d4e5f6a
Create Date: 2026-11-25 06:35:09.867708

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2c3d4e5f6a7b'
down_revision = '1b2c3d4e5f6a'
branch_labels = None
depends_on = None

#: a seat is missed when marked absent, or left unmarked on a completed roster, in a course not completed since
FILL = """
INSERT INTO training_miss (enrolment_id, person_id, programme_id, course_id, session_id, starts_at, ends_at, mark)
SELECT enrolment.id, enrolment.person_id, training_session.programme_id, training_session.course_id,
       training_session.id, training_session.starts_at, training_session.ends_at, attendance_mark.status
FROM enrolment
JOIN training_session ON training_session.id = enrolment.session_id
LEFT OUTER JOIN attendance_mark ON attendance_mark.session_id = enrolment.session_id
                               AND attendance_mark.person_id = enrolment.person_id
WHERE enrolment.status = 'enrolled' AND training_session.status != 'cancelled'
  AND (attendance_mark.status = 'absent'
       OR (attendance_mark.id IS NULL AND training_session.roster_completed_at IS NOT NULL))
  AND NOT EXISTS (SELECT 1 FROM attendance_mark AS done JOIN training_session AS other ON other.id = done.session_id
                  WHERE done.person_id = enrolment.person_id AND other.course_id = training_session.course_id
                    AND other.status != 'cancelled' AND done.status IN ('present', 'late'))
"""


def upgrade():
    op.create_table('training_miss',
    sa.Column('enrolment_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('mark', sa.Enum('present', 'late', 'excused', 'absent', name='markstatus', native_enum=False, create_constraint=True, length=30), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_training_miss_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_training_miss_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_training_miss_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_training_miss_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_training_miss_session_id_training_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('enrolment_id', name=op.f('pk_training_miss'))
    )
    with op.batch_alter_table('training_miss', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_miss_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_training_miss_programme', ['programme_id', 'ends_at', 'person_id', 'course_id', 'starts_at', 'session_id', 'mark'], unique=False)
    op.execute(FILL)


def downgrade():
    with op.batch_alter_table('training_miss', schema=None) as batch_op:
        batch_op.drop_index('ix_training_miss_programme')
        batch_op.drop_index(batch_op.f('ix_training_miss_person_id'))

    op.drop_table('training_miss')
