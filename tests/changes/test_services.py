"""The change-request services: submit, assess, decide in a committee meeting, implement through the re-plan,
reject, delete; and what waits for the committee."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from planner.changes import services
from planner.changes.models import ChangeRequest, ChangeStatus
from planner.changes.queries import pending_for_agenda
from planner.changes.status import changes_status
from planner.committee import services as committee_services
from planner.committee.models import Decision, MeetingOccurrence
from planner.core.errors import DomainError, StaleEditError
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.lifecycle.models import Stage
from planner.programmes.models import Programme, Region
from planner.rollout.models import Wave
from tests.changes.helpers import GO_LIVE, NOW, build_world, submit


@pytest.fixture
def world(app, factories, now_is):
    now_is(NOW)
    return build_world(app, factories)


@pytest.fixture
def programme(app, world):
    with app.app_context():
        yield db.session.get(Programme, world.programme_id)


def _assessed(programme, world, **values):
    change = submit(programme, plan_item_key=world.wave_key, new_start=date(2026, 10, 19), **values)
    services.assess_change(change, expected_version=None, assessment="Ten working days later.", schedule_days=10,
                           cost=Decimal("12000"), risks="Trainers booked twice.", assessed_by_id=None)
    return change


def test_submitting_numbers_the_requests_and_keeps_regions_and_stages(programme, world):
    first = submit(programme, region_ids=[world.region_id], stage_ids=[world.stage_id],
                   requester_id=world.person_id)
    second = submit(programme, title="Add a credit check", kind="process")
    assert (first.reference, second.reference) == ("CR-001", "CR-002")
    assert first.status is ChangeStatus.SUBMITTED
    assert [r.id for r in first.regions] == [world.region_id] and [s.id for s in first.stages] == [world.stage_id]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "ChangeRequest", AuditEvent.action == "create")) == 2


@pytest.mark.parametrize("values, field", [
    ({"title": "  "}, "title"),
    ({"kind": "whim"}, "kind"),
    ({"requested_on": None}, "requested_on"),
    ({"schedule_days": 5000}, "schedule_days"),
    ({"cost": Decimal("10") ** 13}, "cost"),
    ({"plan_item_key": "wave:999999", "new_start": date(2026, 10, 19)}, "plan_item_key"),
    ({"plan_item_key": "nonsense", "new_start": date(2026, 10, 19)}, "plan_item_key"),
    ({"kind": "schedule", "new_start": date(2026, 10, 19)}, "plan_item_key"),
])
def test_bad_input_is_refused_at_its_field(programme, values, field):
    with pytest.raises(DomainError) as error:
        submit(programme, **values)
    assert error.value.field == field
    assert db.session.scalar(select(func.count()).select_from(ChangeRequest)) == 0


def test_a_schedule_change_must_say_how_the_item_moves(programme, world):
    with pytest.raises(DomainError) as error:
        submit(programme, plan_item_key=world.wave_key)
    assert error.value.field == "new_start"


def test_another_programmes_requester_region_or_stage_is_refused(app, factories, programme):
    other = factories.programme(regions=["Elsewhere"])
    stranger = factories.person(other, "Stranger")
    with pytest.raises(DomainError) as error:
        submit(programme, requester_id=stranger.id)
    assert error.value.field == "requester_id"
    other_region = db.session.scalar(select(Region.id).where(Region.programme_id == other.id))
    with pytest.raises(DomainError) as error:
        submit(programme, region_ids=[other_region])
    assert error.value.field == "region_ids"
    other_stage = db.session.scalar(select(Stage.id).where(Stage.programme_id == other.id))
    with pytest.raises(DomainError) as error:
        submit(programme, stage_ids=[other_stage])
    assert error.value.field == "stage_ids"


def test_a_plan_item_is_only_kept_for_schedule_changes(programme, world):
    change = submit(programme, kind="process", plan_item_key=world.wave_key, new_start=date(2026, 10, 19))
    assert change.plan_item_key == "" and change.new_start is None and not change.moves_the_plan


def test_the_full_path_re_plans_the_wave_when_implemented(programme, world):
    change = _assessed(programme, world)
    assert change.status is ChangeStatus.ASSESSED and change.cost == Decimal("12000")
    preview = services.preview_change(change)
    assert [(m.key, m.old_start, m.new_start, m.shift) for m in preview.moves] == [
        (world.wave_key, GO_LIVE, date(2026, 10, 19), 10)]
    decision = services.decide_change(change, expected_version=change.version, approve=True, decided_by_id=None,
                                      occurrence_id=world.occurrence_id)
    assert change.status is ChangeStatus.APPROVED and change.decision_id == decision.id
    assert decision.occurrence_id == world.occurrence_id and "CR-001" in decision.text
    wave = db.session.get(Wave, int(world.wave_key.split(":")[1]))
    assert wave.planned_go_live == GO_LIVE  # deciding moves nothing yet
    applied = services.implement_change(change, expected_version=change.version, implemented_by_id=None)
    assert change.status is ChangeStatus.IMPLEMENTED and len(applied.moves) == 1
    assert wave.planned_go_live == date(2026, 10, 19)


def test_deciding_needs_an_assessment_and_a_meeting(programme, world):
    change = submit(programme)
    with pytest.raises(DomainError):
        services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                               occurrence_id=world.occurrence_id)
    services.assess_change(change, expected_version=None, assessment="Fine.", schedule_days=0, cost=None,
                           risks="", assessed_by_id=None)
    with pytest.raises(DomainError) as error:
        services.decide_change(change, expected_version=None, approve=True, decided_by_id=None)
    assert error.value.field == "occurrence_id"
    outside = committee_services.record_decision(programme, text="Decided in the corridor",
                                                 decided_on=date(2026, 9, 1), decided_by="The chair",
                                                 recorded_by_id=None)
    with pytest.raises(DomainError) as error:
        services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                               decision_id=outside.id)
    assert error.value.field == "decision_id"
    assert change.status is ChangeStatus.ASSESSED


def test_a_meeting_still_to_come_cannot_decide(programme, world, now_is):
    from datetime import UTC, datetime
    change = submit(programme)
    services.assess_change(change, expected_version=None, assessment="Fine.", schedule_days=0, cost=None,
                           risks="", assessed_by_id=None)
    now_is(datetime(2026, 9, 1, 9, tzinfo=UTC))  # before the meeting took place
    with pytest.raises(DomainError) as error:
        services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                               occurrence_id=world.occurrence_id)
    assert error.value.field == "occurrence_id"


def test_an_existing_meeting_decision_can_be_linked_and_a_rejection_is_final(programme, world):
    occurrence = db.session.get(MeetingOccurrence, world.occurrence_id)
    decision = committee_services.record_decision(programme, text="No new scope in phase one",
                                                  recorded_by_id=None, occurrence=occurrence)
    change = submit(programme, kind="scope", title="Add a partner portal")
    services.assess_change(change, expected_version=None, assessment="Large.", schedule_days=30, cost=None,
                           risks="", assessed_by_id=None)
    assert services.decide_change(change, expected_version=None, approve=False, decided_by_id=None,
                                  decision_id=decision.id) is decision
    assert change.status is ChangeStatus.REJECTED
    for step in (lambda: services.implement_change(change, expected_version=None, implemented_by_id=None),
                 lambda: services.update_change(change, expected_version=None, **_plain_fields()),
                 lambda: services.reject_change(change, expected_version=None, reason="x", rejected_by_id=None),
                 lambda: services.delete_change(change)):
        with pytest.raises(DomainError):
            step()


def _plain_fields():
    from tests.changes.helpers import change_fields
    return change_fields(kind="process")


def test_deciding_in_the_meeting_that_has_it_on_the_agenda_links_the_agenda_item(programme, world):
    change = _assessed(programme, world)
    occurrence = db.session.get(MeetingOccurrence, world.occurrence_id)
    item = committee_services.add_agenda_item(occurrence, title="Nordic wave", change_request_id=change.id)
    decision = services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                                      occurrence_id=occurrence.id, text="Move the Nordic wave two weeks.")
    assert decision.agenda_item_id == item.id and decision.text == "Move the Nordic wave two weeks."


def test_a_freeze_window_refuses_the_implementation_whole(programme, world):
    change = _assessed(programme, world)
    services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                           occurrence_id=world.occurrence_id)
    change.new_start = date(2026, 12, 22)  # changed behind the services after the approval, into the freeze
    assert services.preview_change(change).conflicts
    with pytest.raises(DomainError) as error:
        services.implement_change(change, expected_version=None, implemented_by_id=None)
    assert "freeze window" in error.value.message
    assert change.status is ChangeStatus.APPROVED
    assert db.session.get(Wave, int(world.wave_key.split(":")[1])).planned_go_live == GO_LIVE


def test_assessing_a_schedule_change_checks_the_re_plan(programme, world):
    change = submit(programme, plan_item_key=world.wave_key, new_duration=0)
    wave = db.session.get(Wave, int(world.wave_key.split(":")[1]))
    wave.planned_go_live = None  # the item lost its date: the re-plan cannot place it
    db.session.flush()
    with pytest.raises(DomainError) as error:
        services.assess_change(change, expected_version=None, assessment="Fine.", schedule_days=0, cost=None,
                               risks="", assessed_by_id=None)
    assert error.value.field == "plan_item_key"
    assert change.status is ChangeStatus.SUBMITTED


def test_rejecting_at_assessment_needs_a_reason_and_only_before_the_assessment(programme, world):
    change = submit(programme)
    with pytest.raises(DomainError) as error:
        services.reject_change(change, expected_version=None, reason=" ", rejected_by_id=None)
    assert error.value.field == "reason"
    services.reject_change(change, expected_version=None, reason="Out of scope for phase one.",
                           rejected_by_id=None)
    assert change.status is ChangeStatus.REJECTED and change.rejected_at is not None
    assessed = _assessed(programme, world)
    with pytest.raises(DomainError):
        services.reject_change(assessed, expected_version=None, reason="No.", rejected_by_id=None)


def test_a_stale_edit_is_refused(programme):
    change = submit(programme)
    with pytest.raises(StaleEditError):
        services.update_change(change, expected_version=change.version + 1, **_plain_fields())


def test_only_a_submitted_request_can_be_deleted(programme, world):
    change = submit(programme)
    services.delete_change(change)
    assert db.session.get(ChangeRequest, change.id) is None
    assessed = _assessed(programme, world)
    with pytest.raises(DomainError):
        services.delete_change(assessed)


def test_pending_requests_and_the_status_card(programme, world):
    first = submit(programme, requested_on=date(2026, 9, 1))
    second = _assessed(programme, world)
    done = submit(programme, requested_on=date(2026, 8, 1))
    services.reject_change(done, expected_version=None, reason="No.", rejected_by_id=None)
    assert [c.id for c in db.session.scalars(pending_for_agenda(programme.id))] == [first.id, second.id]
    status = changes_status(programme, date(2026, 9, 18))
    assert status.counts[ChangeStatus.SUBMITTED] == 1 and status.counts[ChangeStatus.ASSESSED] == 1
    assert status.counts[ChangeStatus.REJECTED] == 1 and status.pending == 2 and status.total == 3
    assert status.oldest_pending_days == 17


def test_the_status_card_of_a_programme_without_requests(programme):
    status = changes_status(programme, date(2026, 9, 18))
    assert status.total == 0 and status.oldest_pending_days is None


def test_an_agenda_item_links_only_a_request_of_its_programme(app, factories, programme, world):
    other = factories.programme()
    change = submit(db.session.get(Programme, other.id), title="Elsewhere")
    occurrence = db.session.get(MeetingOccurrence, world.occurrence_id)
    with pytest.raises(DomainError) as error:
        committee_services.add_agenda_item(occurrence, title="Sneaky", change_request_id=change.id)
    assert error.value.field == "change_request_id"


def test_deleting_a_decision_leaves_the_request_without_it(programme, world):
    change = _assessed(programme, world)
    decision = services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                                      occurrence_id=world.occurrence_id)
    db.session.delete(decision)
    db.session.flush()
    db.session.expire(change)
    assert change.decision_id is None and db.session.get(Decision, decision.id) is None


@pytest.mark.parametrize("new_start", [date(9999, 12, 27), date(2036, 3, 3), date(2025, 3, 1), date(1, 1, 1)])
def test_a_new_start_far_from_the_programme_is_refused(programme, world, new_start):
    # the programme starts on 2026-03-02: a new start lies between 2025-03-02 and 2036-03-02
    with pytest.raises(DomainError) as error:
        submit(programme, plan_item_key=world.wave_key, new_start=new_start)
    assert error.value.field == "new_start" and "2025-03-02" in error.value.message
    for day in (date(2025, 3, 2), date(2036, 3, 2)):
        assert submit(programme, plan_item_key=world.wave_key, new_start=day).new_start == day


def test_an_approval_is_refused_while_the_re_plan_conflicts_or_is_refused(programme, world):
    change = submit(programme, plan_item_key=world.wave_key, new_start=date(2026, 10, 19))
    services.assess_change(change, expected_version=None, assessment="Fine.", schedule_days=10, cost=None,
                           risks="", assessed_by_id=None)
    change.new_start = date(2026, 12, 22)  # into the year-end freeze (the plan changed since the assessment)
    with pytest.raises(DomainError) as error:
        services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                               occurrence_id=world.occurrence_id)
    assert "freeze window" in error.value.message and "Year end" in error.value.message
    assert change.status is ChangeStatus.ASSESSED and db.session.scalar(select(func.count(Decision.id))) == 0
    change.new_start = date(2026, 10, 19)
    wave = db.session.get(Wave, int(world.wave_key.split(":")[1]))
    wave.actual_go_live = date(2026, 9, 14)  # the wave went live early: a new start is refused by the re-plan
    db.session.flush()
    with pytest.raises(DomainError) as error:
        services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                               occurrence_id=world.occurrence_id)
    assert "already started" in error.value.message and change.status is ChangeStatus.ASSESSED
    wave.actual_go_live, wave.planned_go_live = None, None  # the item lost its date: the key is refused
    db.session.flush()
    with pytest.raises(DomainError) as error:
        services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                               occurrence_id=world.occurrence_id)
    assert error.value.field == "plan_item_key" and change.status is ChangeStatus.ASSESSED
    # the committee may still turn it down
    services.decide_change(change, expected_version=None, approve=False, decided_by_id=None,
                           occurrence_id=world.occurrence_id)
    assert change.status is ChangeStatus.REJECTED


def test_an_approved_request_that_will_not_be_implemented_is_withdrawn(programme, world):
    change = _assessed(programme, world)
    decision = services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                                      occurrence_id=world.occurrence_id)
    with pytest.raises(DomainError) as error:
        services.reject_change(change, expected_version=None, reason=" ", rejected_by_id=None)
    assert error.value.field == "reason"
    services.reject_change(change, expected_version=change.version, reason="A freeze now blocks the date.",
                           rejected_by_id=None)
    assert change.status is ChangeStatus.REJECTED and change.decision_id == decision.id
    assert change.rejection_reason == "Withdrawn after the approval: A freeze now blocks the date."
    with pytest.raises(DomainError):
        services.implement_change(change, expected_version=None, implemented_by_id=None)
    implemented = submit(programme, kind="process", title="Done")
    services.assess_change(implemented, expected_version=None, assessment="Fine.", schedule_days=0, cost=None,
                           risks="", assessed_by_id=None)
    services.decide_change(implemented, expected_version=None, approve=True, decided_by_id=None,
                           occurrence_id=world.occurrence_id)
    services.implement_change(implemented, expected_version=None, implemented_by_id=None)
    with pytest.raises(DomainError):
        services.reject_change(implemented, expected_version=None, reason="Too late.", rejected_by_id=None)


def test_the_meeting_or_decision_must_come_after_the_request(programme, world):
    change = submit(programme, kind="process", requested_on=date(2026, 9, 16))  # the meeting was on 09-15
    services.assess_change(change, expected_version=None, assessment="Fine.", schedule_days=0, cost=None,
                           risks="", assessed_by_id=None)
    with pytest.raises(DomainError) as error:
        services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                               occurrence_id=world.occurrence_id)
    assert error.value.field == "occurrence_id" and "2026-09-16" in error.value.message
    occurrence = db.session.get(MeetingOccurrence, world.occurrence_id)
    earlier = committee_services.record_decision(programme, text="Earlier", recorded_by_id=None,
                                                 occurrence=occurrence)
    with pytest.raises(DomainError) as error:
        services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                               decision_id=earlier.id)
    assert error.value.field == "decision_id"
    assert change.status is ChangeStatus.ASSESSED
    assert db.session.scalar(select(func.count(Decision.id))) == 1


def test_a_decision_decides_one_request_only(programme, world):
    occurrence = db.session.get(MeetingOccurrence, world.occurrence_id)
    decision = committee_services.record_decision(programme, text="No new scope", recorded_by_id=None,
                                                  occurrence=occurrence)
    first, second = (submit(programme, kind="scope", title=title) for title in ("One", "Two"))
    for change in (first, second):
        services.assess_change(change, expected_version=None, assessment="Large.", schedule_days=0, cost=None,
                               risks="", assessed_by_id=None)
    services.decide_change(first, expected_version=None, approve=False, decided_by_id=None, decision_id=decision.id)
    with pytest.raises(DomainError) as error:
        services.decide_change(second, expected_version=None, approve=False, decided_by_id=None,
                               decision_id=decision.id)
    assert error.value.field == "decision_id" and "CR-001" in error.value.message
    assert second.status is ChangeStatus.ASSESSED


def test_editing_an_assessed_request_sends_it_back_to_the_assessment(programme, world):
    from tests.changes.helpers import change_fields
    change = _assessed(programme, world)
    fields = change_fields(plan_item_key=world.wave_key, new_start=date(2026, 10, 19), cost=Decimal("12000"),
                           risks="Trainers booked twice.")
    services.update_change(change, expected_version=change.version, **fields)  # nothing changed: stays assessed
    assert change.status is ChangeStatus.ASSESSED
    fields["new_start"] = date(2026, 10, 26)
    services.update_change(change, expected_version=change.version, **fields)
    assert change.status is ChangeStatus.SUBMITTED
    assert (change.assessment, change.assessed_at, change.assessed_by_id) == ("", None, None)
    with pytest.raises(DomainError):
        services.decide_change(change, expected_version=None, approve=True, decided_by_id=None,
                               occurrence_id=world.occurrence_id)


def test_a_schedule_change_names_its_plan_item_before_the_assessment(programme, world):
    change = submit(programme, kind="schedule")
    with pytest.raises(DomainError) as error:
        services.assess_change(change, expected_version=None, assessment="Fine.", schedule_days=0, cost=None,
                               risks="", assessed_by_id=None)
    assert error.value.field == "plan_item_key" and change.status is ChangeStatus.SUBMITTED


def test_a_number_taken_meanwhile_is_retried_not_a_500(programme, world, monkeypatch):
    first = submit(programme)
    taken = iter([first.number])  # another request took the number this one read
    real = services._next_number
    monkeypatch.setattr(services, "_next_number", lambda programme_id: next(taken, None) or real(programme_id))
    second = submit(programme, title="At the same moment", region_ids=[world.region_id])
    assert (first.number, second.number) == (1, 2) and [r.id for r in second.regions] == [world.region_id]
    assert db.session.scalar(select(func.count(ChangeRequest.id))) == 2
    monkeypatch.setattr(services, "_next_number", lambda programme_id: first.number)  # taken every time
    with pytest.raises(DomainError):
        submit(programme, title="Unlucky")
    assert db.session.scalar(select(func.count(ChangeRequest.id))) == 2


def test_the_decide_form_offers_only_decisions_that_may_decide_this_request(programme, world):
    from planner.changes.queries import decisions_in_meetings

    occurrence = db.session.get(MeetingOccurrence, world.occurrence_id)
    first, second = (submit(programme, kind="scope", title=title) for title in ("One", "Two"))
    before = committee_services.record_decision(programme, text="Taken before the request", recorded_by_id=None,
                                                occurrence=occurrence,
                                                decided_on=first.requested_on.replace(year=first.requested_on.year - 1))
    used = committee_services.record_decision(programme, text="Decides the first", recorded_by_id=None,
                                              occurrence=occurrence, decided_on=first.requested_on)
    free = committee_services.record_decision(programme, text="Still free", recorded_by_id=None,
                                              occurrence=occurrence, decided_on=first.requested_on)
    services.assess_change(first, expected_version=None, assessment="Large.", schedule_days=0, cost=None,
                           risks="", assessed_by_id=None)
    services.decide_change(first, expected_version=None, approve=False, decided_by_id=None, decision_id=used.id)
    offered = {decision_id for decision_id, _label in decisions_in_meetings(second)}
    assert free.id in offered and used.id not in offered and before.id not in offered
    assert used.id in {decision_id for decision_id, _label in decisions_in_meetings(first)}
