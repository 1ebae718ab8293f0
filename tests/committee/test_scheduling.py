"""Scheduling meetings and keeping every attendee's calendar current: SEQUENCE, re-keyed occurrences,
moved and cancelled occurrences, people added and removed, drafts that send nothing."""
from datetime import date, datetime, timezone
from email import message_from_bytes, policy

import icalendar
import pytest
from sqlalchemy import func, select

from planner.committee import invitations, scheduling, services
from planner.committee.models import Answer, MeetingStatus, Recurrence
from planner.core.errors import DomainError, StaleEditError
from planner.core.models import OutboxMessage, OutboxStatus
from planner.extensions import db
from planner.programmes.models import Programme
from tests.committee.helpers import committee_of

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def setting(app, make_programme, make_person, now_is):
    """A programme whose committee has a chair, a sponsor and a department representative."""
    now_is(NOW)
    programme = make_programme()
    people = {
        "chair": make_person(programme, "Henrik Vogel", email="Chair@Example.com"),
        "sponsor": make_person(programme, "Karin Lindqvist", email="sponsor@example.com"),
        "rep": make_person(programme, "Amara Okafor", email="rep@example.com"),
        "guest": make_person(programme, "Vera Vendor", email="vendor@example.com"),
    }
    with app.test_request_context():
        committee = committee_of(programme.id)
        for key, role in (("chair", "chair"), ("sponsor", "executive_sponsor"), ("rep", "department_representative")):
            services.add_member(committee, person_id=people[key].id, role=role, starts_on=date(2026, 1, 1))
        db.session.commit()
    return programme, people


def monthly(**changes) -> scheduling.MeetingPlan:
    values = dict(title="Steering committee", local_start=datetime(2026, 12, 8, 10, 0), time_zone="Europe/Berlin",
                  duration_minutes=90, location="Board room", recurrence=Recurrence.MONTHLY_BY_WEEKDAY,
                  monthly_week=2)
    values.update(changes)
    return scheduling.MeetingPlan(**values)


