"""Write use-cases of adoption: record, correct and delete weekly figures, nominate and remove super-users."""
import re
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from planner.adoption.models import AdoptionFigure, AdoptionSource
from planner.core import audit, clock
from planner.core.errors import DomainError, check_version
from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Programme, Region

ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
#: more than this many users in one region is a typing error, not a rollout
MAX_USERS = 1_000_000


def week_start(day: date) -> date:
    """The Monday of the ISO week ``day`` falls in."""
    return day - timedelta(days=day.weekday())


def parse_week(text: str) -> date:
    """The Monday of a week written as an ISO date of any day in it ("2026-10-07") or as an ISO week
    ("2026-W41"); DomainError on anything else."""
    text = (text or "").strip()
    match = ISO_WEEK.match(text)
    try:
        if match:
            return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        return week_start(date.fromisoformat(text))
    except ValueError:
        raise DomainError(_("\"%(text)s\" is not a week: write a date such as 2026-10-07 or a week such as "
                            "2026-W41.", text=text), field="week") from None


def checked_counts(active_users, licensed_users) -> tuple[int, int]:
    """The counts, checked: licensed at least 1, active between 0 and licensed."""
    if licensed_users is None or isinstance(licensed_users, bool) or not isinstance(licensed_users, int):
        raise DomainError(_("Enter the number of licensed users."), field="licensed_users")
    if active_users is None or isinstance(active_users, bool) or not isinstance(active_users, int):
        raise DomainError(_("Enter the number of active users."), field="active_users")
    if licensed_users <= 0:
        raise DomainError(_("Licensed users must be at least 1."), field="licensed_users")
    if licensed_users > MAX_USERS:
        raise DomainError(_("Licensed users must be at most %(n)d.", n=MAX_USERS), field="licensed_users")
    if active_users < 0:
        raise DomainError(_("Active users cannot be negative."), field="active_users")
    if active_users > licensed_users:
        raise DomainError(_("Active users (%(active)d) cannot be more than licensed users (%(licensed)d).",
                            active=active_users, licensed=licensed_users), field="active_users")
    return active_users, licensed_users


def earliest_week(programme: Programme) -> date:
    """The first Monday a figure may be recorded for: a year before the programme starts."""
    start = programme.start_date
    try:
        year_before = start.replace(year=start.year - 1)
    except ValueError:  # 29 February
        year_before = start.replace(year=start.year - 1, day=28)
    return week_start(year_before)


def checked_week(week: date | None, today: date, earliest: date | None = None) -> date:
    """The Monday of ``week``, refused when the week has not started by ``today`` or is before the week of
    ``earliest`` (see ``earliest_week``)."""
    if week is None:
        raise DomainError(_("Enter the week."), field="week")
    monday = week_start(week)
    if monday > week_start(today):
        raise DomainError(_("The week of %(day)s has not started yet: record figures once the week is under way.",
                            day=monday.isoformat()), field="week")
    if earliest is not None and monday < week_start(earliest):
        raise DomainError(_("The week of %(day)s is more than a year before the programme starts: the first week "
                            "is %(first)s.", day=monday.isoformat(), first=week_start(earliest).isoformat()),
                          field="week")
    return monday


def _region_of(programme: Programme, region_id) -> Region:
    region = db.session.get(Region, region_id) if isinstance(region_id, int) else None
    if region is None or region.programme_id != programme.id:
        raise DomainError(_("Choose a region of this programme."), field="region_id")
    return region


def _figure_of(region_id: int, week: date) -> AdoptionFigure | None:
    return db.session.scalar(select(AdoptionFigure).where(AdoptionFigure.region_id == region_id,
                                                          AdoptionFigure.week == week))


def record_figure(programme: Programme, *, region_id: int, week: date | str, active_users: int, licensed_users: int,
                  source: str | AdoptionSource = AdoptionSource.ENTERED, recorded_by_id: int | None = None,
                  today: date | None = None) -> AdoptionFigure:
    """Record a region's active and licensed users for a week (any day of it), replacing the figure already
    recorded for that region and week: the latest count wins, as a corrected report should. ``week`` may be
    written as ``parse_week`` reads it."""
    region = _region_of(programme, region_id)
    if isinstance(week, str):
        week = parse_week(week)
    monday = checked_week(week, today or clock.today(), earliest_week(programme))
    active_users, licensed_users = checked_counts(active_users, licensed_users)
    source = AdoptionSource(source)
    figure = _figure_of(region.id, monday)
    if figure is None:
        figure = AdoptionFigure(programme_id=programme.id, region_id=region.id, week=monday,
                                active_users=active_users, licensed_users=licensed_users, source=source,
                                recorded_by_id=recorded_by_id)
        try:
            with db.session.begin_nested():
                db.session.add(figure)
        except IntegrityError:  # recorded at the same moment by another request: update theirs instead
            figure = _figure_of(region.id, monday)
        else:
            audit.record_create(figure)
            return figure
    changes = audit.apply_changes(figure, {"active_users": active_users, "licensed_users": licensed_users,
                                           "source": source, "recorded_by_id": recorded_by_id})
    audit.record_update(figure, changes)
    db.session.flush()
    return figure


def update_figure(figure: AdoptionFigure, *, expected_version: int | None, active_users: int, licensed_users: int,
                  recorded_by_id: int | None = None, source: AdoptionSource = AdoptionSource.ENTERED) -> dict:
    """Correct a figure's counts (its region and week stay: delete it and record another to move it); ``source``
    says where the correction came from (the entry page, or the API)."""
    check_version(figure, expected_version)
    active_users, licensed_users = checked_counts(active_users, licensed_users)
    changes = audit.apply_changes(figure, {"active_users": active_users, "licensed_users": licensed_users,
                                           "source": source, "recorded_by_id": recorded_by_id})
    audit.record_update(figure, changes)
    db.session.flush()
    return changes


def delete_figure(figure: AdoptionFigure) -> None:
    """Delete a figure recorded by mistake."""
    audit.delete(figure)


def set_super_user(programme: Programme, person: Person, is_super_user: bool, *,
                   region_id: int | None = None) -> bool:
    """Nominate a person as their region's super-user (an internal expert colleagues turn to) or step them
    down; with ``region_id``, the person must belong to that region. Returns whether anything changed."""
    if person.programme_id != programme.id:
        raise DomainError(_("Choose a person of this programme."), field="person_id")
    if is_super_user and person.region_id is None:
        raise DomainError(_("%(name)s has no region: give them one on the people page first.",
                            name=person.full_name), field="person_id")
    if region_id is not None and person.region_id != region_id:
        raise DomainError(_("%(name)s is not in this region.", name=person.full_name), field="person_id")
    changes = audit.apply_changes(person, {"is_super_user": bool(is_super_user)})
    audit.record_update(person, changes)
    db.session.flush()
    return bool(changes)
