"""Health rules: the rollout plan. Everything at once instead of phased, a wave that does not wait for the
trial period before it, a go-live in a freeze window, and a lifecycle stage whose gate is long overdue."""
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l

from planner.health.findings import Evidence, Finding, Severity
from planner.health.rules import HealthContext, Threshold, rule


def _wave_link(programme_id: int, wave) -> Evidence:
    return Evidence.link(_("Wave %(name)s", name=wave.name), "rollout.show_wave", programme_id=programme_id,
                         wave_id=wave.id)


@rule("everything_at_once", title=_l("Everything at once instead of phased"),
      failure_mode=_l("Everything at once instead of phased"),
      thresholds=(Threshold("pilot_max_regions", _l("Regions the first wave may hold"), 1, 1, 50),))
def everything_at_once(ctx: HealthContext):
    """Large organisations must not switch everybody on at once: a pilot region runs a trial period first
    (DOMAIN.md, "Regional phased deployment"). Fires, while the first wave has not gone live, when a programme of
    several regions puts them all in one wave, or its first wave holds more than ``pilot_max_regions`` regions
    (default 1: the pilot is one region, usually headquarters). A programme without waves is not planned yet."""
    programme_id = ctx.programme.id
    regions_total = len(ctx.regions)
    if regions_total < 2:
        return
    waves = [wave for wave in ctx.waves if wave.regions]
    if not waves:
        return
    limit = ctx.threshold("pilot_max_regions")
    first = waves[0]
    crowded = [wave for wave in waves if len(wave.regions) == regions_total]
    offending = crowded[0] if crowded else (first if len(first.regions) > limit else None)
    if offending is None or offending.actual_go_live is not None:
        return
    count = len(offending.regions)
    if count == regions_total:
        title = _("All %(n)d regions go live together in %(wave)s", n=count, wave=offending.name)
    else:
        title = _("The first wave, %(wave)s, takes %(n)d regions live at once", wave=offending.name, n=count)
    yield Finding(
        rule="everything_at_once", subject=f"wave:{offending.id}", severity=Severity.HIGH, title=title,
        advice=_("Start with one pilot region (usually headquarters), let it run its trial period and fix what "
                 "users report, then extend to the key regions and the rest in later waves."),
        measure=count, evidence=(_wave_link(programme_id, offending),
                                 Evidence.link(_("All waves"), "rollout.list_waves", programme_id=programme_id)))


def _planned_trial_end(wave, calendar) -> date | None:
    """The first working day after the wave's trial period: from its regions' go-live days where they are
    live, from its planned go-live for the others; None when a day is missing."""
    from planner.rollout.gate import trial_end_from

    days = [region.live_on or wave.planned_go_live for region in wave.regions] or \
        [wave.actual_go_live or wave.planned_go_live]
    return trial_end_from(days, wave.trial_days, calendar)


@rule("wave_before_trial_ends", title=_l("A wave goes live before the trial period before it ends"),
      failure_mode=_l("Everything at once instead of phased"))
def wave_before_trial_ends(ctx: HealthContext):
    """The next regions go live only once the wave before them is stable after its trial ("running-in")
    period (DOMAIN.md). Fires, HIGH, for each wave not yet live whose planned go-live falls before the end of
    the previous wave's trial period (as lived where its regions are live, as planned otherwise); the measure is
    the days of overlap. No threshold: any overlap means the trial cannot inform the next wave."""
    programme_id = ctx.programme.id
    waves = [wave for wave in ctx.waves if wave.regions or wave.planned_go_live]
    if len(waves) < 2:
        return
    calendar = ctx.calendar
    for previous, wave in zip(waves, waves[1:]):
        if wave.actual_go_live is not None or wave.planned_go_live is None:
            continue
        end = _planned_trial_end(previous, calendar)
        if end is None or wave.planned_go_live >= end:
            continue
        overlap = (end - wave.planned_go_live).days
        last_trial_day = calendar.add_working_days(end, -1)
        yield Finding(
            rule="wave_before_trial_ends", subject=f"wave:{wave.id}", severity=Severity.HIGH,
            title=ngettext("%(wave)s goes live %(num)d day before the trial period of %(previous)s ends",
                           "%(wave)s goes live %(num)d days before the trial period of %(previous)s ends", overlap,
                           wave=wave.name, previous=previous.name),
            advice=_("Move the go-live of %(wave)s after %(day)s, or shorten the trial period only if the "
                     "committee agrees the previous wave is stable.", wave=wave.name,
                     day=last_trial_day.isoformat()),
            measure=overlap, evidence=(_wave_link(programme_id, wave), _wave_link(programme_id, previous),
                                       Evidence.link(_("The plan"), "rollout.show_plan", programme_id=programme_id)))


