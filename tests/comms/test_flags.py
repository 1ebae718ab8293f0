"""Occurrence states: done, planned, due (incl. two working days of grace), overdue, missed; and the overview
figures."""
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from planner.comms.models import CommunicationItem
from planner.comms.flags import OccurrenceState, programme_occurrences, state_counts
from planner.comms.status import comms_status
from planner.extensions import db
from planner.programmes.models import Programme
from tests.comms.helpers import hold, make_audience, make_item, send
from tests.conftest import count_queries

#: a Monday; the item is fortnightly on Mondays from 2026-05-04
TODAY = date(2026, 6, 15)


@pytest.fixture
def plan(app, factories, today_is):
    today_is(TODAY)
    programme = factories.programme()
    factories.person(programme, "Ana")
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    item_id = make_item(app, programme, everyone, planned_on=date(2026, 5, 4), recurrence="FREQ=WEEKLY;INTERVAL=2")
    return programme, everyone, item_id


def _states(app, programme, today=TODAY):
    with app.app_context():
        by_item = programme_occurrences(db.session.get(Programme, programme.id), today)
        return {occurrence.on: occurrence.state for listed in by_item.values() for occurrence in listed}


def test_states_of_a_fortnightly_item(app, plan):
    programme, everyone, item_id = plan
    send(app, programme, everyone, item_id=item_id, occurrence_on=date(2026, 5, 4))
    assert _states(app, programme) == {
        date(2026, 5, 4): OccurrenceState.DONE,
        date(2026, 5, 18): OccurrenceState.MISSED,   # the next one (1 June) has come
        date(2026, 6, 1): OccurrenceState.MISSED,    # ... and so has 15 June
        date(2026, 6, 15): OccurrenceState.DUE,      # today
    }  # 29 June is more than a week ahead: not listed


def test_grace_then_overdue_then_missed(app, factories, today_is):
    programme = factories.programme()
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    make_item(app, programme, everyone, planned_on=date(2026, 6, 1))  # a one-off, Monday
    assert _states(app, programme, date(2026, 5, 25)) == {date(2026, 6, 1): OccurrenceState.DUE}  # a week ahead
    assert _states(app, programme, date(2026, 5, 24)) == {}  # planned, beyond the window
    assert _states(app, programme, date(2026, 6, 3)) == {date(2026, 6, 1): OccurrenceState.DUE}  # 2 days' grace
    assert _states(app, programme, date(2026, 6, 4)) == {date(2026, 6, 1): OccurrenceState.OVERDUE}
    assert _states(app, programme, date(2026, 6, 15)) == {date(2026, 6, 1): OccurrenceState.OVERDUE}  # 10 days
    assert _states(app, programme, date(2026, 6, 16)) == {date(2026, 6, 1): OccurrenceState.MISSED}


def test_a_late_log_still_makes_it_done(app, plan):
    programme, everyone, item_id = plan
    hold(app, programme, held_on=TODAY, item_id=item_id, occurrence_on=date(2026, 5, 18), audience_id=everyone)
    assert _states(app, programme)[date(2026, 5, 18)] == OccurrenceState.DONE


def test_comms_status_for_the_overview(app, plan, now_is):
    programme, everyone, item_id = plan
    now_is(datetime(2026, 6, 10, 9, tzinfo=UTC))
    send(app, programme, everyone, item_id=item_id, occurrence_on=date(2026, 6, 1))
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        status = comms_status(target, TODAY)
        counts = state_counts(programme_occurrences(target, TODAY))
    assert (status.overdue, status.missed) == (0, 2)  # 4 May and 18 May
    assert counts[OccurrenceState.DONE] == 1 and counts[OccurrenceState.DUE] == 1
    assert status.days_since_status_update == 5
    assert status.gap_count == 1  # the audience never had the kickoff


def test_the_overview_figures_do_not_grow_with_the_plan(app, factories):
    programme = factories.programme()
    everyone = make_audience(app, programme, "Everyone", is_everyone=True)
    measured = []
    for total in (3, 30):
        while True:
            with app.app_context():
                have = db.session.scalar(select(func.count()).select_from(CommunicationItem))
            if have >= total:
                break
            make_item(app, programme, everyone, title=f"Item {have}", recurrence="FREQ=WEEKLY")
        with app.app_context():
            target = db.session.get(Programme, programme.id)
            with count_queries(app) as statements:
                comms_status(target, date(2026, 7, 1))
            measured.append(len(statements))
    assert measured[0] == measured[1]
