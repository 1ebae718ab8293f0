"""Health rules: adoption. No internal expert in a region, readiness barriers before a go-live, and low (or
unmeasured) use of the system after it."""
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l

from planner.health.findings import Evidence, Finding, Severity
from planner.health.rules import HealthContext, Threshold, rule


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _element_label(element: str) -> str:
    return {"awareness": _("awareness"), "desire": _("desire"), "knowledge": _("knowledge"), "ability": _("ability"),
            "reinforcement": _("reinforcement")}.get(element, element)


@rule("no_internal_expert", title=_l("A region has no internal expert from the business"),
      failure_mode=_l("No internal expert"),
      thresholds=(Threshold("super_user_go_live_days", _l("Days before go-live a region needs a super-user"),
                            30, 1, 180),))
def no_internal_expert(ctx: HealthContext):
    """Grow internal experts (super-users) from the active business user groups, not from IT: a purely
    IT-driven rollout produces a system nobody uses (DOMAIN.md). Reads ``super_user_flags``: a region with a
    go-live planned (or live) and no super-user, only IT ones, or none known to be in a business department is
    MEDIUM; HIGH when it goes live within ``super_user_go_live_days`` (default 30, the time it takes to
    nominate and prepare someone) or is live already. Regions without a go-live are not due yet. The measure
    is 2 for no super-user at all, 1 for none from the business."""
    from planner.adoption.super_users import FlagKind

    programme_id = ctx.programme.id
    flags = ctx.adoption.super_user_flags  # ``super_user_flags``, as the adoption status reads them
    if not flags:
        return
    go_lives = ctx.go_lives
    horizon = ctx.today + timedelta(days=ctx.threshold("super_user_go_live_days"))
    for flag in flags:
        go_live = go_lives.get(flag.region_id)
        if go_live is None:
            continue
        if go_live <= ctx.today:
            when = _("went live on %(day)s", day=go_live.isoformat())
        else:
            when = _("goes live on %(day)s", day=go_live.isoformat())
        if flag.kind is FlagKind.NONE:
            title = _("%(region)s has no super-user and %(when)s", region=flag.region, when=when)
        elif flag.kind is FlagKind.IT_ONLY:
            title = _("%(region)s has super-users only in IT and %(when)s", region=flag.region, when=when)
        else:
            title = _("%(region)s has no super-user known to be in a business department and %(when)s",
                      region=flag.region, when=when)
        yield Finding(
            rule="no_internal_expert", subject=f"region:{flag.region_id}",
            severity=Severity.HIGH if go_live <= horizon else Severity.MEDIUM, title=title,
            advice=_("Nominate a respected, active user from a business department of %(region)s as super-user, "
                     "and train them early so colleagues have someone to turn to.", region=flag.region),
            measure=2 if flag.kind is FlagKind.NONE else 1,
            evidence=(Evidence.link(_("Super-users"), "adoption.show_super_users", programme_id=programme_id),))


@rule("readiness_barrier", title=_l("People are stuck on a readiness element shortly before go-live"),
      failure_mode=_l("No change management"),
      thresholds=(Threshold("barrier_go_live_days", _l("Days before go-live a readiness barrier counts"),
                            45, 1, 180),))
