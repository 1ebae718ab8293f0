"""A serving process's start-up objects are kept out of the collector's full passes (planner/core/heap.py)."""
import gc
import runpy
import weakref
from pathlib import Path

import pytest

from planner.core.heap import freeze_startup_objects

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unfrozen():
    """Give the test process its ordinary collector back afterwards."""
    yield
    gc.unfreeze()


class _Node:
    pass


def test_what_is_alive_is_frozen_and_later_garbage_is_still_collected(unfrozen):
    before = _Node()
    frozen = freeze_startup_objects()
    assert frozen == gc.get_freeze_count() > 1000
    assert not any(obj is before for obj in gc.get_objects())  # frozen objects are not tracked by any generation

    cycle = _Node()
    cycle.me = cycle  # only the cyclic collector can free it
    gone = weakref.ref(cycle)
    del cycle
    gc.collect()
    assert gone() is None


def test_gunicorn_workers_freeze_once_the_app_is_loaded(unfrozen):
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    settings["post_worker_init"](worker=None)
    assert gc.get_freeze_count() > 1000
