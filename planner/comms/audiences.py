"""Audiences: who a message, survey or status update is for, resolved to people when it is used.

The rule of an audience (see ``Audience``) is stored, not its members: someone who joins a region or
department after the audience was defined is in it the next time something is sent.
"""
from flask_babel import gettext as _
from sqlalchemy import Select, and_, false, func, literal, or_, select

from planner.comms.models import Audience, audience_department, audience_person, audience_region
from planner.core import audit
from planner.core.errors import DomainError, check_version
from planner.extensions import db
from planner.models import utcnow
from planner.people.models import Person, job_role_key
from planner.programmes.models import Department, Programme, Region

MAX_JOB_ROLES = 50


def members_query(audience: Audience) -> Select:
    """The people of ``audience`` now, ordered by name (a Select of Person, to page or count)."""
    return (select(Person).where(Person.programme_id == audience.programme_id, _membership(audience))
            .order_by(Person.full_name, Person.id))


def member_ids_query(audience: Audience) -> Select:
    """The ids of the people of ``audience`` now."""
    return select(Person.id).where(Person.programme_id == audience.programme_id, _membership(audience))


def member_count(audience: Audience) -> int:
    return db.session.scalar(select(func.count()).select_from(member_ids_query(audience).subquery()))


def member_counts(programme_id: int, audiences) -> dict[int, int]:
    """``{audience id: member count}`` for several audiences of one programme in two queries, whatever their
    number or the number of people: their rules (``rules_of``), then one statement with a count per audience
    (each ``membership`` condition in its own subquery, so the database can use the index on region, department
    or job role that suits it)."""
    audiences = list(audiences)
    if not audiences:
        return {}
    rules = rules_of(audiences)
    counts = db.session.execute(select(*(
        select(func.count()).select_from(Person)
        .where(Person.programme_id == programme_id, membership(audience.id, rules[audience.id])).scalar_subquery()
        for audience in audiences))).one()
    return {audience.id: count for audience, count in zip(audiences, counts, strict=True)}


def rules_of(audiences) -> dict[int, dict]:
    """The rule of each audience as plain sets (one query for all of them): is_everyone, regions,
    departments, roles (as ``job_role_key`` folds them), people."""
    ids = [audience.id for audience in audiences]
    rules = {audience.id: {"is_everyone": audience.is_everyone, "regions": set(), "departments": set(),
                           "roles": {job_role_key(role) for role in audience.job_role_list}, "people": set()}
             for audience in audiences}
    links = (select(audience_region.c.audience_id, audience_region.c.region_id, literal("regions"))
             .where(audience_region.c.audience_id.in_(ids))
             .union_all(select(audience_department.c.audience_id, audience_department.c.department_id,
                               literal("departments")).where(audience_department.c.audience_id.in_(ids)),
                        select(audience_person.c.audience_id, audience_person.c.person_id, literal("people"))
                        .where(audience_person.c.audience_id.in_(ids))))
    for audience_id, value, kind in db.session.execute(links):
        rules[audience_id][kind].add(value)
    return rules


def membership(audience_id: int, rule: dict):
    """The condition on Person that says who is in the audience whose rule (from ``rules_of``) is ``rule``:
    everyone; or the people listed by name, plus those matching every dimension that is set (any value within
    one). No dimension set matches nobody beyond the people listed. A person without a region or department
    matches no region or department (NULL is never IN a list). The caller limits Person to the programme.

    Regions, departments and job roles are bound as values (a programme has few of each; at most
    ``MAX_JOB_ROLES`` roles); the people listed stay a subquery, since an audience may list thousands."""
    if rule["is_everyone"]:
        return Person.id.is_not(None)
    dimensions = [column.in_(sorted(values)) for column, values in (
        (Person.region_id, rule["regions"]), (Person.department_id, rule["departments"]),
        (Person.job_role_key, rule["roles"])) if values]
    matching = and_(*dimensions) if dimensions else false()
    if not rule["people"]:
        return matching
    listed = Person.id.in_(select(audience_person.c.person_id).where(audience_person.c.audience_id == audience_id))
    return or_(listed, matching)


def covers_region(rule: dict, region_id: int) -> bool:
    """Whether an audience reaches everyone in a region: it is everyone, or it lists the region with no
    department or job-role limit (people listed by name do not make an audience cover a region)."""
    return rule["is_everyone"] or (region_id in rule["regions"] and not rule["departments"] and not rule["roles"])


def _membership(audience: Audience):
    """The WHERE clause for Person that says who is in ``audience`` now (reads its rule: one query, none for
    everyone)."""
    if audience.is_everyone:
        return Person.id.is_not(None)
    return membership(audience.id, rules_of([audience])[audience.id])


def audiences_of(programme_id: int) -> Select:
    return select(Audience).where(Audience.programme_id == programme_id).order_by(Audience.name, Audience.id)


# --- writing ------------------------------------------------------------------------------------

