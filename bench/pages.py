"""Benchmark: every main page, calendar feed and API list at two scales, side by side.

For each scale (default 1 and 10) a generated programme is built once and cached (bench/datasets.py). On a
throwaway copy of each, the planner runs in this process (``create_app`` + the Flask test client), logged in
through the login form as the generated project manager, committee member, trainer and viewer, and with an
API token made by the service ``flask create-api-token`` uses. Per URL: 3 warm-up requests per scale, then
``--repeats`` timed ones, the scales taking turns; p50 and p95 (nearest rank) of the server time and the SQL
statements per request. Then a feed of 1,000 events against plain icalendar, and the schedule engine against
networkx (bench/schedule_engine.py). Prints a markdown report and writes it to ``--out``; asserts nothing.

Run: .venv/bin/python bench/pages.py [--scales 1,10] [--repeats 30] [--only SUBSTRING]
     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--explain-queries] [--out PATH]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repository, not bench/: import bench.*

from bench import datasets  # noqa: E402

datasets.configure_environment()

from bench import feed, measure, report  # noqa: E402
from planner.core.heap import freeze_startup_objects  # noqa: E402

#: the planner's "today" in every database and every request: a fixed day, so cached data stays mid-rollout
#: and runs on different days compare (``--today`` changes it; a new day means new databases)
BENCH_DAY = date(2026, 11, 18)
WARMUPS = 3


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10", help="comma-separated generator scales (default 1,10)")
    parser.add_argument("--repeats", type=int, default=30, help="timed requests per URL and scale (default 30)")
    parser.add_argument("--only", default=None, help="time only URLs containing this text (skips the feed of "
                        "1,000 events and the schedule engine)")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server URL: databases bench_s<scale> are made there instead of SQLite files")
    parser.add_argument("--out", default=str(datasets.ROOT / "bench" / "results" / "latest.md"),
                        help="where to write the report (default bench/results/latest.md)")
    parser.add_argument("--seed", type=int, default=1, help="the generator's seed (default 1)")
    parser.add_argument("--today", type=date.fromisoformat, default=BENCH_DAY,
                        help=f"the planner's today (default {BENCH_DAY})")
    parser.add_argument("--rebuild", action="store_true", help="build the databases even when cached")
    parser.add_argument("--explain-queries", action="store_true",
                        help="also list, per URL at the largest scale, the statements repeated within one request "
                        "and the three costliest (database time, from one more untimed request)")
    options = parser.parse_args(argv)
    options.scales = sorted({float(scale) for scale in options.scales.split(",") if scale.strip()})
    if not options.scales or min(options.scales) <= 0:
        parser.error("--scales needs positive numbers")
    if options.repeats < 1:
        parser.error("--repeats must be at least 1")
    if options.database_url and not options.database_url.startswith("postgresql"):
        parser.error("--database-url must be a postgresql:// URL (SQLite is the default)")
    return options


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_version(url: str) -> str:
    if not url.startswith("postgresql"):
        return "SQLite files (bench/.data/)"
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return "PostgreSQL " + connection.execute(text("SHOW server_version")).scalar()
    finally:
        engine.dispose()


def schedule_engine_lines() -> list[str]:
    result = subprocess.run([sys.executable, str(datasets.ROOT / "bench" / "schedule_engine.py")],
                            capture_output=True, text=True, cwd=datasets.ROOT)
    if result.returncode != 0:
        return ["**FAIL**: bench/schedule_engine.py exited with " + str(result.returncode), "",
                "```", result.stderr.strip()[-2000:], "```"]
    return ["```", result.stdout.rstrip(), "```"]


def feed_lines(figures: dict) -> list[str]:
    ratio50 = figures["feed_p50"] / figures["baseline_p50"]
    ratio95 = figures["feed_p95"] / figures["baseline_p95"]
    verdict = "ok" if ratio95 <= report.MAX_FEED_RATIO and ratio50 <= report.MAX_FEED_RATIO else \
        f"**MISS: feed above {report.MAX_FEED_RATIO}x icalendar**"
    if figures["feed_events"] != feed.EVENTS or figures["baseline_events"] != feed.EVENTS \
            or figures["statuses"] != [200]:
        verdict = f"**FAIL: {figures['feed_events']} / {figures['baseline_events']} events, " \
                  f"statuses {figures['statuses']}**"
    return [
        f"Feed of `{figures['email']}` with {figures['feed_events']} VEVENTs ({figures['zones']} time zones, "
        f"{figures['feed_bytes']:,} bytes); the icalendar baseline builds the same {figures['baseline_events']} "
        f"VEVENTs ({figures['baseline_bytes']:,} bytes).", "",
        "| what | queries | p50 ms | p95 ms |", "|---|---|---|---|",
        f"| `GET /calendar/<token>.ics` (server time) | {report.queries_cell(figures['queries'])} | "
        f"{report.ms(figures['feed_p50'])} | {report.ms(figures['feed_p95'])} |",
        f"| icalendar: build + `to_ical()` | - | {report.ms(figures['baseline_p50'])} | "
        f"{report.ms(figures['baseline_p95'])} |",
        f"| ratio feed / icalendar | | {ratio50:.2f} | {ratio95:.2f} |", "",
        f"Target: the feed within {report.MAX_FEED_RATIO}x (p50 and p95): {verdict}", ""]


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    started = time.perf_counter()
    datasets.pin_clock(options.today, running=True)
    machine = report.machine(database_version(options.database_url or "sqlite"))
    made = [(datasets.postgres_dataset(options.database_url, scale, options.seed, options.today,
                                       rebuild=options.rebuild, log=log) if options.database_url else
             datasets.sqlite_dataset(scale, options.seed, options.today, rebuild=options.rebuild, log=log))
            for scale in options.scales]
    copies: list[str] = []
    sites: list[measure.Site] = []
    try:
        for dataset in made:
            copies.append(datasets.working_copy(dataset, "run"))
            sites.append(measure.Site(dataset.scale, copies[-1]))
        freeze_startup_objects()  # as gunicorn's workers do once the app is loaded (gunicorn.conf.py)
        entries = [*measure.PAGES, *measure.api_entries(sites[0].app)]
        untimed = measure.untimed_routes(sites[0].app, entries)
        if options.only:
            entries = [entry for entry in entries if options.only in entry.label or options.only in entry.template]
        log(f"timing {len(entries)} URLs at scales {', '.join(f'{s:g}' for s in options.scales)}: "
            f"{WARMUPS} warm-ups + {options.repeats} timed requests each")
        rows, explained = [], {}
        for entry in entries:
            timings = measure.time_entry(entry, sites, warmups=WARMUPS, repeats=options.repeats)
            kind = entry.kind or ("paginated" if any(t and t.paginated for t in timings) else "page")
            size = measure.equal_rows_size(timings) if kind in ("paginated", "api") else None
            equal = measure.time_entry(entry, sites, warmups=WARMUPS, repeats=options.repeats,
                                       page_size=size) if size else None
            rows.append((entry.label, kind, timings, equal))
            if options.explain_queries and timings[-1] is not None:
                explained[entry.label] = sites[-1].explain(entry, timings[-1].path)
            misses = report.row_verdict(kind, timings, equal)
            log(f"  {entry.label:70} " + "  ".join(
                f"s{site.scale:g}: {report.queries_cell(t.queries) if t else '-':>5}q "
                f"p50 {report.ms(t.p50) if t else '-':>7} p95 {report.ms(t.p95) if t else '-':>7}"
                for site, t in zip(sites, timings))
                + (f"   at {size} rows: p95 {' / '.join(report.ms(t.p95) if t else '-' for t in equal)}"
                   if equal else "")
                + ("   MISS: " + ", ".join(misses) if misses else ""))
        for site in sites:
            site.close()
        sites = []
        feed_figures = None
        if not options.only:
            copies.append(datasets.working_copy(made[0], "feed"))
            log("feed of 1,000 events against icalendar ...")
            feed_figures = feed.run(copies[-1], options.today, warmups=WARMUPS, repeats=options.repeats, log=log)
            log("schedule engine against networkx ...")
            engine_lines = schedule_engine_lines()
        text = compose(options, machine, made, rows, explained, untimed, feed_figures,
                       engine_lines if not options.only else None, time.perf_counter() - started)
    finally:
        for site in sites:
            site.close()
        for url in copies:
            datasets.discard_copy(url)
    print(text)
    out = Path(options.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n")
    log(f"written to {out}")
    failed = [label for label, kind, timings, equal in rows
              if any(miss.startswith("FAIL") for miss in report.row_verdict(kind, timings, equal))]
    if failed:
        log("FAILED (not 200): " + ", ".join(failed))
    return 1 if failed else 0


def compose(options, machine, made, rows, explained, untimed, feed_figures, engine_lines, seconds) -> str:
    scales = options.scales
    command = " ".join([".venv/bin/python", "bench/pages.py", *sys.argv[1:]])
    lines = ["# Page benchmark", "",
             f"`{command}` on {time.strftime('%Y-%m-%d %H:%M %Z')}, {seconds / 60:.1f} minutes "
             f"(load average at the end {' '.join(f'{load:.2f}' for load in os.getloadavg())}).", "", *machine, ""]
    for dataset in made:
        counts = dataset.counts or {}
        shown = ", ".join(f"{counts[key]:,} {key}" for key in ("people", "training sessions", "attendance marks",
                                                                "meeting occurrences", "risks") if key in counts)
        lines.append(f"- scale {dataset.scale:g}: {shown or 'counts unknown'} "
                     f"({'cached' if dataset.reused else f'built in {dataset.build_seconds:.0f} s'})")
    lines += [
        "",
        f"Generated with seed {options.seed}, \"today\" {options.today} (the planner's clock reads that day in every "
        f"request). Times are **server time**: in this process, from the test client's call to the last byte of "
        f"the body (no network, no HTTP server). {WARMUPS} warm-up requests, then {options.repeats} timed ones per "
        f"URL and scale, the scales taking turns; p50 and p95 are **nearest-rank** percentiles, in milliseconds. "
        f"Queries: SQL statements per request (transaction control and PRAGMAs not counted), min-max over the timed "
        f"requests. Kind `paginated`: the view called `db.paginate`. Pages as the project manager unless a role "
        f"is named; API lists with a bearer token, default `per_page`. Rows: on the first paginated list of the "
        f"page, per scale. **Equal rows**: where the smallest scale's list is shorter than a page (10 regions "
        f"against a page of 25), the URL is timed once more at every scale with that many rows per page "
        f"(`ITEMS_PER_PAGE`, or `per_page` on the API), so both pages draw the same rows and differ only in the "
        f"data behind them; the ratio target is judged on that pass.", "",
        f"Targets: query counts identical at every scale; p95 at s{scales[-1]:g} at most "
        f"{report.MAX_PAGINATED_RATIO}x s{scales[0]:g} on paginated pages and API lists; dashboards under "
        f"{report.MAX_DASHBOARD_P95_MS} ms p95 at s{scales[-1]:g}.", "",
        *report.table(rows, scales), ""]
    missed = [(label, kind, timings, report.row_verdict(kind, timings, equal))
              for label, kind, timings, equal in rows]
    missed = [item for item in missed if item[3]]
    lines += ["## Targets missed", ""]
    lines += [f"- `{label}` ({kind}): {', '.join(misses)}" for label, kind, _timings, misses in missed] or ["- none"]
    lines.append("")
    growing = [(label, timings) for label, _kind, timings, _equal in rows
               if len({t.queries for t in timings if t is not None}) > 1]
    if growing:
        lines += ["## Statements whose number grows with the data", "",
                  "Normalised (literals and IN lists folded); per request, at each scale.", ""]
        for label, timings in growing:
            lines += report.growing_statements(label, timings, scales, limit=8)
    if explained:
        lines += ["## Statements per request at the largest scale", "",
                  "Repeated within one request, and the three costliest: time spent in `cursor.execute` during one "
                  "more, untimed, request (SQLite works out aggregates there; the rows of a plain SELECT are read "
                  "afterwards, in Python's time, and are not in this figure).", ""]
        for label, _kind, timings, _equal in rows:
            if label in explained and timings[-1].seconds:
                lines += report.explained_statements(label, timings[-1], explained[label], scales[-1], limit=10)
    if feed_figures is not None:
        lines += ["## Calendar feed of 1,000 events against icalendar", "", *feed_lines(feed_figures)]
    if engine_lines is not None:
        lines += ["## Schedule engine against networkx", "", *engine_lines, ""]
    if untimed:
        lines += ["## GET routes not timed", "",
                  "Neither in the list above nor left out on purpose (forms, downloads, admin pages, item reads):", "",
                  *(f"- `{rule}`" for rule in untimed), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
