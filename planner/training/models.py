"""Training: courses and who must take them, sessions planned against each region's go-live,
enrolment with a waitlist, and attendance marked by the trainer."""
import enum
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from planner.models import Base, TimestampMixin, UTCDateTime, VersionedMixin, enum_column
from planner.people.models import job_role_key


class CourseFormat(enum.StrEnum):
    CLASSROOM = "classroom"
    VIRTUAL = "virtual"
    SELF_PACED = "self_paced"


class Course(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "course"
    __table_args__ = (
        UniqueConstraint("programme_id", "title"),
        CheckConstraint("duration_minutes BETWEEN 5 AND 2880", name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120)
    format: Mapped[CourseFormat] = mapped_column(enum_column(CourseFormat), default=CourseFormat.CLASSROOM)
    #: links to videos and guides handed out in advance (DOMAIN.md: not a "click here" lecture), one per line
    material_links: Mapped[str] = mapped_column(Text, default="")

    requirements = relationship("CourseRequirement", back_populates="course", cascade="all, delete-orphan",
                                passive_deletes=True)

    @property
    def links(self) -> list[str]:
        return [line.strip() for line in self.material_links.splitlines() if line.strip()]

    def __str__(self) -> str:
        return f"Course {self.title}"


class CourseRequirement(TimestampMixin, Base):
    """People with this job role (empty: any role) in this department (empty: any) must take the course."""

    __tablename__ = "course_requirement"
    __table_args__ = (
        # one requirement per role as it is matched (its folded key) and department; a requirement for every
        # department has none, and a unique key never finds two NULLs equal, hence the second, partial index
        UniqueConstraint("course_id", "job_role_key", "department_id"),
        Index("uq_course_requirement_everywhere", "course_id", "job_role_key", unique=True,
              sqlite_where=text("department_id IS NULL"), postgresql_where=text("department_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    #: matched without regard to case; empty matches every role
    job_role: Mapped[str] = mapped_column(String(120), default="")
    #: ``job_role_key(job_role)``, compared with ``Person.job_role_key``
    job_role_key: Mapped[str] = mapped_column(String(360), default="", server_default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))

    course = relationship(Course, back_populates="requirements")
    department = relationship("Department")

    @validates("job_role")
    def _keep_role_key(self, _key, job_role):
        self.job_role_key = job_role_key(job_role)
        return job_role

    def matches(self, person) -> bool:
        return self.applies_to(job_role_key(person.job_role), person.department_id)

    def applies_to(self, role_key: str, department_id: int | None) -> bool:
        """Whether people with this job role key (``job_role_key``) in this department need the course."""
        return ((not self.job_role_key or self.job_role_key == role_key)
                and (self.department_id is None or self.department_id == department_id))

    def __str__(self) -> str:
        return f"Requirement of course {self.course_id}: {self.job_role or 'any role'} / {self.department_id}"


class SessionStatus(enum.StrEnum):
    #: proposed by the session planner or saved as a draft: sends nothing
    PROPOSED = "proposed"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class CancelReason(enum.StrEnum):
    #: DOMAIN.md: training must not be cancelled for short-term business needs; these reach the committee pack
    BUSINESS_PRIORITY = "business_priority"
    TRAINER_UNAVAILABLE = "trainer_unavailable"
    TOO_FEW_TRAINEES = "too_few_trainees"
    OTHER = "other"


class TrainingSession(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "training_session"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 5 AND 2880", name="duration"),
        CheckConstraint("capacity BETWEEN 1 AND 1000", name="capacity"),
        CheckConstraint("sequence >= 0", name="sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), index=True)
    #: the trainer's account: trainers see and mark their own sessions
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    #: the iCalendar UID, made once ("training-session-<id>@<host>") and never changed
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    #: the region's IANA zone at planning time: the wall time below is in it
    time_zone: Mapped[str] = mapped_column(String(64))
    local_start: Mapped[datetime] = mapped_column(DateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer)
    #: the same instants in UTC, for "no trainer in two places at once" and "today" across zones
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=12)
    status: Mapped[SessionStatus] = mapped_column(enum_column(SessionStatus), default=SessionStatus.PROPOSED)
    cancel_reason: Mapped[CancelReason | None] = mapped_column(enum_column(CancelReason))
    cancel_note: Mapped[str] = mapped_column(Text, default="")
    #: iCalendar SEQUENCE: raised on every change that makes earlier answers stale
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    #: when the trainer finished the roster (every enrolled person marked)
    roster_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: random salt of the self check-in code; replacing it revokes the code
    checkin_salt: Mapped[str | None] = mapped_column(String(64))
    #: the trainer's invite record: the address last sent to (a new trainer means a CANCEL to this one), ...
    trainer_email_sent: Mapped[str | None] = mapped_column(String(320))
    #: ... the SEQUENCE and METHOD last sent, and the outbox message (its delivery status)
    trainer_sequence_sent: Mapped[int | None] = mapped_column(Integer)
    trainer_method_sent: Mapped[str | None] = mapped_column(String(10))
    trainer_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))

    course = relationship(Course)
    region = relationship("Region")
    trainer = relationship("User")
    enrolments = relationship("Enrolment", back_populates="session", cascade="all, delete-orphan",
                              passive_deletes=True)
    trainer_message = relationship("OutboxMessage", foreign_keys=[trainer_message_id])

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def local_end(self) -> datetime:
        return self.local_start + timedelta(minutes=self.duration_minutes)

    def __str__(self) -> str:
        return f"Training session {self.id} of course {self.course_id}"


class EnrolmentStatus(enum.StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    #: taken off (or moved to another session); kept so their calendar gets the cancellation
    REMOVED = "removed"


class Enrolment(TimestampMixin, Base):
    """A person's seat (or waitlist place) in a session, and the per-recipient invite record."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(enum_column(EnrolmentStatus), default=EnrolmentStatus.ENROLLED)
    #: order on the waitlist (lower first); empty when not waiting
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    last_sequence_sent: Mapped[int | None] = mapped_column(Integer)
    #: REQUEST or CANCEL
    last_method_sent: Mapped[str | None] = mapped_column(String(10))
    last_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))

    session = relationship(TrainingSession, back_populates="enrolments")
    person = relationship("Person")
    last_message = relationship("OutboxMessage")

    @property
    def programme_id(self) -> int:
        """For the audit log: the programme of the session."""
        return self.session.programme_id

    def __str__(self) -> str:
        return f"Enrolment of {self.person_id} in session {self.session_id}"


class MarkStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"


class AttendanceMark(Base):
    """What the trainer marked for one trainee. One row per (session, person): marks are upserted, so two
    trainers marking the same roster at once lose nothing."""

    __tablename__ = "attendance_mark"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    status: Mapped[MarkStatus] = mapped_column(enum_column(MarkStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: how the mark was made: "trainer" or "self" (self check-in)
    source: Mapped[str] = mapped_column(String(10), default="trainer")

    session = relationship(TrainingSession)

    @property
    def programme_id(self) -> int:
        """For the audit log: the programme of the session."""
        return self.session.programme_id

    def __str__(self) -> str:
        return f"Attendance of {self.person_id} in session {self.session_id}: {self.status.value}"


class TrainingProgress(Base):
    """Each person's training progress, kept rather than worked out on every page: how many courses they need
    and how many of those they completed. One row per person who needs a course. Derived from the requirements,
    the people and the attendance marks, and kept in step with them at every commit by
    planner/training/progress.py; never written anywhere else."""

    __tablename__ = "training_progress"
    __table_args__ = (
        # a programme's rows read from the index alone (readiness sums them by region, department and role)
        Index("ix_training_progress_programme", "programme_id", "person_id", "needed", "completed"),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    needed: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)


class TrainingKind(Base):
    """The people of a programme alike in region, department and job role (a *kind*), counted, with how many of
    them need training and how many of those are trained: what readiness, the requirement map and the course
    pages sum, kept rather than counted from every person on every page (a programme of 20,000 people has about
    1,500 kinds, and they need the same courses). Derived from the people and their kept progress, and kept in
    step with them at every commit by planner/training/progress.py, region by region; never written anywhere
    else."""

    __tablename__ = "training_kind"
    __table_args__ = (
        # a programme's kinds, or one region's, read from the index alone
        Index("ix_training_kind_programme", "programme_id", "region_id", "department_id", "job_role_key",
              "people", "needing", "trained", "job_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))
    #: ``Person.job_role_key`` of the kind ("" for people without a role)
    job_role_key: Mapped[str] = mapped_column(String(360))
    #: one spelling of the role as typed: the least of the kind's, in the database's order
    job_role: Mapped[str] = mapped_column(String(120))
    people: Mapped[int] = mapped_column(Integer)
    #: people of the kind with a course to take (all or none of them: they match the same requirements)
    needing: Mapped[int] = mapped_column(Integer)
    #: of those, the people who completed every course they need
    trained: Mapped[int] = mapped_column(Integer)


class TrainingMiss(Base):
    """A seat someone held and missed: enrolled in a session that is not cancelled, then marked absent (or left
    unmarked on a completed roster), in a course they have not completed in any session. What the readiness
    page lists as no-shows needing a make-up session (the latest miss per person and course among the sessions
    that have ended), kept rather than found among every enrolment of the programme on each request (90,000 at
    scale 10). Derived from the enrolments, the marks and the sessions, and kept in step with them at every
    commit by planner/training/progress.py, person by person; never written anywhere else. Whether the session
    has ended is asked when the rows are read: the rows hold its times."""

    __tablename__ = "training_miss"
    __table_args__ = (
        # a programme's misses of the sessions ended by now, read from the index alone
        Index("ix_training_miss_programme", "programme_id", "ends_at", "person_id", "course_id", "starts_at",
              "session_id", "mark"),
    )

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True,
                                              autoincrement=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: ABSENT, or None when left unmarked on a completed roster
    mark: Mapped[MarkStatus | None] = mapped_column(enum_column(MarkStatus))


class EnrolmentCount(Base):
    """How many enrolments a session has, whatever their status (seats, waitlist places, people taken off): what
    the API's list of a programme's enrolments sums for its total, kept rather than counted among every
    enrolment of the programme on each request (97,000 at scale 10). One row per session with an enrolment.
    Derived from the enrolments, and kept in step with them at every commit by planner/training/progress.py,
    session by session; never written anywhere else."""

    __tablename__ = "enrolment_count"
    __table_args__ = (
        # a programme's counts summed from the index alone
        Index("ix_enrolment_count_programme", "programme_id", "enrolments"),
    )

    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"),
                                            primary_key=True, autoincrement=False)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    enrolments: Mapped[int] = mapped_column(Integer)
