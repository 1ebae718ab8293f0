"""Waves and their entry gate, going live through the gate or a committee decision, wave forms."""
import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from planner.core.errors import DomainError
from planner.core.models import AuditEvent
from planner.committee import services as committee_services
from planner.extensions import db
from planner.programmes.models import Programme, Region
from planner.rollout import services
from planner.rollout.gate import CheckState, evaluate_gates
from planner.rollout.models import Wave, WaveRegion
from tests.conftest import form_post
from tests.rollout.helpers import (
    AFTER_TRIAL,
    IN_TRIAL,
    PILOT_LIVE,
    add_decision,
    add_defect,
    add_wave,
    field_errors,
    pilot_and_key,
    pin_today,
    region_ids,
    use_evidence,
)


def gate_states(app, programme, wave_id: int, today: date) -> list[CheckState]:
    with app.app_context():
        gate = evaluate_gates(db.session.get(Programme, programme.id), today)[wave_id]
        return [check.state for check in gate.checks]


def load_region(app, region_id: int) -> Region:
    with app.app_context():
        region = db.session.get(Region, region_id)
        db.session.expunge(region)
        return region


# --- the gate ------------------------------------------------------------------------------------

def test_key_wave_gate_is_closed_while_the_pilot_trial_runs_with_severe_defects_and_no_evidence(
        app, client, login_as, make_programme, monkeypatch):
    programme, _pilot, key = pilot_and_key(app, make_programme)
    add_defect(app, programme, "HQ", severity="critical")
    add_defect(app, programme, "HQ", severity="high")
    add_defect(app, programme, "HQ", severity="low")  # does not count
    add_defect(app, programme, "North", severity="critical", title="Maps do not load")  # not the pilot's
    pin_today(monkeypatch, IN_TRIAL)
    login_as("viewer", programme)

    assert gate_states(app, programme, key, IN_TRIAL) == [CheckState.UNMET, CheckState.UNMET, CheckState.NO_DATA,
                                                          CheckState.NO_DATA]
    page = html.unescape(client.get(f"/programmes/{programme.id}/waves").get_data(as_text=True))
    assert "First wave: no entry gate" in page
    assert "Not met" in page
    assert "Pilot is in its trial period until 2026-10-16." in page
    assert "2 open critical or high defects (at most 0 allowed)." in page
    assert "No data recorded yet (needs at least 90%)." in page
    assert "No data recorded yet (needs at least 60%)." in page

    detail = html.unescape(client.get(f"/programmes/{programme.id}/waves/{key}").get_data(as_text=True))
    assert detail.count('class="check check-unmet"') == 2
    assert detail.count('class="check check-no_data"') == 2
    assert "Maps do not load" in detail  # the wave page lists its own regions' open defects
    assert "Quotes do not save" not in detail


def test_key_wave_gate_opens_on_evidence_and_each_check_can_close_it(app, make_programme, monkeypatch):
    programme, _pilot, key = pilot_and_key(app, make_programme)
    use_evidence(monkeypatch, training=95, adoption=70)
    assert gate_states(app, programme, key, IN_TRIAL)[0] is CheckState.UNMET
    assert set(gate_states(app, programme, key, AFTER_TRIAL)) == {CheckState.MET}

    add_defect(app, programme, "HQ", severity="high")
    assert gate_states(app, programme, key, AFTER_TRIAL)[1] is CheckState.UNMET
    with app.app_context():
        db.session.get(Programme, programme.id).gate_max_severe_defects = 1
        db.session.commit()
    assert set(gate_states(app, programme, key, AFTER_TRIAL)) == {CheckState.MET}

    use_evidence(monkeypatch, training=89, adoption=70)
    assert gate_states(app, programme, key, AFTER_TRIAL)[2] is CheckState.UNMET
    use_evidence(monkeypatch, training=95, adoption=None)
    assert gate_states(app, programme, key, AFTER_TRIAL)[3] is CheckState.NO_DATA


# --- going live ----------------------------------------------------------------------------------

