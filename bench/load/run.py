"""The load test: gunicorn on 127.0.0.1 with SQLite and with PostgreSQL, locust headless for a bounded time.

    .venv/bin/python bench/load/run.py [--database sqlite|postgresql|both] [--users 50] [--seconds 60]

For each database: a fresh database (SQLite under bench/.data/, or PostgreSQL ``load_test`` dropped and
created), ``flask db upgrade``, ``flask generate --scale 1 --seed 1``, one account per simulated user
(``prepare.py``), gunicorn with the repository's gunicorn.conf.py serving ``hello_app:app`` on a free port, the
mixed locust run (browsing, agenda edits, attendance marking), then a locust run against ``GET /hello`` only
(the ceiling), gunicorn stopped, its log scanned for "database is locked", tracebacks and 5xx answers.
Figures go to bench/load/results/<database>.md. Exits 1 when anything failed. See bench/load/README.md.
"""
import argparse
import csv
import os
import platform
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "bench" / "load"
DATA = ROOT / "bench" / ".data"
RESULTS = HERE / "results"
BIN = Path(sys.executable).parent
PG_SERVER = "postgres@127.0.0.1:5432"
PG_DATABASE = "load_test"
#: share of the simulated users per kind; browsers take the rest
EDITOR_SHARE = TRAINER_SHARE = 0.15
KINDS = ("login", "browse", "agenda", "attendance")
LOCUST_WARNING = re.compile(r"/(?:WARNING|ERROR|CRITICAL)/[\w.]+: (.+)")
ACCESS_LINE = re.compile(r'"(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+) HTTP/[\d.]+" (\d{3}) ')


@dataclass
class Outcome:
    database: str
    problems: list[str] = field(default_factory=list)


