"""Health check pages: the findings (most severe first, with their evidence and advice), acknowledging and
withdrawing, and the programme's thresholds."""
import logging

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from planner.core import clock
from planner.core.errors import DomainError
from planner.core.forms import show_domain_error
from planner.core.permissions import Permission, can, login_required
from planner.health import bp, services
from planner.health.engine import HealthReport, run_health_check, threshold_values
from planner.health.findings import SEVERITY_ORDER, Finding
from planner.health.forms import SEVERITY_LABELS, AcknowledgeForm, thresholds_form
from planner.health.models import FindingAcknowledgement
from planner.health.rules import RULES
from planner.programmes.loading import load_in_programme, load_programme

log = logging.getLogger(__name__)


def format_measure(value: float) -> str:
    """A measure as people write it: 9, not 9.0."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _link(evidence, programme) -> str | None:
    """The evidence's address, or None when it has no page or the current user may not open it."""
    if not evidence.endpoint or (evidence.permission is not None and not can(evidence.permission, programme)):
        return None
    try:
        return url_for(evidence.endpoint, **evidence.url_values)
    except BuildError:  # a rule's mistake must not take the page down: the label still shows
        log.exception("Health evidence link %s%r does not build", evidence.endpoint, evidence.params)
        return None


def evidence_for(finding: Finding, show_people: bool, programme) -> tuple[list[tuple[str, str | None]], int]:
    """The evidence the current user may see, as (label, address) pairs (no address for a page they may not
    open), and how many personal items were held back (shown as "2 people" to users who may not see people)."""
    shown, hidden = [], 0
    for evidence in finding.evidence:
        if evidence.is_personal and not show_people:
            hidden += 1
        else:
            shown.append((evidence.label, _link(evidence, programme)))
    return shown, hidden


def _health_page(programme, report: HealthReport, *, status: int = 200, ack_error: dict | None = None):
    show_people = can(Permission.PEOPLE_VIEW, programme)
    groups = [(severity, [finding for finding in report.open if finding.severity == severity])
              for severity in reversed(SEVERITY_ORDER)]
    return render_template(
        "health/show.html", programme=programme, report=report,
        groups=[(severity, findings) for severity, findings in groups if findings],
        rules=RULES, severity_labels=SEVERITY_LABELS, show_people=show_people,
        evidence_for=lambda finding: evidence_for(finding, show_people, programme), format_measure=format_measure,
        can_edit=can(Permission.PROGRAMME_EDIT, programme), ack_error=ack_error or {}), status


@bp.route("/programmes/<int:programme_id>/health")
@login_required
def show_health(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    return _health_page(programme, run_health_check(programme, clock.today(), tolerate_errors=True))


def _refuse_acknowledgement(programme, form: AcknowledgeForm, message: str):
    """The health page again, 422, with ``message`` beside the finding (its reason kept); nothing written."""
    report = run_health_check(programme, clock.today(), tolerate_errors=True)
    ack_error = {"key": (form.rule.data, form.subject.data), "message": message, "reason": form.reason.data or ""}
    return _health_page(programme, report, status=422, ack_error=ack_error)


@bp.route("/programmes/<int:programme_id>/health/acknowledge", methods=["POST"])
@login_required
def acknowledge_finding(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_EDIT)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        if form.reason.errors and form.rule.data and form.subject.data:
            message = _("Say why this finding can wait (up to %(max)d characters).", max=services.REASON_MAX)
        else:
            message = _("Choose a finding to acknowledge and say why it can wait.")
        return _refuse_acknowledgement(programme, form, message)
    key = (form.rule.data, form.subject.data)
    finding = None
    if form.rule.data in RULES:
        report = run_health_check(programme, clock.today(), rule_keys=(form.rule.data,), tolerate_errors=True)
        finding = next((each for each in report.open if each.key == key), None)
    if finding is None:
        return _refuse_acknowledgement(programme, form, _(
            "This finding is not open any more: it may have been fixed or acknowledged meanwhile. "
            "The page now shows the current findings."))
    try:
        services.acknowledge_finding(programme, finding, form.reason.data, by_user=current_user)
    except DomainError as error:
        return _refuse_acknowledgement(programme, form, error.message)
    flash(_("Acknowledged: %(title)s. It comes back when it gets worse or something new is behind "
              "it.", title=finding.title), "success")
    return redirect(url_for("health.show_health", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/health/acknowledgements/<int:ack_id>/withdraw", methods=["POST"])
@login_required
def withdraw_acknowledgement(programme_id: int, ack_id: int):
    programme, ack = load_in_programme(FindingAcknowledgement, programme_id, ack_id, Permission.PROGRAMME_EDIT)
    title = ack.title
    services.withdraw_acknowledgement(ack)
    flash(_("Acknowledgement withdrawn: %(title)s.", title=title), "success")
    return redirect(url_for("health.show_health", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/health/thresholds", methods=["GET", "POST"])
@login_required
def edit_thresholds(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_EDIT)
    rules = [rule for rule in RULES.values() if rule.thresholds]
    form = thresholds_form([threshold for rule in rules for threshold in rule.thresholds],
                           threshold_values(programme.id))
    status = 200
    if form.validate_on_submit():
        values = {rule_threshold.key: form[rule_threshold.key].data for rule in rules
                  for rule_threshold in rule.thresholds}
        try:
            changes = services.set_thresholds(programme, values)
        except DomainError as error:
            show_domain_error(form, error)
            status = error.status_code
        else:
            flash(_("Thresholds saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("health.show_health", programme_id=programme.id))
    elif request.method == "POST":
        status = 422
    return render_template("health/thresholds.html", programme=programme, form=form, rules=rules), status
