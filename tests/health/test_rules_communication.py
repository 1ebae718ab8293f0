"""The communication health rules against real data: each fires on its failure mode, stays quiet once it is
fixed, and escalates where it has a threshold."""
from datetime import date, timedelta

import pytest

from planner.extensions import db
from planner.health.findings import Severity
from planner.programmes.models import Programme
from tests.comms.helpers import hold, make_audience, make_item, make_wave, send
from tests.conftest import count_queries
from tests.health.rules_helpers_a import NOW, TODAY, at, only, run_rule, run_rules, set_threshold


@pytest.fixture(autouse=True)
def _clock(now_is):
    now_is(NOW)


def _set_start(app, programme_id: int, start: date) -> None:
    with app.app_context():
        db.session.get(Programme, programme_id).start_date = start
        db.session.commit()


def _send_on(app, programme, audience_id: int, day: date, now_is, **values) -> int:
    now_is(at(day))
    log_id = send(app, programme, audience_id, **values)
    now_is(NOW)
    return log_id


# --- no_status_update --------------------------------------------------------------------------------------

def test_an_audience_without_a_recent_status_update(app, factories, now_is):
    programme = factories.programme()
    managers = make_audience(app, programme, "Managers", job_roles="Manager")
    _send_on(app, programme, managers, date(2026, 8, 10), now_is)  # 39 days before today
    finding = only(run_rule(app, programme.id, "no_status_update"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, f"audience:{managers}", 5)
    assert finding.title == "Managers has had no status update for 5 weeks"
    assert finding.evidence[0].url_values == {"programme_id": programme.id, "audience_id": managers}


def test_silence_of_twice_the_threshold_is_high(app, factories, now_is):
    programme = factories.programme()
    managers = make_audience(app, programme, "Managers", job_roles="Manager")
    _send_on(app, programme, managers, date(2026, 7, 20), now_is)  # 60 days
    finding = only(run_rule(app, programme.id, "no_status_update"))
    assert (finding.severity, finding.measure) == (Severity.HIGH, 8)


def test_a_recent_update_to_everyone_counts_for_every_audience(app, factories, now_is):
    programme = factories.programme()
    managers = make_audience(app, programme, "Managers", job_roles="Manager")
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    _send_on(app, programme, managers, date(2026, 7, 1), now_is)
    _send_on(app, programme, everyone, date(2026, 9, 10), now_is)
    assert run_rule(app, programme.id, "no_status_update") == []


def test_a_planned_audience_that_never_got_an_update(app, factories):
    programme = factories.programme()
    managers = make_audience(app, programme, "Managers", job_roles="Manager")
    make_audience(app, programme, "Unplanned", job_roles="Clerk")  # no plan, nothing sent: not this rule's
    make_item(app, programme, managers, planned_on=date(2026, 8, 1))
    finding = only(run_rule(app, programme.id, "no_status_update"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, f"audience:{managers}", 6)
    assert "no status update yet" in finding.title


def test_a_programme_with_audiences_but_no_status_updates_at_all(app, factories):
    programme = factories.programme()
    make_audience(app, programme, "Managers", job_roles="Manager")
    _set_start(app, programme.id, TODAY - timedelta(weeks=3))
    assert run_rule(app, programme.id, "no_status_update") == []
    _set_start(app, programme.id, TODAY - timedelta(weeks=5))
    finding = only(run_rule(app, programme.id, "no_status_update"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, "programme", 5)


def test_no_status_update_is_not_due_before_the_start_or_the_first_audience(app, factories):
    programme = factories.programme()
    assert run_rule(app, programme.id, "no_status_update") == []  # no audience yet
    make_audience(app, programme, "Managers", job_roles="Manager")
    _set_start(app, programme.id, TODAY + timedelta(days=1))
    assert run_rule(app, programme.id, "no_status_update") == []


def test_the_status_update_gap_follows_the_programmes_threshold(app, factories, now_is):
    programme = factories.programme()
    managers = make_audience(app, programme, "Managers", job_roles="Manager")
    _send_on(app, programme, managers, date(2026, 8, 10), now_is)
    set_threshold(app, programme.id, "status_update_gap_weeks", 6)
    assert run_rule(app, programme.id, "no_status_update") == []


# --- unanswered_feedback -----------------------------------------------------------------------------------

def _ask(app, programme, person_id: int, day: date, now_is, kind: str = "question") -> int:
    from planner.feedback import services
    from planner.people.models import Person

    now_is(at(day))
    with app.app_context():
        item = services.submit_feedback(db.session.get(Programme, programme.id), kind=kind, topic="training",
                                        text="When is my training?", region_id=None,
                                        person=db.session.get(Person, person_id))
        db.session.commit()
        item_id = item.id
    now_is(NOW)
    return item_id


def test_feedback_waiting_too_long_names_nobody(app, factories, now_is):
    programme = factories.programme()
    asker = factories.person(programme, "Alice Asker")
    old = _ask(app, programme, asker.id, TODAY - timedelta(days=10), now_is)
    _ask(app, programme, asker.id, TODAY - timedelta(days=3), now_is, kind="feedback")  # recent
    finding = only(run_rule(app, programme.id, "unanswered_feedback"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, "programme", 1)
    assert finding.title == "A question or feedback item has waited 10 days for an answer"
    assert [e.url_values["feedback_id"] for e in finding.evidence] == [old]
    assert "Alice" not in finding.title and all("Alice" not in e.label for e in finding.evidence)


def test_feedback_waiting_three_times_the_threshold_is_high(app, factories, now_is):
    programme = factories.programme()
    asker = factories.person(programme)
    _ask(app, programme, asker.id, TODAY - timedelta(days=22), now_is)
    _ask(app, programme, asker.id, TODAY - timedelta(days=9), now_is)
    finding = only(run_rule(app, programme.id, "unanswered_feedback"))
    assert (finding.severity, finding.measure, len(finding.evidence)) == (Severity.HIGH, 2, 2)


def test_answered_feedback_is_fine(app, factories, now_is):
    from planner.feedback import services
    from planner.feedback.models import FeedbackItem

    programme = factories.programme()
    item_id = _ask(app, programme, factories.person(programme).id, TODAY - timedelta(days=10), now_is)
    with app.app_context():
        services.answer_feedback(db.session.get(FeedbackItem, item_id), answer="Next Tuesday.", answered_by_id=None,
                                 expected_version=None, notify=False)
        db.session.commit()
    assert run_rule(app, programme.id, "unanswered_feedback") == []


# --- no_vision_message -------------------------------------------------------------------------------------

def test_audiences_never_told_the_vision(app, factories):
    programme = factories.programme()
    managers = make_audience(app, programme, "Managers", job_roles="Manager")
    clerks = make_audience(app, programme, "Clerks", job_roles="Clerk")
    hold(app, programme, held_on=date(2026, 3, 10), subject="Why Helix", audience_id=managers,
         purpose="vision_kickoff", channel="town_hall")
    finding = only(run_rule(app, programme.id, "no_vision_message"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.HIGH, "programme", 1)
    assert finding.evidence[0].url_values == {"programme_id": programme.id, "audience_id": clerks}


def test_the_vision_is_medium_in_the_first_weeks_and_not_due_before_the_start(app, factories):
    programme = factories.programme()
    make_audience(app, programme, "Managers", job_roles="Manager")
    _set_start(app, programme.id, TODAY - timedelta(weeks=2))
    assert only(run_rule(app, programme.id, "no_vision_message")).severity is Severity.MEDIUM
    _set_start(app, programme.id, TODAY + timedelta(days=1))
    assert run_rule(app, programme.id, "no_vision_message") == []


def test_a_kickoff_that_reached_everyone_tells_every_audience(app, factories):
    programme = factories.programme()
    make_audience(app, programme, "Managers", job_roles="Manager")
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    hold(app, programme, held_on=date(2026, 3, 10), subject="Why Helix", audience_id=everyone,
         purpose="vision_kickoff", channel="town_hall")
    assert run_rule(app, programme.id, "no_vision_message") == []


def test_a_programme_without_audiences_weeks_after_its_start(app, factories):
    programme = factories.programme()
    finding = only(run_rule(app, programme.id, "no_vision_message"))
    assert (finding.severity, finding.subject) == (Severity.HIGH, "programme")
    assert "no audiences" in finding.title


# --- go_live_notice_missing --------------------------------------------------------------------------------

@pytest.fixture
def regions(app, factories):
    """A programme with North going live on Monday 28 September (notice due by Monday 14 September, already
    passed) and South on Monday 2 November (notice due by Monday 19 October), and an audience of everyone."""
    programme = factories.programme(regions=["North", "South"])
    with app.app_context():
        ids = {region.name: region.id for region in db.session.get(Programme, programme.id).regions}
    make_wave(app, programme, "Wave 1", date(2026, 9, 28), [ids["North"]])
    make_wave(app, programme, "Wave 2", date(2026, 11, 2), [ids["South"]])
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    return programme, ids, everyone


def test_a_region_within_its_notice_period_without_notice_is_high(app, regions):
    programme, ids, _everyone = regions
    findings = {finding.subject: finding
                for finding in run_rule(app, programme.id, "go_live_notice_missing", today=date(2026, 9, 21))}
    north, south = findings[f"region:{ids['North']}"], findings[f"region:{ids['South']}"]
    assert (north.severity, north.measure) == (Severity.HIGH, 1)
    assert (south.severity, south.measure) == (Severity.MEDIUM, 0)
    assert "no go-live notice planned yet" in south.title


def test_a_notice_planned_too_late_is_medium(app, regions):
    programme, ids, everyone = regions
    hold(app, programme, held_on=date(2026, 9, 11), subject="North goes live", audience_id=everyone,
         purpose="go_live_notice", channel="town_hall", region_id=ids["North"])
    make_item(app, programme, everyone, title="South goes live", purpose="go_live_notice",
              planned_on=date(2026, 10, 26), region_id=ids["South"])
    finding = only(run_rule(app, programme.id, "go_live_notice_missing"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, f"region:{ids['South']}", 7)


def test_notices_in_time_or_a_go_live_already_past_are_fine(app, regions):
    programme, ids, everyone = regions
    make_item(app, programme, everyone, title="South goes live", purpose="go_live_notice",
              planned_on=date(2026, 10, 12), region_id=ids["South"])
    assert [f.subject for f in run_rule(app, programme.id, "go_live_notice_missing")] == [f"region:{ids['North']}"]
    assert [f.subject for f in run_rule(app, programme.id, "go_live_notice_missing", today=date(2026, 9, 29))] == []


# --- missed_communications ---------------------------------------------------------------------------------

def test_missed_and_overdue_occurrences_of_the_plan(app, factories):
    programme = factories.programme()
    managers = make_audience(app, programme, "Managers", job_roles="Manager")
    missed = make_item(app, programme, managers, title="August update", planned_on=date(2026, 8, 20))
    overdue = make_item(app, programme, managers, title="Town hall", channel="town_hall",
                        planned_on=date(2026, 9, 14))  # four working days ago: past the grace days
    make_item(app, programme, managers, title="Old news", planned_on=date(2026, 5, 4))  # beyond 8 weeks
    make_item(app, programme, managers, title="Next week", planned_on=date(2026, 9, 24))
    finding = only(run_rule(app, programme.id, "missed_communications"))
    assert (finding.severity, finding.subject, finding.measure) == (Severity.MEDIUM, "programme", 2)
    assert {e.url_values.get("comm_item_id") for e in finding.evidence} == {missed, overdue, None}
    hold(app, programme, held_on=date(2026, 8, 20), subject="August update", item_id=missed,
         occurrence_on=date(2026, 8, 20))
    hold(app, programme, held_on=date(2026, 9, 14), subject="Town hall", item_id=overdue,
         occurrence_on=date(2026, 9, 14))
    assert run_rule(app, programme.id, "missed_communications") == []


def test_the_missed_lookback_follows_the_programmes_threshold(app, factories):
    programme = factories.programme()
    managers = make_audience(app, programme, "Managers", job_roles="Manager")
    make_item(app, programme, managers, title="Old news", planned_on=date(2026, 5, 4))
    assert run_rule(app, programme.id, "missed_communications") == []
    set_threshold(app, programme.id, "missed_communication_weeks", 30)
    assert only(run_rule(app, programme.id, "missed_communications")).measure == 1


# --- a flat number of queries ------------------------------------------------------------------------------

COMMUNICATION_RULES = ("no_status_update", "unanswered_feedback", "no_vision_message", "go_live_notice_missing",
                       "missed_communications")


def _busy_programme(app, factories, now_is, size: int):
    """A programme where every communication rule fires, with ``size`` records behind each."""
    programme = factories.programme(regions=[f"Region {n}" for n in range(size)])
    with app.app_context():
        region_ids = [region.id for region in db.session.get(Programme, programme.id).regions]
    make_wave(app, programme, "Wave 1", date(2026, 9, 28), region_ids)
    asker = factories.person(programme)
    for n in range(size):
        audience = make_audience(app, programme, f"Audience {n}", region_ids=[region_ids[n]])
        _send_on(app, programme, audience, date(2026, 8, 1), now_is)
        make_item(app, programme, audience, title=f"Missed {n}", planned_on=date(2026, 9, 1))
        now_is(at(TODAY - timedelta(days=10, hours=n)))
        with app.app_context():
            from planner.feedback import services
            from planner.people.models import Person

            services.submit_feedback(db.session.get(Programme, programme.id), kind="question", topic="other",
                                     text=f"Question {n}", region_id=None, user_id=None,
                                     person=db.session.get(Person, asker.id))
            db.session.commit()
        now_is(NOW)
    return programme


def test_the_communication_rules_ask_a_flat_number_of_queries(app, factories, now_is, monkeypatch):
    monkeypatch.setattr("planner.feedback.services.MAX_PER_DAY", 100)
    counts = []
    for size in (3, 30):
        programme = _busy_programme(app, factories, now_is, size)
        with count_queries(app) as statements:
            findings = run_rules(app, programme.id, COMMUNICATION_RULES)
        assert {finding.rule for finding in findings} == set(COMMUNICATION_RULES)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 17, counts  # the go-live notice horizon reads the working calendar
