"""What the review of the dashboards found: a failing health rule, one "today" across the app, late go-lives,
"my" person being of this programme, only sessions the trainer really gives, gate reviews and risks awaiting a
decision, and the query count with the real health rules."""
import re
from datetime import UTC, datetime, time, timedelta

import pytest

from planner.committee import services as committee_services
from planner.extensions import db
from planner.health.findings import Severity
from planner.health.rules import Rule
from planner.lifecycle import services as lifecycle_services
from planner.lifecycle.models import Stage
from planner.programmes.models import Programme
from planner.risks import services as risk_services
from planner.rollout import services as rollout_services
from planner.training import sessions as session_services
from planner.training.models import Course
from sqlalchemy import select
from tests.conftest import count_queries
from tests.dashboards.helpers import (
    NOW, TODAY, add_data, build_world, client_for, finding, make_session, schedule_meeting,
)
from tests.dashboards.test_pages import card, page, text, with_programme

#: 23:30 UTC on Tuesday 10 November: already Wednesday 00:30 in Berlin, the programme's home zone
LATE_EVENING = datetime(2026, 11, 10, 23, 30, tzinfo=UTC)


@pytest.fixture
def world(app, factories, now_is, fake_rules):
    now_is(NOW)
    return build_world(app, factories)


def _raising(context):
    raise RuntimeError("this rule is broken")


# --- 1. a failing health rule ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role, card_id", [("pm", "pm-health"), ("viewer", "viewer-health")])
def test_a_failing_health_rule_does_not_break_the_dashboard(app, world, monkeypatch, role, card_id):
    from planner.health import engine

    findings = [finding(1, Severity.HIGH)]
    monkeypatch.setattr(engine, "RULES", {
        "dashboard_test": Rule(key="dashboard_test", title="Test rule", failure_mode="Testing",
                               check=lambda context: findings),
        "broken": Rule(key="broken", title="Broken rule", failure_mode="Testing", check=_raising)})
    health = card(page(client_for(app, getattr(world, role)), world), card_id)
    assert "High 1" in health
    assert "1 check could not run" in health


def test_every_check_running_says_nothing_about_failures(app, world):
    assert "could not run" not in card(page(client_for(app, world.pm), world), "pm-health")


# --- 2. one "today" -----------------------------------------------------------------------------------------------

def test_the_dashboard_uses_the_apps_today(app, world, now_is, monkeypatch):
    """Late in the evening (UTC) the home zone is already tomorrow; the dashboard still agrees with the pages
    it links to: the actions list and the health check."""
    from planner.health import engine

    now_is(LATE_EVENING)
    seen_days = []

    def check(context):
        seen_days.append(context.today)
        return []

    monkeypatch.setattr(engine, "RULES", {"day": Rule(key="day", title="Day", failure_mode="Testing", check=check)})

    def actions(programme):
        committee_services.add_action(programme, title="Due this very day", owner_id=world.member_person_id,
                                      due_on=TODAY)
        committee_services.add_action(programme, title="Due yesterday", owner_id=world.member_person_id,
                                      due_on=TODAY - timedelta(days=1))

    with_programme(app, world, actions)
    client = client_for(app, world.pm)
    markup = page(client, world)
    overdue = card(markup, "pm-overdue-actions")
    listed = text(client.get(f"/programmes/{world.programme_id}/actions?state=overdue").get_data(as_text=True))
    for title in ("Due this very day", "Due yesterday"):
        assert (title in overdue) is (title in listed)
    assert "Due yesterday" in overdue and "Due this very day" not in overdue
    assert seen_days == [TODAY]
    assert "Today is Nov 10, 2026." in text(markup)
    member = card(page(client_for(app, world.member), world), "member-actions")
    assert member.count("overdue since") == 1


def test_the_trainers_today_agrees_with_the_my_sessions_page(app, world, now_is):
    now_is(LATE_EVENING)

    def sessions(programme):
        # Wednesday 09:00 in Berlin: "today" there already, as on the trainer's own page
        make_session(programme, world, datetime.combine(TODAY + timedelta(days=1), time(9, 0)))
        make_session(programme, world, datetime.combine(TODAY + timedelta(days=2), time(9, 0)))

    with_programme(app, world, sessions)
    client = client_for(app, world.trainer)
    markup = page(client, world)
    own_page = client.get("/training/my-sessions").get_data(as_text=True)
    assert "2026-11-11" in card(markup, "trainer-today") and "2026-11-12" in card(markup, "trainer-week")
    today_part = own_page.split("2026-11-12")[0]
    assert "2026-11-11" in today_part