def test_marking_a_region_live_is_refused_naming_the_unmet_checks(app, client, login_as, make_programme,
                                                                   monkeypatch):
    programme, _pilot, key = pilot_and_key(app, make_programme)
    add_defect(app, programme, "HQ", severity="critical")
    pin_today(monkeypatch, IN_TRIAL)
    login_as("project_manager", programme)
    north = region_ids(app, programme)["North"]
    prefix = f"region{north}-"

    response = form_post(client, f"/programmes/{programme.id}/regions/{north}/go-live",
                         {f"{prefix}live_on": "2026-10-12", f"{prefix}decision_id": ""},
                         page_url=f"/programmes/{programme.id}/waves/{key}")
    assert response.status_code == 422
    errors = html.unescape(field_errors(response.get_data(as_text=True), f"{prefix}decision_id"))
    assert "The gate of Key regions is not met" in errors
    assert "Previous wave's trial period over: Pilot is in its trial period until 2026-10-16." in errors
    assert "Open severe defects in the previous wave: 1 open critical or high defects" in errors
    assert "Training completion in the previous wave: No data recorded yet" in errors
    assert "Only a recorded committee decision can override it." in errors
    assert load_region(app, north).live_on is None


def test_a_committee_decision_of_the_programme_overrides_the_gate_and_is_audited(
        app, client, login_as, make_programme, monkeypatch):
    programme, _pilot, key = pilot_and_key(app, make_programme)
    decision = add_decision(app, programme)
    pin_today(monkeypatch, IN_TRIAL)
    login_as("project_manager", programme)
    north = region_ids(app, programme)["North"]
    prefix = f"region{north}-"

    response = form_post(client, f"/programmes/{programme.id}/regions/{north}/go-live",
                         {f"{prefix}live_on": "2026-10-12", f"{prefix}decision_id": str(decision)},
                         page_url=f"/programmes/{programme.id}/waves/{key}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/programmes/{programme.id}/waves/{key}")
    region = load_region(app, north)
    assert (region.live_on, region.live_override_decision_id) == (date(2026, 10, 12), decision)
    with app.app_context():
        assert db.session.get(Wave, key).actual_go_live == date(2026, 10, 12)
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "Region",
                                                            AuditEvent.object_id == north)
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.action == "update"
        assert event.changes["live_override_decision_id"] == [None, decision]
        assert event.changes["live_on"] == [None, "2026-10-12"]

    page = client.get(f"/programmes/{programme.id}/waves/{key}").get_data(as_text=True)
    assert "Gate overridden by the committee decision" in page
    decisions = client.get(f"/programmes/{programme.id}/decisions").get_data(as_text=True)
    assert "<td>North</td>" in decisions


def test_a_decision_of_another_programme_is_refused(app, client, login_as, make_programme, monkeypatch):
    programme, _pilot, key = pilot_and_key(app, make_programme)
    other = make_programme(regions=["Elsewhere"])
    foreign = add_decision(app, other)
    north = region_ids(app, programme)["North"]

    with app.app_context():
        target = db.session.get(Programme, programme.id)
        with pytest.raises(DomainError) as refused:
            services.mark_region_live(target, db.session.get(Region, north), live_on=IN_TRIAL, today=IN_TRIAL,
                                      decision_id=foreign)
        assert (refused.value.field, refused.value.message) == (
            "decision_id", "Choose a decision of this programme's committee.")
        db.session.rollback()

    pin_today(monkeypatch, IN_TRIAL)
    login_as("project_manager", programme)
    prefix = f"region{north}-"
    response = form_post(client, f"/programmes/{programme.id}/regions/{north}/go-live",
                         {f"{prefix}live_on": "2026-10-12", f"{prefix}decision_id": str(foreign)},
                         page_url=f"/programmes/{programme.id}/waves/{key}")
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), f"{prefix}decision_id")
    assert load_region(app, north).live_on is None


