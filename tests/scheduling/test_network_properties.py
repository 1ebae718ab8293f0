"""Properties of the schedule engine on random plans (hypothesis), checked against the rules
and against networkx's longest path."""
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

import networkx
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from planner.scheduling import CycleError, Dependency, schedule
from tests.scheduling.strategies import PROPERTY, end_index, networks


def _run(network):
    return schedule(network.tasks, network.dependencies, network.calendar, network.project_start)


def _floor(network, task):
    earliest = max(network.project_start, task.not_before or network.project_start)
    return network.calendar.day_index(earliest)


@PROPERTY
@given(networks())
def test_every_rule_holds_and_every_start_is_as_early_as_allowed(network):
    result = _run(network)
    calendar = network.calendar
    index = calendar.day_index
    assert list(result.tasks) == [task.key for task in network.tasks]
    by_key = {task.key: task for task in network.tasks}
    binding = {key: _floor(network, task) for key, task in by_key.items()}
    for dependency in network.dependencies:
        before = result.tasks[dependency.predecessor]
        after = result.tasks[dependency.successor]
        ready = end_index(calendar, before, by_key[dependency.predecessor].duration) + dependency.lag
        assert index(after.start) >= ready
        binding[dependency.successor] = max(binding[dependency.successor], ready)
    for key, task in result.tasks.items():
        assert calendar.is_working_day(task.start) and calendar.is_working_day(task.finish)
        assert index(task.start) == binding[key]  # nothing waits longer than it must
        duration = by_key[key].duration
        assert calendar.working_days_between(task.start, task.finish) == max(duration - 1, 0)
        assert task.total_slack >= 0
        assert task.is_critical == (task.total_slack == 0)
        assert calendar.working_days_between(task.start, task.late_start) == task.total_slack
        assert calendar.working_days_between(task.finish, task.late_finish) == task.total_slack
    assert result.finish == max(task.finish for task in result.tasks.values())


@PROPERTY
@given(networks())
def test_late_dates_keep_the_finish_and_are_as_late_as_allowed(network):
    result = _run(network)
    calendar = network.calendar
    index = calendar.day_index
    by_key = {task.key: task for task in network.tasks}
    project_end = max(end_index(calendar, task, by_key[key].duration) for key, task in result.tasks.items())
    latest = {key: project_end for key in by_key}
    for dependency in network.dependencies:
        after = result.tasks[dependency.successor]
        latest[dependency.predecessor] = min(
            latest[dependency.predecessor], index(after.late_start) - dependency.lag)
    for key, task in result.tasks.items():
        duration = by_key[key].duration
        late_end = index(task.late_finish) + 1 if duration else index(task.late_start)
        assert late_end == latest[key]


@PROPERTY
@given(networks())
def test_critical_path_is_a_driving_chain_to_the_finish(network):
    result = _run(network)
    calendar = network.calendar
    path = result.critical_path
    assert path, "a plan without actual dates always has a critical path"
    assert result.tasks[path[-1]].finish == result.finish
    assert all(result.tasks[key].is_critical for key in path)
    assert len(set(path)) == len(path)
    lags = {}
    for dependency in network.dependencies:
        lags.setdefault((dependency.predecessor, dependency.successor), []).append(dependency.lag)
    for before, after in pairwise(path):
        assert (before, after) in lags
        ready = end_index(calendar, result.tasks[before], network.duration(before))
        assert calendar.day_index(result.tasks[after].start) in {ready + lag for lag in lags[(before, after)]}
    first = next(task for task in network.tasks if task.key == path[0])
    assert calendar.day_index(result.tasks[path[0]].start) == _floor(network, first)


@PROPERTY
@given(networks())
def test_project_length_matches_networkx_longest_path(network):
    network.tasks = [replace(task, not_before=None) for task in network.tasks]
    result = _run(network)
    graph = networkx.DiGraph()
    graph.add_node("(start)")
    for task in network.tasks:
        graph.add_edge("(start)", task.key, weight=0)
        graph.add_edge(task.key, "(end)", weight=task.duration)
    for dependency in network.dependencies:
        weight = network.duration(dependency.predecessor) + dependency.lag
        if graph.has_edge(dependency.predecessor, dependency.successor):  # keep the longest
            weight = max(weight, graph.edges[dependency.predecessor, dependency.successor]["weight"])
        graph.add_edge(dependency.predecessor, dependency.successor, weight=weight)
    calendar = network.calendar
    length = max(
        end_index(calendar, task, network.duration(key)) for key, task in result.tasks.items()
    ) - calendar.day_index(network.project_start)
    assert length == networkx.dag_longest_path_length(graph)


@PROPERTY
@given(networks(), st.data())
def test_a_longer_lag_or_duration_never_makes_anything_earlier(network, data):
    before = _run(network)
    if network.dependencies and data.draw(st.booleans()):
        number = data.draw(st.integers(0, len(network.dependencies) - 1))
        dependency = network.dependencies[number]
        network.dependencies[number] = replace(dependency, lag=dependency.lag + data.draw(st.integers(1, 5)))
    else:
        number = data.draw(st.integers(0, len(network.tasks) - 1))
        task = network.tasks[number]
        network.tasks[number] = replace(task, duration=task.duration + data.draw(st.integers(1, 5)))
    after = _run(network)
    for key, task in after.tasks.items():
        assert task.start >= before.tasks[key].start
        assert task.finish >= before.tasks[key].finish
    assert after.finish >= before.finish


@PROPERTY
@given(networks(with_actuals=True))
def test_with_actual_dates_slack_stays_sound(network):
    result = _run(network)
    calendar = network.calendar
    for task in network.tasks:
        scheduled = result.tasks[task.key]
        assert scheduled.total_slack >= 0
        complete = task.actual_finish is not None or (task.duration == 0 and task.actual_start is not None)
        if complete:
            assert not scheduled.is_critical and scheduled.total_slack == 0
            assert scheduled.finish == (task.actual_finish or task.actual_start)
        else:
            assert scheduled.is_critical == (scheduled.total_slack == 0)
        if task.actual_start is not None and task.duration:  # a milestone's finish wins
            assert scheduled.start == task.actual_start
            assert scheduled.late_start == scheduled.start
    fixed = {task.key for task in network.tasks if task.actual_start or task.actual_finish}
    for dependency in network.dependencies:
        if dependency.successor in fixed:
            continue
        before = result.tasks[dependency.predecessor]
        ready = calendar.day_index(before.start if network.duration(dependency.predecessor) == 0
                                   else before.finish + timedelta(days=1)) + dependency.lag
        assert calendar.day_index(result.tasks[dependency.successor].start) >= ready
    for before, after in zip(result.critical_path, result.critical_path[1:]):
        assert result.tasks[before].is_critical and result.tasks[after].is_critical


@PROPERTY
@given(networks(max_tasks=15), st.data())
def test_any_cycle_is_refused_and_named(network, data):
    assume(network.dependencies)
    # Close a loop: a dependency back from the end of an existing chain to its start.
    dependency = data.draw(st.sampled_from(network.dependencies))
    network.dependencies.append(Dependency(dependency.successor, dependency.predecessor))
    with pytest.raises(CycleError) as raised:
        _run(network)
    cycle = raised.value.cycle
    assert cycle[0] == cycle[-1] and len(cycle) >= 3
    edges = {(d.predecessor, d.successor) for d in network.dependencies}
    assert all(pair in edges for pair in pairwise(cycle))
    assert " -> ".join(cycle) in str(raised.value)
