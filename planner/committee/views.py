"""Committee decisions: the record a region's go-live override points at."""
from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.committee import bp, services
from planner.committee.forms import DecisionForm
from planner.committee.models import Decision
from planner.core import clock
from planner.core.pages import page_number, per_page, save_form
from planner.core.permissions import Permission, can, login_required
from planner.extensions import db
from planner.programmes.loading import load_programme
from planner.programmes.models import Region


@bp.route("/programmes/<int:programme_id>/decisions", methods=["GET", "POST"])
@login_required
def list_decisions(programme_id: int):
    programme = load_programme(programme_id, Permission.DECISIONS_RECORD if request.method == "POST"
                               else Permission.PROGRAMME_VIEW)
    decisions = db.paginate(select(Decision).where(Decision.programme_id == programme.id)
                            .options(joinedload(Decision.recorded_by))
                            .order_by(Decision.decided_on.desc(), Decision.id.desc()),
                            page=page_number(), per_page=per_page(), error_out=False)
    overrides: dict[int, list[str]] = {}
    for decision_id, region_name in db.session.execute(
            select(Region.live_override_decision_id, Region.name)
            .where(Region.live_override_decision_id.in_([d.id for d in decisions.items])).order_by(Region.name)):
        overrides.setdefault(decision_id, []).append(region_name)
    form = DecisionForm(decided_on=clock.today())
    return save_form(
        "committee/decisions.html", form,
        lambda: services.record_decision(programme, text=form.text.data, decided_on=form.decided_on.data,
                                         decided_by=form.decided_by.data, recorded_by_id=current_user.id),
        done=lambda decision: (_("Decision of %(day)s recorded.", day=decision.decided_on.isoformat()),
                               url_for("committee.list_decisions", programme_id=programme.id)),
        programme=programme, decisions=decisions, overrides=overrides, can_record=can(Permission.DECISIONS_RECORD, programme))
