"""API role rows of adoption figures (see rows_core.py for the format). Writing is ADOPTION_MANAGE (project
managers); a PATCH of nothing keeps the counts (200)."""
import itertools

from planner.core import clock
from tests.api.rows_core import CREATE, DELETE, READ, UPDATE

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                           admin  pm  pm_other committee trainer viewer none
    ("api.adoption_figures_list", "GET"):        READ,
    ("api.adoption_figures_create", "POST"):     CREATE,
    ("api.adoption_figures_read", "GET"):        READ,
    ("api.adoption_figures_update", "PATCH"):    UPDATE,
    ("api.adoption_figures_delete", "DELETE"):   DELETE,
}

_numbers = itertools.count(1)


def _adoption_figure(programme) -> int:
    """This week's figure of a new region."""
    from planner.adoption import services
    from planner.programmes import services as programme_services

    region = programme_services.create_region(programme, name=f"Adoption region {next(_numbers)}", tier="standard",
                                              time_zone="UTC", headcount=10, site_notes="")
    return services.record_figure(programme, region_id=region.id, week=clock.today(), active_users=5,
                                  licensed_users=10).id


ITEMS = {"adoption_figures": _adoption_figure}
