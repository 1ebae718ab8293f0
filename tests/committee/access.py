"""Access-matrix rows for the committee pages (merged into tests/test_access_matrix.py).

Same format as FOUNDATION_ROWS there: (endpoint, method) -> one status per role, in the order
anonymous, admin, pm, pm_other, committee, trainer, viewer, none. "login" means a 302 to the
login page. POSTs carry a valid CSRF token and no other field.

The statuses assume the world ``committee_objects`` builds in each programme (the ids it returns fill
the placeholders member_id, meeting_id, invitee_id, occurrence_id, item_id, action_id):
- a person of its own chairs the committee (member_id; not left, so acknowledging is refused: 422);
- a weekly meeting, scheduled (invitations sent), that started two weeks ago: publishing it again is
  refused (422), re-sending is done (302), cancelling it needs no field (302);
- invitee_id is that person's invitation (removing needs no field: 302);
- occurrence_id is its first occurrence, in the past (attendance and minutes may be taken), not
  minuted, with item_id on its agenda (unpublished: publishing it is done, 302); cancelling it needs no
  field (302);
- action_id is an open action of the programme.
committee.list_decisions keeps its rows in tests/rollout/access.py.
"""
from datetime import datetime, time, timedelta

from planner.committee.models import (
    ActionItem, AgendaItem, CommitteeMember, Meeting, MeetingInvitee, MeetingOccurrence,
)

LOGIN = "login"

#: reading: every role in the programme
READ = (LOGIN, 200, 200, 404, 200, 200, 200, 404)
#: MEETINGS_MANAGE (project managers): a form page, a form posted empty (422), an action needing no field (302)
MANAGE_GET = (LOGIN, 200, 200, 404, 403, 403, 403, 404)
MANAGE_POST = (LOGIN, 422, 422, 404, 403, 403, 403, 404)
MANAGE_ACTION = (LOGIN, 302, 302, 404, 403, 403, 403, 404)
#: DECISIONS_RECORD (project managers and committee members): a form page, a form posted empty
RECORD_GET = (LOGIN, 200, 200, 404, 200, 403, 403, 404)
RECORD_POST = (LOGIN, 422, 422, 404, 422, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("committee.show_committee", "GET"):              READ,
    ("committee.edit_committee", "GET"):              MANAGE_GET,
    ("committee.edit_committee", "POST"):             MANAGE_POST,
    ("committee.add_member", "POST"):                 MANAGE_POST,
    ("committee.record_leaving", "GET"):              MANAGE_GET,
    ("committee.record_leaving", "POST"):             MANAGE_POST,
    ("committee.acknowledge_leaving", "POST"):        MANAGE_POST,   # the member has not left
    ("committee.change_member_role", "POST"):         MANAGE_POST,
    ("committee.list_meetings", "GET"):               READ,
    ("committee.new_meeting", "GET"):                 MANAGE_GET,
    ("committee.new_meeting", "POST"):                MANAGE_POST,
    ("committee.show_meeting", "GET"):                READ,
    ("committee.edit_meeting", "GET"):                MANAGE_GET,
    ("committee.edit_meeting", "POST"):               MANAGE_POST,
    ("committee.publish_meeting", "POST"):            MANAGE_POST,   # already scheduled
    ("committee.resend_invitations", "POST"):         MANAGE_ACTION,
    ("committee.add_guest", "POST"):                  MANAGE_POST,
    ("committee.remove_invitee", "POST"):             MANAGE_ACTION,
    ("committee.cancel_meeting", "GET"):              MANAGE_GET,
    ("committee.cancel_meeting", "POST"):             MANAGE_ACTION,  # the reason is optional
    ("committee.download_meeting_ics", "GET"):        READ,
    ("committee.show_occurrence", "GET"):             READ,
    ("committee.show_pack", "GET"):                   READ,
    ("committee.add_agenda_item", "POST"):            MANAGE_POST,
    ("committee.edit_agenda_item", "GET"):            MANAGE_GET,
    ("committee.edit_agenda_item", "POST"):           MANAGE_POST,
    ("committee.delete_agenda_item", "POST"):         MANAGE_ACTION,
    ("committee.move_agenda_item", "POST"):           MANAGE_POST,
    ("committee.publish_agenda", "POST"):             MANAGE_ACTION,  # one item, not yet published
    ("committee.move_occurrence", "GET"):             MANAGE_GET,
    ("committee.move_occurrence", "POST"):            MANAGE_POST,
    ("committee.cancel_occurrence", "GET"):           MANAGE_GET,
    ("committee.cancel_occurrence", "POST"):          MANAGE_ACTION,  # the reason is optional
    ("committee.record_attendance", "POST"):          RECORD_POST,
    ("committee.record_minutes", "POST"):             RECORD_POST,
    ("committee.record_meeting_decision", "POST"):    RECORD_POST,
    ("committee.add_meeting_action", "POST"):         RECORD_POST,
    ("committee.list_actions", "GET"):                READ,
    ("committee.edit_action", "GET"):                 RECORD_GET,
    ("committee.edit_action", "POST"):                RECORD_POST,
}

#: delete endpoints -> (model, placeholder): an allowed POST must really delete the object
DELETES: dict = {
    "committee.delete_agenda_item": (AgendaItem, "item_id"),
}

#: placeholder -> model, for the check that another programme's objects are out of reach
OBJECT_KEYS: dict = {
    "member_id": CommitteeMember, "meeting_id": Meeting, "invitee_id": MeetingInvitee,
    "occurrence_id": MeetingOccurrence, "item_id": AgendaItem, "action_id": ActionItem,
}


def committee_objects(programme) -> dict[str, int]:
    """The committee objects the rows above assume, made through the services (call inside an app context,
    with ``programme`` attached to the session; the caller commits). The chair is a person of their own, so
    the world's person stays free to be deleted."""
    from planner.committee import scheduling, services
    from planner.people import services as people_services
    from planner.committee.models import Committee, Recurrence
    from planner.core import clock
    from planner.extensions import db
    from sqlalchemy import select

    committee = db.session.scalar(select(Committee).where(Committee.programme_id == programme.id)
                                  .order_by(Committee.id).limit(1))
    person = people_services.create_person(programme, full_name="Henrik Vogel",
                                           email=f"chair.{programme.id}@example.com", department_id=None,
                                           job_role="Sales director", region_id=None, is_super_user=False)
    member = services.add_member(committee, person_id=person.id, role="chair",
                                 starts_on=clock.today() - timedelta(days=30))
    start = datetime.combine(clock.today() - timedelta(days=14), time(10, 0))
    meeting = scheduling.schedule_meeting(committee, scheduling.MeetingPlan(
        title="Steering committee", local_start=start, time_zone=programme.home_time_zone,
        recurrence=Recurrence.WEEKLY, weekdays=[], count=4), organiser_id=None, send_now=True)
    db.session.flush()
    occurrence = meeting.occurrences[0]
    item = services.add_agenda_item(occurrence, title="Pilot status", minutes_allotted=15)
    action = services.add_action(programme, title="Send the pilot report", owner_id=person.id,
                                 due_on=clock.today() + timedelta(days=7), occurrence=occurrence)
    db.session.flush()
    [invitee] = [i for i in meeting.invitees if i.person_id == person.id]
    return {"member_id": member.id, "meeting_id": meeting.id, "invitee_id": invitee.id,
            "occurrence_id": occurrence.id, "item_id": item.id, "action_id": action.id}
