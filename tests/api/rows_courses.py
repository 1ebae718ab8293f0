"""API role rows of the courses resource (format: tests/api/rows_core.py)."""
import itertools

from tests.api.rows_core import CREATE, DELETE, READ, UPDATE

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                  admin  pm  pm_other committee trainer viewer none
    ("api.courses_list", "GET"):        READ,
    ("api.courses_create", "POST"):     CREATE,
    ("api.courses_read", "GET"):        READ,
    ("api.courses_update", "PATCH"):    UPDATE,
    ("api.courses_delete", "DELETE"):   DELETE,
}

_numbers = itertools.count(1)


def make_course(programme) -> int:
    """A course of the programme, through the service."""
    from planner.training import services

    return services.create_course(programme, title=f"Access course {next(_numbers)}", description="",
                                  duration_minutes=60, format="classroom", material_links="").id


ITEMS = {"courses": make_course}
