"""The dashboard page: the sections follow the user's roles, "my" means mine, the overdue / lacking-agenda /
rosters-to-complete logic, access, and a flat query count as the data grows."""
import html
import re
from datetime import datetime, time, timedelta

import pytest

from planner.committee import invitations
from planner.committee import services as committee_services
from planner.committee.models import MeetingInvitee
from planner.extensions import db
from planner.health.findings import Severity
from planner.programmes.models import Programme
from planner.training import sessions as session_services
from sqlalchemy import select
from tests.conftest import count_queries
from tests.dashboards.helpers import (
    MEMBER_NAME, NOW, OTHER_MEMBER_NAME, TODAY, add_data, build_world, client_for, finding, make_session,
    schedule_meeting,
)


@pytest.fixture
def world(app, factories, now_is, fake_rules):
    now_is(NOW)
    return build_world(app, factories)


def page(client, world) -> str:
    response = client.get(world.url)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def text(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(markup)).split())


def sections_in(markup: str) -> list[str]:
    return [key for key in re.findall(r'<section class="dashboard-section" id="([\w-]+)"', markup)]


def card(markup: str, card_id: str) -> str:
    """The text of one card of the page."""
    match = re.search(rf'<li class="card[^"]*" id="{card_id}">(.*?)</li>\s*(?=<li class="card|</ul>\s*</section>)',
                      markup, re.S)
    assert match, f"no card {card_id}"
    return text(match.group(1))


def with_programme(app, world, build):
    with app.test_request_context():
        result = build(db.session.get(Programme, world.programme_id))
        db.session.commit()
        return result


# --- sections per role ------------------------------------------------------------------------------------

def test_a_project_manager_sees_the_project_managers_section_only(app, world, fake_rules):
    fake_rules([finding(n, severity) for n, severity in
                enumerate([Severity.LOW, Severity.HIGH, Severity.MEDIUM, Severity.HIGH, Severity.LOW, Severity.LOW,
                           Severity.MEDIUM])])
    add_data(app, world, 2)
    markup = page(client_for(app, world.pm), world)
    assert sections_in(markup) == ["project-manager"]
    health = card(markup, "pm-health")
    assert "High 2" in health and "Medium 2" in health and "Low 3" in health
    # the five most severe, worst first
    shown = re.findall(r"Finding number (\d)", health)
    assert shown == ["1", "3", "2", "6", "0"]
    assert "Overdue task 0" in card(markup, "pm-overdue-actions")
    assert "Steering 0" in card(markup, "pm-agendas")
    assert "Risk 1" in card(markup, "pm-risks")
    assert "Wave 0" in card(markup, "pm-go-lives") and "in 5 days" in card(markup, "pm-go-lives")
    assert "Nordic" in card(markup, "pm-readiness")
    assert "1. " in card(markup, "pm-gates")


def test_the_health_link_appears_only_when_the_health_page_exists(app, world):
    markup = page(client_for(app, world.pm), world)
    has_page = "health.show_health" in app.view_functions
    assert (f"/programmes/{world.programme_id}/health" in markup) is has_page


def test_an_admin_sees_the_project_managers_section(app, world, factories):
    assert sections_in(page(client_for(app, factories.user(is_admin=True)), world)) == ["project-manager"]


def test_the_project_managers_section_runs_with_the_real_rules(app, world, monkeypatch):
    """Whatever rules exist, the real health check feeds the section without error."""
    from planner.health import engine
    from planner.health.rules import RULES

    monkeypatch.setattr(engine, "RULES", RULES)
    health = card(page(client_for(app, world.pm), world), "pm-health")
    assert "High" in health and "Medium" in health and "Low" in health


def test_a_user_with_two_roles_sees_both_sections_project_manager_first(app, world, factories):
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        db.session.expunge(programme)
    factories.grant(world.trainer, programme, "project_manager")
    assert sections_in(page(client_for(app, world.trainer), world)) == ["project-manager", "trainer"]


def test_a_trainer_sees_only_the_trainers_section(app, world, fake_rules):
    fake_rules([finding(1, Severity.HIGH)])
    markup = page(client_for(app, world.trainer), world)
    assert sections_in(markup) == ["trainer"]
    assert "Finding number" not in markup and 'id="pm-health"' not in markup


def test_a_viewer_sees_the_status_and_no_names(app, world, fake_rules):
    fake_rules([finding(1, Severity.HIGH), finding(2, Severity.LOW)])
    add_data(app, world, 2)
    markup = page(client_for(app, world.viewer), world)
    assert sections_in(markup) == ["viewer"]
    assert "High 1" in card(markup, "viewer-health") and "Low 1" in card(markup, "viewer-health")
    assert "Finding number" not in markup
    for name in (MEMBER_NAME, OTHER_MEMBER_NAME, "Tina Trainee"):
        assert name not in markup
    assert "1. " in card(markup, "viewer-status") and "Wave 0" in card(markup, "viewer-status")
    waves = card(markup, "viewer-waves")
    assert "Wave 0 : Planned Nov 15, 2026" in waves and "Wave 1 : Planned" in waves


