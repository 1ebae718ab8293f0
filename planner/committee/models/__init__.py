"""The steering committee: its members, its meetings (one-off or recurring), what each meeting
discussed and decided, and the invitations that keep members' calendars up to date."""
from planner.committee.models.invitations import Answer, MeetingInvitee, OccurrenceAnswer
from planner.committee.models.meetings import (
    AgendaItem, Meeting, MeetingOccurrence, MeetingStatus, OccurrenceStatus, Recurrence,
)
from planner.committee.models.members import Committee, CommitteeMember, CommitteeRole
from planner.committee.models.minutes import (
    ActionItem, ActionStatus, AttendanceStatus, Decision, MeetingAttendance,
)

__all__ = [
    "ActionItem", "ActionStatus", "AgendaItem", "Answer", "AttendanceStatus", "Committee", "CommitteeMember",
    "CommitteeRole", "Decision", "Meeting", "MeetingAttendance", "MeetingInvitee", "MeetingOccurrence",
    "MeetingStatus", "OccurrenceAnswer", "OccurrenceStatus", "Recurrence",
]
