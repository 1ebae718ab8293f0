"""Communication: the audiences a programme talks to, the plan of what is said to them, the log of what was
actually sent or held, and status-update drafts."""
import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, UTCDateTime, VersionedMixin, enum_column

audience_region = Table(
    "audience_region", Base.metadata,
    Column("audience_id", ForeignKey("audience.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True),
)
audience_department = Table(
    "audience_department", Base.metadata,
    Column("audience_id", ForeignKey("audience.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
)
audience_person = Table(
    "audience_person", Base.metadata,
    Column("audience_id", ForeignKey("audience.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
)


class Audience(TimestampMixin, VersionedMixin, Base):
    """A stakeholder group. Membership is a rule, resolved to people when something is sent
    (``planner.comms.audiences.members_query``): everyone in the programme, or the people matching every
    dimension that is set (regions, departments, job roles; any value within one dimension), plus the people
    listed by name."""

    __tablename__ = "audience"
    __table_args__ = (UniqueConstraint("programme_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: everyone affected by the rollout: every person of the programme
    is_everyone: Mapped[bool] = mapped_column(Boolean, default=False)
    #: job roles matched without regard to case, one per line; empty: any role
    job_roles: Mapped[str] = mapped_column(Text, default="")

    regions = relationship("Region", secondary=audience_region, order_by="Region.name")
    departments = relationship("Department", secondary=audience_department, order_by="Department.name")
    people = relationship("Person", secondary=audience_person, order_by="Person.full_name")

    @property
    def job_role_list(self) -> list[str]:
        return [line.strip() for line in self.job_roles.splitlines() if line.strip()]

    def __str__(self) -> str:
        return f"Audience {self.name}"


class CommsPurpose(enum.StrEnum):
    """Why a message is sent (DOMAIN.md, Communication)."""

    VISION_KICKOFF = "vision_kickoff"
    STATUS_UPDATE = "status_update"
    GO_LIVE_NOTICE = "go_live_notice"
    TRAINING_CALL = "training_call"
    PROCESS_CHANGE = "process_change"
    OTHER = "other"


class CommsChannel(enum.StrEnum):
    EMAIL = "email"
    MEETING = "meeting"
    INTRANET = "intranet"
    TOWN_HALL = "town_hall"
    OTHER = "other"


class CommunicationItem(TimestampMixin, VersionedMixin, Base):
    """A planned message or meeting: once on ``planned_on``, or repeatedly from ``planned_on`` by ``recurrence``
    (an RRULE, see ``planner.comms.recurrence``). Each occurrence is fulfilled by one log row."""

    __tablename__ = "communication_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[CommsPurpose] = mapped_column(enum_column(CommsPurpose))
    #: an item refers to its audience: deleting the audience is refused while items use it
    audience_id: Mapped[int] = mapped_column(ForeignKey("audience.id", ondelete="RESTRICT"), index=True)
    channel: Mapped[CommsChannel] = mapped_column(enum_column(CommsChannel))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text, default="")
    #: the date of a one-off item, or the first occurrence of a recurring one
    planned_on: Mapped[date] = mapped_column(Date)
    #: an RRULE without DTSTART ("FREQ=WEEKLY;INTERVAL=2"); empty: a one-off item
    recurrence: Mapped[str] = mapped_column(String(500), default="")
    #: for go-live notices: the region whose go-live is announced
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"))

    audience = relationship("Audience")
    owner = relationship("Person")
    region = relationship("Region")

    def __str__(self) -> str:
        return f"Communication {self.title}"


class CommunicationLog(TimestampMixin, Base):
    """What was actually sent or held. An email send resolved its audience at that moment: its outbox messages
    have keys starting ``comms:<log id>:``."""

    __tablename__ = "communication_log"
    __table_args__ = (UniqueConstraint("item_id", "occurrence_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("communication_item.id", ondelete="SET NULL"),
                                                index=True)
    #: the occurrence of the plan item this fulfils
    occurrence_on: Mapped[date | None] = mapped_column(Date)
    audience_id: Mapped[int | None] = mapped_column(ForeignKey("audience.id", ondelete="SET NULL"), index=True)
    #: the audience's name when sent (the audience may be renamed or deleted later)
    audience_name: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[CommsPurpose] = mapped_column(enum_column(CommsPurpose))
    channel: Mapped[CommsChannel] = mapped_column(enum_column(CommsChannel))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    #: when it was sent or held (UTC); a held meeting recorded by date is noon UTC of that day
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: people the email was queued for, or who were invited to the meeting
    recipients_count: Mapped[int] = mapped_column(Integer, default=0)
    #: people of the audience who could not be emailed (no address)
    without_email_count: Mapped[int] = mapped_column(Integer, default=0)
    #: for go-live notices: the region whose go-live is announced
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"))
    #: the day it was held as recorded (held meetings and other messages logged by hand); None for emails
    #: the planner sent, whose day depends on the time zone (``happened_at``)
    held_on: Mapped[date | None] = mapped_column(Date)
    #: whom it reached when it was written, for the gap check (the audience may change later): everyone ...
    reached_everyone: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ... or everyone in these regions (ids, comma-separated: the audience listed them with no department or
    #: job-role limit; see ``audiences.covers_region``)
    covered_region_ids: Mapped[str] = mapped_column(Text, default="")

    item = relationship("CommunicationItem")
    audience = relationship("Audience")
    region = relationship("Region")
    recorded_by = relationship("User")

    @property
    def covered_regions(self) -> set[int]:
        return {int(value) for value in self.covered_region_ids.split(",") if value.strip()}

    def __str__(self) -> str:
        return f"Communication log {self.subject[:80]}"


class StatusUpdateState(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"


class StatusUpdate(TimestampMixin, VersionedMixin, Base):
    """An editable status update for one audience, generated from live data; read-only once sent."""

    __tablename__ = "status_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    audience_id: Mapped[int] = mapped_column(ForeignKey("audience.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    #: the generated HTML version, sent alongside the text while the text is as generated; cleared by an edit
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: what was done since this day is reported
    since: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    state: Mapped[StatusUpdateState] = mapped_column(enum_column(StatusUpdateState),
                                                     default=StatusUpdateState.DRAFT)
    log_id: Mapped[int | None] = mapped_column(ForeignKey("communication_log.id", ondelete="SET NULL"))

    audience = relationship("Audience")
    log = relationship("CommunicationLog")

    @property
    def is_sent(self) -> bool:
        return self.state == StatusUpdateState.SENT

    def __str__(self) -> str:
        return f"Status update {self.subject[:80]}"
