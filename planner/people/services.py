"""Use-cases of the people affected by a rollout."""
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from planner.committee.models import CommitteeMember, Meeting, MeetingInvitee, MeetingStatus
from planner.core import audit
from planner.core.errors import DomainError, check_version
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Department, Programme, Region


def normalise_person_email(email: str, field: str = "email") -> str:
    """A syntactically valid, lower-cased address (no DNS lookup: people may be on an intranet)."""
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError(_("This is not a valid email address."), field=field) from None


def _check_belongs(model, object_id: int | None, programme_id: int, field: str, message: str) -> None:
    if object_id is None:
        return
    obj = db.session.get(model, object_id)
    if obj is None or obj.programme_id != programme_id:
        raise DomainError(message, field=field)


#: the lengths the person table holds
MAX_NAME_LENGTH = 200
MAX_JOB_ROLE_LENGTH = 120


def _person_values(programme_id: int, person_id: int | None, **values) -> dict:
    """The checked values of a person, including that the email is free and the department and region are the
    programme's."""
    values = _clean_values(**values)
    clash = db.session.scalar(select(Person.id).where(Person.programme_id == programme_id,
                                                      Person.email == values["email"],
                                                      Person.id != (person_id or 0)))
    if clash:
        raise DomainError(_("Someone in this programme already has this email."), field="email")
    _check_belongs(Department, values["department_id"], programme_id, "department_id",
                   _("Choose one of this programme's departments."))
    _check_belongs(Region, values["region_id"], programme_id, "region_id",
                   _("Choose one of this programme's regions."))
    return values


def _clean_values(*, full_name: str, email: str, department_id: int | None, job_role: str, region_id: int | None,
                  is_super_user: bool) -> dict:
    """The checks that need no database: lengths, a valid email, trimmed text."""
    full_name = (full_name or "").strip()
    if not full_name:
        raise DomainError(_("A name is needed."), field="full_name")
    if len(full_name) > MAX_NAME_LENGTH:
        raise DomainError(_("The name is longer than %(n)d characters.", n=MAX_NAME_LENGTH), field="full_name")
    if len((job_role or "").strip()) > MAX_JOB_ROLE_LENGTH:
        raise DomainError(_("The job role is longer than %(n)d characters.", n=MAX_JOB_ROLE_LENGTH),
                          field="job_role")
    email = normalise_person_email(email)
    return {"full_name": full_name, "email": email, "department_id": department_id,
            "job_role": (job_role or "").strip(), "region_id": region_id, "is_super_user": bool(is_super_user)}


def create_person(programme: Programme, **values) -> Person:
    """Add a person to the programme."""
    person = Person(programme_id=programme.id, **_person_values(programme.id, None, **values))
    db.session.add(person)
    audit.record_create(person)
    return person


def import_new_people(programme: Programme, rows: list[dict]) -> list[Person]:
    """Add the new people of a CSV import at once. ``plan_import`` has checked the rows against the programme
    (free emails, its departments and regions) in bulk, so only the checks that need no query run here."""
    people = [Person(programme_id=programme.id, **_clean_values(**row)) for row in rows]
    db.session.add_all(people)
    audit.record_creates(people)
    return people


def update_imported_people(updates: list[tuple[Person, dict]]) -> None:
    """Apply the changed rows of a CSV import at once: (person, row) pairs, the row matched to the person by
    email. ``plan_import`` has checked the rows against the programme in bulk (its departments and regions; an
    email is never changed, it is what matched), so only the checks that need no query run here, and one flush
    writes every change."""
    audit.record_updates([(person, audit.apply_changes(person, _clean_values(**row))) for person, row in updates])


def update_person(person: Person, *, expected_version: int | None, **values) -> dict:
    """Edit a person; returns the changes made (empty when nothing differed)."""
    check_version(person, expected_version)
    changes = audit.apply_changes(person, _person_values(person.programme_id, person.id, **values))
    db.session.flush()
    audit.record_update(person, changes)
    return changes


def delete_person(person: Person) -> None:
    """Remove a person from the programme."""
    programme = db.session.get(Programme, person.programme_id)
    if programme.sponsor_id == person.id:
        raise DomainError(_("%(name)s is the programme's executive sponsor. Choose another sponsor first.",
                            name=person.full_name))
    _check_not_in_meetings(person)
    audit.delete(person)


def _check_not_in_meetings(person: Person) -> None:
    """A committee member or meeting guest leaves through the committee pages, which sends their calendar
    the cancellation; deleting them here would drop their invitations silently."""
    seated = db.session.scalar(select(CommitteeMember.id).where(CommitteeMember.person_id == person.id,
                                                                CommitteeMember.ends_on.is_(None)))
    if seated:
        raise DomainError(_("%(name)s sits on the steering committee. Record their leaving on the committee "
                            "page first.", name=person.full_name))
    invited = db.session.scalar(select(MeetingInvitee.id).join(Meeting).where(
        MeetingInvitee.person_id == person.id, MeetingInvitee.removed_at.is_(None),
        Meeting.status == MeetingStatus.SCHEDULED))
    if invited:
        raise DomainError(_("%(name)s is invited to committee meetings. Remove them from those meetings first, "
                            "so their calendar is told.", name=person.full_name))
