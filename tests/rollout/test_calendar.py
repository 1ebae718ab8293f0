"""The working calendar page: weekdays, holidays and freeze windows, and what they do to trial ends."""
import html
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from planner.extensions import db
from planner.programmes.models import Programme
from planner.rollout.calendar import programme_calendar
from planner.rollout.gate import trial_end
from planner.rollout.models import FreezeWindow, Holiday, Wave
from tests.conftest import form_post
from tests.rollout.helpers import field_errors, pilot_and_key, region_ids


def pilot_trial_end(app, programme, pilot: int) -> date:
    with app.app_context():
        return trial_end(db.session.get(Wave, pilot), programme_calendar(db.session.get(Programme, programme.id)))


def rules(**overrides) -> dict:
    values = {"working_weekdays": ["1", "2", "3", "4", "5"], "gate_max_severe_defects": "0",
              "gate_min_training_pct": "90", "gate_min_adoption_pct": "60", "version": "1"}
    values.update(overrides)
    return values


def test_holidays_and_working_weekdays_move_the_trial_end(app, client, login_as, make_programme):
    programme, pilot, _key = pilot_and_key(app, make_programme)  # live Monday 5 October, 10 working days
    login_as("project_manager", programme)
    calendar_url = f"/programmes/{programme.id}/calendar"
    waves_url = f"/programmes/{programme.id}/waves"
    assert pilot_trial_end(app, programme, pilot) == date(2026, 10, 19)
    assert "Oct 19, 2026" in client.get(waves_url).get_data(as_text=True)

    response = form_post(client, f"{calendar_url}/holidays", {"holiday-day": "2026-10-07",
                                                              "holiday-name": "Founders' day",
                                                              "holiday-region_id": ""}, page_url=calendar_url)
    assert response.status_code == 302
    assert pilot_trial_end(app, programme, pilot) == date(2026, 10, 20)
    assert "Oct 20, 2026" in client.get(waves_url).get_data(as_text=True)

    # a holiday of one region only does not move the programme's calendar
    north = region_ids(app, programme)["North"]
    response = form_post(client, f"{calendar_url}/holidays", {"holiday-day": "2026-10-08",
                                                              "holiday-name": "Northern fair",
                                                              "holiday-region_id": str(north)},
                         page_url=calendar_url)
    assert response.status_code == 302
    assert pilot_trial_end(app, programme, pilot) == date(2026, 10, 20)
    page = html.unescape(client.get(calendar_url).get_data(as_text=True))
    assert "Founders' day" in page and "Northern fair" in page and "<td>North</td>" in page

    # working Saturdays too: the 10 trial days (Mon-Sat, less the 7th) end on Friday 16th
    response = form_post(client, calendar_url, rules(working_weekdays=["1", "2", "3", "4", "5", "6"]))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Programme, programme.id).working_weekdays == "123456"
    assert pilot_trial_end(app, programme, pilot) == date(2026, 10, 17)


def test_calendar_rules_are_checked_and_a_stale_save_is_refused(app, client, login_as, make_programme):
    programme, _pilot, _key = pilot_and_key(app, make_programme)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/calendar"

    none = form_post(client, url, rules(working_weekdays=[]))
    assert none.status_code == 422
    assert "Choose at least one working weekday." in field_errors(none.get_data(as_text=True), "working_weekdays")

    too_much = form_post(client, url, rules(gate_min_training_pct="120"))
    assert too_much.status_code == 422

    saved = form_post(client, url, rules(gate_max_severe_defects="2", gate_min_adoption_pct="50"))
    assert saved.status_code == 302
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        assert (target.gate_max_severe_defects, target.gate_min_adoption_pct) == (2, 50)

    stale = form_post(client, url, rules(gate_max_severe_defects="5"))  # still version 1
    assert stale.status_code == 409
    with app.app_context():
        assert db.session.get(Programme, programme.id).gate_max_severe_defects == 2


def test_freeze_window_ending_before_it_starts_is_refused(app, client, login_as, make_programme):
    programme, _pilot, _key = pilot_and_key(app, make_programme)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/calendar"

    refused = form_post(client, f"{url}/freezes", {"freeze-name": "Quarter-end close", "freeze-start_on": "2026-12-31",
                                                   "freeze-end_on": "2026-12-21"}, page_url=url)
    assert refused.status_code == 422
    assert "The end cannot be before the start." in field_errors(refused.get_data(as_text=True), "freeze-end_on")

    added = form_post(client, f"{url}/freezes", {"freeze-name": "Quarter-end close", "freeze-start_on": "2026-12-21",
                                                 "freeze-end_on": "2026-12-31"}, page_url=url)
    assert added.status_code == 302
    with app.app_context():
        windows = db.session.scalars(select(FreezeWindow).where(FreezeWindow.programme_id == programme.id)).all()
        assert [(w.name, w.start_on, w.end_on) for w in windows] == [
            ("Quarter-end close", date(2026, 12, 21), date(2026, 12, 31))]
        window_id = windows[0].id

    removed = form_post(client, f"{url}/freezes/{window_id}/delete", {}, page_url=url)
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.get(FreezeWindow, window_id) is None


def test_the_same_holiday_twice_is_refused_and_a_holiday_can_be_removed(app, client, login_as, make_programme):
    programme, _pilot, _key = pilot_and_key(app, make_programme)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/calendar"
    data = {"holiday-day": "2026-12-25", "holiday-name": "Christmas", "holiday-region_id": ""}
    assert form_post(client, f"{url}/holidays", data, page_url=url).status_code == 302
    again = form_post(client, f"{url}/holidays", data, page_url=url)
    assert again.status_code == 422
    assert "already a holiday" in field_errors(again.get_data(as_text=True), "holiday-day")
    with app.app_context():
        holiday_id = db.session.scalar(select(Holiday.id).where(Holiday.programme_id == programme.id))
    assert form_post(client, f"{url}/holidays/{holiday_id}/delete", {}, page_url=url).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Holiday.id)).where(Holiday.programme_id == programme.id)) == 0


def test_the_database_refuses_the_same_holiday_twice_also_programme_wide(app, make_programme):
    """The service's check and its insert are two statements, so two requests at once (a double click) both pass
    the check: the database must refuse the second row itself. A plain unique key on (programme, region, day)
    never did for a programme-wide holiday, whose region is NULL, and NULLs are never equal."""
    programme, pilot, _key = pilot_and_key(app, make_programme)
    with app.app_context():
        region_id = db.session.get(Wave, pilot).regions[0].id
        for region in (None, region_id):
            db.session.add(Holiday(programme_id=programme.id, region_id=region, day=date(2026, 12, 25),
                                   name="Christmas"))
            db.session.flush()
            with pytest.raises(IntegrityError), db.session.begin_nested():
                db.session.add(Holiday(programme_id=programme.id, region_id=region, day=date(2026, 12, 25),
                                       name="Christmas Day"))
                db.session.flush()
        db.session.add(Holiday(programme_id=programme.id, region_id=None, day=date(2026, 12, 26), name="Boxing Day"))
        db.session.flush()
        assert db.session.scalar(select(func.count(Holiday.id)).where(Holiday.programme_id == programme.id)) == 3


def test_non_editors_read_the_calendar_without_forms(app, client, login_as, make_programme):
    programme, _pilot, _key = pilot_and_key(app, make_programme)
    login_as("trainer", programme)
    page = client.get(f"/programmes/{programme.id}/calendar").get_data(as_text=True)
    assert "Monday, Tuesday, Wednesday, Thursday, Friday" in page
    assert "<form method=\"post\" novalidate" not in page
    assert "/calendar/holidays" not in page
