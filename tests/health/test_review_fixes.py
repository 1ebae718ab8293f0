"""The health check review's findings, fixed (issue 8): measures that do not grow by themselves, acknowledgements
that hold on to the records behind a finding, audiences never updated, meetings held without a published agenda,
plural titles, and go-live notices asked for only within a horizon."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.health import services
from planner.health.engine import run_health_check
from planner.health.findings import Evidence, Finding, Severity
from planner.health.models import FindingAcknowledgement
from planner.programmes.models import Programme
from tests.comms.helpers import hold, make_audience, make_item, make_wave, send
from tests.health.rules_helpers_a import NOW, TODAY, action, at, leave, meeting, only, run_rule, seat
from tests.health.test_rules_communication import _ask
from tests.health.test_rules_governance import _assessed_change, seated  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _clock(now_is):
    now_is(NOW)


def _acknowledge(app, programme_id: int, key: str, today: date = TODAY) -> None:
    with app.test_request_context():
        programme = db.session.get(Programme, programme_id)
        finding = only(run_health_check(programme, today, rule_keys=(key,)).open)
        services.acknowledge_finding(programme, finding, "Seen; it can wait.")
        db.session.commit()


def _open_on(app, programme_id: int, key: str, today: date) -> list:
    with app.app_context():
        return run_health_check(db.session.get(Programme, programme_id), today, rule_keys=(key,)).open


# --- 1. measures that grow only when things get worse ------------------------------------------------------

def test_an_acknowledged_feedback_finding_stays_acknowledged_the_next_day(app, factories, now_is):
    programme = factories.programme()
    asker = factories.person(programme, "Alice Asker")
    _ask(app, programme, asker.id, TODAY - timedelta(days=10), now_is)
    finding = only(run_rule(app, programme.id, "unanswered_feedback"))
    assert (finding.severity, finding.measure) == (Severity.MEDIUM, 1)  # one item waits
    _acknowledge(app, programme.id, "unanswered_feedback")
    assert _open_on(app, programme.id, "unanswered_feedback", TODAY + timedelta(days=1)) == []
    # it comes back when time makes it severe (three times the threshold), not each day before
    assert _open_on(app, programme.id, "unanswered_feedback", TODAY + timedelta(days=12))[0].severity is Severity.HIGH


def test_waiting_change_requests_are_counted_not_aged(app, factories, now_is):
    programme = factories.programme()
    _assessed_change(app, programme, TODAY - timedelta(days=30), now_is)
    finding = only(run_rule(app, programme.id, "decisions_pending"))
    assert (finding.severity, finding.measure) == (Severity.MEDIUM, 1)
    _acknowledge(app, programme.id, "decisions_pending")
    assert _open_on(app, programme.id, "decisions_pending", TODAY + timedelta(days=5)) == []
    assert _open_on(app, programme.id, "decisions_pending", TODAY + timedelta(days=13))[0].severity is Severity.HIGH


def test_a_coming_meeting_without_agenda_does_not_return_each_day(app, seated):  # noqa: F811
    meeting(app, seated, date(2026, 9, 22))  # two working days away; notice is 3 working days
    assert only(run_rule(app, seated.id, "meeting_without_agenda")).measure == 1
    _acknowledge(app, seated.id, "meeting_without_agenda")
    assert _open_on(app, seated.id, "meeting_without_agenda", date(2026, 9, 19)) == []
    assert _open_on(app, seated.id, "meeting_without_agenda", date(2026, 9, 21))[0].severity is Severity.HIGH


@pytest.fixture
def regions(app, factories):
    """North goes live on 28 September (notice due 14 September, passed), South on 2 November."""
    programme = factories.programme(regions=["North", "South"])
    with app.app_context():
        ids = {region.name: region.id for region in db.session.get(Programme, programme.id).regions}
    make_wave(app, programme, "Wave 1", date(2026, 9, 28), [ids["North"]])
    make_wave(app, programme, "Wave 2", date(2026, 11, 2), [ids["South"]])
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    return programme, ids, everyone


def test_an_overdue_go_live_notice_does_not_return_each_day(app, regions):
    programme, ids, _everyone = regions
    north = next(f for f in run_rule(app, programme.id, "go_live_notice_missing")
                 if f.subject == f"region:{ids['North']}")
    assert (north.severity, north.measure) == (Severity.HIGH, 1)
    with app.test_request_context():
        services.acknowledge_finding(db.session.get(Programme, programme.id), north, "Told by phone.")
        db.session.commit()
    later = _open_on(app, programme.id, "go_live_notice_missing", TODAY + timedelta(days=3))
    assert f"region:{ids['North']}" not in {finding.subject for finding in later}


# --- 2. a new record behind an acknowledged finding brings it back -----------------------------------------

def test_acknowledgement_covers_only_the_records_it_saw():
    def finding(*ids: int, measure: float = 1) -> Finding:
        return Finding(rule="r", subject="programme", severity=Severity.MEDIUM, title="t", advice="a",
                       measure=measure, evidence=tuple(Evidence.link(f"#{i}", "risks.show_risk", programme_id=1,
                                                                     risk_id=i) for i in ids)
                       + (Evidence("no page"),))
    ack = FindingAcknowledgement(severity=Severity.MEDIUM, measure=2,
                                 evidence_keys=finding(1, 2).evidence_keys)
    assert finding(1, 2).evidence_keys == ["risks.show_risk|programme_id=1&risk_id=1",
                                           "risks.show_risk|programme_id=1&risk_id=2"]
    assert ack.covers(finding(1, 2)) and ack.covers(finding(2))
    assert not ack.covers(finding(2, 3))  # a new record, same measure
    assert not ack.covers(finding(1, measure=3))


def test_a_fixed_then_recurring_problem_comes_back(app, factories, now_is):
    from planner.feedback import services as feedback_services
    from planner.feedback.models import FeedbackItem

    programme = factories.programme()
    asker = factories.person(programme, "Alice Asker")
    _ask(app, programme, asker.id, TODAY - timedelta(days=60), now_is)
    _acknowledge(app, programme.id, "unanswered_feedback", today=TODAY - timedelta(days=40))
    with app.app_context():
        for item in db.session.scalars(select(FeedbackItem)):
            feedback_services.answer_feedback(item, answer="Done.", answered_by_id=None, expected_version=None,
                                              notify=False)
        db.session.commit()
        ack = db.session.scalar(select(FindingAcknowledgement))
        assert len(ack.evidence_keys) == 1 and ack.evidence_keys[0].startswith("feedback.show_feedback|")
    assert _open_on(app, programme.id, "unanswered_feedback", TODAY - timedelta(days=39)) == []
    _ask(app, programme, asker.id, TODAY - timedelta(days=10), now_is)  # a new question, same measure and severity
    back = only(_open_on(app, programme.id, "unanswered_feedback", TODAY))
    assert (back.severity, back.measure) == (Severity.MEDIUM, 1)


def test_the_newest_person_without_a_required_course_is_in_the_evidence(app, factories):
    programme = factories.programme()
    for number in range(12):
        factories.person(programme, f"Person {number:02d}")
    newest = factories.person(programme, "Zed Newest")
    finding = only(run_rule(app, programme.id, "people_without_training_requirement"))
    assert finding.measure == 13
    assert f"person_id={newest.id}" in " ".join(finding.evidence_keys)


# --- 3. an audience that never had a status update ---------------------------------------------------------

def test_an_audience_never_updated_is_reported_once_another_has_been(app, factories, now_is):
    programme = factories.programme()  # started 2 March 2026
    managers = make_audience(app, programme, "Managers", job_roles="Manager")
    sales = make_audience(app, programme, "Sales", job_roles="Sales")
    now_is(at(TODAY - timedelta(days=3)))
    send(app, programme, managers)
    late = make_audience(app, programme, "Late joiners", job_roles="Support")
    now_is(NOW)
    from planner.comms.models import Audience

    with app.app_context():  # the row's own creation time (not the pinned clock): Sales at the start, the other late
        db.session.get(Audience, sales).created_at = at(date(2026, 1, 5))
        db.session.get(Audience, late).created_at = at(TODAY - timedelta(days=10))
        db.session.get(Audience, managers).created_at = at(date(2026, 1, 5))
        db.session.commit()
    finding = only(run_rule(app, programme.id, "no_status_update"))
    assert (finding.subject, finding.severity) == (f"audience:{sales}", Severity.HIGH)
    assert finding.measure == (TODAY - date(2026, 3, 2)).days // 7


# --- 5. meetings held without a published agenda -----------------------------------------------------------

def test_a_meeting_held_with_agenda_items_never_published_counts(app, seated):  # noqa: F811
    from planner.committee import services as committee_services
    from planner.committee.models import MeetingOccurrence

    occurrence_id = meeting(app, seated, date(2026, 9, 1))
    with app.app_context():
        occurrence = db.session.get(MeetingOccurrence, occurrence_id)
        committee_services.add_agenda_item(occurrence, title="Decide the pilot region")  # never published
        committee_services.record_attendance(occurrence, {})
        db.session.commit()
    finding = only(run_rule(app, seated.id, "meeting_without_agenda"))
    assert (finding.subject, finding.measure) == ("held", 1)


# --- 6. plurals --------------------------------------------------------------------------------------------

def test_titles_say_one_in_the_singular(app, factories):
    programme = factories.programme()
    chair = factories.person(programme, "Carl Chair")
    chair_seat = seat(app, programme, chair.id, "chair")
    seat(app, programme, factories.person(programme, "Dora Stays").id)
    action(app, programme, chair.id, date(2026, 10, 1))
    leave(app, chair_seat, date(2026, 9, 10))
    finding = only(run_rule(app, programme.id, "key_member_left_with_open_actions"))
    assert finding.title == "A key member who left the steering committee still owns 1 open action"


# --- 7. go-live notices asked for only within a horizon ----------------------------------------------------

def test_no_planned_notice_is_reported_only_within_three_notice_periods(app, regions):
    programme, ids, everyone = regions
    hold(app, programme, held_on=date(2026, 9, 11), subject="North goes live", audience_id=everyone,
         purpose="go_live_notice", channel="town_hall", region_id=ids["North"])
    # South goes live on 2 November, 31 working days away: more than 3 x 10 working days of notice
    assert run_rule(app, programme.id, "go_live_notice_missing") == []
    finding = only(run_rule(app, programme.id, "go_live_notice_missing", today=date(2026, 9, 21)))
    assert (finding.subject, finding.severity, finding.measure) == (f"region:{ids['South']}", Severity.MEDIUM, 0)
    make_item(app, programme, everyone, title="South goes live", purpose="go_live_notice",
              planned_on=date(2026, 10, 12), region_id=ids["South"])
    assert run_rule(app, programme.id, "go_live_notice_missing", today=date(2026, 9, 21)) == []


# --- 4. evidence links only for those who may open them ----------------------------------------------------

def test_evidence_needing_a_permission_is_a_plain_label_for_others(app, client, login_as, factories,
                                                                   register_rule):
    from tests.conftest import log_in

    programme = factories.programme()
    person = factories.person(programme, "Pat Person")

    def check(ctx):
        yield Finding(rule="linked", subject="programme", severity=Severity.MEDIUM, title="Linked", advice="-",
                      measure=1, evidence=(Evidence.link("Settings", "programmes.edit_programme",
                                                         programme_id=ctx.programme.id, permission="programme.edit"),
                                           Evidence.link("Regions", "programmes.list_regions",
                                                         programme_id=ctx.programme.id)))
    register_rule("linked", check)
    login_as("project_manager", programme)
    html = client.get(f"/programmes/{programme.id}/health").get_data(as_text=True)
    assert f'href="/programmes/{programme.id}/edit">Settings' in html
    viewer = app.test_client()
    log_in(viewer, factories.user_with_role("viewer", programme).email)
    html = viewer.get(f"/programmes/{programme.id}/health").get_data(as_text=True)
    assert "<li>Settings</li>" in html and f"/programmes/{programme.id}/edit" not in html
    assert f'href="/programmes/{programme.id}/regions">Regions' in html
    assert person.id  # the programme has people; nothing personal is shown here
