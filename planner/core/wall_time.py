"""Wall times (a day and a time on the clock of a zone) as instants, refusing the times the clocks skip."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from planner.core.errors import DomainError


def wall_time_instant(local: datetime, zone_name: str) -> datetime | None:
    """The UTC instant of a wall time (naive) in a zone; None for a time the clocks skip at a daylight-saving
    change (02:30 on the last Sunday of March in Europe/Berlin). A repeated time (the autumn's second 02:30) is
    taken the first time, as calendar clients take it (RFC 5545, 3.3.5)."""
    zone = ZoneInfo(zone_name)
    instant = local.replace(tzinfo=zone).astimezone(timezone.utc)
    return instant if instant.astimezone(zone).replace(tzinfo=None) == local else None


def instant_of_wall_time(local: datetime, zone_name: str, field: str) -> datetime:
    """``wall_time_instant``, with a time the clocks skip refused naming ``field``."""
    instant = wall_time_instant(local, zone_name)
    if instant is None:
        raise DomainError(_("This time does not exist on that day in %(zone)s (the clocks change). "
                            "Choose another time.", zone=zone_name), field=field)
    return instant
