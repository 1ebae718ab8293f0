"""The health check's per-run memo (``planner.health.context``): a shared read is loaded once per run, by the
first rule that asks, and never outlives the run."""
from datetime import date
from types import MappingProxyType

import pytest

from planner.extensions import db
from planner.health.context import HealthContext
from planner.health.engine import run_health_check
from planner.health.findings import Finding, Severity
from planner.programmes import services as programme_services
from planner.programmes.models import Programme
from tests.conftest import count_queries

TODAY = date(2026, 11, 24)


# --- the memo ---------------------------------------------------------------------------------------------------

def _context() -> HealthContext:
    return HealthContext(programme=None, today=TODAY, values={})


def test_once_loads_a_key_once_per_context():
    calls = []

    def loader():
        calls.append(1)
        return len(calls)

    first = _context()
    assert (first.once("key", loader), first.once("key", loader)) == (1, 1)
    assert first.once("other", loader) == 2
    assert _context().once("key", loader) == 3  # a new run loads again
    assert len(calls) == 3


def test_a_loader_that_raises_stores_nothing():
    context = _context()

    def broken():
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        context.once("key", broken)
    assert context.once("key", lambda: "loaded") == "loaded"


def test_rules_share_a_read_within_a_run_and_see_fresh_data_on_the_next(app, factories, register_rule):
    """Two rules reading the regions send one query between them; the next run reads the region added since."""
    seen = []

    def first(ctx):
        seen.append(ctx.regions)
        yield Finding(rule="test_first", subject="programme", severity=Severity.LOW, title="Regions",
                      advice="None.", measure=len(ctx.regions))

    def second(ctx):
        seen.append(ctx.regions)
        return ()

    register_rule("test_first", first)
    register_rule("test_second", second)
    programme = factories.programme()
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        programme_services.create_region(target, name="North", tier="standard", time_zone="UTC", headcount=5,
                                         site_notes="")
        db.session.flush()
        with count_queries(app) as statements:
            report = run_health_check(target, TODAY)
        assert [finding.measure for finding in report.open] == [1]
        assert len([s for s in statements if "FROM region" in s]) == 1
        assert seen[0] is seen[1] and isinstance(seen[0], MappingProxyType)  # shared, and read-only
        programme_services.create_region(target, name="South", tier="standard", time_zone="UTC", headcount=5,
                                         site_notes="")
        db.session.flush()
        assert [finding.measure for finding in run_health_check(target, TODAY).open] == [2]
