"""A user's calendar feed: their meetings, and the milestones and go-lives of their programmes.

Built in one pass with a fixed number of queries whatever the number of events. The same data gives
the same bytes (DTSTAMP comes from each record's ``updated_at``), so the ETag only changes when the
feed does. ``Last-Modified`` is the newest change among everything in the feed, and never goes
backwards: deleting something that feeds show moves the "calendar" watermark (``FeedWatermark``)
forward, through a ``before_flush`` listener registered when this module is imported.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import event, func, inspect, or_, select
from sqlalchemy.orm import Session, selectinload

from planner.auth.models import User
from planner.calendar.events import CalendarEvent
from planner.calendar.ics import build_publish
from planner.calendar.models import FeedWatermark
from planner.committee import invitations
from planner.committee.models import Committee, Meeting, MeetingInvitee, MeetingOccurrence, MeetingStatus
from planner.committee.scheduling import uid_host
from planner.extensions import db
from planner.models import utcnow
from planner.people.models import Person
from planner.programmes.models import Membership, Programme, Region
from planner.rollout.models import Milestone, Wave, WaveRegion
from planner.training import invitations as training_invitations
from planner.training.models import Enrolment, EnrolmentStatus, SessionStatus, TrainingSession

WATERMARK = "calendar"
#: meetings in these states are in feeds; a cancelled one stays, with STATUS:CANCELLED, so clients drop it
FEED_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Feed:
    """A built feed: its bytes and the validators HTTP caching needs."""

    body: bytes
    #: the newest change among the feed's records, the watermark and the account (HTTP Last-Modified)
    last_modified: datetime

    @property
    def etag(self) -> str:
        """A strong ETag: the SHA-256 of the body, quoted."""
        return '"' + hashlib.sha256(self.body).hexdigest() + '"'


def build_feed(user: User) -> Feed:
    """The user's feed: meetings they are invited to or organise (never drafts), training sessions they give or
    attend, and the milestones and wave go-lives of every programme they hold a role in."""
    # the account's own changes count too: a new email matches other invitations, a reset is a new URL
    stamps: list[datetime] = [user.updated_at]
    programmes = _programmes_of(user, stamps)
    events = [*_meeting_events(user, stamps), *_training_events(user, stamps),
              *_milestone_events(programmes, stamps), *_go_live_events(programmes, stamps)]
    mark = db.session.get(FeedWatermark, WATERMARK)
    if mark is not None:
        stamps.append(mark.changed_at)
    body = build_publish(events, name=_("Rollout Planner (%(email)s)", email=user.email))
    return Feed(body=body, last_modified=max(stamps))


def _programmes_of(user: User, stamps: list[datetime]) -> dict[int, str]:
    """{programme id: name} of the user's programmes. A new role brings older records into the feed, so its
    date counts towards Last-Modified (as does a programme's rename, which changes event titles)."""
    rows = db.session.execute(
        select(Programme.id, Programme.name, Programme.updated_at, Membership.updated_at)
        .join(Membership, Membership.programme_id == Programme.id).where(Membership.user_id == user.id)).all()
    for _programme_id, _name, programme_changed, membership_changed in rows:
        stamps += [programme_changed, membership_changed]
    return {programme_id: name for programme_id, name, _changed, _joined in rows}


def _meeting_events(user: User, stamps: list[datetime]) -> list[CalendarEvent]:
    email = user.email.strip().lower()
    # Being invited (or taken off) changes the feed without touching the meeting itself.
    invited_changed = db.session.scalar(select(func.max(MeetingInvitee.updated_at))
                                        .where(MeetingInvitee.email == email))
    if invited_changed is not None:
        stamps.append(invited_changed)
    invited = select(MeetingInvitee.meeting_id).where(MeetingInvitee.email == email,
                                                      MeetingInvitee.removed_at.is_(None))
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.status.in_(FEED_STATUSES),
                              or_(Meeting.organiser_id == user.id, Meeting.id.in_(invited)))
        .options(selectinload(Meeting.occurrences), selectinload(Meeting.committee))
        .order_by(Meeting.id)).all()
    events = []
    for meeting in meetings:
        changed = max([meeting.updated_at] + [occurrence.updated_at for occurrence in meeting.occurrences])
        stamps.append(changed)
        events.append(invitations.meeting_event(meeting, dtstamp=changed, with_attendees=False))
    return events