def outbox_rows(meeting_uid: str | None = None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if meeting_uid:
        query = query.where(OutboxMessage.key.like(f"invite:{meeting_uid}:%"))
    return db.session.scalars(query).all()


def ics_of(row: OutboxMessage) -> icalendar.Calendar:
    message = message_from_bytes(row.content, policy=policy.default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == icalendar.Calendar.from_ical(part.get_content()).get("METHOD")
    return icalendar.Calendar.from_ical(part.get_content())


def events(calendar: icalendar.Calendar):
    return [component for component in calendar.walk("VEVENT")]


def test_a_draft_sends_nothing_and_scheduling_invites_each_member_once(app, setting):
    programme, people = setting
    with app.test_request_context():
        committee = committee_of(programme.id)
        meeting = scheduling.schedule_meeting(committee, monthly(), organiser_id=None)
        assert meeting.uid == f"meeting-{meeting.id}@planner.test"
        assert meeting.status is MeetingStatus.DRAFT
        assert len(meeting.occurrences) >= 12
        assert [o.original_start.day for o in meeting.occurrences[:3]] == [8, 12, 9]  # 2nd Tuesdays
        scheduling.update_meeting(meeting, monthly(location="Room 2"), expected_version=None)
        assert meeting.sequence == 0 and outbox_rows() == []

        queued = scheduling.publish_meeting(meeting)
        assert queued == 3
        rows = outbox_rows(meeting.uid)
        assert sorted(row.recipient for row in rows) == ["chair@example.com", "rep@example.com",
                                                         "sponsor@example.com"]
        calendar = ics_of(rows[0])
        assert calendar["METHOD"] == "REQUEST"
        (master,) = events(calendar)
        assert str(master["UID"]) == meeting.uid and master["SEQUENCE"] == 0
        assert master["RRULE"]["BYDAY"] == ["2TU"]
        roles = {str(a): a.params["ROLE"] for a in master.get("ATTENDEE")}
        assert roles["mailto:chair@example.com"] == "CHAIR"
        assert all(invitee.last_sequence_sent == 0 and invitee.last_method_sent == "REQUEST"
                   for invitee in meeting.invitees)


def test_changing_the_series_time_raises_the_sequence_and_keeps_each_occurrence_agenda(app, setting):
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        first = meeting.occurrences[0]
        services.add_agenda_item(first, title="Pilot status", minutes_allotted=20)
        first_id = first.id

        queued = scheduling.update_meeting(meeting, monthly(local_start=datetime(2026, 12, 8, 14, 30)),
                                           expected_version=None)
        assert queued == 3
        assert meeting.sequence == 1
        moved = next(o for o in meeting.occurrences if o.id == first_id)
        assert moved.original_start == datetime(2026, 12, 8, 14, 30) == moved.local_start
        assert [item.title for item in moved.agenda_items] == ["Pilot status"]
        update = ics_of(outbox_rows(meeting.uid)[-1])
        (master,) = events(update)
        assert master["SEQUENCE"] == 1 and str(master["UID"]) == meeting.uid
        assert master.decoded("DTSTART") == datetime(2026, 12, 8, 14, 30, tzinfo=meeting.zone)


def test_a_change_that_would_drop_a_meeting_with_an_agenda_is_refused(app, setting):
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None)
        second = meeting.occurrences[1]
        services.add_agenda_item(second, title="Budget", minutes_allotted=15)
        db.session.commit()
        with pytest.raises(DomainError) as refused:
            scheduling.update_meeting(meeting, monthly(local_start=datetime(2026, 12, 9, 10, 0),
                                                       recurrence=Recurrence.MONTHLY_BY_DATE), expected_version=None)
        assert "would drop out of the series" in refused.value.message
        db.session.rollback()
        assert [item.title for item in db.session.get(type(second), second.id).agenda_items] == ["Budget"]


def test_moving_one_occurrence_sends_an_override_with_a_higher_sequence(app, setting):
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        second = meeting.occurrences[1]
        scheduling.move_occurrence(second, local_start=datetime(2027, 1, 14, 9, 0), duration_minutes=60,
                                   location="Online only", expected_version=None)
        assert second.sequence > meeting.sequence == 0
        assert invitations.revision(meeting) == second.sequence
        master, override = events(ics_of(outbox_rows(meeting.uid)[-1]))
        assert override.decoded("RECURRENCE-ID") == datetime(2027, 1, 12, 10, 0, tzinfo=meeting.zone)
        assert override.decoded("DTSTART") == datetime(2027, 1, 14, 9, 0, tzinfo=meeting.zone)
        assert override["SEQUENCE"] >= master["SEQUENCE"]
        assert str(override["LOCATION"]) == "Online only"
        assert all(not invitations.is_out_of_date(meeting, invitee) for invitee in meeting.invitees)


def test_cancelling_one_occurrence_sends_a_cancel_for_it_and_an_exdate_later(app, setting):
    programme, people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        third = meeting.occurrences[2]
        queued = scheduling.cancel_occurrence(third, reason="Quarter-end close", expected_version=None)
        assert queued == 3
        cancel = ics_of(outbox_rows(meeting.uid)[-1])
        assert cancel["METHOD"] == "CANCEL"
        (event,) = events(cancel)
        assert event.decoded("RECURRENCE-ID") == datetime(2027, 2, 9, 10, 0, tzinfo=meeting.zone)
        assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == third.sequence >= meeting.sequence == 1

        # a guest added afterwards gets the whole series with the EXDATE
        invitations.add_guest(meeting, db.session.get(type(people["guest"]), people["guest"].id))
        request = ics_of(outbox_rows(meeting.uid)[-1])
        assert request["METHOD"] == "REQUEST"
        (master,) = events(request)
        exdates = [d.dt for d in master["EXDATE"].dts] if not isinstance(master["EXDATE"], list) else \
            [d.dt for group in master["EXDATE"] for d in group.dts]
        assert datetime(2027, 2, 9, 10, 0, tzinfo=meeting.zone) in exdates


def test_removing_someone_cancels_for_them_only_and_a_series_cancel_reaches_all(app, setting):
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        rep = next(i for i in meeting.invitees if i.email == "rep@example.com")
        assert invitations.remove_invitee(rep) == 1
        cancel = ics_of(outbox_rows(meeting.uid)[-1])
        (event,) = events(cancel)
        assert cancel["METHOD"] == "CANCEL" and "STATUS" not in event
        attendees = event.get("ATTENDEE")
        attendees = attendees if isinstance(attendees, list) else [attendees]
        assert [str(a) for a in attendees] == ["mailto:rep@example.com"]

        assert scheduling.cancel_meeting(meeting, reason="Programme paused") == 2  # rep already had theirs
        cancel = ics_of(outbox_rows(meeting.uid)[-1])
        (event,) = events(cancel)
        assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1


def test_a_member_leaving_is_uninvited_and_the_project_managers_are_told(app, setting, factories):
    programme, _people = setting
    manager = factories.user_with_role("project_manager", programme)
    with app.test_request_context():
        committee = committee_of(programme.id)
        meeting = scheduling.schedule_meeting(committee, monthly(), organiser_id=None, send_now=True)
        sponsor = next(m for m in committee.members if m.role.value == "executive_sponsor")
        services.record_leaving(sponsor, ends_on=date(2026, 11, 30), reason="Moves to the board",
                                expected_version=None)
        db.session.flush()
        now_out = [i for i in meeting.invitees if i.removed_at is not None]
        assert [i.email for i in now_out] == ["sponsor@example.com"]
        notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "notice")).all()
        assert [n.recipient for n in notices] == [manager.email]
        assert "Karin Lindqvist leaves" in notices[0].subject


