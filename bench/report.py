"""The benchmark's output: the machine, the table with its targets, and the statements that repeat."""
from __future__ import annotations

import math
import os
import platform
import sqlite3
import subprocess
import time
from importlib import metadata

from bench.datasets import ROOT

#: paginated pages and API lists: p95 at the largest scale at most this many times the smallest's
MAX_PAGINATED_RATIO = 1.5
#: dashboards: p95 at the largest scale under this many milliseconds
MAX_DASHBOARD_P95_MS = 150
#: the feed of 1,000 events: at most this many times plain icalendar
MAX_FEED_RATIO = 1.5


def _first_line(path: str, prefix: str) -> str:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def calibration_ms() -> float:
    """The best of five runs of a fixed pure-Python loop, in milliseconds: how fast this machine runs Python
    right now. Runs on other machines (or on this one beside a noisy neighbour) compare through it: a page
    twice as slow on a machine whose loop is twice as slow did not get slower."""
    best = math.inf
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for number in range(1_000_000):
            total += number * number
        best = min(best, time.perf_counter() - started)
    return best * 1000


def machine(database_version: str) -> list[str]:
    """Lines describing where the figures come from."""
    memory_kb = _first_line("/proc/meminfo", "MemTotal")
    memory = f"{int(memory_kb.split()[0]) / 1024 / 1024:.1f} GiB" if memory_kb != "unknown" else "unknown"
    commit = _git("rev-parse", "--short=12", "HEAD") or "unknown"
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("Flask", "SQLAlchemy", "icalendar"))
    return [
        f"- CPU: {_first_line('/proc/cpuinfo', 'model name')}, {os.cpu_count()} cores; RAM {memory}; "
        f"load average at the start {' '.join(f'{load:.2f}' for load in os.getloadavg())}",
        f"- Python {platform.python_version()} ({platform.platform()}); {versions}",
        f"- CPU calibration: a loop of 1,000,000 multiply-adds in pure Python, best of 5: "
        f"{calibration_ms():.0f} ms",
        f"- SQLite {sqlite3.sqlite_version}; database: {database_version}",
        f"- git commit {commit}{' with uncommitted changes' if dirty else ''}",
    ]


def ms(seconds: float) -> str:
    return "-" if seconds is None or math.isnan(seconds) else f"{seconds * 1000:.1f}"


def queries_cell(queries: tuple[int, int] | None) -> str:
    if queries is None:
        return "-"
    low, high = queries
    return str(low) if low == high else f"{low}-{high}"


def p95_ratio(timings: list | None) -> float:
    """p95 at the largest scale over p95 at the smallest; NaN when either is missing."""
    if not timings:
        return math.nan
    first, last = timings[0], timings[-1]
    return last.p95 / first.p95 if first and last and first.seconds and last.seconds and first.p95 else math.nan


def row_verdict(kind: str, timings: list, equal: list | None = None) -> list[str]:
    """The targets this row misses (empty when it meets them all). ``equal``: the same URL timed with a page
    size every scale fills (``measure.equal_rows_size``); the ratio target is judged on it when given."""
    present = [timing for timing in timings if timing is not None]
    if not present:
        return []  # nothing of the kind in the generated data: shown as n/a
    misses = []
    failed = [timing for timing in present if not timing.ok]
    if failed or len(present) < len(timings):
        shown = "; ".join(timing.error or str(dict(timing.statuses)) for timing in failed) or \
            "no object to open at some scale"
        misses.append(f"FAIL ({shown})")
        return misses
    counts = {timing.queries for timing in present}
    if len(counts) > 1:
        misses.append("queries differ")
    last = present[-1]
    if equal and not all(timing is not None and timing.ok for timing in equal):
        misses.append("FAIL at equal rows")
    elif equal and len({timing.page_rows[:1] for timing in equal}) > 1:
        misses.append("FAIL: rows still differ at equal rows")
    elif kind in ("paginated", "api") and len(present) > 1 and p95_ratio(equal or present) > MAX_PAGINATED_RATIO:
        misses.append(f"p95 ratio > {MAX_PAGINATED_RATIO}" + (" at equal rows" if equal else ""))
    if kind == "dashboard" and last.p95 * 1000 >= MAX_DASHBOARD_P95_MS:
        misses.append(f"p95 >= {MAX_DASHBOARD_P95_MS} ms")
    return misses


