"""The committee card of the programme overview: next meeting, a late agenda, leavers, overdue actions."""
import html
import re
from datetime import date, datetime, timezone

from planner.committee import scheduling, services
from planner.committee.models import Recurrence
from planner.extensions import db
from planner.programmes.models import Programme
from tests.committee.helpers import committee_of, held_occurrence
from tests.conftest import count_queries

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


def overview(client, programme) -> str:
    response = client.get(f"/programmes/{programme.id}")
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.get_data(as_text=True))).split())


def schedule(app, programme, local_start: datetime, **plan) -> None:
    with app.test_request_context():
        committee = committee_of(programme.id)
        chair = services.add_member(committee, person_id=plan.pop("person_id"), role="chair",
                                    starts_on=date(2026, 1, 1))
        scheduling.schedule_meeting(committee, scheduling.MeetingPlan(
            title="Steering committee", local_start=local_start, time_zone="Europe/Berlin", **plan),
            organiser_id=None, send_now=True)
        assert chair.id
        db.session.commit()


def test_a_committee_that_never_meets_is_flagged(client, login_as, make_programme, now_is):
    now_is(MONDAY)
    programme = make_programme()
    login_as("viewer", programme)
    assert "No meeting scheduled. A committee that does not meet cannot steer." in overview(client, programme)


def test_a_meeting_two_working_days_away_without_agenda_is_flagged(app, client, login_as, make_programme,
                                                                     make_person, now_is):
    now_is(MONDAY)
    programme = make_programme()
    person = make_person(programme, email="chair@example.com")
    schedule(app, programme, datetime(2026, 11, 25, 10, 0), person_id=person.id)
    login_as("project_manager", programme)
    page = overview(client, programme)
    assert "Next meeting: 2026-11-25 10:00 (Europe/Berlin)" in page
    assert "Its agenda is not published yet, with fewer than 3 working days to go." in page


def test_a_meeting_far_enough_away_is_not_flagged_and_overdue_actions_are_counted(
        app, client, login_as, make_programme, make_person, now_is):
    now_is(MONDAY)
    programme = make_programme()
    person = make_person(programme, email="chair@example.com")
    schedule(app, programme, datetime(2026, 12, 8, 10, 0), person_id=person.id)
    with app.test_request_context():
        target = db.session.get(Programme, programme.id)
        held = held_occurrence(target, date(2026, 11, 10))
        services.record_minutes(held, minutes="Agreed to clean duplicates.", expected_version=None)
        services.add_action(target, title="Clean duplicates", owner_id=person.id, due_on=date(2026, 11, 20),
                            occurrence=held)
        db.session.commit()
    login_as("viewer", programme)
    page = overview(client, programme)
    assert "Agenda not yet published." in page and "not published yet, with fewer" not in page
    assert "1 action overdue." in page
    assert "Last met 13 days ago." in page


def test_the_committee_card_costs_the_same_queries_with_many_meetings(app, client, login_as, make_programme,
                                                                       make_person, now_is):
    now_is(MONDAY)
    programme = make_programme()
    person = make_person(programme, email="chair@example.com")
    schedule(app, programme, datetime(2026, 12, 8, 10, 0), person_id=person.id)
    login_as("viewer", programme)
    with count_queries(app) as few:
        overview(client, programme)
    with app.test_request_context():
        committee = committee_of(programme.id)
        scheduling.schedule_meeting(committee, scheduling.MeetingPlan(
            title="Weekly check-in", local_start=datetime(2026, 11, 30, 9, 0), time_zone="Europe/Berlin",
            recurrence=Recurrence.WEEKLY, weekdays=["MO"]), organiser_id=None, send_now=True)
        db.session.commit()
    with count_queries(app) as many:
        overview(client, programme)
    assert len(many) == len(few)


def test_agenda_notice_counts_days_in_the_organisers_zone(app, make_programme, make_person, now_is):
    from planner.committee.models import MeetingOccurrence
    from planner.rollout.calendar import programme_calendar

    now_is(datetime(2026, 11, 23, 20, 0, tzinfo=timezone.utc))  # already Tuesday morning in Auckland
    programme = make_programme()
    with app.test_request_context():
        meeting = scheduling.schedule_meeting(committee_of(programme.id), scheduling.MeetingPlan(
            title="Steering committee", local_start=datetime(2026, 11, 26, 10, 0), time_zone="Pacific/Auckland"),
            organiser_id=None)
        occurrence: MeetingOccurrence = meeting.occurrences[0]
        calendar = programme_calendar(db.session.get(Programme, programme.id))
        assert services.agenda_is_late(occurrence, calendar)  # Tue -> Thu: 2 working days in Auckland
        now_is(datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc))  # still Monday evening there
        assert not services.agenda_is_late(occurrence, calendar)
        db.session.rollback()
