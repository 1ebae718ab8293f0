"""Read helpers for people lists."""
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from planner.people.models import Person


def name_or_email_contains(text: str):
    """The person's name or email contains ``text``, in any case (``%`` and ``_`` taken literally)."""
    needle = text.strip().lower()
    return or_(func.lower(Person.full_name).contains(needle, autoescape=True),
               func.lower(Person.email).contains(needle, autoescape=True))


def people_in(programme_id: int, *, search: str = "", region_id: int | None = None,
              department_id: int | None = None) -> Select:
    """People of a programme with their region and department loaded, filtered and by name."""
    query = (select(Person).options(joinedload(Person.region), joinedload(Person.department))
             .where(Person.programme_id == programme_id).order_by(Person.full_name, Person.id))
    if search:
        query = query.where(name_or_email_contains(search))
    if region_id:
        query = query.where(Person.region_id == region_id)
    if department_id:
        query = query.where(Person.department_id == department_id)
    return query
