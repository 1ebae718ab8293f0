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
        "East": (NoticeState.PLANNED_LATE, date(2026, 6, 1), True),  # planned after its last day
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


def _edit_audience(app, audience_id, **values):
    from planner.comms import audiences
    from planner.comms.models import Audience

    with app.app_context():
        audience = db.session.get(Audience, audience_id)
        spec = {"name": audience.name, "description": "", "is_everyone": audience.is_everyone,
                "region_ids": [region.id for region in audience.regions],
                "department_ids": [department.id for department in audience.departments],
                "job_roles": audience.job_roles, "person_ids": [person.id for person in audience.people]}
        spec.update(values)
        audiences.update_audience(audience, expected_version=audience.version, **spec)
        db.session.commit()


def test_a_past_send_is_judged_by_whom_it_reached_then(app, world, today_is):
    """Editing an audience later neither spoils a notice that reached the whole region nor repairs one that
    did not; the same for the kickoff to everyone."""
    programme, regions, sales = world
    north = make_audience(app, programme, "North", region_ids=[regions["North"]])
    west_sales = make_audience(app, programme, "West sales", region_ids=[regions["West"]], department_ids=[sales])
    everyone = make_audience(app, programme, "All of us", is_everyone=True)
    today_is(date(2026, 5, 25))
    for audience_id, subject in ((north, "North goes live"), (west_sales, "West goes live")):
        hold(app, programme, held_on=date(2026, 5, 25), subject=subject, audience_id=audience_id,
             purpose="go_live_notice", channel="meeting")
    hold(app, programme, held_on=date(2026, 5, 25), subject="Why", audience_id=everyone, purpose="vision_kickoff",
         channel="town_hall")
    _edit_audience(app, north, department_ids=[sales])
    _edit_audience(app, west_sales, department_ids=[])
    _edit_audience(app, everyone, is_everyone=False, region_ids=[regions["East"]])
    notices, missing, _count = _report(app, programme)
    assert notices["North"][0] == NoticeState.IN_TIME
    assert notices["West"][0] == NoticeState.MISSING
    assert missing == []


def test_a_general_notice_counts_only_within_the_window_before_each_go_live(app, world, today_is):
    """A notice naming no region counts for a region only if sent at most 60 calendar days before its
    go-live; a notice naming the region counts whenever it went out."""
    programme, regions, _sales = world
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    today_is(date(2026, 4, 15))
    hold(app, programme, held_on=date(2026, 4, 15), subject="We go live soon", audience_id=everyone,
         purpose="go_live_notice", channel="intranet")  # 61 days before 15 June
    hold(app, programme, held_on=date(2026, 4, 15), subject="North goes live", audience_id=everyone,
         purpose="go_live_notice", channel="intranet", region_id=regions["North"])
    notices, _missing, _count = _report(app, programme)
    assert notices["North"][0] == NoticeState.IN_TIME
    assert notices["South"][0] == NoticeState.MISSING
    today_is(date(2026, 4, 16))
    hold(app, programme, held_on=date(2026, 4, 16), subject="We go live soon", audience_id=everyone,
         purpose="go_live_notice", channel="intranet")  # 60 days before
    notices, _missing, _count = _report(app, programme)
    assert notices["South"][0] == NoticeState.IN_TIME


def test_a_notice_planned_after_the_last_day_is_planned_too_late(app, world):
    programme, regions, _sales = world
    north = make_audience(app, programme, "North", region_ids=[regions["North"]])
    south = make_audience(app, programme, "South", region_ids=[regions["South"]])
    make_item(app, programme, north, purpose="go_live_notice", planned_on=date(2026, 5, 29))
    make_item(app, programme, south, purpose="go_live_notice", planned_on=date(2026, 6, 5))
    notices, _missing, _count = _report(app, programme, date(2026, 5, 20))
    assert notices["North"] == (NoticeState.PLANNED, date(2026, 6, 1), False)
    assert notices["South"] == (NoticeState.PLANNED_LATE, date(2026, 6, 1), True)


def test_the_send_date_is_the_day_in_the_regions_time_zone(app, world, now_is, today_is):
    """An email sent at 03:00 UTC on 2 June is still 1 June in Los Angeles: in time there, late in Berlin.
    A meeting recorded as held on 1 June counts as 1 June everywhere (even in Auckland, where noon UTC is
    already the next day)."""
    from datetime import UTC, datetime

    from planner.programmes.models import Region
    from tests.comms.helpers import send

    programme, regions, _sales = world
    with app.app_context():
        db.session.get(Region, regions["West"]).time_zone = "America/Los_Angeles"
        db.session.get(Region, regions["East"]).time_zone = "Pacific/Auckland"
        db.session.commit()
    audiences = {name: make_audience(app, programme, name, region_ids=[regions[name]]) for name in regions}
    now_is(datetime(2026, 6, 2, 3, tzinfo=UTC))
    send(app, programme, audiences["West"], purpose="go_live_notice", subject="West goes live")
    send(app, programme, audiences["North"], purpose="go_live_notice", subject="North goes live")
    hold(app, programme, held_on=date(2026, 6, 1), subject="East goes live", audience_id=audiences["East"],
         purpose="go_live_notice", channel="meeting")
    notices, _missing, _count = _report(app, programme, date(2026, 6, 2))
    assert notices["West"][0] == NoticeState.IN_TIME
    assert notices["North"][0] == NoticeState.LATE
    assert notices["East"][0] == NoticeState.IN_TIME