# --- committee member: "my" means mine ------------------------------------------------------------------------

def test_a_member_sees_their_meetings_actions_and_what_awaits_them(app, world):
    add_data(app, world, 2)

    def others(programme):
        committee_services.add_action(programme, title="Someone else's task", owner_id=world.other_person_id,
                                      due_on=TODAY - timedelta(days=3))
        committee_services.add_action(programme, title="Due later", owner_id=world.member_person_id,
                                      due_on=TODAY + timedelta(days=3))

    with_programme(app, world, others)
    markup = page(client_for(app, world.member), world)
    assert sections_in(markup) == ["committee-member"]
    actions = card(markup, "member-actions")
    assert "Someone else's task" not in actions
    assert actions.index("Overdue task 1") < actions.index("Overdue task 0") < actions.index("Due later")
    assert "overdue since" in actions and "due" in actions.split("Due later")[1]
    meetings = card(markup, "member-meetings")
    assert "Steering 0" in meetings and "Not answered yet" in meetings
    assert "/rsvp/" in markup
    awaiting = card(markup, "member-awaiting")
    assert "Change 0" in awaiting and "Change 1" in awaiting and "Answer the invitation" in awaiting


def test_an_answered_invitation_no_longer_awaits(app, world):
    def meeting(programme):
        occurrence = schedule_meeting(programme, "Only meeting", datetime.combine(TODAY + timedelta(days=2),
                                                                                   time(10, 0)))
        invitee = db.session.scalar(select(MeetingInvitee).where(
            MeetingInvitee.meeting_id == occurrence.meeting_id, MeetingInvitee.person_id == world.member_person_id))
        invitations.record_answer(invitee, "ACCEPTED", occurrence=occurrence)

    with_programme(app, world, meeting)
    markup = page(client_for(app, world.member), world)
    assert "Accepted" in card(markup, "member-meetings")
    assert "Answer the invitation" not in card(markup, "member-awaiting")
    # the other member has not answered
    assert "Answer the invitation" in card(page(client_for(app, world.other_member), world), "member-awaiting")


def test_a_member_not_linked_to_a_person_is_told(app, world, factories):
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        db.session.expunge(programme)
    unlinked = factories.user_with_role("committee_member", programme)
    add_data(app, world, 1)
    markup = page(client_for(app, unlinked), world)
    assert 'id="member-no-person"' in markup and "not linked to a person" in text(markup)
    assert "Overdue task" not in markup


# --- project manager: overdue actions and meetings lacking an agenda ---------------------------------------

def test_overdue_means_past_its_due_day_and_open(app, world):
    def actions(programme):
        committee_services.add_action(programme, title="Late one", owner_id=world.member_person_id,
                                      due_on=TODAY - timedelta(days=1))
        committee_services.add_action(programme, title="Due today", owner_id=world.member_person_id, due_on=TODAY)
        done = committee_services.add_action(programme, title="Done one", owner_id=world.member_person_id,
                                             due_on=TODAY - timedelta(days=5))
        db.session.flush()
        committee_services.update_action(done, expected_version=None, title="Done one",
                                         owner_id=world.member_person_id, due_on=done.due_on, status="done",
                                         notes="")

    with_programme(app, world, actions)
    overdue = card(page(client_for(app, world.pm), world), "pm-overdue-actions")
    assert "Late one" in overdue and "Due today" not in overdue and "Done one" not in overdue


def test_a_meeting_lacks_an_agenda_until_it_is_published(app, world):
    def meetings(programme):
        bare = schedule_meeting(programme, "Bare meeting", datetime.combine(TODAY + timedelta(days=1), time(10, 0)))
        ready = schedule_meeting(programme, "Ready meeting", datetime.combine(TODAY + timedelta(days=8),
                                                                               time(10, 0)))
        schedule_meeting(programme, "Far meeting", datetime.combine(TODAY + timedelta(days=45), time(10, 0)))
        committee_services.add_agenda_item(ready, title="Status")
        committee_services.publish_agenda(ready)
        return bare

    with_programme(app, world, meetings)
    agendas = card(page(client_for(app, world.pm), world), "pm-agendas")
    assert "Bare meeting" in agendas and "Publish it now" in agendas
    assert "Ready meeting" not in agendas and "Far meeting" not in agendas


# --- trainer: my sessions, rosters to complete -----------------------------------------------------------------