def test_resend_reaches_only_those_out_of_date(app, setting):
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        before = db.session.scalar(select(func.count(OutboxMessage.id)))
        assert invitations.resend_out_of_date(meeting) == 0
        chair = next(i for i in meeting.invitees if i.email == "chair@example.com")
        chair.last_message.status = OutboxStatus.FAILED  # the mail server refused it
        assert invitations.is_out_of_date(meeting, chair)
        assert invitations.resend_out_of_date(meeting) == 1
        assert chair.last_message.status is OutboxStatus.PENDING  # the same message, tried again
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == before


def test_answers_are_recorded_per_series_and_per_occurrence(app, setting):
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        chair = next(i for i in meeting.invitees if i.email == "chair@example.com")
        invitations.record_answer(chair, "ACCEPTED", comment="Will be there")
        invitations.record_answer(chair, "DECLINED", occurrence=meeting.occurrences[1])
        assert chair.answer is Answer.ACCEPTED and chair.answer_comment == "Will be there"
        with pytest.raises(DomainError):
            invitations.record_answer(chair, "MAYBE")


def test_an_answer_whose_row_vanished_while_it_was_recorded_is_a_conflict(app, setting, monkeypatch):
    """Three requests at once: ours skips its insert because another one's answer exists, and a third then
    removes that answer (the invitee or the occurrence deleted): a 409 to try again, not a 500."""
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        chair = next(i for i in meeting.invitees if i.email == "chair@example.com")
        monkeypatch.setattr(invitations, "insert_ignoring_conflicts", lambda *_args, **_kwargs: None)
        with pytest.raises(StaleEditError):
            invitations.record_answer(chair, "DECLINED", occurrence=meeting.occurrences[1])


def test_weekly_meetings_keep_their_wall_time_across_daylight_saving(app, setting):
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(
            local_start=datetime(2027, 3, 22, 9, 0), recurrence=Recurrence.WEEKLY, weekdays=["MO"], count=3),
            organiser_id=None)
        assert [o.local_start.hour for o in meeting.occurrences] == [9, 9, 9]
        assert [o.starts_at.hour for o in meeting.occurrences] == [8, 7, 7]  # CET, then CEST after 28 March


@pytest.mark.parametrize("changes, field", [
    ({"title": " "}, "title"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"duration_minutes": 2}, "duration_minutes"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"until": date(2026, 1, 1)}, "until"),
    ({"until": date(2027, 6, 1), "count": 4}, "until"),
    ({"recurrence": Recurrence.WEEKLY, "weekdays": ["WE"]}, "weekdays"),
    ({"monthly_week": 5}, "monthly_week"),
])
def test_bad_plans_are_refused_naming_the_field(app, setting, changes, field):
    programme, _people = setting
    with app.test_request_context():
        with pytest.raises(DomainError) as refused:
            scheduling.schedule_meeting(committee_of(programme.id), monthly(**changes), organiser_id=None)
        assert refused.value.field == field
        db.session.rollback()


