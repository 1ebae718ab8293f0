"""The demo's communication: a kickoff sent to everyone, fortnightly status updates with one missed, go-live
notices planned per region (the pilot's sent in time, the last wave's missing); loading again creates nothing
and no mail is queued for the past sends."""
import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from planner.comms.flags import OccurrenceState, programme_occurrences
from planner.comms.gaps import NoticeState, check_gaps
from planner.comms.models import Audience, CommsPurpose, CommunicationItem, CommunicationLog
from planner.comms.status import comms_status
from planner.core import clock
from planner.core.models import OutboxMessage
from planner.demo.comms import load_comms
from planner.demo.loader import SEED_DIR
from planner.extensions import db
from planner.programmes.models import Programme
from tests.conftest import log_in


@pytest.fixture(autouse=True)
def _rolled_back():
    """This test owns its database: the demo command commits."""
    yield


@pytest.fixture(autouse=True)
def _demo_day(today_is, now_is):
    """The demo is loaded on a fixed day (autouse fixtures come before ``demo_app``)."""
    today_is(date(2026, 11, 24))
    now_is(datetime(2026, 11, 24, 14, tzinfo=timezone.utc))


def test_the_demo_communication_tells_its_story_once(demo_app):
    spec = json.loads((SEED_DIR / "comms.json").read_text(encoding="utf-8"))
    with demo_app.app_context():
        programme = db.session.scalars(select(Programme)).one()
        outbox_before = db.session.scalar(select(func.count(OutboxMessage.id)))
        if not db.session.scalar(select(func.count(CommunicationItem.id))):  # not yet called by the demo loader
            assert load_comms(programme, spec, clock.today()) > 10
            db.session.commit()
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == outbox_before
        assert db.session.scalar(select(func.count(Audience.id))) >= len(spec["audiences"])

        kickoff = db.session.scalars(select(CommunicationLog).where(
            CommunicationLog.purpose == CommsPurpose.VISION_KICKOFF)).one()
        assert kickoff.audience.is_everyone and kickoff.recipients_count > 200

        status_item = db.session.scalars(select(CommunicationItem).where(
            CommunicationItem.purpose == CommsPurpose.STATUS_UPDATE)).one()
        assert status_item.recurrence == "FREQ=WEEKLY;INTERVAL=2"
        states = [occurrence.state for occurrence in programme_occurrences(programme, clock.today())[status_item.id]]
        assert states == [OccurrenceState.DONE, OccurrenceState.DONE, OccurrenceState.MISSED, OccurrenceState.DONE,
                          OccurrenceState.DONE, OccurrenceState.DUE]

        report = check_gaps(programme, clock.today())
        notices = {notice.region_name: notice.state for notice in report.notices}
        assert notices["Headquarters Hamburg"] == NoticeState.IN_TIME
        assert notices["North America East"] == notices["Asia Pacific"] == NoticeState.PLANNED
        assert notices["UK and Ireland"] == NoticeState.MISSING
        assert report.audiences_without_kickoff == []

        status = comms_status(programme, clock.today())
        assert (status.missed, status.overdue, status.days_since_status_update) == (1, 0, 14)
        assert status.gap_count == 1

        assert load_comms(programme, spec, clock.today()) == 0
        programme_id = programme.id
        db.session.rollback()

    client = demo_app.test_client()
    log_in(client, "pm@example.com", "rollout-demo-2026")
    plan = client.get(f"/programmes/{programme_id}/comms").get_data(as_text=True)
    assert "Fortnightly status update" in plan
    gaps = client.get(f"/programmes/{programme_id}/comms/gaps").get_data(as_text=True)
    assert "UK and Ireland" in gaps and "Sent in time" in gaps
