"""Super-users per region: the internal experts colleagues turn to, grown from the business user groups rather
than from IT (DOMAIN.md). A region with none, or with none known to be in a business department (all in IT, or
some without a department, which counts as unknown, not as business), is flagged."""
import enum
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Department, Region


class FlagKind(enum.StrEnum):
    NONE = "none"
    #: every super-user is in an IT department
    IT_ONLY = "it_only"
    #: none in a business department: some in IT or all without a department (unknown)
    NO_BUSINESS = "no_business"


@dataclass(frozen=True)
class RegionFlag:
    """A region whose internal experts need attention."""

    region_id: int
    region: str
    kind: FlagKind

    @property
    def message(self) -> str:
        if self.kind is FlagKind.NONE:
            return _("%(region)s has no super-user.", region=self.region)
        if self.kind is FlagKind.NO_BUSINESS:
            return _("%(region)s has no super-user known to be in a business department: they are in IT or have "
                     "no department. Record their departments, or grow one from the business user groups.",
                     region=self.region)
        return _("%(region)s has super-users only in IT: grow one from the business user groups.",
                 region=self.region)


@dataclass(frozen=True)
class SuperUser:
    person_id: int
    full_name: str
    department: str | None
    is_it: bool

    @property
    def is_business(self) -> bool:
        """In a department that is not IT (without a department: unknown, not business)."""
        return self.department is not None and not self.is_it


@dataclass
class RegionSuperUsers:
    region_id: int
    name: str
    super_users: list[SuperUser] = field(default_factory=list)

    @property
    def flag(self) -> FlagKind | None:
        if not self.super_users:
            return FlagKind.NONE
        if all(person.is_it for person in self.super_users):
            return FlagKind.IT_ONLY
        if not any(person.is_business for person in self.super_users):
            return FlagKind.NO_BUSINESS
        return None


def super_users_by_region(programme_id: int) -> list[RegionSuperUsers]:
    """Every region of the programme (by name) with its super-users (by name), in two queries."""
    regions = [RegionSuperUsers(region_id, name) for region_id, name in db.session.execute(
        select(Region.id, Region.name).where(Region.programme_id == programme_id).order_by(Region.name, Region.id))]
    by_id = {region.region_id: region for region in regions}
    for person_id, full_name, region_id, department, is_it in db.session.execute(
            select(Person.id, Person.full_name, Person.region_id, Department.name, Department.is_it)
            .outerjoin(Department, Department.id == Person.department_id)
            .where(Person.programme_id == programme_id, Person.is_super_user.is_(True),
                   Person.region_id.is_not(None))
            .order_by(Person.full_name, Person.id)):
        if region_id in by_id:
            by_id[region_id].super_users.append(SuperUser(person_id, full_name, department, bool(is_it)))
    return regions


def super_user_flags(programme_id: int) -> list[RegionFlag]:
    """The regions without a super-user, or with super-users only in IT departments (for the health check)."""
    return [RegionFlag(region.region_id, region.name, region.flag)
            for region in super_users_by_region(programme_id) if region.flag is not None]


def candidates(programme_id: int, region_id: int) -> Select:
    """People of a region who are not super-users yet: business departments first (IT last), then by name;
    departments loaded."""
    return (select(Person).outerjoin(Department, Department.id == Person.department_id)
            .where(Person.programme_id == programme_id, Person.region_id == region_id,
                   Person.is_super_user.is_(False))
            .options(joinedload(Person.department))
            .order_by(Department.is_it.is_(True), Person.full_name, Person.id))