def test_only_a_decision_taken_in_a_committee_meeting_overrides_the_gate(app, make_programme):
    """Issue 5: the override decisions of the lifecycle issue become decisions taken in a meeting."""
    programme, _pilot, _key = pilot_and_key(app, make_programme)
    north = region_ids(app, programme)["North"]
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        outside = committee_services.record_decision(target, text="Go ahead", decided_on=date(2026, 10, 9),
                                                     decided_by="The sponsor, by email", recorded_by_id=None)
        with pytest.raises(DomainError) as refused:
            services.mark_region_live(target, db.session.get(Region, north), live_on=IN_TRIAL, today=IN_TRIAL,
                                      decision_id=outside.id)
        assert refused.value.field == "decision_id"
        assert "taken in a committee meeting" in refused.value.message
        db.session.rollback()
    assert load_region(app, north).live_on is None


def test_an_open_gate_needs_no_decision_and_a_future_day_is_refused(app, client, login_as, make_programme,
                                                                     monkeypatch):
    programme, _pilot, key = pilot_and_key(app, make_programme)
    use_evidence(monkeypatch, training=100, adoption=100)
    pin_today(monkeypatch, AFTER_TRIAL)
    login_as("project_manager", programme)
    south = region_ids(app, programme)["South"]
    prefix = f"region{south}-"
    url = f"/programmes/{programme.id}/regions/{south}/go-live"
    page_url = f"/programmes/{programme.id}/waves/{key}"

    future = form_post(client, url, {f"{prefix}live_on": "2026-10-27"}, page_url=page_url)
    assert future.status_code == 422
    assert "not in the future" in field_errors(future.get_data(as_text=True), f"{prefix}live_on")

    done = form_post(client, url, {f"{prefix}live_on": "2026-10-26", f"{prefix}decision_id": ""}, page_url=page_url)
    assert done.status_code == 302
    region = load_region(app, south)
    assert (region.live_on, region.live_override_decision_id) == (AFTER_TRIAL, None)
    page = client.get(page_url).get_data(as_text=True)
    assert f'action="/programmes/{programme.id}/regions/{south}/go-live"' not in page  # no form once live
    again = form_post(client, url, {f"{prefix}live_on": "2026-10-26"}, page_url=f"/programmes/{programme.id}/waves")
    assert again.status_code == 422
    assert "South is already live since 2026-10-26." in again.get_data(as_text=True)


def test_only_editors_see_the_mark_live_forms(app, client, login_as, make_programme):
    programme, _pilot, key = pilot_and_key(app, make_programme)
    login_as("committee_member", programme)
    page = client.get(f"/programmes/{programme.id}/waves/{key}").get_data(as_text=True)
    assert "/go-live" not in page
    assert "Mark a region live" not in page


# --- the wave forms ----------------------------------------------------------------------------

def wave_form(**overrides) -> dict:
    values = {"name": "Standard regions", "kind": "standard", "position": "3", "planned_go_live": "2027-01-11",
              "trial_days": "15"}
    values.update(overrides)
    return values


def test_a_region_can_be_in_only_one_wave(app, client, login_as, make_programme):
    programme, _pilot, _key = pilot_and_key(app, make_programme)
    ids = region_ids(app, programme)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/waves/new"

    page = client.get(url).get_data(as_text=True)
    assert "North (in Key regions)" in page
    response = form_post(client, url, {**wave_form(), "region_ids": [str(ids["East"]), str(ids["North"])]})
    assert response.status_code == 422
    assert "Already in another wave: North (Key regions)." in field_errors(response.get_data(as_text=True),
                                                                          "region_ids")
    with app.app_context():
        assert db.session.scalar(select(Wave.id).where(Wave.name == "Standard regions")) is None

    response = form_post(client, url, {**wave_form(), "region_ids": [str(ids["East"])]})
    assert response.status_code == 302
    with app.app_context():
        wave = db.session.scalar(select(Wave).where(Wave.programme_id == programme.id,
                                                    Wave.name == "Standard regions"))
        assert [region.name for region in wave.regions] == ["East"]
        assert (wave.position, wave.trial_days, wave.planned_go_live) == (3, 15, date(2027, 1, 11))


