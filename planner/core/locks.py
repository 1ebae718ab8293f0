"""Locks on one kind of work of a programme, held until the transaction ends: for a check or a rework that reads
many rows and then writes (no cycle among the plan's dependencies; a programme's kept training progress), which
two transactions must not run at the same moment.

PostgreSQL: advisory transaction locks (``pg_advisory_xact_lock``), keyed by the kind of work and the programme;
they hold up no reader or writer of the rows themselves, only another transaction asking for the same lock, and
are let go at its commit or rollback. SQLite runs one writer at a time, so there is nothing to take.
"""
from collections.abc import Iterable

from sqlalchemy import func, select

#: the kinds of work, each the first key of its locks (never renumber: two versions of the app may run at once)
TRAINING_PROGRESS = 0x7470  # reworking kept training progress (planner/training/progress.py)
PLAN_DEPENDENCIES = 0x7064  # adding a dependency to the plan, checked for loops (planner/rollout/services.py)


def hold(session, work: int, programme_ids: Iterable[int]) -> None:
    """Wait until no other transaction holds ``work`` of these programmes, then hold it until this one ends.
    Taken in id order, so two transactions asking for several programmes cannot deadlock on each other; the
    statements that follow see what the one waited for committed (PostgreSQL's READ COMMITTED)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for programme_id in sorted(set(programme_ids)):
        session.execute(select(func.pg_advisory_xact_lock(work, programme_id)))