def test_a_time_the_clocks_skip_is_refused_as_sessions_refuse_it(app, setting):
    """02:30 on 28 March 2027 does not exist in Berlin (the clocks go from 02:00 to 03:00): a meeting there would
    be an instant nobody meant, so it is refused naming the field, as a training session at that time is."""
    programme, _people = setting
    with app.test_request_context():
        with pytest.raises(DomainError) as refused:
            scheduling.schedule_meeting(committee_of(programme.id), monthly(
                local_start=datetime(2027, 3, 28, 2, 30), recurrence=Recurrence.NONE), organiser_id=None)
        assert refused.value.field == "local_start" and "does not exist" in str(refused.value)
        db.session.rollback()
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(  # the autumn's repeated hour
            local_start=datetime(2027, 10, 31, 2, 30), recurrence=Recurrence.NONE), organiser_id=None)
        assert meeting.occurrences[0].starts_at.hour == 0  # the first 02:30, still summer time (UTC+2)
        series = scheduling.schedule_meeting(committee_of(programme.id), monthly(
            local_start=datetime(2027, 3, 21, 10, 0), recurrence=Recurrence.WEEKLY, weekdays=["SU"], count=3),
            organiser_id=None)
        with pytest.raises(DomainError) as refused:  # one occurrence moved into the skipped hour
            scheduling.move_occurrence(series.occurrences[1], local_start=datetime(2027, 3, 28, 2, 30),
                                       duration_minutes=60, location="", expected_version=None)
        assert refused.value.field == "local_start"


def test_a_new_programme_has_a_steering_committee(app, make_programme):
    programme = make_programme()
    with app.app_context():
        committee = committee_of(programme.id)
        assert committee.name == "Steering committee" and committee.agenda_notice_days == 3
        assert db.session.get(Programme, programme.id) is not None


# --- found in review ---------------------------------------------------------------------------

def test_moving_an_occurrence_back_reaches_everyone_and_later_series_changes_too(app, setting):
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        second = meeting.occurrences[1]
        assert scheduling.move_occurrence(second, local_start=datetime(2027, 1, 12, 14, 0), duration_minutes=90,
                                          location="Board room", expected_version=None) == 3
        assert scheduling.move_occurrence(second, local_start=datetime(2027, 1, 12, 10, 0), duration_minutes=90,
                                          location="Board room", expected_version=None) == 3
        (master,) = events(ics_of(outbox_rows(meeting.uid)[-1]))  # the override is gone ...
        assert master["SEQUENCE"] > 1  # ... and the master says so with a SEQUENCE above the override's
        assert scheduling.update_meeting(meeting, monthly(location="Room 2"), expected_version=None) == 3


def test_a_series_change_that_absorbs_an_override_is_sent(app, setting):
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        scheduling.move_occurrence(meeting.occurrences[1], local_start=meeting.occurrences[1].local_start,
                                   duration_minutes=90, location="Room B", expected_version=None)
        assert scheduling.update_meeting(meeting, monthly(location="Room B"), expected_version=None) == 3
        (master,) = events(ics_of(outbox_rows(meeting.uid)[-1]))
        assert str(master["LOCATION"]) == "Room B" and master["SEQUENCE"] == 2


def test_re_inviting_someone_whose_cancellation_failed_sends_a_new_invitation(app, setting):
    programme, people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        guest = db.session.get(type(people["guest"]), people["guest"].id)
        invitations.add_guest(meeting, guest)
        invitee = next(i for i in meeting.invitees if i.person_id == guest.id)
        invitations.remove_invitee(invitee)
        invitee.last_message.status = OutboxStatus.FAILED
        invitations.add_guest(meeting, guest)
        assert invitee.last_method_sent == "REQUEST"
        assert ics_of(invitee.last_message)["METHOD"] == "REQUEST"


def test_a_monthly_weekday_series_must_start_in_its_week(app, setting):
    programme, _people = setting
    with app.test_request_context():
        with pytest.raises(DomainError) as refused:  # 15 December 2026 is the third Tuesday
            scheduling.schedule_meeting(committee_of(programme.id), monthly(local_start=datetime(2026, 12, 15, 10)),
                                        organiser_id=None)
        assert refused.value.field == "monthly_week"
        db.session.rollback()


