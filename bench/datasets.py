"""The benchmark's databases: one generated programme per scale, built once and cached.

A database is built by applying the migrations (what ``flask db upgrade`` runs) and calling the generator
(what ``flask generate --scale N --seed S`` runs) in a child process, with the planner's clock pinned to the
benchmark day, so both scales are "mid-rollout" on the same day and the same inputs give the same rows.

SQLite: ``bench/.data/s<scale>-seed<seed>-<day>-<key>.db``, where ``key`` hashes the migration heads, scale,
seed, day and the generator's source; a file whose key matches is reused. PostgreSQL (``--database-url``):
databases ``bench_s<scale>`` (dropped and created again when built) whose key is kept as the database's
comment. The benchmark itself never runs on the cache: it works on a throwaway copy (a file copy, or
``CREATE DATABASE ... TEMPLATE``), since logging in and creating tokens write rows.

Run as a script, it builds one database: ``python bench/datasets.py URL SCALE SEED DAY`` (the parent does this).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "bench" / ".data"
#: the instance folder of every benchmark process (its generated SECRET_KEY), apart from the developer's
INSTANCE_DIR = DATA_DIR / "instance"
#: raise when the way databases are built changes, so older caches are rebuilt
BUILD_VERSION = 2
#: the generated logins' password; fixed here so PLANNER_DEMO_PASSWORD cannot make a cache unusable
PASSWORD = "rollout-demo-2026"
#: the planner's clock reads this time of day (UTC) on the benchmark day while a database is built
CLOCK_TIME = (12, 0)


def configure_environment() -> None:
    """Settings every benchmark process shares (call before importing planner)."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["PLANNER_INSTANCE_PATH"] = str(INSTANCE_DIR)
    os.environ["PLANNER_ENV"] = "development"
    os.environ.pop("PLANNER_DEMO_PASSWORD", None)
    sys.path.insert(0, str(ROOT))


def app_config(url: str) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": url, "DEMO_PASSWORD": PASSWORD}


def clock_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, *CLOCK_TIME, tzinfo=timezone.utc)


def pin_clock(day: date, *, running: bool) -> None:
    """Make the planner's clock read ``day`` at 12:00 UTC: frozen there (``running=False``, for building) or
    from there on at the real pace (``running=True``, for serving pages)."""
    from planner.core import clock

    start = clock_start(day)
    if running:
        offset = start - datetime.now(timezone.utc)
        clock._now_source = lambda: datetime.now(timezone.utc) + offset
    else:
        clock._now_source = lambda: start
    clock._source = lambda: clock._now_source().date()


# --- the cache key ---------------------------------------------------------------------------------------------


def migration_heads() -> list[str]:
    from alembic.script import ScriptDirectory

    return sorted(ScriptDirectory(str(ROOT / "migrations")).get_heads())


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def generator_digest() -> str:
    return _digest(ROOT / "planner" / "generator")


def cache_key(scale: float, seed: int, day: date) -> str:
    """What a built database depends on: the migrations (their text, so a revision edited before it lands
    counts too), the generator's code, its inputs and this module's build steps."""
    parts = json.dumps({"heads": migration_heads(), "migrations": _digest(ROOT / "migrations" / "versions"),
                        "scale": scale, "seed": seed, "day": day.isoformat(), "generator": generator_digest(),
                        "build": BUILD_VERSION}, sort_keys=True)
    return hashlib.sha256(parts.encode()).hexdigest()[:16]


def scale_label(scale: float) -> str:
    """``1``, ``10``, ``0_5``: usable in file and database names."""
    return f"{scale:g}".replace(".", "_")


# --- built databases -------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    """One scale's database, as built (or found) in the cache."""

    scale: float
    url: str
    build_seconds: float | None = None
    reused: bool = False
    counts: dict | None = None


def build(url: str, scale: float, seed: int, day: date) -> dict:
    """Build one database in a child process; returns what the generator reported."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(Path(__file__).resolve()), url, repr(scale), str(seed),
                             day.isoformat()], capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"building the scale {scale:g} database failed:\n{result.stdout}\n{result.stderr}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["wall_seconds"] = time.perf_counter() - started
    return report


def sqlite_dataset(scale: float, seed: int, day: date, *, rebuild: bool, log) -> Dataset:
    """The cached SQLite file for these inputs, built first when missing (older files of the scale go)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    label = scale_label(scale)
    path = DATA_DIR / f"s{label}-seed{seed}-{day.isoformat()}-{cache_key(scale, seed, day)}.db"
    dataset = Dataset(scale=scale, url=f"sqlite:///{path}")
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists() and not rebuild:
        dataset.reused = True
        dataset.counts = json.loads(meta.read_text()).get("counts")
        log(f"scale {scale:g}: reusing {path.relative_to(ROOT)}")
        return dataset
    for stale in DATA_DIR.glob(f"s{label}-seed{seed}-*"):
        stale.unlink()
    building = path.with_name(path.name + ".building")
    for leftover in DATA_DIR.glob(building.name + "*"):
        leftover.unlink()
    log(f"scale {scale:g}: building {path.relative_to(ROOT)} (migrations + generator, seed {seed}, day {day}) ...")
    report = build(f"sqlite:///{building}", scale, seed, day)
    os.replace(building, path)
    meta.write_text(json.dumps(report, indent=1))
    dataset.build_seconds, dataset.counts = report["wall_seconds"], report["counts"]
    log(f"scale {scale:g}: built in {dataset.build_seconds:.0f} s")
    return dataset


