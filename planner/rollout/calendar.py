"""A programme's working calendar and freeze windows, in the schedule engine's terms."""
from sqlalchemy import select

from planner.extensions import db
from planner.rollout.models import FreezeWindow, Holiday
from planner.scheduling.calendar import FreezeWindow as EngineFreezeWindow
from planner.scheduling.calendar import WorkingCalendar


def weekdays_from_iso(text: str) -> frozenset[int]:
    """ "12345" (ISO, Monday=1) -> {0, 1, 2, 3, 4} (Python, Monday=0)."""
    return frozenset(int(ch) - 1 for ch in text if ch in "1234567")


def programme_calendar(programme, region_id: int | None = None) -> WorkingCalendar:
    """Working days of the programme; with ``region_id``, that region's own holidays count too."""
    query = select(Holiday.day).where(Holiday.programme_id == programme.id)
    if region_id is None:
        query = query.where(Holiday.region_id.is_(None))
    else:
        query = query.where((Holiday.region_id.is_(None)) | (Holiday.region_id == region_id))
    return WorkingCalendar(working_weekdays=weekdays_from_iso(programme.working_weekdays),
                           holidays=frozenset(db.session.scalars(query)))


def freeze_windows(programme_id: int) -> list[EngineFreezeWindow]:
    rows = db.session.scalars(select(FreezeWindow).where(FreezeWindow.programme_id == programme_id)
                              .order_by(FreezeWindow.start_on))
    return [EngineFreezeWindow(start=row.start_on, end=row.end_on, name=row.name) for row in rows]
