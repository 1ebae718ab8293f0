"""Benchmark: planner.scheduling.schedule() against networkx on one random plan.

Builds a seeded random DAG (10,000 tasks, 20,000 finish-to-start dependencies, durations 0-20,
lags 0-3), then times
- schedule(): forward pass, backward pass, slack, critical path and every date, and
- networkx.dag_longest_path_length(): the forward pass only, on the same graph with each
  dependency weighted by its predecessor's duration plus its lag, and a sink fed by every task
  without successors weighted by that task's duration (so both compute the project length).
The networkx graph is built outside the timing; the two take turns, so both see the same
machine load. Prints best and median of 5 runs each and the ratio; asserts nothing.
Run: .venv/bin/python bench/schedule_engine.py [--tasks N] [--seed S] [--repeats R]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx  # noqa: E402

from planner.scheduling import Dependency, Task, WorkingCalendar, schedule  # noqa: E402

PROJECT_START = date(2026, 1, 5)
CALENDAR = WorkingCalendar(
    holidays=frozenset({date(2026, 1, 1), date(2026, 12, 25), date(2027, 1, 1)})
)


def random_plan(task_count: int, dependency_count: int, seed: int):
    """Tasks in shuffled order and dependencies between random pairs that respect a hidden
    order (so the graph is acyclic)."""
    rng = random.Random(seed)
    keys = [f"task:{number}" for number in range(task_count)]
    tasks = [Task(key, rng.randint(0, 20)) for key in keys]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < dependency_count:
        first, second = rng.sample(range(task_count), 2)
        pairs.add((min(first, second), max(first, second)))
    dependencies = [
        Dependency(keys[before], keys[after], rng.randint(0, 3)) for before, after in sorted(pairs)
    ]
    rng.shuffle(tasks)
    rng.shuffle(dependencies)
    return tasks, dependencies


def networkx_graph(tasks, dependencies) -> networkx.DiGraph:
    duration = {task.key: task.duration for task in tasks}
    graph = networkx.DiGraph()
    graph.add_nodes_from(duration)
    for dependency in dependencies:
        graph.add_edge(
            dependency.predecessor,
            dependency.successor,
            weight=duration[dependency.predecessor] + dependency.lag,
        )
    sinks = [key for key in duration if graph.out_degree(key) == 0]
    for key in sinks:
        graph.add_edge(key, "(end)", weight=duration[key])
    return graph


def timed_alternately(functions, repeats: int) -> tuple[list[list[float]], list[object]]:
    """Run each function `repeats` times, taking turns so both see the same machine load."""
    times: list[list[float]] = [[] for _ in functions]
    results: list[object] = [None] * len(functions)
    for _ in range(repeats):
        for number, function in enumerate(functions):
            started = time.perf_counter()
            results[number] = function()
            times[number].append(time.perf_counter() - started)
    return times, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--dependencies", type=int, default=None, help="default: 2 x tasks")
    parser.add_argument("--seed", type=int, default=20260105)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    dependency_count = options.dependencies or 2 * options.tasks

    tasks, dependencies = random_plan(options.tasks, dependency_count, options.seed)
    graph = networkx_graph(tasks, dependencies)

    (engine_times, nx_times), (result, nx_length) = timed_alternately(
        [
            lambda: schedule(tasks, dependencies, CALENDAR, PROJECT_START),
            lambda: networkx.dag_longest_path_length(graph, weight="weight"),
        ],
        options.repeats,
    )

    duration = {task.key: task.duration for task in tasks}
    engine_length = max(
        CALENDAR.working_days_between(PROJECT_START, item.start) + duration[item.key]
        for item in result.tasks.values()
    )

    print(f"plan: {len(tasks):,} tasks, {len(dependencies):,} dependencies, seed {options.seed}")
    print(f"project length: engine {engine_length} working days, networkx {nx_length} "
          f"({'agree' if engine_length == nx_length else 'DISAGREE'}); "
          f"critical path {len(result.critical_path)} tasks, finish {result.finish}")
    print(f"{'':34}{'best':>10}{'median':>10}")
    for label, times in (
        ("schedule() (forward+backward+CP)", engine_times),
        ("networkx.dag_longest_path_length", nx_times),
    ):
        print(f"{label:34}{min(times) * 1000:>8.1f}ms{statistics.median(times) * 1000:>8.1f}ms")
    print(f"ratio engine/networkx: best {min(engine_times) / min(nx_times):.2f}, "
          f"median {statistics.median(engine_times) / statistics.median(nx_times):.2f}")


if __name__ == "__main__":
    main()
