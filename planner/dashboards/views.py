"""The dashboard page: one page per programme whose sections follow the current user's roles in it."""
from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from planner.calendar.forms import ANSWER_LABELS
from planner.committee.invitations import rsvp_url
from planner.core import clock
from planner.core.permissions import Permission, Role, can, login_required, roles_in
from planner.dashboards import bp, sections
from planner.health.findings import Severity
from planner.lifecycle.forms import STATUS_LABELS as STAGE_STATUS_LABELS
from planner.programmes.loading import load_programme

#: the health check's page, written in parallel: linked only once it exists
HEALTH_ENDPOINT = "health.show_health"
SEVERITY_LABELS = {Severity.HIGH: _l("High"), Severity.MEDIUM: _l("Medium"), Severity.LOW: _l("Low")}
WAVE_STATE_LABELS = {"live": _l("Live"), "in_trial": _l("Live, in its trial period"),
                     "going_live": _l("Going live"), "planned": _l("Planned"), "not_dated": _l("Not dated yet")}


@bp.route("/programmes/<int:programme_id>/dashboard")
@login_required
def show_dashboard(programme_id: int):
    programme = load_programme(programme_id, Permission.PROGRAMME_VIEW)
    roles = roles_in(current_user, programme.id)
    is_manager = current_user.is_admin or Role.PROJECT_MANAGER in roles
    is_viewer = Role.VIEWER in roles
    now, today = clock.now(), clock.today()
    health = (sections.health_summary(programme, today, with_titles=is_manager)
              if is_manager or is_viewer else None)
    return render_template(
        "dashboards/show.html", programme=programme, today=today,
        manager=sections.manager_section(programme, today, now, health) if is_manager else None,
        member=(sections.member_section(programme, current_user.person_id, today, now)
                if Role.COMMITTEE_MEMBER in roles else None),
        trainer=sections.trainer_section(programme, current_user.id, now) if Role.TRAINER in roles else None,
        viewer=sections.viewer_section(today, health) if is_viewer else None,
        health_endpoint=HEALTH_ENDPOINT if HEALTH_ENDPOINT in current_app.view_functions else None,
        show_people=can(Permission.PEOPLE_VIEW, programme), stage_status_labels=STAGE_STATUS_LABELS,
        answer_labels=ANSWER_LABELS, severity_labels=SEVERITY_LABELS, wave_state_labels=WAVE_STATE_LABELS,
        rsvp_url=rsvp_url)
