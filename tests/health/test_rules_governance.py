"""The governance health rules against real data: each fires on its failure mode, stays quiet once it is fixed,
and escalates where it has a threshold."""
from datetime import date, timedelta

import pytest

from planner.extensions import db
from planner.health.findings import Severity
from planner.programmes.models import Programme
from tests.conftest import count_queries
from tests.health.rules_helpers_a import (
    NOW, TODAY, action, at, close_action, leave, meeting, only, run_rule, run_rules, seat, set_threshold,
)


@pytest.fixture(autouse=True)
def _clock(now_is):
    now_is(NOW)


def _set_sponsor(app, programme_id: int, person_id: int | None) -> None:
    from planner.programmes import services

    with app.app_context():
        target = db.session.get(Programme, programme_id)
        services.update_programme(target, expected_version=None, name=target.name, system_name=target.system_name,
                                  start_date=target.start_date, home_time_zone=target.home_time_zone,
                                  description=target.description, sponsor_id=person_id)
        db.session.commit()


def _set_start(app, programme_id: int, start: date) -> None:
    with app.app_context():
        db.session.get(Programme, programme_id).start_date = start
        db.session.commit()


# --- no_executive_sponsor ----------------------------------------------------------------------------------

def test_a_new_programme_without_sponsor_is_told_at_once(app, factories):
    programme = factories.programme(start_date=date(2026, 12, 1))  # not even started
    finding = only(run_rule(app, programme.id, "no_executive_sponsor"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH, "programme", 1)
    assert finding.evidence[0].endpoint == "programmes.edit_programme"


def test_a_sponsor_outside_the_committee_is_flagged_by_name_only_in_personal_evidence(app, factories):
    programme = factories.programme()
    sponsor = factories.person(programme, "Sofia Sponsor")
    chair = factories.person(programme, "Carl Chair")
    seat(app, programme, chair.id, "chair")
    _set_sponsor(app, programme.id, sponsor.id)
    finding = only(run_rule(app, programme.id, "no_executive_sponsor"))
    assert (finding.severity, finding.subject) == (Severity.HIGH, f"person:{sponsor.id}")
    assert "does not sit" in finding.title and "Sofia" not in finding.title
    assert [(e.label, e.is_personal) for e in finding.evidence if e.is_personal] == [("Sofia Sponsor", True)]


def test_a_sponsor_who_left_the_committee_is_flagged(app, factories):
    programme = factories.programme()
    sponsor = factories.person(programme, "Sofia Sponsor")
    chair = factories.person(programme, "Carl Chair")
    seat(app, programme, chair.id, "chair")
    seat_id = seat(app, programme, sponsor.id, "executive_sponsor")
    _set_sponsor(app, programme.id, sponsor.id)
    leave(app, seat_id, TODAY - timedelta(days=3))
    assert "has left" in only(run_rule(app, programme.id, "no_executive_sponsor")).title


def test_a_seated_sponsor_is_fine(app, factories):
    programme = factories.programme()
    sponsor = factories.person(programme, "Sofia Sponsor")
    seat(app, programme, sponsor.id, "executive_sponsor")
    _set_sponsor(app, programme.id, sponsor.id)
    assert run_rule(app, programme.id, "no_executive_sponsor") == []


# --- committee_not_meeting ---------------------------------------------------------------------------------

@pytest.fixture
def seated(app, factories):
    """A programme (started 2 March 2026) whose committee has a chair."""
    programme = factories.programme()
    seat(app, programme, factories.person(programme, "Carl Chair").id, "chair")
    return programme


def test_an_empty_committee_is_reported_once_the_programme_starts(app, factories):
    programme = factories.programme(start_date=date(2026, 10, 1))
    assert run_rule(app, programme.id, "committee_not_meeting") == []
    finding = only(run_rule(app, programme.id, "committee_not_meeting", today=date(2026, 10, 1)))
    assert (finding.severity, finding.subject, finding.title) == (
        Severity.MEDIUM, "programme", "Nobody sits on the steering committee")
    assert only(run_rule(app, programme.id, "committee_not_meeting", today=date(2026, 11, 12))).severity \
        is Severity.HIGH  # six weeks after the start


def test_no_meeting_is_not_due_in_the_first_weeks(app, seated):
    _set_start(app, seated.id, TODAY - timedelta(weeks=5))
    assert run_rule(app, seated.id, "committee_not_meeting") == []
    _set_start(app, seated.id, TODAY - timedelta(weeks=6))
    finding = only(run_rule(app, seated.id, "committee_not_meeting"))
    assert (finding.severity, finding.measure) == (Severity.MEDIUM, 6)
    assert "since the programme started" in finding.title


def test_weeks_without_a_meeting_escalate_at_twice_the_threshold(app, seated, now_is):
    held = meeting(app, seated, date(2026, 8, 1), held=True)  # 48 days before today
    finding = only(run_rule(app, seated.id, "committee_not_meeting"))
    assert (finding.severity, finding.measure, finding.title) == (
        Severity.MEDIUM, 6, "The steering committee has not met for 6 weeks")
    assert finding.subject.startswith("committee:")
    assert any(e.url_values.get("occurrence_id") == held for e in finding.evidence)
    older = only(run_rule(app, seated.id, "committee_not_meeting", today=date(2026, 10, 24)))
    assert (older.severity, older.measure) == (Severity.HIGH, 12)


def test_a_meeting_that_was_only_scheduled_does_not_count_as_held(app, seated):
    meeting(app, seated, date(2026, 9, 10))  # took place, but no attendance or minutes recorded
    finding = only(run_rule(app, seated.id, "committee_not_meeting"))
    assert finding.measure == 28


def test_a_recent_meeting_but_nothing_planned_is_reported(app, seated):
    meeting(app, seated, date(2026, 9, 10), held=True)
    finding = only(run_rule(app, seated.id, "committee_not_meeting"))
    assert (finding.severity, finding.measure) == (Severity.MEDIUM, 1)
    assert finding.title == "The steering committee has no meeting planned in the next 6 weeks"


def test_a_committee_that_meets_and_plans_is_fine(app, seated):
    meeting(app, seated, date(2026, 9, 10), held=True)
    meeting(app, seated, date(2026, 10, 15))
    assert run_rule(app, seated.id, "committee_not_meeting") == []


def test_the_meeting_gap_follows_the_programmes_threshold(app, seated):
    meeting(app, seated, date(2026, 8, 1), held=True)
    meeting(app, seated, date(2026, 10, 1))
    set_threshold(app, seated.id, "committee_meeting_gap_weeks", 8)
    assert run_rule(app, seated.id, "committee_not_meeting") == []


# --- meeting_without_agenda --------------------------------------------------------------------------------

def test_a_coming_meeting_without_agenda_within_the_committee_notice(app, seated):
    monday = meeting(app, seated, date(2026, 9, 21))  # one working day away; notice is 3 working days
    meeting(app, seated, date(2026, 9, 24))  # four working days away: not late yet
    finding = only(run_rule(app, seated.id, "meeting_without_agenda"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, f"occurrence:{monday}", 1)


def test_a_meeting_today_without_agenda_is_high(app, seated):
    today = meeting(app, seated, TODAY, hour=15)
    finding = only(run_rule(app, seated.id, "meeting_without_agenda"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH, f"occurrence:{today}", 1)


def test_a_published_agenda_or_a_draft_meeting_is_fine(app, seated):
    meeting(app, seated, date(2026, 9, 21), agenda=True)
    meeting(app, seated, date(2026, 9, 22), publish=False)  # a draft sends nothing and is no meeting yet
    assert run_rule(app, seated.id, "meeting_without_agenda") == []


def test_meetings_held_without_agenda_are_counted_as_hygiene(app, seated, now_is):
    first = meeting(app, seated, date(2026, 9, 1), held=True)
    second = meeting(app, seated, date(2026, 9, 8), held=True)
    meeting(app, seated, date(2026, 9, 15), held=True, agenda=True)
    meeting(app, seated, date(2026, 5, 1), held=True)  # more than 90 days ago
    finding = only(run_rule(app, seated.id, "meeting_without_agenda"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.LOW, "held", 2)
    assert {e.url_values["occurrence_id"] for e in finding.evidence} == {first, second}


# --- decisions_pending -------------------------------------------------------------------------------------

def _assessed_change(app, programme, assessed_on: date, now_is, title: str = "Move the Nordic wave") -> int:
    from planner.changes import services

    now_is(at(assessed_on - timedelta(days=2)))
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        change = services.submit_change(target, submitted_by_id=None, title=title, kind="other", description="",
                                        requester_id=None, requested_on=assessed_on - timedelta(days=2),
                                        schedule_days=0, cost=None, risks="", plan_item_key="", new_start=None,
                                        new_duration=None)
        if assessed_on is not None:
            now_is(at(assessed_on))
            services.assess_change(change, expected_version=None, assessment="Costs a week.", schedule_days=5,
                                   cost=None, risks="", assessed_by_id=None)
        db.session.commit()
        change_id = change.id
    now_is(NOW)
    return change_id


def test_requests_waiting_for_the_committee_are_counted(app, factories, now_is):
    programme = factories.programme()
    old = _assessed_change(app, programme, TODAY - timedelta(days=30), now_is)
    _assessed_change(app, programme, TODAY - timedelta(days=10), now_is, "Recent")
    finding = only(run_rule(app, programme.id, "decisions_pending"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, "programme", 1)
    assert [e.url_values["change_id"] for e in finding.evidence] == [old]


def test_a_request_waiting_twice_the_threshold_is_high(app, factories, now_is):
    programme = factories.programme()
    _assessed_change(app, programme, TODAY - timedelta(days=43), now_is)
    finding = only(run_rule(app, programme.id, "decisions_pending"))
    assert (finding.severity, finding.measure) == (Severity.HIGH, 1)


def test_requests_not_yet_assessed_or_recent_do_not_count(app, factories, now_is):
    from planner.changes import services

    programme = factories.programme()
    _assessed_change(app, programme, TODAY - timedelta(days=20), now_is)
    now_is(at(TODAY - timedelta(days=60)))
    with app.app_context():
        services.submit_change(db.session.get(Programme, programme.id), submitted_by_id=None, title="Unassessed",
                               kind="other", description="", requester_id=None, requested_on=date(2026, 7, 1),
                               schedule_days=0, cost=None, risks="", plan_item_key="", new_start=None,
                               new_duration=None)
        db.session.commit()
    now_is(NOW)
    assert run_rule(app, programme.id, "decisions_pending") == []


# --- key_member_left_with_open_actions ---------------------------------------------------------------------

def test_a_key_member_who_left_with_open_actions(app, factories):
    programme = factories.programme()
    chair = factories.person(programme, "Carl Chair")
    stays = factories.person(programme, "Dora Stays")
    chair_seat = seat(app, programme, chair.id, "chair")
    seat(app, programme, stays.id)
    first = action(app, programme, chair.id, date(2026, 10, 1))
    second = action(app, programme, chair.id, date(2026, 10, 8))
    close_action(app, action(app, programme, chair.id, date(2026, 9, 1)))  # done: not counted
    action(app, programme, stays.id, date(2026, 10, 1))
    leave(app, chair_seat, date(2026, 9, 10))
    finding = only(run_rule(app, programme.id, "key_member_left_with_open_actions"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH, f"person:{chair.id}", 2)
    assert "key member" in finding.title and "Carl" not in finding.title
    assert finding.evidence[0].is_personal and finding.evidence[0].label == "Carl Chair"
    assert [e.url_values["action_id"] for e in finding.evidence[1:]] == [first, second]
    for action_id in (first, second):
        close_action(app, action_id, owner_id=stays.id, status="open")
    assert run_rule(app, programme.id, "key_member_left_with_open_actions") == []


def test_leaving_in_the_future_or_rejoining_is_not_leaving(app, factories):
    programme = factories.programme()
    going = factories.person(programme)
    back = factories.person(programme)
    going_seat = seat(app, programme, going.id)
    back_seat = seat(app, programme, back.id)
    action(app, programme, going.id, date(2026, 10, 1))
    action(app, programme, back.id, date(2026, 10, 1))
    leave(app, going_seat, date(2026, 9, 30))
    leave(app, back_seat, date(2026, 6, 30))
    seat(app, programme, back.id, starts_on=date(2026, 8, 1))
    assert run_rule(app, programme.id, "key_member_left_with_open_actions") == []


def test_actions_of_a_person_removed_from_the_programme_have_no_owner(app, factories):
    from planner.people import services as people_services
    from planner.people.models import Person

    programme = factories.programme()
    gone = factories.person(programme, "Gina Gone")
    action_id = action(app, programme, gone.id, date(2026, 10, 1))
    with app.app_context():
        people_services.delete_person(db.session.get(Person, gone.id))
        db.session.commit()
    finding = only(run_rule(app, programme.id, "key_member_left_with_open_actions"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH, "owner:none", 1)
    assert [e.url_values["action_id"] for e in finding.evidence] == [action_id]


# --- overdue_actions ---------------------------------------------------------------------------------------

def test_actions_overdue_beyond_the_threshold(app, factories):
    programme = factories.programme()
    owner = factories.person(programme)
    late = action(app, programme, owner.id, TODAY - timedelta(days=20))
    action(app, programme, owner.id, TODAY - timedelta(days=10))  # overdue, within the slack
    finding = only(run_rule(app, programme.id, "overdue_actions"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, "programme", 1)
    assert [e.url_values.get("action_id") for e in finding.evidence] == [None, late]
    close_action(app, late)
    assert run_rule(app, programme.id, "overdue_actions") == []


def test_many_or_very_old_overdue_actions_are_high(app, factories):
    programme = factories.programme()
    owner = factories.person(programme)
    action(app, programme, owner.id, TODAY - timedelta(days=57))  # more than 4 x 14 days
    assert only(run_rule(app, programme.id, "overdue_actions")).severity is Severity.HIGH
    other = factories.programme()
    owner = factories.person(other)
    for _n in range(6):
        action(app, other, owner.id, TODAY - timedelta(days=20))
    finding = only(run_rule(app, other.id, "overdue_actions"))
    assert (finding.severity, finding.measure) == (Severity.HIGH, 6)


# --- business_processes_not_confirmed ----------------------------------------------------------------------

def _stage(app, programme_id: int, number: int):
    from sqlalchemy import select

    from planner.lifecycle.models import Stage

    return db.session.scalar(select(Stage).where(Stage.programme_id == programme_id, Stage.number == number))


def _start_stage(app, programme_id: int, number: int, start: date) -> None:
    from planner.lifecycle import services

    with app.app_context():
        stage = _stage(app, programme_id, number)
        services.update_stage(stage, expected_version=None, goals=stage.goals, expertise_needed="", owner_id=None,
                              planned_start=start, planned_finish=None, actual_start=None, actual_finish=None)
        db.session.commit()


def _tick(app, programme_id: int, title: str) -> None:
    from planner.lifecycle import services

    with app.app_context():
        deliverable = next(d for d in _stage(app, programme_id, 3).deliverables if d.title == title)
        services.set_deliverable_done(deliverable, True, TODAY)
        db.session.commit()


@pytest.fixture
def departments(app, factories):
    """A programme with Sales (two people), Service (one) and IT (nobody yet)."""
    programme = factories.programme(departments=["Sales", "Service", "IT"])
    with app.app_context():
        ids = {d.name: d.id for d in db.session.get(Programme, programme.id).departments}
    factories.person(programme, department_id=ids["Sales"])
    factories.person(programme, department_id=ids["Sales"])
    factories.person(programme, department_id=ids["Service"])
    return programme


def test_current_processes_not_documented_weeks_into_stage_three(app, departments):
    _start_stage(app, departments.id, 3, TODAY - timedelta(weeks=2))
    assert run_rule(app, departments.id, "business_processes_not_confirmed") == []
    _start_stage(app, departments.id, 3, TODAY - timedelta(weeks=5))
    finding = only(run_rule(app, departments.id, "business_processes_not_confirmed"))
    assert (finding.severity, finding.measure) == (Severity.MEDIUM, 2)  # Sales and Service have people
    assert finding.subject.startswith("stage:")
    assert [e.endpoint for e in finding.evidence] == ["lifecycle.show_stage"] + ["programmes.edit_department"] * 2
    _tick(app, departments.id, "Current processes documented")
    assert run_rule(app, departments.id, "business_processes_not_confirmed") == []


def test_redesign_before_confirmation_is_high_until_the_gate_review_records_it(app, departments):
    from planner.lifecycle import services

    _start_stage(app, departments.id, 3, TODAY - timedelta(weeks=1))
    _tick(app, departments.id, "Current processes documented")
    _tick(app, departments.id, "Redesigned processes")
    finding = only(run_rule(app, departments.id, "business_processes_not_confirmed"))
    assert finding.severity is Severity.HIGH
    with app.app_context():
        stage = _stage(app, departments.id, 3)
        confirmation = next(c for c in stage.criteria if "confirmed by every affected department" in c.text)
        services.record_gate_review(stage, met_criterion_ids={confirmation.id}, reviewed_on=TODAY,
                                    approved_by_id=None, notes="", recorded_by_id=None)
        db.session.commit()
    assert run_rule(app, departments.id, "business_processes_not_confirmed") == []


def test_a_later_stage_started_while_stage_three_is_unconfirmed(app, departments):
    _start_stage(app, departments.id, 3, TODAY - timedelta(days=3))
    _tick(app, departments.id, "Current processes documented")
    assert run_rule(app, departments.id, "business_processes_not_confirmed") == []
    _start_stage(app, departments.id, 4, TODAY - timedelta(days=1))
    assert only(run_rule(app, departments.id, "business_processes_not_confirmed")).severity is Severity.HIGH


def test_stage_three_not_started_is_not_due(app, departments):
    _start_stage(app, departments.id, 3, TODAY + timedelta(days=1))
    assert run_rule(app, departments.id, "business_processes_not_confirmed") == []


# --- a flat number of queries ------------------------------------------------------------------------------

GOVERNANCE_RULES = ("no_executive_sponsor", "committee_not_meeting", "meeting_without_agenda", "decisions_pending",
                    "key_member_left_with_open_actions", "overdue_actions", "business_processes_not_confirmed")


def _busy_programme(app, factories, now_is, size: int):
    """A programme where every governance rule fires, with ``size`` records behind most of them."""
    programme = factories.programme(departments=[f"Dept {n}" for n in range(size)])
    with app.app_context():
        department_ids = [d.id for d in db.session.get(Programme, programme.id).departments]
    sponsor = factories.person(programme)
    seat(app, programme, factories.person(programme).id, "chair")
    with app.app_context():
        from planner.programmes import services

        target = db.session.get(Programme, programme.id)
        services.update_programme(target, expected_version=None, name=target.name, system_name=target.system_name,
                                  start_date=target.start_date, home_time_zone=target.home_time_zone,
                                  description="", sponsor_id=sponsor.id)
        db.session.commit()
    for n in range(size):  # leavers first: seating and leaving update the invitations of coming meetings
        person = factories.person(programme, department_id=department_ids[n])
        seat_id = seat(app, programme, person.id)
        action(app, programme, person.id, TODAY - timedelta(days=20))
        leave(app, seat_id, date(2026, 9, 1))
    for n in range(size):
        meeting(app, programme, date(2026, 7, 1) + timedelta(days=n), held=True)
        meeting(app, programme, date(2026, 9, 21), hour=8 + n % 10, title=f"Coming {n}")
        _assessed_change(app, programme, TODAY - timedelta(days=30), now_is, f"Change {n}")
    _start_stage(app, programme.id, 3, TODAY - timedelta(weeks=5))
    return programme


def test_the_governance_rules_ask_a_flat_number_of_queries(app, factories, now_is):
    counts = []
    for size in (3, 30):
        programme = _busy_programme(app, factories, now_is, size)
        with count_queries(app) as statements:
            findings = run_rules(app, programme.id, GOVERNANCE_RULES)
        assert {finding.rule for finding in findings} == set(GOVERNANCE_RULES)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 20, counts
