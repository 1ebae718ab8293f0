"""The demo's change requests: loaded after the rest of the demo, they tell their story, and loading them
again creates nothing."""
import json

from sqlalchemy import select


from planner.changes import services
from planner.changes.models import ChangeKind, ChangeRequest, ChangeStatus
from planner.committee.models import AgendaItem, Decision, MeetingOccurrence, OccurrenceStatus
from planner.core import clock
from planner.demo.changes import load_changes
from planner.extensions import db
from planner.programmes.models import Programme
from planner.rollout.models import Wave
from tests.test_demo import _rolled_back  # noqa: F401  (fixture: this test owns its database)

#: TEMPORARY while issue-7 branches are developed side by side (as in conftest): the demo test wants one head
REVISION = "head"


def test_the_demo_change_requests(demo_app, seeds_dir):
    app = demo_app
    spec = json.loads((seeds_dir / "changes.json").read_text(encoding="utf-8"))
    with app.app_context():
        programme = db.session.scalars(select(Programme)).one()
        waves_before = {w.id: w.planned_go_live for w in db.session.scalars(select(Wave))}
        changes = {c.kind: c for c in db.session.scalars(select(ChangeRequest))}

        process = changes[ChangeKind.PROCESS]
        assert process.status is ChangeStatus.IMPLEMENTED
        decision = db.session.get(Decision, process.decision_id)
        occurrence = db.session.get(MeetingOccurrence, decision.occurrence_id)
        assert occurrence.status is OccurrenceStatus.MINUTED and occurrence.starts_at < clock.now()
        assert decision.agenda_item_id is not None
        assert process.submitted_at < process.assessed_at < process.decided_at <= process.implemented_at

        scope = changes[ChangeKind.SCOPE]
        assert scope.status is ChangeStatus.REJECTED and scope.rejection_reason

        schedule = changes[ChangeKind.SCHEDULE]
        assert schedule.status is ChangeStatus.ASSESSED and schedule.moves_the_plan
        wave = db.session.get(Wave, int(schedule.plan_item_key.split(":")[1]))
        assert wave.kind.value == "standard" and schedule.regions == wave.regions
        preview = services.preview_change(schedule)
        assert [move.shift for move in preview.moves if move.key == schedule.plan_item_key] == [10]
        # the assessment says what the preview shows: later items move too
        moved_kinds = {move.key.split(":")[0] for move in preview.moves if move.key != schedule.plan_item_key}
        assert moved_kinds == {"wave", "stage", "milestone"}
        assert "keep their dates" not in schedule.assessment and "the last wave, stage 6" in schedule.assessment
        assert any(preview.labels[move.key].startswith("6") or "6" in preview.labels[move.key]
                   for move in preview.moves if move.key.startswith("stage:"))
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.change_request_id == schedule.id))
        assert item.occurrence.starts_at > clock.now() and not item.occurrence.is_cancelled
        assert {w.id: w.planned_go_live for w in db.session.scalars(select(Wave))} == waves_before

        assert load_changes(programme, spec, clock.today()) == 0
        db.session.rollback()
