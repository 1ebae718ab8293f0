"""Read helpers of the communication pages: Selects to page, count or export."""
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from planner.comms.models import CommunicationItem, CommunicationLog, StatusUpdate


def items_of(programme_id: int, *, purpose=None, item_ids=None) -> Select:
    """Plan items, by date then title, with their audience and owner loaded."""
    query = (select(CommunicationItem).where(CommunicationItem.programme_id == programme_id)
             .options(joinedload(CommunicationItem.audience), joinedload(CommunicationItem.owner))
             .order_by(CommunicationItem.planned_on, CommunicationItem.title, CommunicationItem.id))
    if purpose is not None:
        query = query.where(CommunicationItem.purpose == purpose)
    if item_ids is not None:
        query = query.where(CommunicationItem.id.in_(item_ids))
    return query


def log_of(programme_id: int, *, item_id: int | None = None) -> Select:
    """The log, newest first."""
    query = (select(CommunicationLog).where(CommunicationLog.programme_id == programme_id)
             .options(joinedload(CommunicationLog.recorded_by))
             .order_by(CommunicationLog.happened_at.desc(), CommunicationLog.id.desc()))
    if item_id is not None:
        query = query.where(CommunicationLog.item_id == item_id)
    return query


def status_updates_of(programme_id: int) -> Select:
    return (select(StatusUpdate).where(StatusUpdate.programme_id == programme_id)
            .options(joinedload(StatusUpdate.audience))
            .order_by(StatusUpdate.created_at.desc(), StatusUpdate.id.desc()))