def _training_events(user: User, stamps: list[datetime]) -> list[CalendarEvent]:
    """Training sessions the user gives or is enrolled in (matched on the person's email), never proposals;
    a cancelled one stays, with STATUS:CANCELLED, and so does a seat given up (the enrolment's change counts)."""
    email = user.email.strip().lower()
    enrolled = (select(Enrolment.session_id).join(Person, Person.id == Enrolment.person_id)
                .where(func.lower(Person.email) == email, Enrolment.status == EnrolmentStatus.ENROLLED))
    seats_changed = db.session.scalar(select(func.max(Enrolment.updated_at))
                                      .join(Person, Person.id == Enrolment.person_id)
                                      .where(func.lower(Person.email) == email))
    if seats_changed is not None:
        stamps.append(seats_changed)
    sessions = db.session.scalars(
        select(TrainingSession).where(TrainingSession.status.in_((SessionStatus.SCHEDULED, SessionStatus.CANCELLED)),
                                      or_(TrainingSession.trainer_id == user.id, TrainingSession.id.in_(enrolled)))
        .options(selectinload(TrainingSession.course)).order_by(TrainingSession.id)).all()
    events = []
    for session in sessions:
        stamps.append(session.updated_at)
        events.append(training_invitations.session_event(session, dtstamp=session.updated_at, with_attendees=False))
    return events


def _milestone_events(programmes: dict[int, str], stamps: list[datetime]) -> list[CalendarEvent]:
    if not programmes:
        return []
    milestones = db.session.scalars(select(Milestone).where(Milestone.programme_id.in_(programmes))
                                    .order_by(Milestone.planned_on, Milestone.id)).all()
    host = uid_host()
    events = []
    for milestone in milestones:
        stamps.append(milestone.updated_at)
        day = milestone.actual_on or milestone.planned_on
        if milestone.actual_on:
            description = _("Milestone of %(programme)s, planned for %(planned)s, reached on %(actual)s.",
                            programme=programmes[milestone.programme_id], planned=milestone.planned_on.isoformat(),
                            actual=milestone.actual_on.isoformat())
        else:
            description = _("Milestone of %(programme)s, planned for %(planned)s.",
                            programme=programmes[milestone.programme_id], planned=milestone.planned_on.isoformat())
        events.append(CalendarEvent(
            uid=f"milestone-{milestone.id}@{host}", sequence=_sequence(milestone),
            summary=_("%(programme)s: %(name)s", programme=programmes[milestone.programme_id], name=milestone.name),
            start=day, end=day + ONE_DAY, dtstamp=milestone.updated_at, description=description,
            categories=(_("Milestone"),)))
    return events


def _go_live_events(programmes: dict[int, str], stamps: list[datetime]) -> list[CalendarEvent]:
    if not programmes:
        return []
    waves = db.session.scalars(select(Wave).where(Wave.programme_id.in_(programmes),
                                                  or_(Wave.planned_go_live.is_not(None),
                                                      Wave.actual_go_live.is_not(None)))
                               .options(selectinload(Wave.regions)).order_by(Wave.id)).all()
    host = uid_host()
    events = []
    for wave in waves:
        changed = max([wave.updated_at] + [region.updated_at for region in wave.regions])
        stamps.append(changed)
        day = wave.actual_go_live or wave.planned_go_live
        regions = ", ".join(region.name for region in wave.regions) or _("no regions yet")
        if wave.actual_go_live:
            description = _("Went live on %(day)s. Regions: %(regions)s.", day=wave.actual_go_live.isoformat(),
                            regions=regions)
        else:
            description = _("Planned go-live. Regions: %(regions)s.", regions=regions)
        events.append(CalendarEvent(
            uid=f"go-live-wave-{wave.id}@{host}", sequence=_sequence(wave),
            summary=_("%(programme)s: %(wave)s goes live", programme=programmes[wave.programme_id], wave=wave.name),
            start=day, end=day + ONE_DAY, dtstamp=changed, description=description, categories=(_("Go-live"),)))
    return events


def _sequence(record) -> int:
    """SEQUENCE of a milestone or wave: its optimistic-locking version counts every saved change, from 1."""
    return max(0, (record.version or 1) - 1)


# --- the watermark ------------------------------------------------------------------------------

#: deleting one of these can take something out of a feed (a Programme, Committee or Region deletion
#: removes rows below it by database cascade, which the session never sees)
WATCHED_DELETIONS = (Meeting, MeetingOccurrence, MeetingInvitee, Milestone, Wave, WaveRegion, Membership,
                     Programme, Committee, Region, Person, TrainingSession, Enrolment)


def _removes_feed_content(session: Session) -> bool:
    if any(isinstance(obj, WATCHED_DELETIONS) for obj in session.deleted):
        return True
    # A region taken off (or put in) a wave changes the go-live's text, but not the wave's row.
    for obj in session.dirty:
        if isinstance(obj, Wave) and inspect(obj).attrs.regions.history.has_changes():
            return True
    return False


def mark_feeds_changed(session: Session) -> None:
    """Move the "calendar" watermark to now, never backwards (insert it the first time)."""
    now = utcnow()
    with session.no_autoflush:
        mark = session.get(FeedWatermark, WATERMARK)
        if mark is None:
            session.add(FeedWatermark(name=WATERMARK, changed_at=now))
        elif mark.changed_at < now:
            mark.changed_at = now


def _before_flush(session: Session, flush_context, instances) -> None:
    if _removes_feed_content(session):
        mark_feeds_changed(session)


def register_watermark_listener() -> None:
    """Listen on every session (any Session subclass, the test sessions included); safe to call twice."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


register_watermark_listener()