def rows_cell(timings: list) -> str:
    """Rows on the first paginated list per scale (``9 / 25``); "-" for pages that paginate nothing."""
    if not any(timing and timing.page_rows for timing in timings):
        return "-"
    return " / ".join(str(timing.page_rows[0]) if timing and timing.page_rows else "-" for timing in timings)


def equal_cell(equal: list | None) -> str:
    """The equal-rows pass: its page size and p95 per scale, with their ratio."""
    if not equal:
        return "-"
    size = next(timing.page_size for timing in equal if timing is not None)
    rows = {timing.page_rows[0] for timing in equal if timing is not None and timing.page_rows}
    if rows != {size}:  # shown as measured, and failed in row_verdict
        size = " / ".join(str(timing.page_rows[0]) if timing and timing.page_rows else "-" for timing in equal)
    ratio = p95_ratio(equal)
    return (f"{size} rows: " + " / ".join(ms(timing.p95) if timing else "-" for timing in equal)
            + ("" if math.isnan(ratio) else f" = {ratio:.2f}"))


def table(rows: list[tuple], scales: list[float]) -> list[str]:
    """``rows``: (label, kind, [Timing per scale], [Timing per scale] of the equal-rows pass or None). Markdown
    lines."""
    names = [f"s{scale:g}" for scale in scales]
    header = (["URL", "kind"] + [f"queries {name}" for name in names]
              + [f"{stat} {name}" for name in names for stat in ("p50", "p95")]
              + [f"p95 ratio {names[-1]}/{names[0]}", "rows " + " / ".join(names), "p95 at equal rows", "targets"])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for label, kind, timings, equal in rows:
        cells = [f"`{label}`", kind]
        cells += [queries_cell(timing.queries if timing else None) for timing in timings]
        for timing in timings:
            cells += [ms(timing.p50), ms(timing.p95)] if timing else ["-", "-"]
        ratio = p95_ratio(timings)
        cells.append("-" if math.isnan(ratio) else f"{ratio:.2f}")
        cells += [rows_cell(timings), equal_cell(equal)]
        misses = row_verdict(kind, timings, equal)
        if not any(timings):
            cells.append("n/a: nothing of the kind in the generated data")
        else:
            cells.append("**MISS: " + ", ".join(misses) + "**" if misses else "ok")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def growing_statements(label: str, timings: list, scales: list[float], limit: int) -> list[str]:
    """The normalised statements whose number per request differs between scales (the N+1 suspects)."""
    present = [(scale, timing) for scale, timing in zip(scales, timings) if timing is not None]
    every = set().union(*(timing.statements for _scale, timing in present))
    changed = [statement for statement in every
               if len({timing.statements.get(statement, 0) for _scale, timing in present}) > 1]
    changed.sort(key=lambda statement: -max(timing.statements.get(statement, 0) for _scale, timing in present))
    lines = [f"### `{label}`", ""]
    for statement in changed[:limit]:
        counts = " / ".join(f"{timing.statements.get(statement, 0)} at s{scale:g}" for scale, timing in present)
        lines.append(f"- {counts}: `{_short(statement)}`")
    if len(changed) > limit:
        lines.append(f"- ... and {len(changed) - limit} more statements")
    return lines + [""]


def explained_statements(label: str, timing, explained: list[tuple[str, int, float]], scale: float,
                         limit: int) -> list[str]:
    """The statements sent more than once in one request, most repeated first, and the costliest ones
    (database time, from one more untimed request)."""
    repeated = [(count, statement) for statement, count in timing.statements.items() if count > 1]
    repeated.sort(key=lambda item: (-item[0], item[1]))
    total = sum(seconds for _statement, _count, seconds in explained)
    lines = [f"### `{label}` at s{scale:g}: {sum(timing.statements.values())} statements, "
             f"{len(timing.statements)} distinct, {ms(total)} ms in `cursor.execute` (p50 of the page "
             f"{ms(timing.p50)} ms)", ""]
    lines += [f"- repeated {count} x: `{_short(statement)}`" for count, statement in repeated[:limit]] \
        or ["- no statement repeated"]
    lines += [f"- costliest, {ms(seconds)} ms{f' in {count} runs' if count > 1 else ''}: `{_short(statement)}`"
              for statement, count, seconds in explained[:3]]
    return lines + [""]


def _short(statement: str, width: int = 400) -> str:
    statement = statement.replace("`", "'")
    return statement if len(statement) <= width else statement[:width] + " ..."
