"""unique_keys_with_empty_parts: a programme-wide holiday and a requirement for every department are unique too

A holiday was unique by (programme, region, day) and a course requirement by (course, job role, department), but
a programme-wide holiday has no region and a requirement for every department has no department, and a unique key
never finds two NULLs equal: two requests at once (a double click) both passed the services' checks and stored the
same holiday or requirement twice. Partial unique indexes now cover the rows without a region or department. The
requirement's key also moves from the role as typed to its folded key (``job_role_key``), which is what the service
compares and what matching uses, so "Sales rep" and "SALES REP" cannot both be stored by a race either.

Duplicates already stored are merged before the indexes are made: the oldest row of each group is kept. Holidays
of one day keep every name they were given ("Christmas / Christmas Day"); requirements that match the same people
are the same requirement, whatever their role's spelling. Nothing refers to either table, so no other row changes.

Revision ID: 0a1b2c3d4e5f
Revises: 1279852d0bb2
Create Date: 2026-11-25 01:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0a1b2c3d4e5f'
down_revision = '1279852d0bb2'
branch_labels = None
depends_on = None

HOLIDAY_NAME_LENGTH = 120


def _merge_holidays(connection) -> None:
    holiday = sa.table("holiday", sa.column("id"), sa.column("programme_id"), sa.column("region_id"),
                       sa.column("day"), sa.column("name"))
    groups: dict[tuple, list] = {}
    for row in connection.execute(sa.select(holiday.c.id, holiday.c.programme_id, holiday.c.region_id,
                                            holiday.c.day, holiday.c.name).order_by(holiday.c.id)):
        groups.setdefault((row.programme_id, row.region_id, row.day), []).append(row)
    for rows in groups.values():
        if len(rows) < 2:
            continue
        kept, *merged = rows
        names = list(dict.fromkeys(row.name for row in rows))
        name = " / ".join(names)
        if len(name) > HOLIDAY_NAME_LENGTH:
            name = name[:HOLIDAY_NAME_LENGTH - 1] + "…"
        connection.execute(holiday.delete().where(holiday.c.id.in_([row.id for row in merged])))
        if name != kept.name:
            connection.execute(holiday.update().where(holiday.c.id == kept.id).values(name=name))


def _merge_requirements(connection) -> None:
    requirement = sa.table("course_requirement", sa.column("id"), sa.column("course_id"),
                           sa.column("job_role_key"), sa.column("department_id"))
    seen: set[tuple] = set()
    duplicates = []
    for row in connection.execute(sa.select(requirement.c.id, requirement.c.course_id, requirement.c.job_role_key,
                                            requirement.c.department_id).order_by(requirement.c.id)):
        key = (row.course_id, row.job_role_key, row.department_id)
        if key in seen:
            duplicates.append(row.id)
        seen.add(key)
    for start in range(0, len(duplicates), 500):
        connection.execute(requirement.delete().where(requirement.c.id.in_(duplicates[start:start + 500])))


def upgrade():
    connection = op.get_bind()
    _merge_holidays(connection)
    _merge_requirements(connection)
    op.create_index('uq_holiday_programme_wide_day', 'holiday', ['programme_id', 'day'], unique=True,
                    sqlite_where=sa.text('region_id IS NULL'), postgresql_where=sa.text('region_id IS NULL'))
    with op.batch_alter_table('course_requirement', schema=None) as batch_op:
        batch_op.drop_constraint('uq_course_requirement_course_id_job_role_department_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_course_requirement_course_id_job_role_key_department_id'),
                                          ['course_id', 'job_role_key', 'department_id'])
    op.create_index('uq_course_requirement_everywhere', 'course_requirement', ['course_id', 'job_role_key'],
                    unique=True, sqlite_where=sa.text('department_id IS NULL'),
                    postgresql_where=sa.text('department_id IS NULL'))


def downgrade():
    # the merged rows stay merged: the keys below hold for them as they do for any other
    op.drop_index('uq_course_requirement_everywhere', table_name='course_requirement')
    with op.batch_alter_table('course_requirement', schema=None) as batch_op:
        batch_op.drop_constraint('uq_course_requirement_course_id_job_role_key_department_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_course_requirement_course_id_job_role_department_id'),
                                          ['course_id', 'job_role', 'department_id'])
    op.drop_index('uq_holiday_programme_wide_day', table_name='holiday')