def test_titles_with_line_breaks_and_far_dates_are_handled(app, setting):
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(title="Steerco\r\nBcc: x@evil.com"),
                                              organiser_id=None, send_now=True)
        assert meeting.title == "Steerco Bcc: x@evil.com"
        assert all("\n" not in row.subject for row in outbox_rows(meeting.uid))
        with pytest.raises(DomainError) as refused:
            scheduling.schedule_meeting(committee_of(programme.id), monthly(local_start=datetime(9999, 12, 28, 10)),
                                        organiser_id=None)
        assert refused.value.field == "local_start"
        db.session.rollback()


def test_a_held_one_off_meeting_keeps_its_date(app, setting, now_is):
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(recurrence=Recurrence.NONE),
                                              organiser_id=None, send_now=True)
        now_is(datetime(2026, 12, 8, 12, 0, tzinfo=timezone.utc))
        services.record_minutes(meeting.occurrences[0], minutes="Agreed.", expected_version=None)
        with pytest.raises(DomainError):
            scheduling.update_meeting(meeting, monthly(recurrence=Recurrence.NONE,
                                                       local_start=datetime(2026, 12, 9, 10)), expected_version=None)
        db.session.rollback()


def test_changing_a_series_time_leaves_past_minuted_meetings_as_they_happened(app, setting, now_is):
    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        first = meeting.occurrences[0]
        now_is(datetime(2026, 12, 20, 12, 0, tzinfo=timezone.utc))
        services.record_minutes(first, minutes="Agreed.", expected_version=None)
        scheduling.update_meeting(meeting, monthly(local_start=datetime(2026, 12, 8, 15, 0)), expected_version=None)
        assert first.local_start == datetime(2026, 12, 8, 10, 0)
        assert meeting.occurrences[1].local_start == datetime(2027, 1, 12, 15, 0)


def test_a_new_chair_is_invited_as_chair(app, setting):
    programme, _people = setting
    with app.test_request_context():
        committee = committee_of(programme.id)
        meeting = scheduling.schedule_meeting(committee, monthly(), organiser_id=None, send_now=True)
        rep = next(m for m in committee.members if m.role.value == "department_representative")
        services.change_member_role(rep, role="chair", expected_version=None)
        invitee = next(i for i in meeting.invitees if i.person_id == rep.person_id)
        assert invitee.ics_role == "CHAIR"


def test_a_committee_member_or_invited_guest_cannot_be_deleted_silently(app, setting):
    from planner.people import services as people_services
    from planner.people.models import Person

    programme, people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        with pytest.raises(DomainError) as refused:
            people_services.delete_person(db.session.get(Person, people["rep"].id))
        assert "sits on the steering committee" in refused.value.message
        guest = db.session.get(Person, people["guest"].id)
        invitations.add_guest(meeting, guest)
        with pytest.raises(DomainError) as refused:
            people_services.delete_person(guest)
        assert "invited to committee meetings" in refused.value.message
        invitations.remove_invitee(next(i for i in meeting.invitees if i.person_id == guest.id))
        people_services.delete_person(guest)  # their cancellation is queued; now they may go
        db.session.rollback()


def test_a_series_change_saved_while_an_occurrence_was_being_moved_makes_the_move_a_conflict(app, setting):
    """Two organisers at once: B changed the series' location (a new SEQUENCE) after A's move read the meeting.
    A's move would send its override with the same SEQUENCE as B's update, and the outbox would take the two
    for one message: B's change would never reach the calendars, which would all count as up to date. The move
    writes the meeting row too, so its version check refuses it instead (a 409 in the page)."""
    from sqlalchemy import update
    from sqlalchemy.orm.exc import StaleDataError

    from planner.committee.models import Meeting

    programme, _people = setting
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), monthly(), organiser_id=None, send_now=True)
        db.session.commit()
        second = meeting.occurrences[1]
        revision = invitations.revision(meeting)
        db.session.execute(update(Meeting).where(Meeting.id == meeting.id)  # B's change, committed meanwhile
                           .values(location="Room 2", sequence=revision + 1, version=Meeting.version + 1)
                           .execution_options(synchronize_session=False))
        with pytest.raises(StaleDataError):
            scheduling.move_occurrence(second, local_start=datetime(2027, 1, 14, 9, 0), duration_minutes=60,
                                       location=None, expected_version=second.version)
            db.session.flush()
        db.session.rollback()