def _clean_name(programme_id: int, name: str, audience_id: int | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Give the audience a name."), field="name")
    if len(name) > 200:
        raise DomainError(_("The name is longer than 200 characters."), field="name")
    query = select(Audience.id).where(Audience.programme_id == programme_id, func.lower(Audience.name) == name.lower())
    if audience_id is not None:
        query = query.where(Audience.id != audience_id)
    if db.session.scalar(query):
        raise DomainError(_("Another audience of this programme has this name."), field="name")
    return name


def _clean_roles(job_roles) -> str:
    if isinstance(job_roles, str):
        job_roles = job_roles.splitlines()
    roles, seen = [], set()
    for role in job_roles or ():
        role = " ".join(role.split())
        if not role or role.casefold() in seen:
            continue
        if len(role) > 120:
            raise DomainError(_("A job role is longer than 120 characters."), field="job_roles")
        seen.add(role.casefold())
        roles.append(role)
    if len(roles) > MAX_JOB_ROLES:
        raise DomainError(_("List at most %(count)s job roles.", count=MAX_JOB_ROLES), field="job_roles")
    return "\n".join(roles)


def _owned(model, programme_id: int, ids, field: str, message: str) -> list:
    ids = sorted({int(value) for value in ids or ()})
    if not ids:
        return []
    found = db.session.scalars(select(model).where(model.programme_id == programme_id, model.id.in_(ids))).all()
    if len(found) != len(ids):
        raise DomainError(message, field=field)
    return list(found)


def _values(audience: Audience, programme_id: int, *, name: str, description: str, is_everyone: bool,
            region_ids, department_ids, job_roles, person_ids) -> dict:
    """The checked new state of an audience (nothing is assigned yet, so no half-changed row is flushed)."""
    values = {
        "name": _clean_name(programme_id, name, audience.id),
        "description": (description or "").strip(),
        "is_everyone": bool(is_everyone),
        "job_roles": _clean_roles(job_roles),
        "regions": _owned(Region, programme_id, region_ids, "region_ids", _("Choose regions of this programme.")),
        "departments": _owned(Department, programme_id, department_ids, "department_ids",
                              _("Choose departments of this programme.")),
        "people": _owned(Person, programme_id, person_ids, "person_ids", _("Choose people of this programme.")),
    }
    if not (values["is_everyone"] or values["regions"] or values["departments"] or values["job_roles"]
            or values["people"]):
        raise DomainError(_("Say who is in the audience: everyone, or regions, departments, job roles or people."),
                          field="is_everyone")
    return values


def _state(audience: Audience) -> dict:
    """What the audit log compares: plain values, lists as sorted ids."""
    return {"name": audience.name, "description": audience.description, "is_everyone": audience.is_everyone,
            "job_roles": audience.job_roles,
            "regions": sorted(region.id for region in audience.regions),
            "departments": sorted(department.id for department in audience.departments),
            "people": sorted(person.id for person in audience.people)}


def _assign(audience: Audience, values: dict) -> None:
    for key, value in values.items():
        setattr(audience, key, value)


def create_audience(programme: Programme, **values) -> Audience:
    """Define a stakeholder group of ``programme``."""
    audience = Audience(programme_id=programme.id)
    _assign(audience, _values(audience, programme.id, **values))
    db.session.add(audience)
    audit.record_create(audience)
    return audience


def update_audience(audience: Audience, *, expected_version: int | None, **values) -> None:
    """Change an audience's rule; what was already sent to it stays as sent."""
    check_version(audience, expected_version)
    values = _values(audience, audience.programme_id, **values)
    before = _state(audience)
    _assign(audience, values)
    after = _state(audience)
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        audience.updated_at = utcnow()  # an UPDATE even when only the lists changed: the version moves on
        db.session.flush()
        audit.record_update(audience, changes)


def delete_audience(audience: Audience) -> None:
    """Remove an audience; refused while anything that must keep its audience refers to it: plan items, survey
    rounds (any foreign key to it with ON DELETE RESTRICT) and status updates (drafts or sent: deleting the
    audience would delete them). The log keeps the name of what was sent."""
    from planner.comms.models import StatusUpdate

    uses = [table.name.replace("_", " ") for table, column in _restricting_columns()
            if db.session.scalar(select(column).where(column == audience.id).limit(1)) is not None]
    if db.session.scalar(select(StatusUpdate.id).where(StatusUpdate.audience_id == audience.id).limit(1)):
        uses.append(_("status updates"))
    if uses:
        raise DomainError(_("This audience is in use (%(what)s), so it cannot be deleted.",
                            what=", ".join(uses)))
    audit.delete(audience)


def _restricting_columns():
    """(table, column) pairs whose foreign key to audience.id forbids deleting the audience."""
    pairs = []
    for table in Audience.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column is Audience.__table__.c.id and (key.ondelete or "").upper() == "RESTRICT":
                pairs.append((table, key.parent))
    return pairs
