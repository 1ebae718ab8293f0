"""Health rules: the risk register. Risks nobody owns or nobody mitigates, and reviews left overdue."""
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import load_only

from planner.extensions import db
from planner.health.findings import Evidence, Finding, Severity
from planner.health.rules import HealthContext, Threshold, rule


def _what_rules_read():
    """Only what these rules read of a risk: a register holds a thousand risks at scale."""
    from planner.risks.models import Risk

    return load_only(Risk.number, Risk.title, Risk.status, Risk.likelihood, Risk.impact, Risk.owner_id,
                     Risk.mitigation, Risk.next_review_on)


def _risk_link(programme_id: int, risk) -> Evidence:
    return Evidence.link(f"{risk.reference} {risk.title}", "risks.show_risk", programme_id=programme_id,
                         risk_id=risk.id)


@rule("risk_without_owner_or_mitigation", title=_l("A risk without an owner or a mitigation"),
      failure_mode=_l("Ineffective or rarely-meeting steering committee"))
def risk_without_owner_or_mitigation(ctx: HealthContext):
    """A risk that nobody owns is watched by nobody, and one without a mitigation is only a worry: the
    register exists so that someone acts before a risk happens. Fires per open or mitigating risk without an
    owner or without a mitigation: MEDIUM, HIGH for a high risk (score of ``HIGH_SCORE``, 15, or more, as the
    register counts it). The measure is the score, so the finding returns when the risk grows."""
    from planner.risks.models import ACTIVE_STATUSES, HIGH_SCORE, Risk

    programme_id = ctx.programme.id
    risks = db.session.scalars(
        select(Risk).where(Risk.programme_id == programme_id, Risk.status.in_(ACTIVE_STATUSES),
                           or_(Risk.owner_id.is_(None), Risk.mitigation.is_(None), Risk.mitigation == ""))
        .options(_what_rules_read()).order_by(Risk.number)).all()
    for risk in risks:
        no_owner, no_mitigation = risk.owner_id is None, not (risk.mitigation or "").strip()
        if no_owner and no_mitigation:
            title = _("Risk %(ref)s has no owner and no mitigation", ref=risk.reference)
        elif no_owner:
            title = _("Risk %(ref)s has no owner", ref=risk.reference)
        else:
            title = _("Risk %(ref)s has no mitigation", ref=risk.reference)
        yield Finding(
            rule="risk_without_owner_or_mitigation", subject=f"risk:{risk.id}",
            severity=Severity.HIGH if risk.score >= HIGH_SCORE else Severity.MEDIUM, title=title,
            advice=_("Give the risk an owner who watches its trigger, and write down what is being done to make it "
                     "less likely or less harmful."),
            measure=risk.score, evidence=(_risk_link(programme_id, risk),))


@rule("high_risk_review_overdue", title=_l("A risk review is overdue"),
      failure_mode=_l("Ineffective or rarely-meeting steering committee"),
      thresholds=(Threshold("risk_review_overdue_days", _l("Days a risk review may be overdue"), 30, 1, 365),))
def high_risk_review_overdue(ctx: HealthContext):
    """A register nobody reviews goes stale while the risks move. A high risk (open or mitigating, score 15 or
    more) whose next review date has passed is HIGH at once; any other risk not closed whose review is more
    than ``risk_review_overdue_days`` (default 30, about one monthly committee cycle) overdue is LOW hygiene.
    The measure is whole weeks overdue, so an acknowledgement holds for a week at a time."""
    from planner.risks.models import HIGH_SCORE
    from planner.risks.queries import risks_of

    programme_id = ctx.programme.id
    limit = ctx.threshold("risk_review_overdue_days")
    for risk in db.session.scalars(risks_of(programme_id, overdue_on=ctx.today, with_owner=False)
                                   .options(_what_rules_read())):
        overdue = (ctx.today - risk.next_review_on).days
        is_high = risk.is_active and risk.score >= HIGH_SCORE
        if not is_high and overdue <= limit:
            continue
        yield Finding(
            rule="high_risk_review_overdue", subject=f"risk:{risk.id}",
            severity=Severity.HIGH if is_high else Severity.LOW,
            title=(ngettext("High risk %(ref)s (score %(score)d) was due for review %(num)d day ago",
                            "High risk %(ref)s (score %(score)d) was due for review %(num)d days ago", overdue,
                            ref=risk.reference, score=risk.score) if is_high else
                   ngettext("Risk %(ref)s was due for review %(num)d day ago",
                            "Risk %(ref)s was due for review %(num)d days ago", overdue, ref=risk.reference)),
            advice=_("Review the risk with its owner: is it more or less likely now, is the mitigation working, "
                     "and when is the next review? High risks belong on the steering committee's agenda."),
            measure=overdue // 7, evidence=(_risk_link(programme_id, risk),))
