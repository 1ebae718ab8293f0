"""Use-cases of programmes, their regions and departments, and memberships."""
import unicodedata
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import select

from planner.auth.models import User
from planner.core import audit
from planner.core.errors import DomainError, check_version
from planner.core.permissions import Role
from planner.extensions import db
from planner.committee.services import create_default_committee
from planner.lifecycle.services import create_stages_from_template
from planner.people.models import Person
from planner.programmes.models import Department, Membership, Programme, Region, RegionTier


def check_time_zone(name: str, field: str) -> str:
    """Accept only IANA zone names (Europe/Berlin), which keep daylight-saving rules."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise DomainError(_("Choose a time zone from the list, such as Europe/Berlin."), field=field) from None
    return name


def _required_name(value: str | None, field: str) -> str:
    """``value`` stripped (white space and the separators \\x1c-\\x1f go); refused when nothing is left."""
    value = (value or "").strip()
    if not value:
        raise DomainError(_("Write a name here (not only spaces or invisible characters)."), field=field)
    return value


def _name_key(name: str) -> str:
    """A name as compared for uniqueness: Unicode-normalised and case-folded ("ÖREBRO" is "Örebro")."""
    return unicodedata.normalize("NFC", name).casefold()


def _check_unique(model, programme_id: int | None, column, value, field: str, own_id: int | None,
                  message: str) -> None:
    """Refuse ``value`` when another row (of the programme) has the same name, whatever its case.

    Compared in Python: SQL ``lower()`` folds only ASCII letters on SQLite (and under the C locale on
    PostgreSQL), so "Örebro" twice would pass and hit the unique key. A programme has few regions and
    departments, and an installation few programmes, so loading the names is cheap.
    """
    query = select(column).where(model.id != (own_id or 0))
    if programme_id is not None:
        query = query.where(model.programme_id == programme_id)
    key = _name_key(value)
    if any(_name_key(name) == key for name in db.session.scalars(query)):
        raise DomainError(message, field=field)


def _check_sponsor(programme_id: int | None, sponsor_id: int | None) -> None:
    if sponsor_id is None:
        return
    sponsor = db.session.get(Person, sponsor_id)
    if sponsor is None or sponsor.programme_id != programme_id:
        raise DomainError(_("The sponsor must be one of this programme's people."), field="sponsor_id")


# --- programmes ------------------------------------------------------------------------------

def create_programme(*, name: str, system_name: str, start_date: date, home_time_zone: str,
                     description: str = "") -> Programme:
    """Start a new programme. Its sponsor is chosen once its people are listed."""
    name, system_name = _required_name(name, "name"), _required_name(system_name, "system_name")
    _check_unique(Programme, None, Programme.name, name, "name", None,
                  _("A programme with this name already exists."))
    programme = Programme(name=name, system_name=system_name.strip(), start_date=start_date,
                          home_time_zone=check_time_zone(home_time_zone, "home_time_zone"),
                          description=description or "")
    db.session.add(programme)
    audit.record_create(programme)
    create_stages_from_template(programme)
    create_default_committee(programme)
    return programme


def update_programme(programme: Programme, *, expected_version: int | None, name: str, system_name: str,
                     start_date: date, home_time_zone: str, description: str,
                     sponsor_id: int | None) -> None:
    """Edit a programme's description, dates, home zone and sponsor."""
    check_version(programme, expected_version)
    name, system_name = _required_name(name, "name"), _required_name(system_name, "system_name")
    _check_unique(Programme, None, Programme.name, name, "name", programme.id,
                  _("A programme with this name already exists."))
    _check_sponsor(programme.id, sponsor_id)
    changes = audit.apply_changes(programme, {
        "name": name, "system_name": system_name.strip(), "start_date": start_date,
        "home_time_zone": check_time_zone(home_time_zone, "home_time_zone"),
        "description": description or "", "sponsor_id": sponsor_id,
    })
    db.session.flush()
    audit.record_update(programme, changes)


def delete_programme(programme: Programme) -> None:
    """Delete a programme with everything in it. The audit history stays."""
    audit.record_delete(programme)
    programme.sponsor_id = None
    db.session.flush()
    db.session.delete(programme)
    db.session.flush()


# --- regions ---------------------------------------------------------------------------------

def _region_values(programme_id: int, region_id: int | None, *, name: str, tier: RegionTier | str,
                   time_zone: str, headcount: int, site_notes: str) -> dict:
    name = _required_name(name, "name")
    _check_unique(Region, programme_id, Region.name, name, "name", region_id,
                  _("This programme already has a region with this name."))
    if headcount is None or headcount < 0:
        raise DomainError(_("Headcount cannot be negative."), field="headcount")
    try:
        tier = RegionTier(tier)
    except ValueError:
        raise DomainError(_("Choose pilot, key or standard."), field="tier") from None
    return {"name": name, "tier": tier, "time_zone": check_time_zone(time_zone, "time_zone"),
            "headcount": headcount, "site_notes": site_notes or ""}


def create_region(programme: Programme, **values) -> Region:
    """Add a region (a branch, country or site) to the programme."""
    region = Region(programme=programme, **_region_values(programme.id, None, **values))
    db.session.add(region)
    audit.record_create(region)
    return region


def update_region(region: Region, *, expected_version: int | None, **values) -> None:
    """Edit a region."""
    check_version(region, expected_version)
    changes = audit.apply_changes(region, _region_values(region.programme_id, region.id, **values))
    db.session.flush()
    audit.record_update(region, changes)


def delete_region(region: Region) -> None:
    """Delete a region; its people stay, without a region."""
    audit.delete(region)


# --- departments -----------------------------------------------------------------------------

def _department_values(programme_id: int, department_id: int | None, *, name: str, is_it: bool) -> dict:
    name = _required_name(name, "name")
    _check_unique(Department, programme_id, Department.name, name, "name", department_id,
                  _("This programme already has a department with this name."))
    return {"name": name, "is_it": bool(is_it)}


def create_department(programme: Programme, **values) -> Department:
    """Add a department affected by the rollout."""
    department = Department(programme=programme, **_department_values(programme.id, None, **values))
    db.session.add(department)
    audit.record_create(department)
    return department


def update_department(department: Department, *, expected_version: int | None, **values) -> None:
    """Edit a department."""
    check_version(department, expected_version)
    changes = audit.apply_changes(department,
                                  _department_values(department.programme_id, department.id, **values))
    db.session.flush()
    audit.record_update(department, changes)


def delete_department(department: Department) -> None:
    """Delete a department; its people stay, without a department."""
    audit.delete(department)


# --- memberships -----------------------------------------------------------------------------

def grant_role(programme: Programme, user: User, role: Role | str) -> Membership:
    """Give a user a role in a programme (a user may hold several)."""
    try:
        role = Role(role)
    except ValueError:
        raise DomainError(_("Choose one of the roles listed."), field="role") from None
    exists = db.session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.programme_id == programme.id, Membership.role == role))
    if exists:
        raise DomainError(_("%(email)s already has this role here.", email=user.email), field="role")
    membership = Membership(programme=programme, user=user, role=role)
    db.session.add(membership)
    audit.record_create(membership)
    return membership


def revoke_role(membership: Membership, *, acting_user: User) -> None:
    """Take a role away from a user in one programme.

    A project manager cannot drop their own role, so a programme is never left without one by
    accident; another project manager or an admin can.
    """
    if (membership.user_id == acting_user.id and membership.role == Role.PROJECT_MANAGER
            and not acting_user.is_admin):
        raise DomainError(_("You cannot remove your own project-manager role; ask another project manager."))
    audit.delete(membership)