def readiness_barrier(ctx: HealthContext):
    """A new system does not change how people work by itself; an ADKAR element with a mean of 3 or below in
    the latest readiness survey (``surveys.results.barriers``) is where a region's people are stuck. Fires,
    HIGH, per region still to go live within ``barrier_go_live_days`` (default 45: time enough for one round of
    targeted communication, coaching or training) with at least one barrier; the measure is the number of
    barriers."""
    from planner.surveys.results import barriers, latest_round

    programme_id = ctx.programme.id
    survey = latest_round(programme_id)
    if survey is None:
        return
    found = [barrier for barrier in barriers(programme_id, survey.id) if barrier.region_id is not None]
    if not found:
        return
    go_lives = ctx.go_lives
    horizon = ctx.today + timedelta(days=ctx.threshold("barrier_go_live_days"))
    by_region: dict[int, list] = {}
    for barrier in found:
        go_live = go_lives.get(barrier.region_id)
        if go_live is not None and ctx.today <= go_live <= horizon:
            by_region.setdefault(barrier.region_id, []).append(barrier)
    for region_id, region_barriers in sorted(by_region.items()):
        go_live = go_lives[region_id]
        yield Finding(
            rule="readiness_barrier", subject=f"region:{region_id}", severity=Severity.HIGH,
            title=ngettext("%(region)s goes live in %(num)d day and its people are stuck on %(elements)s",
                           "%(region)s goes live in %(num)d days and its people are stuck on %(elements)s",
                           (go_live - ctx.today).days, region=region_barriers[0].region,
                           elements=", ".join(_element_label(b.element) for b in region_barriers)),
            advice=_("Address what the survey shows before the go-live: explain why the change matters "
                     "(awareness, desire), train and coach (knowledge, ability), and involve the region's "
                     "super-users; survey again to see it move."),
            measure=len(region_barriers),
            evidence=(Evidence.link(_("Survey %(title)s", title=survey.title), "surveys.show_round",
                                    programme_id=programme_id, survey_id=survey.id),))


@rule("low_adoption_after_go_live", title=_l("Low or unmeasured use of the system after go-live"),
      failure_mode=_l("Low end-user adoption after go-live"),
      thresholds=(Threshold("adoption_figures_missing_weeks", _l("Weeks a live region may go without adoption "
                                                                 "figures"), 2, 1, 26),))
def low_adoption_after_go_live(ctx: HealthContext):
    """End users who see no benefit keep working the old way and still meet their targets (DOMAIN.md). For
    each live region (``adoption.status.adoption_status``): its latest weekly figure since go-live below the
    wave gate's minimum adoption (``Programme.gate_min_adoption_pct``, default 60, so the health check and the
    gate agree on one number) is MEDIUM, below half of it HIGH (measure: percentage points short); no figure
    for ``adoption_figures_missing_weeks`` complete weeks (default 2, the gate's own window) since go-live or
    since the last figure is MEDIUM, since no data is not evidence (measure: the weeks)."""
    programme_id = ctx.programme.id
    status = ctx.adoption
    minimum = status.threshold_pct
    missing_limit = ctx.threshold("adoption_figures_missing_weeks")
    this_week = _monday(ctx.today)
    evidence = (Evidence.link(_("Adoption"), "adoption.show_adoption", programme_id=programme_id),)
    for region in status.live_regions:
        live_week = _monday(region.live_on)
        latest = region.latest if region.latest is not None and region.latest.week >= live_week else None
        covered_until = latest.week + timedelta(weeks=1) if latest is not None else live_week
        weeks_missing = (this_week - covered_until).days // 7
        if weeks_missing >= missing_limit:
            yield Finding(
                rule="low_adoption_after_go_live", subject=f"region:{region.region_id}:figures",
                severity=Severity.MEDIUM,
                title=ngettext("%(region)s has had no adoption figures for %(num)d week since it went live",
                               "%(region)s has had no adoption figures for %(num)d weeks since it went live",
                               weeks_missing, region=region.name),
                advice=_("Record the region's active and licensed users each week (by hand, CSV or the API): "
                         "without them nobody can tell whether people use the system."),
                measure=weeks_missing, evidence=evidence)
            continue
        if latest is None or latest.percent >= minimum:
            continue
        yield Finding(
            rule="low_adoption_after_go_live", subject=f"region:{region.region_id}",
            severity=Severity.HIGH if latest.percent < minimum / 2 else Severity.MEDIUM,
            title=_("Only %(pct).0f%% of licensed users in %(region)s used the system in the week of %(week)s",
                    pct=latest.percent, region=region.name, week=latest.week.isoformat()),
            advice=_("Ask the region's users what stops them (a survey, a department meeting), give them a reason "
                     "to switch, and let the super-users coach those still on the old way. The gate expects "
                     "%(min)d%%.", min=minimum),
            measure=round(minimum - latest.percent), evidence=evidence)
