"""The session planner's pure function, alone (no database, no app): the window's edges, holidays, clock changes,
trainer rotation and clashes, too few trainers, a window already passed."""
from datetime import date, datetime, time, timedelta, timezone

import pytest

from planner.scheduling.calendar import WorkingCalendar
from planner.training.planner import Need, RegionWindow, plan_sessions, window_days

UTC = timezone.utc
#: a Monday; with 5 and 20 working days of lead, sessions may end from Mon 16 Nov to Mon 7 Dec 2026
GO_LIVE = date(2026, 12, 14)
EARLY = date(2026, 9, 1)


def _window(region_id=1, go_live=GO_LIVE, zone="Europe/Berlin", holidays=(), weekdays=(0, 1, 2, 3, 4)):
    return RegionWindow(region_id, go_live, zone, WorkingCalendar(frozenset(weekdays), frozenset(holidays)))


def _plan(needs, windows, trainers=(7,), busy=None, **kwargs):
    options = {"min_lead_days": 5, "max_lead_days": 20, "earliest": EARLY, "capacity": 12,
               "start_time": time(9, 0)}
    options.update(kwargs)
    return plan_sessions(needs, {w.region_id: w for w in windows}, list(trainers), busy or {}, **options)


def test_the_window_runs_from_max_to_min_lead_working_days_latest_first():
    days = window_days(_window(), min_lead_days=5, max_lead_days=20, earliest=EARLY)
    assert days[0] == date(2026, 12, 7)   # 5 working days before go-live
    assert days[-1] == date(2026, 11, 16)  # 20 working days before
    assert len(days) == 16
    assert all(day.weekday() < 5 for day in days)


def test_one_session_goes_on_the_last_day_of_the_window_at_the_start_time_in_the_regions_zone():
    plan = _plan([Need(1, 10, 5, 120)], [_window(zone="America/New_York")])
    assert plan.problems == []
    [proposal] = plan.proposals
    assert (proposal.day, proposal.start_time, proposal.trainer_id) == (date(2026, 12, 7), time(9, 0), 7)
    assert proposal.starts_at == datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # EST is UTC-5
    assert proposal.ends_at - proposal.starts_at == timedelta(minutes=120)
    calendar = _window().calendar
    assert calendar.working_days_between(proposal.day, GO_LIVE) == 5  # inside: not "too_late"


def test_sessions_needed_are_people_over_capacity_rounded_up():
    plan = _plan([Need(1, 10, 25, 60)], [_window()], capacity=12)
    assert len(plan.proposals) == 3
    assert {proposal.capacity for proposal in plan.proposals} == {12}
    # one trainer: three days, the latest three of the window
    assert sorted(p.day for p in plan.proposals) == [date(2026, 12, 3), date(2026, 12, 4), date(2026, 12, 7)]


def test_holidays_are_skipped_and_count_as_no_working_day():
    plan = _plan([Need(1, 10, 5, 60)], [_window(holidays={date(2026, 12, 7), date(2026, 12, 10)})])
    # 7 and 10 Dec are holidays: five working days before Monday 14 Dec end on Thursday 3 Dec
    assert [p.day for p in plan.proposals] == [date(2026, 12, 3)]


def test_a_busy_trainer_is_not_proposed_twice_at_once_the_session_moves_a_day_earlier():
    busy = {7: [(datetime(2026, 12, 7, 8, 30, tzinfo=UTC), datetime(2026, 12, 7, 9, 30, tzinfo=UTC))]}
    plan = _plan([Need(1, 10, 5, 60)], [_window()], busy=busy)  # 09:00 Berlin is 08:00 UTC
    assert [p.day for p in plan.proposals] == [date(2026, 12, 4)]


def test_a_trainer_busy_only_before_or_after_is_free():
    busy = {7: [(datetime(2026, 12, 7, 7, 0, tzinfo=UTC), datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
                (datetime(2026, 12, 7, 9, 0, tzinfo=UTC), datetime(2026, 12, 7, 10, 0, tzinfo=UTC))]}
    plan = _plan([Need(1, 10, 5, 60)], [_window()], busy=busy)
    assert [p.day for p in plan.proposals] == [date(2026, 12, 7)]


def test_trainers_take_turns_and_a_second_trainer_runs_a_parallel_session():
    windows = [_window(1, GO_LIVE), _window(2, date(2027, 3, 15)), _window(3, date(2027, 6, 14))]
    plan = _plan([Need(1, 10, 5, 60), Need(2, 10, 5, 60), Need(3, 10, 5, 60)], windows, trainers=(7, 8))
    assert [p.trainer_id for p in sorted(plan.proposals, key=lambda p: p.day)] == [7, 8, 7]
    parallel = _plan([Need(1, 10, 20, 60)], [_window()], trainers=(7, 8))
    assert {(p.day, p.trainer_id) for p in parallel.proposals} == {(date(2026, 12, 7), 7), (date(2026, 12, 7), 8)}


def test_proposals_never_clash_with_each_other_across_regions_and_courses():
    needs = [Need(region, course, 30, 180) for region in (1, 2) for course in (10, 11)]
    plan = _plan(needs, [_window(1), _window(2, zone="Europe/London")], trainers=(7, 8))
    assert not plan.problems
    for trainer in (7, 8):
        intervals = sorted((p.starts_at, p.ends_at) for p in plan.proposals if p.trainer_id == trainer)
        assert all(end <= next_start for (_s, end), (next_start, _e) in zip(intervals, intervals[1:]))


def test_too_few_trainers_is_reported_instead_of_a_clash():
    one_day = dict(min_lead_days=5, max_lead_days=5)
    plan = _plan([Need(1, 10, 36, 60)], [_window()], **one_day)
    assert len(plan.proposals) == 1
    [problem] = plan.problems
    assert (problem.region_id, problem.course_id, problem.sessions, problem.reason) == (1, 10, 2, "no_trainer")
    nobody = _plan([Need(1, 10, 5, 60)], [_window()], trainers=())
    assert nobody.proposals == [] and nobody.problems[0].sessions == 1


def test_a_window_already_passed_is_reported_and_nothing_is_proposed_in_the_past():
    plan = _plan([Need(1, 10, 5, 60)], [_window()], earliest=date(2026, 12, 8))
    assert plan.proposals == []
    assert plan.problems[0].reason == "window_passed"
    partly = _plan([Need(1, 10, 40, 60)], [_window()], earliest=date(2026, 12, 4))
    assert sorted(p.day for p in partly.proposals) == [date(2026, 12, 4), date(2026, 12, 7)]
    assert partly.problems[0].sessions == 2


def test_a_start_time_the_clocks_skip_moves_to_another_day():
    # Sunday 29 March 2026: 02:30 does not exist in Berlin; with seven working days, Saturday is used instead
    window = _window(go_live=date(2026, 3, 30), weekdays=range(7))
    plan = _plan([Need(1, 10, 5, 60)], [window], min_lead_days=1, max_lead_days=3, start_time=time(2, 30),
                 earliest=date(2026, 1, 1))
    assert [p.day for p in plan.proposals] == [date(2026, 3, 28)]


def test_needs_without_a_window_or_people_are_skipped():
    plan = _plan([Need(9, 10, 5, 60), Need(1, 10, 0, 60)], [_window()])
    assert plan.proposals == [] and plan.problems == []


def test_capacity_must_be_positive():
    with pytest.raises(ValueError):
        _plan([Need(1, 10, 5, 60)], [_window()], capacity=0)
