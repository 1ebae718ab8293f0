"""Readiness surveys (ADKAR: awareness, desire, knowledge, ability, reinforcement, each scored 1-5) per audience
and region, answered through a signed link or entered from paper."""
import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models import Base, TimestampMixin, UTCDateTime, VersionedMixin, enum_column

#: the five ADKAR elements, in the order a change is lived through
ELEMENTS = ("awareness", "desire", "knowledge", "ability", "reinforcement")


class RoundState(enum.StrEnum):
    #: being prepared: nobody has been asked yet
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ResponseSource(enum.StrEnum):
    #: answered by the person through the signed link in their email
    LINK = "link"
    #: typed in by a project manager from a paper form
    PAPER = "paper"


class SurveyRound(TimestampMixin, VersionedMixin, Base):
    """One readiness survey sent to an audience. Opening it resolves the audience to people at that moment."""

    __tablename__ = "survey_round"
    __table_args__ = (CheckConstraint("closes_on >= opens_on", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: who is asked; resolved into invitations when the round opens
    audience_id: Mapped[int] = mapped_column(ForeignKey("audience.id", ondelete="RESTRICT"), index=True)
    opens_on: Mapped[date] = mapped_column(Date)
    #: the last day answers are expected (the round stays open until someone closes it)
    closes_on: Mapped[date] = mapped_column(Date)
    #: shown above the questions and in the email
    intro: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[RoundState] = mapped_column(enum_column(RoundState, name="round_state"), default=RoundState.DRAFT)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: how many reminders were sent; each one gets its own outbox key
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    #: when the last reminder went out (the next one waits REMIND_AGAIN_AFTER)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    audience = relationship("Audience")

    @property
    def is_open(self) -> bool:
        return self.state is RoundState.OPEN

    def __str__(self) -> str:
        return f"Survey {self.title}"


class SurveyInvitation(Base):
    """One person asked in one round, with the secret link they answer through (only its hash is stored)."""

    __tablename__ = "survey_invitation"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    #: 128 random bits; the link's token is derived from it and SECRET_KEY (planner.core.secret_links)
    link_salt: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the link's token, for lookup
    link_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: when the invitation email was queued (the demo marks it sent without mail)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round = relationship(SurveyRound)
    person = relationship("Person")

    def __str__(self) -> str:
        return f"Survey invitation {self.round_id}/{self.person_id}"


def _score(name: str) -> CheckConstraint:
    return CheckConstraint(f"{name} BETWEEN 1 AND 5", name=name)


class SurveyResponse(TimestampMixin, Base):
    """One set of five ADKAR scores. Answers are only ever shown as aggregates per region."""

    __tablename__ = "survey_response"
    __table_args__ = tuple(_score(name) for name in ELEMENTS)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"), index=True)
    #: the link it was answered through; none for paper forms (one response per invitation), and none once the
    #: person is deleted (their invitation goes with them; their answers stay, without a name)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("survey_invitation.id", ondelete="SET NULL"),
                                                      unique=True)
    #: none for a paper form without a name
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    #: the person's region when they answered, or the region written on the paper form
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"), index=True)
    awareness: Mapped[int] = mapped_column(SmallInteger)
    desire: Mapped[int] = mapped_column(SmallInteger)
    knowledge: Mapped[int] = mapped_column(SmallInteger)
    ability: Mapped[int] = mapped_column(SmallInteger)
    reinforcement: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[ResponseSource] = mapped_column(enum_column(ResponseSource, name="response_source"))
    #: who typed in a paper form
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())

    region = relationship("Region")
    entered_by = relationship("User")

    def scores(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in ELEMENTS}

    def __str__(self) -> str:
        return f"Survey response {self.id} to round {self.round_id}"