def log(message: str) -> None:
    print(f"[load {datetime.now():%H:%M:%S}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def secret_key() -> str:
    """A stable SECRET_KEY for the load test (every worker must sign and read the same sessions)."""
    path = DATA / "load_secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def run(command: list, env: dict, what: str, timeout: float = 600) -> str:
    log(f"{what}: {shlex.join(str(part) for part in command)}")
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


# --- the database --------------------------------------------------------------------------------------------

def fresh_database(database: str) -> str:
    """An empty database; returns its SQLAlchemy URL."""
    if database == "sqlite":
        path = DATA / "load-sqlite.db"
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(f"postgresql://{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"postgresql+psycopg://{PG_SERVER}/{PG_DATABASE}"


def database_version(database: str, url: str) -> str:
    if database == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        return "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0].split()[0]


def split_users(users: int) -> dict[str, int]:
    editors = max(1, round(users * EDITOR_SHARE))
    trainers = max(1, round(users * TRAINER_SHARE))
    browsers = users - editors - trainers
    if browsers < 1:
        raise SystemExit("--users must be at least 3 (a browser, an editor and a trainer)")
    return {"browsers": browsers, "editors": editors, "trainers": trainers}


def prepare(database: str, env: dict, args, split: dict) -> dict:
    """Migrate, generate the programme, add the accounts; returns what the report needs."""
    started = time.perf_counter()
    flask = [str(BIN / "flask"), "--app", "planner"]
    run([*flask, "db", "upgrade"], env, "migrate")
    generated = run([*flask, "generate", "--scale", str(args.scale), "--seed", str(args.seed)], env, "generate")
    programme_id = int(re.search(r"\(id (\d+)\)", generated).group(1))
    accounts_file = DATA / f"{database}-accounts.json"
    run([str(BIN / "python"), str(HERE / "prepare.py"), "--programme-id", str(programme_id),
         "--editors", str(split["editors"]), "--trainers", str(split["trainers"]),
         "--browsers", str(split["browsers"]), "--out", str(accounts_file)], env, "accounts")
    return {"generated": generated.strip(), "accounts_file": accounts_file,
            "seconds": time.perf_counter() - started}


# --- the server ----------------------------------------------------------------------------------------------

def start_server(env: dict, log_path: Path, base_url: str) -> subprocess.Popen:
    command = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--pythonpath", str(HERE),
               "hello_app:app"]
    log(f"gunicorn: {shlex.join(command)} (GUNICORN_BIND={env['GUNICORN_BIND']})")
    with open(log_path, "wb") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; see {log_path}")


def stop_server(server: subprocess.Popen) -> None:
    """TERM to the gunicorn master (it stops its workers); KILL to its process group if it lingers."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=45)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def wait_until_idle(base_url: str, log_path: Path, quiet_seconds: float = 3, limit_seconds: float = 90) -> None:
    """Let the server finish what a stopped locust run left in flight (requests locust gave up on still run and
    queue): wait until the access log has been still for ``quiet_seconds`` and /healthz answers at once."""
    deadline = time.monotonic() + limit_seconds
    size, still_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        current = log_path.stat().st_size
        if current != size:
            size, still_since = current, time.monotonic()
        elif time.monotonic() - still_since >= quiet_seconds:
            started = time.monotonic()
            try:
                with urllib.request.urlopen(f"{base_url}/healthz", timeout=10):
                    pass
            except OSError:
                pass
            if time.monotonic() - started < 0.5:
                return
            size = -1
        time.sleep(0.5)
    log(f"the server was still busy {limit_seconds:.0f} s after the run")


def server_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) used so far by the gunicorn master and its workers, from /proc; workers that
    ended (a timeout, a restart) count through the master's time of its waited-for children."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        pid, parent = int(stat.parent.name), int(fields[1])
        if pid == master_pid:
            total += sum(int(value) for value in fields[11:15])
        elif parent == master_pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def scan_log(log_path: Path) -> dict:
    text = log_path.read_text(errors="replace")
    statuses: dict[str, int] = {}
    server_errors = []
    for match in ACCESS_LINE.finditer(text):
        status = match.group(3)
        statuses[status] = statuses.get(status, 0) + 1
        if status.startswith("5"):
            server_errors.append(f"{match.group(1)} {match.group(2)} {status}")
    return {"database_locked": len(re.findall(r"database is locked", text, re.IGNORECASE)),
            "tracebacks": text.count("Traceback (most recent call last)"),
            "worker_timeouts": text.count("WORKER TIMEOUT"),
            "error_lines": sum(1 for line in text.splitlines() if "[ERROR]" in line or "[CRITICAL]" in line),
            "server_errors": server_errors, "statuses": dict(sorted(statuses.items())),
            "workers": len(set(re.findall(r"Booting worker with pid: (\d+)", text)))}


# --- locust --------------------------------------------------------------------------------------------------

def run_locust(env: dict, base_url: str, users: int, spawn_rate: float, seconds: int, csv_prefix: Path,
               user_classes: list[str], output_path: Path) -> int:
    command = [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(users),
               "-r", str(spawn_rate), "-t", f"{seconds}s", "--stop-timeout", "30", "--host", base_url,
               "--csv", str(csv_prefix), "--only-summary", "--loglevel", "WARNING", *user_classes]
    log(f"locust: {shlex.join(command)}")
    with open(output_path, "w") as output:
        done = subprocess.run(command, cwd=HERE, env=env, stdout=output, stderr=subprocess.STDOUT,
                              timeout=seconds + 180)
    return done.returncode


def read_stats(csv_prefix: Path) -> list[dict]:
    with open(f"{csv_prefix}_stats.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def read_failures(csv_prefix: Path) -> list[dict]:
    path = Path(f"{csv_prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def kind_of(name: str) -> str:
    return name.split(":", 1)[0] if ":" in name else "other"


# --- the report ----------------------------------------------------------------------------------------------

def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                             if line.startswith("MemTotal")))
        memory = f"{memory_kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        memory = "RAM unknown"
    return f"{model}, {os.cpu_count()} cores, {memory}, {platform.system()} {platform.release()}"


def git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}{' (with uncommitted changes)' if dirty else ''}"


def versions() -> str:
    from importlib.metadata import version

    return ", ".join(f"{name} {version(name)}" for name in ("gunicorn", "locust", "Flask", "SQLAlchemy", "argon2-cffi"))


def milliseconds(value: str) -> str:
    try:
        return f"{float(value):.0f}"
    except ValueError:
        return value or "-"


def cpu_per_request(seconds: float, row: dict) -> str:
    count = int(row["Request Count"])
    return f"{1000 * seconds / count:.1f}" if count else "-"


def stats_table(rows: list[dict]) -> list[str]:
    lines = ["| request | method | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        lines.append(f"| {row['Name']} | {row['Type'] or 'all'} | {row['Request Count']} | {row['Failure Count']} "
                     f"| {float(row['Requests/s']):.1f} | {milliseconds(row['50%'])} | {milliseconds(row['95%'])} "
                     f"| {milliseconds(row['99%'])} | {milliseconds(row['Max Response Time'])} |")
    return lines


def write_report(outcome: Outcome, args, context: dict) -> Path:
    mixed, hello = context["mixed"], context["hello"]
    requests_only = [row for row in mixed if row["Name"] != "Aggregated"]
    total = next(row for row in mixed if row["Name"] == "Aggregated")
    hello_total = next((row for row in hello if row["Name"] == "Aggregated"), None)
    per_kind: dict[str, int] = {}
    for row in requests_only:
        per_kind[kind_of(row["Name"])] = per_kind.get(kind_of(row["Name"]), 0) + int(row["Request Count"])
    after_login = sum(count for kind, count in per_kind.items() if kind != "login") or 1
    scan, split = context["scan"], context["split"]
    warmup_total = next((row for row in context["warmup"] if row["Name"] == "Aggregated"), None)
    failures = sum(int(row["Failure Count"]) for row in (total, hello_total, warmup_total) if row)
    lines = [
        f"# Load test on {context['label']}",
        "",
        "Indicative figures: measured on a machine shared with other work (load average "
        f"{context['load_before']} before the run); the lead's figures on a quiet machine go to bench/RESULTS.md.",
        "",
        f"- **Command**: `{context['command']}`",
        f"- **Date**: {context['date']}",
        f"- **Machine**: {machine()}",
        f"- **Git commit**: {git_commit()}",
        f"- **Software**: Python {platform.python_version()}, {context['database_version']}, {versions()}",
        f"- **Server**: gunicorn on 127.0.0.1 with the repository's gunicorn.conf.py: {scan['workers']} sync workers "
        f"({context['workers_rule']}), timeout 30 s, access log on; `PLANNER_ENV=production` "
        "(argon2-cffi default cost), `PLANNER_BASE_URL=http://127.0.0.1:<port>` (so the session cookie is not "
        "`Secure` and works over http), a stable `SECRET_KEY`; WSGI app `bench/load/hello_app.py` "
        "(`GET /hello` bare, everything else the planner).",
        f"- **Data**: `flask generate --scale {args.scale:g} --seed {args.seed}` plus one account per simulated user "
        f"(`bench/load/prepare.py`), {context['prepare_seconds']:.0f} s to prepare.",
        f"- **Load**: {args.users} users ({split['browsers']} browsing, {split['editors']} editing agendas, "
        f"{split['trainers']} marking attendance), spawned at {args.spawn_rate:g}/s, each logging in through the "
        f"form, then {args.wait.replace(',', '-')} s between tasks (editors 3 times as long: they type, and an "
        f"edit is 3-4 requests); {args.seconds} s. The ceiling: {args.users} users asking `GET /hello` with no "
        f"pause for {args.hello_seconds} s.",
        "- **Warm-up**: "
        + (f"the same users for {args.warmup_seconds} s before the measured run ({warmup_total['Request Count']} "
           f"requests, {warmup_total['Failure Count']} failures; not in the figures below, but in the failure and "
           "log counts)." if warmup_total else "none."),
        "",
        "## Summary",
        "",
        "| run | requests | failures | req/s | p50 ms | p95 ms | p99 ms | server CPU ms per request |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| planner mix | {total['Request Count']} | {total['Failure Count']} | {float(total['Requests/s']):.1f} "
        f"| {milliseconds(total['50%'])} | {milliseconds(total['95%'])} | {milliseconds(total['99%'])} "
        f"| {cpu_per_request(context['cpu']['mixed'], total)} |",
    ]
    if hello_total:
        lines.append(f"| `GET /hello` (ceiling) | {hello_total['Request Count']} | {hello_total['Failure Count']} "
                     f"| {float(hello_total['Requests/s']):.1f} | {milliseconds(hello_total['50%'])} "
                     f"| {milliseconds(hello_total['95%'])} | {milliseconds(hello_total['99%'])} "
                     f"| {cpu_per_request(context['cpu']['hello'], hello_total)} |")
    lines += [
        "",
        "Server CPU is the user and system time of the gunicorn master and workers during the run (from /proc) "
        "divided by the requests: it does not depend on what else the machine was doing, unlike the times "
        "(the database server's own CPU is not in it).",
        "",
        f"- locust failures: **{failures}**; 'database is locked' in the server log: **{scan['database_locked']}**; "
        f"tracebacks: **{scan['tracebacks']}**; 5xx answers: **{len(scan['server_errors'])}**; worker timeouts: "
        f"**{scan['worker_timeouts']}**; [ERROR]/[CRITICAL] lines: **{scan['error_lines']}**.",
        "- Status codes in the access log (warm-up, mix and ceiling): "
        + ", ".join(f"{status}: {count}" for status, count in scan["statuses"].items()) + ".",
        f"- Result: **{'PASS' if not outcome.problems else 'FAIL: ' + '; '.join(outcome.problems)}**.",
    ]
    if context["locust_warnings"]:
        lines.append(f"- locust warned: {'; '.join(context['locust_warnings'])}")
    lines += [
        "",
        "## Mix after logging in",
        "",
        "| kind | requests | share |",
        "| --- | ---: | ---: |",
    ]
    for kind in KINDS[1:]:
        count = per_kind.get(kind, 0)
        lines.append(f"| {kind} | {count} | {100 * count / after_login:.0f}% |")
    lines.append(f"| (login, not in the shares) | {per_kind.get('login', 0)} | |")
    lines += ["", "## Per request type (planner mix)", "", *stats_table(requests_only + [total])]
    if hello:
        lines += ["", "## Ceiling", "", *stats_table([row for row in hello if row["Name"] != "Aggregated"])]
    failure_rows = context["failure_rows"]
    if failure_rows:
        lines += ["", "## Failures", "", "| request | method | error | occurrences |", "| --- | --- | --- | ---: |"]
        lines += [f"| {row['Name']} | {row['Method']} | {row['Error'].replace('|', '/')} | {row['Occurrences']} |"
                  for row in failure_rows]
    if scan["server_errors"]:
        lines += ["", "## 5xx answers", ""] + [f"- {line}" for line in scan["server_errors"][:20]]
    path = RESULTS / f"{outcome.database}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


# --- one database --------------------------------------------------------------------------------------------

def load_test(database: str, args) -> Outcome:
    outcome = Outcome(database)
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[database]
    log(f"=== {label} ===")
    load_before = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    url = fresh_database(database)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "GUNICORN_"))}
    env.update({"DATABASE_URL": url, "PLANNER_ENV": "production", "SECRET_KEY": secret_key(),
                "PLANNER_BASE_URL": base_url, "PLANNER_INSTANCE_PATH": str(DATA / "instance"),
                "GUNICORN_BIND": f"127.0.0.1:{port}", "PYTHONUNBUFFERED": "1"})
    workers_rule = "gunicorn.conf.py: min(4, 2 x cores + 1)"
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
        workers_rule = "set with --workers"
    split = split_users(args.users)
    prepared = prepare(database, env, args, split)
    log(prepared["generated"])
    server_log = DATA / f"{database}-gunicorn.log"
    server = start_server(env, server_log, base_url)
    try:
        locust_env = {**env, "LOAD_ACCOUNTS": str(prepared["accounts_file"]), "LOAD_WAIT": args.wait}
        mixed_prefix, hello_prefix = DATA / f"{database}-mixed", DATA / f"{database}-hello"
        mixed_output, hello_output = DATA / f"{database}-locust-mixed.txt", DATA / f"{database}-locust-hello.txt"
        warmup_prefix, warmup_output = DATA / f"{database}-warmup", DATA / f"{database}-locust-warmup.txt"
        warmup_code = 0
        if args.warmup_seconds:  # every worker loads its templates and caches: not measured
            warmup_code = run_locust(locust_env, base_url, args.users, args.spawn_rate, args.warmup_seconds,
                                     warmup_prefix, ["Browser", "AgendaEditor", "Trainer"], warmup_output)
            wait_until_idle(base_url, server_log)
        cpu_before = server_cpu_seconds(server.pid)
        mixed_code = run_locust(locust_env, base_url, args.users, args.spawn_rate, args.seconds, mixed_prefix,
                                ["Browser", "AgendaEditor", "Trainer"], mixed_output)
        wait_until_idle(base_url, server_log)
        cpu_mixed = server_cpu_seconds(server.pid)
        hello_code = run_locust({**env, "LOAD_ACCOUNTS": ""}, base_url, args.users, args.users, args.hello_seconds,
                                hello_prefix, ["HelloUser"], hello_output)
        cpu_hello = server_cpu_seconds(server.pid)
    finally:
        stop_server(server)
    scan = scan_log(server_log)
    mixed, hello = read_stats(mixed_prefix), read_stats(hello_prefix)
    warmup = read_stats(warmup_prefix) if args.warmup_seconds else []
    prefixes = (warmup_prefix, mixed_prefix, hello_prefix) if args.warmup_seconds else (mixed_prefix, hello_prefix)
    failure_rows = [row for prefix in prefixes for row in read_failures(prefix)]
    outputs = (warmup_output, mixed_output, hello_output) if args.warmup_seconds else (mixed_output, hello_output)
    warnings = sorted({match.group(1).strip() for output in outputs
                       for match in LOCUST_WARNING.finditer(output.read_text(errors="replace"))})
    total_failures = sum(int(row["Failure Count"]) for row in warmup + mixed + hello if row["Name"] == "Aggregated")
    if warmup_code or mixed_code or hello_code:
        outcome.problems.append(f"locust exited with {warmup_code} (warm-up), {mixed_code} (mix) and "
                                f"{hello_code} (hello)")
    if total_failures:
        outcome.problems.append(f"{total_failures} failed requests")
    if not any(int(row["Request Count"]) for row in mixed if row["Name"] == "Aggregated"):
        outcome.problems.append("the mix made no request")
    for key, what in (("database_locked", "'database is locked'"), ("tracebacks", "tracebacks"),
                      ("worker_timeouts", "worker timeouts")):
        if scan[key]:
            outcome.problems.append(f"{scan[key]} {what} in the server log")
    if scan["server_errors"]:
        outcome.problems.append(f"{len(scan['server_errors'])} 5xx answers")
    if os.environ.get("MAKELEVEL"):
        command = f'make load LOAD_ARGS="{args.command_args}"' if args.command_args else "make load"
    else:
        command = f".venv/bin/python bench/load/run.py {args.command_args}".strip()
    report = write_report(outcome, args, {
        "label": label, "mixed": mixed, "hello": hello, "scan": scan, "split": split, "load_before": load_before,
        "command": command, "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "database_version": database_version(database, url), "workers_rule": workers_rule,
        "prepare_seconds": prepared["seconds"], "failure_rows": failure_rows, "locust_warnings": warnings,
        "warmup": warmup, "cpu": {"mixed": cpu_mixed - cpu_before, "hello": cpu_hello - cpu_mixed}})
    log(f"{label}: {'PASS' if not outcome.problems else 'FAIL: ' + '; '.join(outcome.problems)}; "
        f"report in {report.relative_to(ROOT)}")
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60, help="length of the mixed run")
    parser.add_argument("--hello-seconds", type=int, default=20, help="length of the GET /hello run")
    parser.add_argument("--warmup-seconds", type=int, default=20,
                        help="an unmeasured run of the same users first, so every worker is warm (0: none)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--wait", default="0.5,2", help="seconds between a user's tasks: min,max")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--scale", type=float, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.command_args = " ".join(sys.argv[1:])
    if not (BIN / "locust").exists():
        print("locust is missing: .venv/bin/python -m pip install -e '.[bench]' (or use `make load`)")
        return 2
    DATA.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    outcomes = []
    for database in databases:
        try:
            outcomes.append(load_test(database, args))
        except Exception as error:  # a database that cannot be reached, a server that does not start
            log(f"{database}: could not run: {error}")
            outcomes.append(Outcome(database, [f"could not run: {str(error).splitlines()[0]}"]))
    failed = [outcome for outcome in outcomes if outcome.problems]
    for outcome in outcomes:
        print(f"{outcome.database}: {'PASS' if not outcome.problems else 'FAIL: ' + '; '.join(outcome.problems)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