@rule("go_live_in_freeze", title=_l("A go-live falls in a freeze window"),
      failure_mode=_l("Everything at once instead of phased"))
def go_live_in_freeze(ctx: HealthContext):
    """A go-live during a freeze (quarter-end close, peak season) meets users who cannot absorb change and a
    business that cannot stop for problems. The wave form refuses such a date, but a freeze window added later,
    or a plan moved before the window existed, can still hold one. Fires, HIGH, for each wave not yet live whose
    planned go-live (today or later) is inside a freeze window; the measure is the regions it takes live."""
    from planner.rollout.calendar import freeze_windows

    programme_id = ctx.programme.id
    windows = freeze_windows(programme_id)
    if not windows:
        return
    for wave in ctx.waves:
        day = wave.planned_go_live
        if wave.actual_go_live is not None or day is None or day < ctx.today:
            continue
        window = next((window for window in windows if window.contains(day)), None)
        if window is None:
            continue
        yield Finding(
            rule="go_live_in_freeze", subject=f"wave:{wave.id}", severity=Severity.HIGH,
            title=_("%(wave)s goes live on %(day)s, inside the freeze window %(freeze)s", wave=wave.name,
                    day=day.isoformat(), freeze=window.name),
            advice=_("Re-plan the go-live to a working day after %(end)s (the plan's re-planning shows what else "
                     "moves), or agree with the business that the freeze does not apply.",
                     end=window.end.isoformat()),
            measure=len(wave.regions),
            evidence=(_wave_link(programme_id, wave),
                      Evidence.link(_("Freeze windows"), "rollout.calendar", programme_id=programme_id)))


@rule("stage_gate_overdue", title=_l("A lifecycle stage is past its planned end without passing its gate"),
      failure_mode=_l("Undefined or too-large scope"),
      thresholds=(Threshold("stage_overdue_days", _l("Days a stage may run past its planned end"), 14, 1, 180),))
def stage_gate_overdue(ctx: HealthContext):
    """Each stage must show a visible result and pass its gate before the next builds on it (DOMAIN.md, "Step
    by step"). A stage more than ``stage_overdue_days`` (default 14: two weeks absorbs a late gate meeting)
    past its planned finish, neither closed nor with a passed gate review, is MEDIUM; HIGH past three times
    that. The measure is whole weeks overdue, so an acknowledgement holds for a week at a time."""
    from planner.lifecycle.models import GateOutcome

    limit = ctx.threshold("stage_overdue_days")
    programme_id = ctx.programme.id
    for stage in ctx.stages:
        if stage.closed_at is not None or stage.planned_finish is None:
            continue
        review = stage.latest_review()
        if review is not None and review.outcome is GateOutcome.PASSED:
            continue
        overdue = (ctx.today - stage.planned_finish).days
        if overdue <= limit:
            continue
        unmet = len(stage.unmet_criteria())
        yield Finding(
            rule="stage_gate_overdue", subject=f"stage:{stage.id}",
            severity=Severity.HIGH if overdue > 3 * limit else Severity.MEDIUM,
            title=_("Stage %(n)d, %(name)s, is %(days)d days past its planned end and its gate is not passed",
                    n=stage.number, name=stage.name, days=overdue),
            advice=_("Hold the gate review: record which of its %(unmet)d open criteria are met, close the stage "
                     "or re-plan it, and tell the steering committee why it slipped.", unmet=unmet),
            measure=overdue // 7,
            evidence=(Evidence.link(_("Stage %(n)d: %(name)s", n=stage.number, name=stage.name),
                                    "lifecycle.show_stage", programme_id=programme_id, stage_id=stage.id),))
