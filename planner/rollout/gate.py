"""A wave's entry gate: evidence that the wave before it is stable, not a date on a plan.

The gate of a wave is open when the previous wave's trial period is over, its open severe
defects are at most the programme's threshold, and its training completion and adoption are at
least the programme's thresholds. Figures that are not recorded yet count as not met: "no data"
is not evidence.
"""
import enum
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from planner.extensions import db
from planner.rollout.calendar import programme_calendar
from planner.rollout.evidence import evidence
from planner.programmes.models import Region
from planner.rollout.models import SEVERE, Defect, Wave, WaveRegion


class CheckState(enum.StrEnum):
    MET = "met"
    UNMET = "unmet"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class GateCheck:
    name: str
    state: CheckState
    detail: str


@dataclass(frozen=True)
class WaveGate:
    wave: Wave
    previous: Wave | None
    checks: list[GateCheck] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return all(check.state is CheckState.MET for check in self.checks)

    def unmet(self) -> list[GateCheck]:
        return [check for check in self.checks if check.state is not CheckState.MET]


def trial_end_from(live_dates: list[date | None], trial_days: int, calendar) -> date | None:
    """The first working day after a wave's trial period, which starts when its last region went
    live; None while any region (or, for an empty wave, any region at all) is not live."""
    if not live_dates or any(day is None for day in live_dates):
        return None
    return calendar.add_working_days(calendar.next_working_day(max(live_dates)), trial_days)


def trial_end(wave: Wave, calendar) -> date | None:
    """The first working day after the wave's trial period (None until every region is live)."""
    return trial_end_from([region.live_on for region in wave.regions], wave.trial_days, calendar)


def waves_in_order(programme_id: int) -> list[Wave]:
    return db.session.scalars(select(Wave).where(Wave.programme_id == programme_id)
                              .order_by(Wave.position, Wave.id)).all()


def _percent_check(name: str, value: float | None, threshold: int) -> GateCheck:
    if value is None:
        return GateCheck(name, CheckState.NO_DATA, _("No data recorded yet (needs at least %(t)d%%).", t=threshold))
    state = CheckState.MET if value >= threshold else CheckState.UNMET
    return GateCheck(name, state, _("%(value).0f%% (needs at least %(t)d%%).", value=value, t=threshold))


def _trial_check(previous: Wave, live_dates: list[date | None], calendar, today: date) -> GateCheck:
    name = _("Previous wave's trial period over")
    end = trial_end_from(live_dates, previous.trial_days, calendar)
    if end is None:
        waiting = sum(1 for day in live_dates if day is None)
        if not live_dates or waiting == len(live_dates):
            return GateCheck(name, CheckState.UNMET, _("%(wave)s has not gone live yet.", wave=previous.name))
        return GateCheck(name, CheckState.UNMET, _("%(n)d of %(total)d regions of %(wave)s are not live yet.",
                                                   n=waiting, total=len(live_dates), wave=previous.name))
    if today < end:
        return GateCheck(name, CheckState.UNMET, _("%(wave)s is in its trial period until %(day)s.",
                                                   wave=previous.name,
                                                   day=calendar.add_working_days(end, -1).isoformat()))
    return GateCheck(name, CheckState.MET, _("Ended before %(day)s.", day=end.isoformat()))


def evaluate_gates(programme, today: date) -> dict[int, WaveGate]:
    """Every wave's gate, with a fixed number of queries however many waves and regions there are."""
    waves = waves_in_order(programme.id)
    if not waves:
        return {}
    calendar = programme_calendar(programme)
    regions_of: dict[int, list[int]] = {wave.id: [] for wave in waves}
    live_dates_of: dict[int, list[date | None]] = {wave.id: [] for wave in waves}
    for wave_id, region_id, live_on in db.session.execute(
            select(WaveRegion.wave_id, WaveRegion.region_id, Region.live_on)
            .join(Region, Region.id == WaveRegion.region_id).where(WaveRegion.wave_id.in_(list(regions_of)))):
        regions_of[wave_id].append(region_id)
        live_dates_of[wave_id].append(live_on)
    severe_by_region = dict(db.session.execute(
        select(Defect.region_id, func.count(Defect.id)).where(
            Defect.programme_id == programme.id, Defect.closed_on.is_(None), Defect.severity.in_(SEVERE))
        .group_by(Defect.region_id)).all())
    source = evidence()
    gates = {waves[0].id: WaveGate(waves[0], None, [])}
    for previous, wave in zip(waves, waves[1:]):
        region_ids = regions_of[previous.id]
        open_severe = sum(severe_by_region.get(region_id, 0) for region_id in region_ids)
        threshold = programme.gate_max_severe_defects
        checks = [
            _trial_check(previous, live_dates_of[previous.id], calendar, today),
            GateCheck(_("Open severe defects in the previous wave"),
                      CheckState.MET if open_severe <= threshold else CheckState.UNMET,
                      _("%(n)d open critical or high defects (at most %(t)d allowed).", n=open_severe, t=threshold)),
            _percent_check(_("Training completion in the previous wave"),
                           source.training_completion_pct(region_ids), programme.gate_min_training_pct),
            _percent_check(_("Adoption in the previous wave"), source.adoption_pct(region_ids),
                           programme.gate_min_adoption_pct),
        ]
        gates[wave.id] = WaveGate(wave, previous, checks)
    return gates


def evaluate_gate(programme, wave: Wave, today: date) -> WaveGate:
    """Check the evidence that the wave before ``wave`` is stable enough for ``wave`` to go live."""
    return evaluate_gates(programme, today)[wave.id]
