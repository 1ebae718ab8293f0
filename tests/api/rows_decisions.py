"""API role rows of the decisions resource (see tests/api/rows_core.py): committee members record decisions."""
from datetime import date

from tests.api.rows_core import READ

#: recording: project managers and committee members; the body {} lacks the text (422)
RECORD = (422, 422, 404, 422, 403, 403, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                     admin  pm  pm_other committee trainer viewer none
    ("api.decisions_list", "GET"):         READ,
    ("api.decisions_create", "POST"):      RECORD,
    ("api.decisions_read", "GET"):         READ,
}


def _decision(programme) -> int:
    from planner.committee import services

    return services.record_decision(programme, text="Access decision", decided_on=date(2026, 5, 4),
                                    decided_by="Steering committee", recorded_by_id=None).id


ITEMS = {"decisions": _decision}
