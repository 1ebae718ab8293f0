"""Read helpers returning Select statements, so pages, exports and charts can compose them."""
from sqlalchemy import Select, func, select

from planner.auth.models import User
from planner.people.models import Person
from planner.programmes.models import Department, Membership, Programme, Region


def visible_programmes(user) -> Select:
    """The programmes ``user`` may open, by name."""
    query = select(Programme).order_by(Programme.name)
    if not user.is_admin:
        query = query.where(Programme.id.in_(select(Membership.programme_id).where(Membership.user_id == user.id)))
    return query


def regions_with_people_counts(programme_id: int) -> Select:
    """Each region of a programme with how many listed people work there."""
    people = (select(Person.region_id, func.count(Person.id).label("people"))
              .where(Person.programme_id == programme_id).group_by(Person.region_id).subquery())
    return (select(Region, func.coalesce(people.c.people, 0))
            .outerjoin(people, people.c.region_id == Region.id)
            .where(Region.programme_id == programme_id).order_by(Region.tier, Region.name))


def departments_with_people_counts(programme_id: int) -> Select:
    people = (select(Person.department_id, func.count(Person.id).label("people"))
              .where(Person.programme_id == programme_id).group_by(Person.department_id).subquery())
    return (select(Department, func.coalesce(people.c.people, 0))
            .outerjoin(people, people.c.department_id == Department.id)
            .where(Department.programme_id == programme_id).order_by(Department.name))


def memberships_of(programme_id: int) -> Select:
    return (select(Membership, User).join(User, User.id == Membership.user_id)
            .where(Membership.programme_id == programme_id).order_by(User.email, Membership.role))


def programme_counts(programme_id: int) -> dict[str, int]:
    """Headline numbers for the overview page, in one query."""
    from planner.extensions import db

    row = db.session.execute(select(
        select(func.count(Region.id)).where(Region.programme_id == programme_id).scalar_subquery(),
        select(func.count(Department.id)).where(Department.programme_id == programme_id).scalar_subquery(),
        select(func.count(Person.id)).where(Person.programme_id == programme_id).scalar_subquery(),
        select(func.count(Person.id)).where(Person.programme_id == programme_id,
                                            Person.is_super_user.is_(True)).scalar_subquery(),
        select(func.coalesce(func.sum(Region.headcount), 0)).where(
            Region.programme_id == programme_id).scalar_subquery(),
    )).one()
    return dict(zip(("regions", "departments", "people", "super_users", "headcount"), row))
