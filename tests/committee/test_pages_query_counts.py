"""Every committee page answers in the same number of queries with 3 or 30 of each thing: a lazy load per row
(per invitee, agenda item, action, member) would make the count grow."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from planner.committee import invitations, scheduling
from planner.committee import services as committee_services
from planner.committee.models import Committee, CommitteeMember, Meeting, MeetingOccurrence, Recurrence
from planner.extensions import db
from planner.lifecycle import services as lifecycle_services
from planner.lifecycle.models import Stage
from planner.people import services as people_services
from planner.programmes.models import Programme
from planner.rollout import services as rollout_services
from tests.committee.test_pages_helpers import NOW, past_and_next
from tests.conftest import count_queries, log_in


def grow(app, programme, n: int) -> dict[str, int]:
    """n of everything around one weekly committee meeting: members (two of whom left, with open actions),
    guests, agenda items with presenters, milestones and gate reviews, attendance, decisions, actions, and n
    one-off meetings ahead."""
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        committee = db.session.scalar(select(Committee).where(Committee.programme_id == target.id))
        people = [people_services.create_person(target, full_name=f"Member {i}", email=f"m{i}.{target.id}@example.com",
                                                department_id=None, job_role="Manager", region_id=None,
                                                is_super_user=False) for i in range(n)]
        db.session.flush()
        members = [committee_services.add_member(committee, person_id=person.id, role="chair" if i == 0
                                                 else "department_representative", starts_on=date(2026, 9, 1))
                   for i, person in enumerate(people)]
        meeting = scheduling.schedule_meeting(committee, scheduling.MeetingPlan(
            title="Steering committee", local_start=datetime(2026, 10, 6, 10), time_zone="Europe/Berlin",
            recurrence=Recurrence.WEEKLY, weekdays=["TU"], count=10), organiser_id=None, send_now=True)
        db.session.flush()
        for i in range(n):
            guest = people_services.create_person(target, full_name=f"Guest {i}", email=f"g{i}.{target.id}@example.com",
                                                  department_id=None, job_role="Vendor", region_id=None,
                                                  is_super_user=False)
            db.session.flush()
            invitations.add_guest(meeting, guest)
        for i in range(n):
            scheduling.schedule_meeting(committee, scheduling.MeetingPlan(
                title=f"One-off {i}", local_start=datetime(2026, 11, 20, 9) + timedelta(days=i),
                time_zone="Europe/Berlin"), organiser_id=None)
        stage = lifecycle_services.stages_of(target.id)[0]
        db.session.commit()
        meeting_id, stage_id = meeting.id, stage.id
        person_ids = [person.id for person in people]
        leaving_ids = [members[1].id, members[2].id]
    past, upcoming = past_and_next(app, meeting_id)
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        stage = db.session.get(Stage, stage_id)
        occurrence = db.session.get(MeetingOccurrence, past)
        for i in range(n):
            milestone = rollout_services.create_milestone(target, name=f"Milestone {i}", kind="review",
                                                          planned_on=date(2026, 11, 5) + timedelta(days=i),
                                                          actual_on=None)
            review = lifecycle_services.record_gate_review(stage, met_criterion_ids=set(),
                                                           reviewed_on=date(2026, 10, 1), approved_by_id=None,
                                                           notes="", recorded_by_id=None)
            db.session.flush()
            item = committee_services.add_agenda_item(occurrence, title=f"Item {i}", minutes_allotted=5,
                                                      presenter_id=person_ids[i], milestone_id=milestone.id,
                                                      gate_review_id=review.id)
            db.session.flush()
            committee_services.record_decision(target, text=f"Decision {i}", recorded_by_id=None,
                                               occurrence=occurrence, milestone_id=milestone.id,
                                               gate_review_id=review.id, agenda_item_id=item.id)
            committee_services.add_action(target, title=f"Action {i}", owner_id=person_ids[i],
                                          due_on=date(2026, 10, 20) + timedelta(days=i), occurrence=occurrence)
        committee_services.record_attendance(occurrence, {pid: ("present", "") for pid in person_ids})
        for member_id in leaving_ids:
            member = db.session.get(CommitteeMember, member_id)
            committee_services.record_leaving(member, ends_on=date(2026, 11, 1), reason="Moved on",
                                              expected_version=None)
        db.session.commit()
    return {"meeting": meeting_id, "past": past, "upcoming": upcoming}


PAGES = ["committee", "meetings", "meetings?when=past", "meetings/{meeting}", "meetings/{meeting}?answer=none",
         "occurrences/{past}", "occurrences/{upcoming}", "occurrences/{past}/pack", "actions", "actions?state=all",
         "decisions"]


#: the pages whose viewers read roles and counts instead of names (test_pages_viewer_names.py)
VIEWER_PAGES = ["committee", "meetings/{meeting}", "meetings/{meeting}?answer=none", "occurrences/{past}",
                "occurrences/{past}/pack", "decisions"]


@pytest.mark.parametrize(("role", "page"), [("admin", page) for page in PAGES]
                         + [("viewer", page) for page in VIEWER_PAGES])
def test_committee_pages_answer_in_a_constant_number_of_queries(app, client, factories, make_programme, now_is,
                                                                role, page):
    now_is(NOW)
    small, big = make_programme(), make_programme()
    small_ids, big_ids = grow(app, small, 3), grow(app, big, 30)
    user = factories.user_with_role(role, small)
    if role != "admin":
        factories.grant(user, big, role)
    log_in(client, user.email)
    counts = []
    for programme, ids in ((small, small_ids), (big, big_ids)):
        url = f"/programmes/{programme.id}/" + page.format(**ids)
        client.get(url)  # warm up: the first request loads the user and the session
        with count_queries(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries with 3 of everything, {counts[1]} with 30"


def test_the_big_world_is_really_big(app, make_programme, now_is):
    """The world above has what the pages list, so the counts compare something."""
    now_is(NOW)
    programme = make_programme()
    ids = grow(app, programme, 30)
    with app.app_context():
        meeting = db.session.get(Meeting, ids["meeting"])
        occurrence = db.session.get(MeetingOccurrence, ids["past"])
        assert len([i for i in meeting.invitees if i.last_message_id]) >= 58
        assert len(occurrence.agenda_items) == 30
