"""Committee meetings: a meeting is one calendar object (one UID), one-off or recurring; each of its
occurrences carries its own agenda, attendance and minutes."""
import enum
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from sqlalchemy import (
    Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, UTCDateTime, VersionedMixin
from planner.models import enum_column

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class Recurrence(enum.StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY_BY_DATE = "monthly_by_date"
    #: "the 2nd Tuesday", "the last Friday": the weekday of the first start, in week ``monthly_week``
    MONTHLY_BY_WEEKDAY = "monthly_by_weekday"


class MeetingStatus(enum.StrEnum):
    """A draft sends nothing; scheduling sends the invitations; cancelling sends cancellations."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class OccurrenceStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    MINUTED = "minuted"


class Meeting(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 5 AND 1440", name="duration"),
        CheckConstraint("recurrence_interval BETWEEN 1 AND 52", name="interval"),
        CheckConstraint("sequence >= 0", name="sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    #: the iCalendar UID, made once ("meeting-<id>@<host>") and never changed
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: the organiser's IANA zone: the wall time below and the recurrence are in it
    time_zone: Mapped[str] = mapped_column(String(64))
    #: wall time of the first occurrence in ``time_zone`` (naive on purpose)
    local_start: Mapped[datetime] = mapped_column(DateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    recurrence: Mapped[Recurrence] = mapped_column(enum_column(Recurrence), default=Recurrence.NONE)
    recurrence_interval: Mapped[int] = mapped_column(Integer, default=1)
    #: weekly meetings: the days, as iCalendar codes "MO,TH"
    recurrence_weekdays: Mapped[str] = mapped_column(String(30), default="")
    #: monthly by weekday: 1..4 for the nth weekday of the month, -1 for the last
    recurrence_week: Mapped[int | None] = mapped_column(Integer)
    #: the series ends on this local day (inclusive) ...
    recurrence_until: Mapped[date | None] = mapped_column(Date)
    #: ... or after this many occurrences; neither means it never ends
    recurrence_count: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus), default=MeetingStatus.DRAFT)
    #: iCalendar SEQUENCE of the series: raised on every change that makes earlier answers stale
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    committee = relationship("Committee")
    organiser = relationship("User")
    occurrences = relationship("MeetingOccurrence", back_populates="meeting", cascade="all, delete-orphan",
                               passive_deletes=True, order_by="MeetingOccurrence.original_start")
    invitees = relationship("MeetingInvitee", back_populates="meeting", cascade="all, delete-orphan",
                            passive_deletes=True)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def is_recurring(self) -> bool:
        return self.recurrence is not Recurrence.NONE

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    def aware(self, local: datetime) -> datetime:
        """A wall time of this meeting as an aware datetime in the organiser's zone."""
        return local.replace(tzinfo=self.zone)

    def rrule_parts(self) -> dict | None:
        """The recurrence as iCalendar RRULE parts (UNTIL in UTC, as RFC 5545 wants with a TZID start)."""
        if not self.is_recurring:
            return None
        parts: dict = {"FREQ": {Recurrence.DAILY: "DAILY", Recurrence.WEEKLY: "WEEKLY"}.get(self.recurrence, "MONTHLY")}
        if self.recurrence_interval > 1:
            parts["INTERVAL"] = self.recurrence_interval
        if self.recurrence is Recurrence.WEEKLY:
            parts["BYDAY"] = self.weekday_codes()
        elif self.recurrence is Recurrence.MONTHLY_BY_DATE:
            parts["BYMONTHDAY"] = [self.local_start.day]
        elif self.recurrence is Recurrence.MONTHLY_BY_WEEKDAY:
            parts["BYDAY"] = [f"{self.recurrence_week or 1}{WEEKDAY_CODES[self.local_start.weekday()]}"]
        if self.recurrence_until is not None:
            parts["UNTIL"] = self.until_utc()
        elif self.recurrence_count:
            parts["COUNT"] = self.recurrence_count
        return parts

    def weekday_codes(self) -> list[str]:
        codes = [code for code in self.recurrence_weekdays.split(",") if code in WEEKDAY_CODES]
        return sorted(codes or [WEEKDAY_CODES[self.local_start.weekday()]], key=WEEKDAY_CODES.index)

    def until_utc(self) -> datetime | None:
        """The last instant of the ``recurrence_until`` day in the organiser's zone, in UTC."""
        if self.recurrence_until is None:
            return None
        last_start = datetime.combine(self.recurrence_until, self.local_start.time())
        return self.aware(last_start).astimezone(ZoneInfo("UTC"))

    def original_starts(self, through: datetime, limit: int = 500) -> list[datetime]:
        """Wall-time starts of the occurrences the rule makes, up to ``through`` (naive local), at most ``limit``.

        The rule is expanded in local wall time, so a weekly 09:00 meeting stays at 09:00 across a
        daylight-saving change, as calendar clients expand it.
        """
        if not self.is_recurring:
            return [self.local_start] if self.local_start <= through else []
        freq = {Recurrence.DAILY: du.DAILY, Recurrence.WEEKLY: du.WEEKLY}.get(self.recurrence, du.MONTHLY)
        kwargs: dict = {"dtstart": self.local_start, "interval": self.recurrence_interval}
        if self.recurrence is Recurrence.WEEKLY:
            kwargs["byweekday"] = [WEEKDAY_CODES.index(code) for code in self.weekday_codes()]
        elif self.recurrence is Recurrence.MONTHLY_BY_DATE:
            kwargs["bymonthday"] = self.local_start.day
        elif self.recurrence is Recurrence.MONTHLY_BY_WEEKDAY:
            kwargs["byweekday"] = du.weekday(self.local_start.weekday())(self.recurrence_week or 1)
        if self.recurrence_until is not None:
            kwargs["until"] = datetime.combine(self.recurrence_until, time.max)
        elif self.recurrence_count:
            kwargs["count"] = self.recurrence_count
        starts = []
        for start in du.rrule(freq, **kwargs):
            if start > through or len(starts) >= limit:
                break
            starts.append(start)
        return starts

    def __str__(self) -> str:
        return f"Meeting {self.title}"


class MeetingOccurrence(TimestampMixin, VersionedMixin, Base):
    """One occurrence of a meeting: where the agenda, attendance and minutes live.

    ``original_start`` is the wall time the rule gave (the iCalendar RECURRENCE-ID); ``local_start``
    differs from it when this one occurrence was moved.
    """

    __tablename__ = "meeting_occurrence"
    __table_args__ = (
        UniqueConstraint("meeting_id", "original_start"),
        CheckConstraint("duration_minutes BETWEEN 5 AND 1440", name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    original_start: Mapped[datetime] = mapped_column(DateTime())
    local_start: Mapped[datetime] = mapped_column(DateTime(), index=True)
    #: the same instant as ``local_start`` in UTC, for sorting and "next meeting" across zones
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    #: set when this occurrence is held elsewhere than the series
    location: Mapped[str | None] = mapped_column(String(300))
    is_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    #: SEQUENCE of this occurrence once moved or cancelled; never below the series' when sent
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[OccurrenceStatus] = mapped_column(enum_column(OccurrenceStatus), default=OccurrenceStatus.SCHEDULED)
    #: raised on every agenda edit; the published revision tells whether members saw the latest
    agenda_revision: Mapped[int] = mapped_column(Integer, default=0)
    agenda_published_revision: Mapped[int | None] = mapped_column(Integer)
    agenda_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting = relationship(Meeting, back_populates="occurrences")
    agenda_items = relationship("AgendaItem", back_populates="occurrence", cascade="all, delete-orphan",
                                passive_deletes=True, order_by="(AgendaItem.position, AgendaItem.id)")

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def is_moved(self) -> bool:
        """Differs from what the series says, so calendars need a RECURRENCE-ID override."""
        meeting = self.meeting
        return (self.local_start != self.original_start or self.duration_minutes != meeting.duration_minutes
                or (self.location is not None and self.location != meeting.location))

    @property
    def local_end(self) -> datetime:
        return self.local_start + self.duration

    @property
    def has_published_agenda(self) -> bool:
        return self.agenda_published_revision is not None

    @property
    def agenda_is_stale(self) -> bool:
        """Published, but edited since."""
        return self.has_published_agenda and self.agenda_published_revision != self.agenda_revision

    @property
    def has_content(self) -> bool:
        """Holds something a person wrote, so it must not silently vanish when the series changes."""
        return (self.status is not OccurrenceStatus.SCHEDULED or bool(self.minutes) or self.agenda_revision > 0
                or self.is_cancelled or self.local_start != self.original_start)

    def __str__(self) -> str:
        return f"Meeting occurrence {self.meeting_id} at {self.original_start:%Y-%m-%d %H:%M}"


class AgendaItem(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "agenda_item"
    __table_args__ = (CheckConstraint("minutes_allotted BETWEEN 1 AND 600", name="minutes_allotted"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("meeting_occurrence.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    minutes_allotted: Mapped[int] = mapped_column(Integer, default=10)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id", ondelete="SET NULL"))
    gate_review_id: Mapped[int | None] = mapped_column(ForeignKey("gate_review.id", ondelete="SET NULL"))
    #: the change request this item puts before the committee
    change_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_request.id", ondelete="SET NULL"), index=True)
    #: the risk this item puts before the committee
    risk_id: Mapped[int | None] = mapped_column(ForeignKey("risk.id", ondelete="SET NULL"), index=True)

    occurrence = relationship(MeetingOccurrence, back_populates="agenda_items")
    presenter = relationship("Person")
    milestone = relationship("Milestone")
    gate_review = relationship("GateReview")
    #: joined: agendas list the linked request without a query per item
    change_request = relationship("ChangeRequest", lazy="joined")
    risk = relationship("Risk", lazy="joined")

    def __str__(self) -> str:
        return f"Agenda item {self.title}"
