"""Wall times (a day and a time on the clock of a zone) as instants, refusing the times the clocks skip."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from planner.core.errors import DomainError


def instant_of_wall_time(local: datetime, zone_name: str, field: str) -> datetime:
    """The UTC instant of a wall time (naive) in a zone. A time the clocks skip at a daylight-saving change
    (02:30 on the last Sunday of March in Europe/Berlin) is refused naming ``field``; a repeated one (the autumn's
    second 02:30) is taken the first time, as calendar clients take it (RFC 5545, 3.3.5)."""
    zone = ZoneInfo(zone_name)
    instant = local.replace(tzinfo=zone).astimezone(timezone.utc)
    if instant.astimezone(zone).replace(tzinfo=None) != local:
        raise DomainError(_("This time does not exist on that day in %(zone)s (the clocks change). "
                            "Choose another time.", zone=zone_name), field=field)
    return instant