def test_editing_a_wave_moves_regions_and_a_stale_edit_is_refused(app, client, login_as, make_programme):
    programme, _pilot, key = pilot_and_key(app, make_programme)
    ids = region_ids(app, programme)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/waves/{key}/edit"
    page = client.get(url).get_data(as_text=True)
    checked = set(re.findall(r'<input checked id="region_ids-\d+" name="region_ids" type="checkbox" value="(\d+)">',
                             page))
    assert checked == {str(ids["North"]), str(ids["South"])}

    response = form_post(client, url, {**wave_form(name="Key regions", position="2"), "version": "1",
                                       "region_ids": [str(ids["North"]), str(ids["East"])]})
    assert response.status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(select(WaveRegion.region_id).where(WaveRegion.wave_id == key))) == \
            sorted([ids["North"], ids["East"]])

    stale = form_post(client, url, {**wave_form(name="Key regions"), "version": "1",
                                    "region_ids": [str(ids["North"])]})
    assert stale.status_code == 409
    with app.app_context():
        assert db.session.get(Wave, key).name == "Key regions"


def test_deleting_a_wave_keeps_its_regions(app, client, login_as, make_programme):
    programme, _pilot, key = pilot_and_key(app, make_programme)
    login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/waves/{key}/delete", {})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Wave, key) is None
        assert db.session.scalar(select(WaveRegion.wave_id).where(
            WaveRegion.region_id == region_ids(app, programme)["North"])) is None
        assert db.session.get(Region, region_ids(app, programme)["North"]) is not None


def test_list_shows_trial_end_and_pilot_go_live(app, client, login_as, make_programme):
    programme, _pilot, _key = pilot_and_key(app, make_programme)
    add_wave(app, programme, "Empty", [], position=3, planned_go_live=date(2027, 2, 1))
    login_as("viewer", programme)
    page = client.get(f"/programmes/{programme.id}/waves").get_data(as_text=True)
    assert "Oct 5, 2026" in page  # the pilot went live
    assert "Oct 19, 2026" in page  # and its trial is over on the 11th working day
    assert "None yet" in page  # the empty wave
    assert PILOT_LIVE.isoformat() not in page  # dates are formatted for people


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"trial_days": "2001"}, "trial_days", "Number must be between 0 and 2000."),
    ({"trial_days": "99999999999999999999"}, "trial_days", "Number must be between 0 and 2000."),
    ({"trial_days": "-1"}, "trial_days", "Number must be between 0 and 2000."),
    ({"position": "99999999999999999999"}, "position", "Number must be between 0 and 2147483647."),
    ({"position": "-1"}, "position", "Number must be between 0 and 2147483647."),
])
def test_a_wave_with_an_out_of_range_number_is_refused_on_the_page(app, client, login_as, make_programme,
                                                                    overrides, field, message):
    """The page caps what the API caps: a trial of at most 2000 working days (the plan's date arithmetic stays in
    range) and a position that fits the database's integer, so a huge number is a 422, not a hang or a 500."""
    programme, _pilot, key = pilot_and_key(app, make_programme)
    with app.app_context():
        before = db.session.execute(select(Wave.version, Wave.position, Wave.trial_days).where(Wave.id == key)).one()
    login_as("project_manager", programme)

    created = form_post(client, f"/programmes/{programme.id}/waves/new", wave_form(**overrides))
    edited = form_post(client, f"/programmes/{programme.id}/waves/{key}/edit",
                       {**wave_form(name="Key regions", **overrides), "version": "1"})

    for response in (created, edited):
        assert response.status_code == 422
        assert message in field_errors(response.get_data(as_text=True), field)
    with app.app_context():
        assert db.session.scalar(select(Wave.id).where(Wave.name == "Standard regions")) is None
        assert db.session.execute(select(Wave.version, Wave.position, Wave.trial_days)
                                  .where(Wave.id == key)).one() == before


def test_a_trial_of_2000_working_days_is_the_longest_the_page_accepts(app, client, login_as, make_programme):
    programme, _pilot, _key = pilot_and_key(app, make_programme)
    login_as("project_manager", programme)

    response = form_post(client, f"/programmes/{programme.id}/waves/new", wave_form(trial_days="2000"))

    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Wave.trial_days).where(Wave.name == "Standard regions")) == 2000
    assert client.get(f"/programmes/{programme.id}/waves").status_code == 200
