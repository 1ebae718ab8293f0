"""Read helpers returning Select statements, so pages, exports and charts can compose them."""
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import contains_eager

from planner.auth.models import User
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Department, Membership, Programme, Region


def visible_programmes(user) -> Select:
    """The programmes ``user`` may open, by name."""
    query = select(Programme).order_by(Programme.name)
    if not user.is_admin:
        query = query.where(Programme.id.in_(select(Membership.programme_id).where(Membership.user_id == user.id)))
    return query


def regions_of(programme_id: int) -> Select:
    """A programme's regions, pilot first, then key, then standard."""
    tier_order = case({"pilot": 0, "key": 1}, value=Region.tier, else_=2)
    return select(Region).where(Region.programme_id == programme_id).order_by(tier_order, Region.name)


def regions_by_name(programme_id: int) -> Select:
    """A programme's regions by name (then id), as pages listing them a page at a time do."""
    return select(Region).where(Region.programme_id == programme_id).order_by(Region.name, Region.id)


def departments_of(programme_id: int) -> Select:
    return select(Department).where(Department.programme_id == programme_id).order_by(Department.name)


def memberships_of(programme_id: int) -> Select:
    """A programme's memberships with their users loaded, by email."""
    return (select(Membership).join(User, User.id == Membership.user_id).options(contains_eager(Membership.user))
            .where(Membership.programme_id == programme_id).order_by(User.email, Membership.role))


def programme_counts(programme_id: int) -> dict[str, int]:
    """Headline numbers for the overview page, in one query."""
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
