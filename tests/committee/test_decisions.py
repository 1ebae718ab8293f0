"""Committee decisions: who may record them, what a decision needs, and the list."""
from datetime import date

from sqlalchemy import select

from planner.committee.models import Decision
from planner.core.models import AuditEvent
from planner.extensions import db
from tests.conftest import form_post
from tests.rollout.helpers import field_errors


def decisions_of(app, programme) -> list[Decision]:
    with app.app_context():
        rows = db.session.scalars(select(Decision).where(Decision.programme_id == programme.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_a_committee_member_records_a_decision(app, client, login_as, make_programme):
    programme = make_programme()
    member = login_as("committee_member", programme)
    url = f"/programmes/{programme.id}/decisions"

    response = form_post(client, url, {"text": "Let the north go live before the pilot's trial ends.",
                                       "decided_on": "2026-10-09", "decided_by": "Steering committee"})
    assert response.status_code == 302
    [decision] = decisions_of(app, programme)
    assert (decision.text, decision.decided_on, decision.decided_by, decision.recorded_by_id) == (
        "Let the north go live before the pilot's trial ends.", date(2026, 10, 9), "Steering committee", member.id)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "Decision",
                                                                 AuditEvent.object_id == decision.id)) == "create"
    page = client.get(url).get_data(as_text=True)
    assert "Steering committee" in page and member.email in page


def test_a_decision_needs_text_date_and_who_decided(app, client, login_as, make_programme):
    programme = make_programme()
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/decisions"
    response = form_post(client, url, {"text": "", "decided_on": "", "decided_by": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("text", "decided_on", "decided_by"):
        assert field_errors(page, field), field
    blank = form_post(client, url, {"text": "   ", "decided_on": "2026-10-09", "decided_by": "Committee"})
    assert blank.status_code == 422
    assert "Write what was decided." in field_errors(blank.get_data(as_text=True), "text")
    assert decisions_of(app, programme) == []


def test_trainers_read_decisions_but_cannot_record_them(app, client, login_as, make_programme):
    programme = make_programme()
    login_as("trainer", programme)
    page = client.get(f"/programmes/{programme.id}/decisions").get_data(as_text=True)
    assert "Record a decision" not in page