def _admin_engine(url: str):
    from sqlalchemy import create_engine, make_url

    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _pg_url(url: str, name: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _recreate_database(admin, name: str, template: str | None = None) -> None:
    from sqlalchemy import text

    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))


def drop_database(url: str, name: str) -> None:
    from sqlalchemy import text

    admin = _admin_engine(url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def postgres_dataset(base_url: str, scale: float, seed: int, day: date, *, rebuild: bool, log) -> Dataset:
    """Database ``bench_s<scale>`` on the server of ``base_url``, dropped and built again unless its comment
    carries the same cache key."""
    from sqlalchemy import text

    name = f"bench_s{scale_label(scale)}"
    key = f"rollout-bench {cache_key(scale, seed, day)}"
    dataset = Dataset(scale=scale, url=_pg_url(base_url, name))
    admin = _admin_engine(base_url)
    try:
        with admin.connect() as connection:
            comment = connection.execute(text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :name"),
                {"name": name}).scalar()
        if comment and comment.startswith(key) and not rebuild:
            dataset.reused = True
            dataset.counts = json.loads(comment[len(key):] or "{}") or None
            log(f"scale {scale:g}: reusing PostgreSQL database {name}")
            return dataset
        log(f"scale {scale:g}: building PostgreSQL database {name} (dropped first; seed {seed}, day {day}) ...")
        _recreate_database(admin, name)
        try:
            report = build(dataset.url, scale, seed, day)
        except Exception:
            drop_database(base_url, name)
            raise
        dataset.build_seconds, dataset.counts = report["wall_seconds"], report["counts"]
        with admin.connect() as connection:
            counts = json.dumps(report["counts"]).replace("'", "")
            connection.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{key} {counts}'"))
        log(f"scale {scale:g}: built in {dataset.build_seconds:.0f} s")
        return dataset
    finally:
        admin.dispose()


def working_copy(dataset: Dataset, suffix: str) -> str:
    """A copy of the dataset's database to serve from (writes never reach the cache); returns its URL."""
    if dataset.url.startswith("sqlite"):
        source = Path(dataset.url.removeprefix("sqlite:///"))
        target = source.with_name(f"work-s{scale_label(dataset.scale)}-{suffix}.db")
        for leftover in source.parent.glob(target.name + "*"):
            leftover.unlink()
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"
    from sqlalchemy import make_url

    name = f"{make_url(dataset.url).database}_{suffix}"
    admin = _admin_engine(dataset.url)
    try:
        _recreate_database(admin, name, template=make_url(dataset.url).database)
    finally:
        admin.dispose()
    return _pg_url(dataset.url, name)


def discard_copy(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        return
    from sqlalchemy import make_url

    drop_database(url, make_url(url).database)


def _build_main(url: str, scale: str, seed: str, day: str) -> None:
    """The child process: migrations, then the generator, committed once."""
    configure_environment()
    from flask_migrate import upgrade

    from planner import create_app
    from planner.extensions import db
    from planner.generator.run import generate_programme

    app = create_app(app_config(url))
    the_day = date.fromisoformat(day)
    pin_clock(the_day, running=False)
    with app.app_context():
        upgrade()
        result = generate_programme(scale=float(scale), seed=int(seed), today=the_day)
        db.session.commit()
        report = {"programme_id": result["programme"].id, "counts": result["counts"],
                  "generator_seconds": round(result["seconds"], 1), "logins": result["logins"]}
        db.session.remove()
        if not url.startswith("sqlite"):
            # statistics for every table and the visibility map that index-only scans read, as autovacuum would
            # leave them soon after (the generator analyses only the tables its own later queries need)
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()
    if url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()  # the last connection: the -wal file is folded in and removed
    print(json.dumps(report))


if __name__ == "__main__":
    _build_main(*sys.argv[1:5])
