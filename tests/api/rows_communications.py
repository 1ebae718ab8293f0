"""API role rows of the communication plan and its log (see rows_core.py for the format). Plan items: writing is
COMMS_MANAGE (project managers). The log is read-only: list and read for every role in the programme."""
import itertools
from datetime import date

from tests.api.rows_core import CREATE, DELETE, READ, UPDATE

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                              admin  pm  pm_other committee trainer viewer none
    ("api.communications_list", "GET"):             READ,
    ("api.communications_create", "POST"):          CREATE,
    ("api.communications_read", "GET"):             READ,
    ("api.communications_update", "PATCH"):         UPDATE,
    ("api.communications_delete", "DELETE"):        DELETE,
    ("api.communication_log_list", "GET"):          READ,
    ("api.communication_log_read", "GET"):          READ,
}

_numbers = itertools.count(1)


def _audience(programme):
    from planner.comms import audiences

    return audiences.create_audience(programme, name=f"Access audience {next(_numbers)}", description="",
                                     is_everyone=True, region_ids=[], department_ids=[], job_roles="",
                                     person_ids=[])


def _communication(programme) -> int:
    """A one-off email to everyone, planned for the programme's start."""
    from planner.comms import services

    return services.create_item(programme, title="Access kickoff", purpose="vision_kickoff",
                                audience_id=_audience(programme).id, channel="email", owner_id=None, message="",
                                planned_on=date(2026, 3, 2), recurrence="", region_id=None).id


def _log_entry(programme) -> int:
    """A town hall held at the programme's start, logged by hand."""
    from planner.comms import services

    return services.record_held(programme, held_on=date(2026, 3, 2), subject="Access town hall",
                                audience_id=_audience(programme).id, purpose="vision_kickoff",
                                channel="town_hall").id


ITEMS = {"communications": _communication, "communication_log": _log_entry}
