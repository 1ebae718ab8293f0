"""The gap check: go-live notices in time (working days of the region's calendar) and the kickoff to all."""
from datetime import date

import pytest

from planner.comms.gaps import NoticeState, check_gaps
from planner.extensions import db
from planner.programmes.models import Programme
from planner.rollout.models import Holiday
from tests.comms.helpers import hold, make_audience, make_item, make_wave

#: Monday 15 June: ten working days before is Monday 1 June
GO_LIVE = date(2026, 6, 15)


@pytest.fixture
def world(app, factories, today_is):
    today_is(date(2026, 5, 20))
    programme = factories.programme(regions=["North", "South", "East", "West"], departments=["Sales"])
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        regions = {region.name: region.id for region in target.regions}
        sales = target.departments[0].id
    make_wave(app, programme, "Wave 1", GO_LIVE, list(regions.values()))
    return programme, regions, sales


def _report(app, programme, today=date(2026, 5, 20)):
    with app.app_context():
        report = check_gaps(db.session.get(Programme, programme.id), today)
        return {notice.region_name: (notice.state, notice.notice_by, notice.is_gap) for notice in report.notices}, \
            [audience.name for audience in report.audiences_without_kickoff], report.gap_count


def test_each_region_gets_a_state(app, world, today_is):
    programme, regions, sales = world
    north = make_audience(app, programme, "North", region_ids=[regions["North"]])
    south = make_audience(app, programme, "South", region_ids=[regions["South"]])
    east = make_audience(app, programme, "East", region_ids=[regions["East"]])
    west_sales = make_audience(app, programme, "West sales", region_ids=[regions["West"]], department_ids=[sales])
    today_is(date(2026, 6, 10))
    hold(app, programme, held_on=date(2026, 6, 1), subject="North goes live", audience_id=north,
         purpose="go_live_notice", channel="town_hall")
    hold(app, programme, held_on=date(2026, 6, 2), subject="South goes live", audience_id=south,
         purpose="go_live_notice", channel="meeting")
    make_item(app, programme, east, purpose="go_live_notice", planned_on=date(2026, 6, 20))
    hold(app, programme, held_on=date(2026, 5, 20), subject="West sales", audience_id=west_sales,
         purpose="go_live_notice", channel="meeting")  # not everyone in West: does not cover it
    notices, _missing, _count = _report(app, programme, date(2026, 6, 10))
    assert notices == {
        "North": (NoticeState.IN_TIME, date(2026, 6, 1), False),
        "South": (NoticeState.LATE, date(2026, 6, 1), True),
        "East": (NoticeState.PLANNED, date(2026, 6, 1), True),   # its last day has passed
        "West": (NoticeState.MISSING, date(2026, 6, 1), True),
    }


def test_a_notice_for_another_region_does_not_count(app, world, today_is):
    programme, regions, _sales = world
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    today_is(date(2026, 5, 25))
    hold(app, programme, held_on=date(2026, 5, 25), subject="North goes live", audience_id=everyone,
         purpose="go_live_notice", channel="intranet", region_id=regions["North"])
    notices, _missing, _count = _report(app, programme)
    assert notices["North"][0] == NoticeState.IN_TIME
    assert {notices[name][0] for name in ("South", "East", "West")} == {NoticeState.MISSING}


def test_the_deadline_follows_the_regions_own_holidays_and_the_setting(app, world):
    programme, regions, _sales = world
    with app.app_context():
        db.session.add(Holiday(programme_id=programme.id, region_id=regions["North"], day=date(2026, 6, 10),
                               name="Local day"))
        db.session.get(Programme, programme.id).go_live_notice_days = 5
        db.session.commit()
    notices, _missing, _count = _report(app, programme)
    assert notices["South"][1] == date(2026, 6, 8)  # Monday to Friday before the go-live
    assert notices["North"][1] == date(2026, 6, 5)  # its holiday on Wednesday 10 June does not count


def test_audiences_without_the_kickoff_are_listed(app, world, today_is):
    programme, regions, _sales = world
    north = make_audience(app, programme, "North", region_ids=[regions["North"]])
    make_audience(app, programme, "South", region_ids=[regions["South"]])
    today_is(date(2026, 5, 20))
    hold(app, programme, held_on=date(2026, 5, 20), subject="Why", audience_id=north, purpose="vision_kickoff",
         channel="town_hall")
    _notices, missing, count = _report(app, programme)
    assert missing == ["South"] and count == 4 + 1
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    hold(app, programme, held_on=date(2026, 5, 20), subject="Why, for all", audience_id=everyone,
         purpose="vision_kickoff", channel="town_hall")
    assert _report(app, programme)[1] == []