# --- 3. late go-lives -------------------------------------------------------------------------------------------

def test_a_wave_past_its_planned_go_live_and_not_live_is_shown_late(app, world):
    def waves(programme):
        region = programme.regions[0]
        rollout_services.create_wave(programme, name="Late wave", kind="standard", position=3,
                                     planned_go_live=TODAY - timedelta(days=4), trial_days=10,
                                     region_ids=[region.id])

    with_programme(app, world, waves)
    go_lives = card(page(client_for(app, world.pm), world), "pm-go-lives")
    assert "Late wave" in go_lives and "4 days late" in go_lives


# --- 4. "my" person is a person of this programme -------------------------------------------------------------

def test_a_member_linked_to_another_programmes_person_is_told(app, world, factories):
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        db.session.expunge(programme)
    other = factories.programme()
    elsewhere = factories.person(other, "Elsa Elsewhere", email="elsa@example.com")
    user = factories.user(person_id=elsewhere.id)
    factories.grant(user, programme, "committee_member")
    add_data(app, world, 1)
    markup = page(client_for(app, user), world)
    assert 'id="member-no-person"' in markup and "not linked to a person" in text(markup)


# --- 6. the trainer's sessions: scheduled, of this programme ------------------------------------------------

def test_the_trainer_sees_only_scheduled_sessions_of_this_programme(app, world, factories):
    """Proposals (drafts) are not sessions the trainer gives; another programme's sessions belong to its own
    dashboard."""
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        db.session.expunge(programme)
    other = factories.programme(regions=[{"name": "Other region", "tier": "pilot"}])
    factories.grant(world.trainer, other, "trainer")
    far_trainee = factories.person(other, "Far Trainee").id

    def sessions(programme):
        given = make_session(programme, world, datetime.combine(TODAY, time(14, 0)))
        for day in (TODAY, TODAY + timedelta(days=1)):
            session_services.create_session(
                programme, course_id=world.course_id, region_id=world.region_id, trainer_id=world.trainer.id,
                start_on=day, start_time=time(16, 0), duration_minutes=60, location="Proposed room",
                online_url="", capacity=10)
        target = db.session.get(Programme, other.id)
        course = Course(programme_id=target.id, title="Other course", duration_minutes=60)
        db.session.add(course)
        db.session.flush()
        for day in (TODAY, TODAY - timedelta(days=1)):
            session = session_services.create_session(
                target, course_id=course.id, region_id=target.regions[0].id, trainer_id=world.trainer.id,
                start_on=day, start_time=time(11, 0), duration_minutes=60, location="Far away", online_url="",
                capacity=10)
            session_services.schedule_session(session)
            session_services.enrol_person(session, far_trainee)
        return given.id

    given = with_programme(app, world, sessions)
    markup = page(client_for(app, world.trainer), world)
    listed = [int(sid) for sid in re.findall(r'class="my-session" data-session="(\d+)"', markup)]
    assert listed == [given]
    assert "Proposed room" not in markup and "Far away" not in markup


# --- 7. decisions awaiting me -----------------------------------------------------------------------------------

