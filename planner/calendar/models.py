"""State the calendar feeds keep: a watermark so Last-Modified never goes backwards."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from planner.models import Base, UTCDateTime


class FeedWatermark(Base):
    """The last time something that feeds show was deleted.

    A feed's Last-Modified is the newest ``updated_at`` among its records; a deletion removes a
    record, so without this mark the date could go backwards and clients would keep a stale copy.
    """

    __tablename__ = "feed_watermark"

    #: "calendar" for now: one row per kind of feed
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
