"""The communication pages: audiences, plan, sending, the log, the gap check; permissions and query counts."""
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from planner.comms.models import Audience, CommunicationItem, CommunicationLog
from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.programmes.models import Programme
from tests.comms.helpers import hold, make_audience, make_item, make_wave, send
from tests.conftest import count_queries, form_post

TODAY = date(2026, 6, 15)


@pytest.fixture
def world(app, factories, now_is):
    now_is(datetime(2026, 6, 15, 9, tzinfo=UTC))
    programme = factories.programme(regions=["North", "South"], departments=["Sales"])
    with app.app_context():
        regions = {region.name: region.id for region in db.session.get(Programme, programme.id).regions}
    factories.person(programme, "Ana Secret", region_id=regions["North"])
    factories.person(programme, "Ben Hidden", region_id=regions["South"])
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    return programme, regions, everyone


def count(app, model, **where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


# --- audiences ---------------------------------------------------------------------------------------------

def test_a_project_manager_defines_an_audience(app, client, login_as, world):
    programme, regions, _everyone = world
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/audiences/new"
    response = form_post(client, url, {"name": "North", "region_ids": [str(regions["North"])], "job_roles": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ana Secret" in page and "Ben Hidden" not in page
    listing = client.get(f"/programmes/{programme.id}/audiences").get_data(as_text=True)
    assert "Regions: North" in listing


def test_an_empty_audience_form_answers_422_and_writes_nothing(app, client, login_as, world):
    programme, _regions, _everyone = world
    login_as("project_manager", programme)
    before = count(app, Audience)
    response = form_post(client, f"/programmes/{programme.id}/audiences/new", {"name": "Nobody"})
    assert response.status_code == 422
    assert "Say who is in the audience" in response.get_data(as_text=True)
    assert count(app, Audience) == before


def test_a_viewer_sees_audiences_but_no_names(app, client, login_as, world, factories):
    programme, _regions, everyone = world
    ana_id = factories.person(programme, "Cy Listed").id
    listed = make_audience(app, programme, "Listed", person_ids=[ana_id])
    login_as("viewer", programme)
    for audience_id in (everyone, listed):
        page = client.get(f"/programmes/{programme.id}/audiences/{audience_id}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Ana Secret" not in text and "Cy Listed" not in text
    assert client.get(f"/programmes/{programme.id}/audiences/new").status_code == 403


def test_deleting_an_audience_the_plan_uses_is_refused_kindly(app, client, login_as, world):
    programme, _regions, everyone = world
    make_item(app, programme, everyone)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/audiences/{everyone}/delete"
    response = form_post(client, url, {})
    assert response.status_code == 302
    assert count(app, Audience, id=everyone) == 1


# --- the plan ---------------------------------------------------------------------------------------------

ITEM = {"title": "Fortnightly update", "purpose": "status_update", "channel": "email", "planned_on": "2026-06-01",
        "recurrence": "FREQ=WEEKLY;INTERVAL=2", "message": "Where we stand."}


def test_a_project_manager_plans_an_item_and_sends_an_occurrence(app, client, login_as, world):
    programme, _regions, everyone = world
    login_as("project_manager", programme)
    response = form_post(client, f"/programmes/{programme.id}/comms/new", dict(ITEM, audience_id=str(everyone)))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        item_id = db.session.scalar(select(CommunicationItem.id))
    page = client.get(f"/programmes/{programme.id}/comms/{item_id}").get_data(as_text=True)
    assert "2026-06-01" in page and "Missed" in page and "Due" in page
    send_url = f"/programmes/{programme.id}/comms/{item_id}/send?occurrence=2026-06-15"
    response = form_post(client, send_url, {"occurrence_on": "2026-06-15", "subject": "Update 15 June",
                                            "body": "All on plan."})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count(app, CommunicationLog, item_id=item_id) == 1
    assert count(app, OutboxMessage, kind="comms") == 2
    again = form_post(client, send_url, {"occurrence_on": "2026-06-15", "subject": "Again", "body": "Twice?"})
    assert again.status_code == 422
    assert count(app, OutboxMessage, kind="comms") == 2


@pytest.mark.parametrize(("values", "message"), [
    ({"recurrence": "FREQ=HOURLY"}, "at most daily"),
    ({"audience_id": ""}, "Choose an audience"),
    ({"planned_on": ""}, "This field is required"),
    ({"planned_on": "9999-12-31"}, "Give a date from"),
    ({"recurrence": "FREQ=DAILY;INTERVAL=0"}, "INTERVAL"),
    ({"recurrence": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"}, "gives no dates"),
])
def test_a_bad_plan_item_answers_422(app, client, login_as, world, values, message):
    programme, _regions, everyone = world
    login_as("project_manager", programme)
    data = dict(ITEM, audience_id=str(everyone))
    data.update(values)
    response = form_post(client, f"/programmes/{programme.id}/comms/new", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, CommunicationItem) == 0


def test_the_plan_filters_by_purpose_and_state(app, client, login_as, world):
    programme, _regions, everyone = world
    make_item(app, programme, everyone, title="Old one-off", planned_on=date(2026, 5, 1), purpose="other")
    make_item(app, programme, everyone, title="Upcoming kickoff", planned_on=date(2026, 6, 16),
              purpose="vision_kickoff")
    login_as("viewer", programme)
    base = f"/programmes/{programme.id}/comms"
    missed = client.get(base + "?state=missed").get_data(as_text=True)
    assert "Old one-off" in missed and "Upcoming kickoff" not in missed
    kickoff = client.get(base + "?purpose=vision_kickoff").get_data(as_text=True)
    assert "Upcoming kickoff" in kickoff and "Old one-off" not in kickoff
    assert client.get(base + "?state=bogus&purpose=bogus").status_code == 200


def test_recording_a_held_meeting(app, client, login_as, world):
    programme, regions, everyone = world
    item_id = make_item(app, programme, everyone, title="Town hall", channel="town_hall",
                        planned_on=date(2026, 6, 12))
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/comms/log/held"
    response = form_post(client, url, {"item_id": str(item_id), "occurrence_on": "2026-06-12",
                                       "held_on": "2026-06-12", "subject": "Town hall North",
                                       "recipients_count": "35", "purpose": "other", "channel": "meeting"})
    assert response.status_code == 302, response.get_data(as_text=True)
    log = client.get(f"/programmes/{programme.id}/comms/log").get_data(as_text=True)
    assert "Town hall North" in log and "35" in log
    notice = form_post(client, url, {"held_on": "2026-06-12", "subject": "South goes live",
                                     "audience_id": str(everyone), "purpose": "go_live_notice", "channel": "meeting",
                                     "region_id": str(regions["South"])})
    assert notice.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(CommunicationLog.region_id).where(
            CommunicationLog.subject == "South goes live")) == regions["South"]
    future = form_post(client, url, {"held_on": "2026-06-20", "subject": "Later", "audience_id": str(everyone),
                                     "purpose": "other", "channel": "meeting"})
    assert future.status_code == 422
    assert count(app, CommunicationLog) == 2


# --- the gap check ----------------------------------------------------------------------------------------

def test_the_gap_page_and_its_setting(app, client, login_as, world):
    programme, regions, everyone = world
    make_wave(app, programme, "Pilot", date(2026, 7, 1), [regions["North"]])
    login_as("project_manager", programme)
    page = client.get(f"/programmes/{programme.id}/comms/gaps").get_data(as_text=True)
    assert "North" in page and "Missing" in page and "Everyone" in page
    url = f"/programmes/{programme.id}/comms/gaps/notice-days"
    with app.app_context():
        version = db.session.get(Programme, programme.id).version
    refused = form_post(client, url, {"go_live_notice_days": "61", "version": str(version)},
                        page_url=f"/programmes/{programme.id}/comms/gaps")
    assert refused.status_code == 422
    done = form_post(client, url, {"go_live_notice_days": "12", "version": str(version)},
                     page_url=f"/programmes/{programme.id}/comms/gaps")
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Programme, programme.id).go_live_notice_days == 12


# --- query counts -----------------------------------------------------------------------------------------

def _grow(app, programme, everyone, total: int) -> None:
    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(Audience).where(
            Audience.programme_id == programme.id))
    for n in range(have, total):
        audience_id = make_audience(app, programme, f"Audience {n:03}", job_roles=f"Role {n}")
        item_id = make_item(app, programme, audience_id, title=f"Item {n:03}", planned_on=date(2026, 6, 1),
                            recurrence="FREQ=WEEKLY")
        hold(app, programme, held_on=date(2026, 6, 1), item_id=item_id, occurrence_on=date(2026, 6, 1),
             subject=f"Held {n}")


@pytest.mark.parametrize("path", ["audiences", "comms", "comms/log", "comms/gaps", "status-updates"])
def test_list_pages_do_not_run_a_query_per_row(app, client, login_as, world, path):
    programme, _regions, everyone = world
    app.config["ITEMS_PER_PAGE"], per_page = 50, app.config["ITEMS_PER_PAGE"]
    try:
        login_as("project_manager", programme)
        measured = []
        for total in (3, 30):
            _grow(app, programme, everyone, total)
            with count_queries(app) as statements:
                response = client.get(f"/programmes/{programme.id}/{path}")
            assert response.status_code == 200
            measured.append(len(statements))
        assert measured[0] == measured[1], measured
    finally:
        app.config["ITEMS_PER_PAGE"] = per_page


def test_reading_pages_answer_everyone_in_the_programme(app, client, login_as, world, factories):
    programme, _regions, everyone = world
    owner = factories.person(programme, "Olga Owner")
    item_id = make_item(app, programme, everyone, owner_id=owner.id)
    send(app, programme, everyone)
    login_as("viewer", programme)
    for path in ("audiences", f"audiences/{everyone}", "comms", f"comms/{item_id}", "comms/log", "comms/gaps",
                 "status-updates"):
        assert client.get(f"/programmes/{programme.id}/{path}").status_code == 200, path
    text = client.get(f"/programmes/{programme.id}/comms/log").get_data(as_text=True)
    assert not re.search(r"@example\.com", text)
    assert "Olga Owner" not in client.get(f"/programmes/{programme.id}/comms/{item_id}").get_data(as_text=True)