def test_gate_reviews_and_risks_on_a_coming_agenda_await_the_member(app, world):
    def agenda(programme):
        occurrence = schedule_meeting(programme, "Gate meeting", datetime.combine(TODAY + timedelta(days=3),
                                                                                  time(10, 0)))
        stage = db.session.scalar(select(Stage).where(Stage.programme_id == programme.id, Stage.number == 1))
        review = lifecycle_services.record_gate_review(stage, met_criterion_ids=set(), reviewed_on=TODAY,
                                                       approved_by_id=None, notes="", recorded_by_id=None)
        risk = risk_services.create_risk(programme, title="Vendor may slip", category="training", likelihood=3,
                                         impact=3, owner_id=None, mitigation="Watch it.", trigger="",
                                         next_review_on=None, status="open", description="")
        db.session.flush()
        committee_services.add_agenda_item(occurrence, title="Gate 1 review", gate_review_id=review.id)
        committee_services.add_agenda_item(occurrence, title="Vendor risk", risk_id=risk.id)
        committee_services.add_agenda_item(occurrence, title="Just news")
        past = schedule_meeting(programme, "Past meeting", datetime.combine(TODAY - timedelta(days=3), time(10, 0)))
        committee_services.add_agenda_item(past, title="Old risk talk", risk_id=risk.id)
        return stage.id, risk.id

    stage_id, risk_id = with_programme(app, world, agenda)
    markup = page(client_for(app, world.member), world)
    awaiting = card(markup, "member-awaiting")
    assert "Gate 1 review" in awaiting and "Vendor risk" in awaiting and "Gate meeting" in awaiting
    assert "Just news" not in awaiting and "Old risk talk" not in awaiting
    assert f"/programmes/{world.programme_id}/stages/{stage_id}" in markup
    assert f"/programmes/{world.programme_id}/risks/{risk_id}" in markup


# --- 8. the query count with the real health rules ---------------------------------------------------------

def test_the_managers_query_count_stays_flat_with_the_real_health_rules(app, world, monkeypatch):
    """A real rule that starts querying per row shows here as well as in the health area's own tests (at the time
    of writing: 99 statements at 3 rows and at 30, of which 19 without the health rules)."""
    from planner.health import engine
    from planner.health.rules import RULES

    monkeypatch.setattr(engine, "RULES", RULES)
    client = client_for(app, world.pm)
    add_data(app, world, 3)
    page(client, world)
    with count_queries(app) as few:
        page(client, world)
    add_data(app, world, 27, offset=3)
    with count_queries(app) as many:
        page(client, world)
    assert len(many) == len(few), "\n".join(many)


# --- 9. the trainer's statement count does not depend on having sessions this week ---------------------------

def test_the_trainers_statement_count_is_the_same_with_no_sessions_and_with_some(app, world, factories):
    """The seats taken come with the sessions, in their statement: a separate count skipped when there are no
    sessions made the trainer's dashboard send 6 statements at one scale and 5 at another (issue 9)."""
    client = client_for(app, world.trainer)
    page(client, world)
    with count_queries(app) as without_sessions:
        markup = page(client, world)
    assert "No sessions today." in card(markup, "trainer-today")
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        db.session.expunge(programme)
    second = factories.person(programme, "Second Trainee", region_id=world.region_id).id

    def sessions(programme):
        make_session(programme, world, datetime.combine(TODAY, time(14, 0)), people=[world.trainee_id, second])
        make_session(programme, world, datetime.combine(TODAY + timedelta(days=2), time(9, 0)),
                     people=[world.trainee_id])

    with_programme(app, world, sessions)
    with count_queries(app) as with_sessions:
        markup = page(client, world)
    assert "2 enrolled" in card(markup, "trainer-today") and "1 enrolled" in card(markup, "trainer-week")
    assert len(with_sessions) == len(without_sessions), "\n".join(with_sessions)


# --- 10. the cards reuse what the health check read -------------------------------------------------------

@pytest.mark.parametrize("role", ["pm", "viewer"])
def test_the_dashboard_reads_nothing_twice_with_the_real_health_rules(app, world, monkeypatch, role):
    """The stages, waves, calendar and go-lives the health check reads are the ones the manager's and viewer's
    cards show: taken from the check's reads (``HealthReport.context``), not sent again (issue 9: the viewer's
    dashboard sent 11 statements twice)."""
    from planner.health import engine
    from planner.health.rules import RULES
    from sqlalchemy import event

    monkeypatch.setattr(engine, "RULES", RULES)
    add_data(app, world, 3)
    client = client_for(app, getattr(world, role))
    page(client, world)
    sent: list[tuple[str, str]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, repr(parameters)))

    with app.app_context():
        engine_ = db.engine
    event.listen(engine_, "before_cursor_execute", before)
    try:
        markup = page(client, world)
    finally:
        event.remove(engine_, "before_cursor_execute", before)
    assert ('id="pm-health"' if role == "pm" else 'id="viewer-health"') in markup
    repeated = sorted({statement for statement in sent if sent.count(statement) > 1})
    assert not repeated, "\n\n".join(statement for statement, _parameters in repeated)