def test_a_trainer_sees_their_own_sessions_today_and_this_week(app, world):
    def sessions(programme):
        make_session(programme, world, datetime.combine(TODAY, time(14, 0)))
        make_session(programme, world, datetime.combine(TODAY + timedelta(days=2), time(9, 0)))
        make_session(programme, world, datetime.combine(TODAY + timedelta(days=7), time(9, 0)))  # next week
        make_session(programme, world, datetime.combine(TODAY, time(16, 0)), trainer_id=world.other_trainer.id)

    with_programme(app, world, sessions)
    markup = page(client_for(app, world.trainer), world)
    today, week = card(markup, "trainer-today"), card(markup, "trainer-week")
    assert "14:00" in today and "16:00" not in today
    assert "2026-11-12 09:00" in week and "2026-11-17" not in week
    assert markup.count('class="my-session"') == 2
    assert f"/programmes/{world.programme_id}/sessions/" in markup and "/roster" in markup


def test_rosters_to_complete_are_ended_sessions_with_people_unmarked(app, world, factories):
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        db.session.expunge(programme)
    second = factories.person(programme, "Second Trainee", region_id=world.region_id).id

    def sessions(programme):
        unmarked = make_session(programme, world, datetime.combine(TODAY - timedelta(days=1), time(9, 0)),
                                people=[world.trainee_id, second])
        marked = make_session(programme, world, datetime.combine(TODAY - timedelta(days=1), time(11, 0)),
                              people=[world.trainee_id])
        completed = make_session(programme, world, datetime.combine(TODAY - timedelta(days=1), time(13, 0)),
                                 people=[world.trainee_id])
        empty = make_session(programme, world, datetime.combine(TODAY - timedelta(days=1), time(15, 0)))
        theirs = make_session(programme, world, datetime.combine(TODAY - timedelta(days=1), time(17, 0)),
                              trainer_id=world.other_trainer.id, people=[world.trainee_id])
        session_services.mark_attendance(unmarked, person_id=world.trainee_id, status="present", note="",
                                         marked_by_id=None)
        session_services.mark_attendance(marked, person_id=world.trainee_id, status="absent", note="",
                                         marked_by_id=None)
        session_services.mark_attendance(completed, person_id=world.trainee_id, status="late", note="",
                                         marked_by_id=None)
        session_services.complete_roster(completed)
        return [s.id for s in (unmarked, marked, completed, empty, theirs)]

    unmarked, marked, completed, empty, theirs = with_programme(app, world, sessions)
    rosters = page(client_for(app, world.trainer), world)
    listed = [int(sid) for sid in re.findall(r'class="my-session" data-session="(\d+)"', rosters)]
    assert listed == [unmarked]
    assert "1 not marked yet" in card(rosters, "trainer-rosters")


# --- access -------------------------------------------------------------------------------------------------------

def test_anonymous_users_are_sent_to_log_in(client, world):
    response = client.get(world.url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_programmes_manager_gets_404(app, world, factories):
    other = factories.programme()
    assert client_for(app, factories.user_with_role("project_manager", other)).get(world.url).status_code == 404
    assert client_for(app, world.pm).get(f"/programmes/{other.id}/dashboard").status_code == 404


def test_the_programme_list_links_each_dashboard(app, world):
    markup = client_for(app, world.pm).get("/").get_data(as_text=True)
    assert f'href="/programmes/{world.programme_id}/dashboard"' in markup


# --- query counts ---------------------------------------------------------------------------------------------

def test_training_readiness_is_read_once_for_the_health_check_and_the_readiness_card(app, world, monkeypatch):
    """The costliest query of the page (each person's training progress, now the kept kinds: 0.2 s for 20,000
    people before either was kept) was sent by the health check and again by the readiness card; the savepoint
    around each health rule made the shared copy forget itself."""
    from planner.health import engine
    from planner.health.rules import RULES

    monkeypatch.setattr(engine, "RULES", RULES)
    client = client_for(app, world.pm)
    with count_queries(app) as statements:
        page(client, world)
    readiness = [statement for statement in statements if "FROM training_kind" in statement]
    assert len(readiness) == 1, readiness


@pytest.mark.parametrize("role", ["pm", "member", "trainer", "viewer"])
def test_the_query_count_does_not_grow_with_the_data(app, world, fake_rules, role):
    fake_rules([finding(n, Severity.MEDIUM) for n in range(8)])
    client = client_for(app, getattr(world, role))
    add_data(app, world, 3)
    page(client, world)  # warm: the first request loads what every request shares
    with count_queries(app) as few:
        small = page(client, world)
    add_data(app, world, 27, offset=3)
    with count_queries(app) as many:
        large = page(client, world)
    assert len(large) > len(small)  # the larger world really shows more
    assert len(many) == len(few), "\n".join(many)
