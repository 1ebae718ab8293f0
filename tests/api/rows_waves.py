"""API role rows of the waves resource (see tests/api/rows_core.py)."""
import itertools

from tests.api.rows_core import CREATE, DELETE, READ, UPDATE

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                  admin  pm  pm_other committee trainer viewer none
    ("api.waves_list", "GET"):          READ,
    ("api.waves_create", "POST"):       CREATE,
    ("api.waves_read", "GET"):          READ,
    ("api.waves_update", "PATCH"):      UPDATE,
    ("api.waves_delete", "DELETE"):     DELETE,
}
_numbers = itertools.count(1)


def _wave(programme) -> int:
    from planner.rollout import services

    return services.create_wave(programme, name=f"Access wave {next(_numbers)}", kind="standard", position=1,
                                planned_go_live=None, trial_days=20, region_ids=[]).id


ITEMS = {"waves": _wave}
