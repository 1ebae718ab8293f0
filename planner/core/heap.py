"""Keeping a serving process's start-up objects out of the garbage collector's full passes.

CPython's cyclic collector now and then walks every tracked object (a full, "generation 2" pass). A web worker
holds a few hundred thousand of them from start-up alone (modules, the app, SQLAlchemy's mappers, templates),
none of which ever become garbage, so every full pass pays for them: about 120 ms on the benchmark machine,
landing on whichever request happens to trigger it. ``gc.freeze()`` moves what is alive now to a permanent
generation the collector skips; garbage made later (each request's) is still collected as before. Called once
a process has loaded the app: by gunicorn's workers (``gunicorn.conf.py``) and by the page benchmark, which
serves pages the way those workers do.
"""
import gc


def freeze_startup_objects() -> int:
    """Collect what is already garbage, then exempt everything still alive from later full passes. Returns how
    many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
