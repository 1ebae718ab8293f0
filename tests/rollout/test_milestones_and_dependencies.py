"""Milestones and finish-to-start dependencies between stages, waves and milestones."""
import html
from datetime import date

from sqlalchemy import select

from planner.extensions import db
from planner.programmes.models import Programme
from planner.rollout import services
from planner.rollout.models import Dependency, ItemKind, Milestone
from tests.conftest import form_post
from tests.rollout.helpers import field_errors, pilot_and_key


def add_milestone(app, programme, name: str, planned_on: date = date(2026, 6, 1), kind: str = "other") -> int:
    with app.app_context():
        milestone = services.create_milestone(db.session.get(Programme, programme.id), name=name, kind=kind,
                                              planned_on=planned_on, actual_on=None)
        db.session.commit()
        return milestone.id


def add_dependency(app, programme, predecessor: str, successor: str, lag_days: int = 0) -> int:
    with app.app_context():
        dependency = services.add_dependency(db.session.get(Programme, programme.id), predecessor_key=predecessor,
                                             successor_key=successor, lag_days=lag_days)
        db.session.commit()
        return dependency.id


def dependency_pairs(app, programme) -> list[tuple[str, str, int]]:
    with app.app_context():
        rows = db.session.scalars(select(Dependency).where(Dependency.programme_id == programme.id)
                                  .order_by(Dependency.id))
        return [(row.predecessor_key, row.successor_key, row.lag_days) for row in rows]


def test_milestone_pages_create_edit_with_readable_kinds(app, client, login_as, make_programme):
    programme, _pilot, _key = pilot_and_key(app, make_programme)
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/milestones"

    created = form_post(client, f"{url}/new", {"name": "Processes signed off", "kind": "process_sign_off",
                                               "planned_on": "2026-05-04", "actual_on": ""})
    assert created.status_code == 302
    with app.app_context():
        milestone = db.session.scalar(select(Milestone).where(Milestone.programme_id == programme.id))
        assert (milestone.name, milestone.kind.value, milestone.actual_on) == (
            "Processes signed off", "process_sign_off", None)
        milestone_id = milestone.id
    listing = client.get(url).get_data(as_text=True)
    assert "Process sign-off" in listing and "May 4, 2026" in listing

    edited = form_post(client, f"{url}/{milestone_id}/edit", {"name": "Processes signed off", "kind": "review",
                                                              "planned_on": "2026-05-04", "actual_on": "2026-05-06",
                                                              "version": "1"})
    assert edited.status_code == 302
    with app.app_context():
        assert db.session.get(Milestone, milestone_id).actual_on == date(2026, 5, 6)

    missing = form_post(client, f"{url}/new", {"name": "", "kind": "kickoff", "planned_on": ""})
    assert missing.status_code == 422


def test_a_dependency_is_added_with_readable_names(app, client, login_as, make_programme):
    programme, pilot, _key = pilot_and_key(app, make_programme)
    kickoff = add_milestone(app, programme, "Kickoff")
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/dependencies"

    response = form_post(client, url, {"predecessor_key": f"milestone:{kickoff}", "successor_key": f"wave:{pilot}",
                                       "lag_days": "5"})
    assert response.status_code == 302
    assert dependency_pairs(app, programme) == [(f"milestone:{kickoff}", f"wave:{pilot}", 5)]
    page = client.get(url).get_data(as_text=True)
    assert "<td>Kickoff</td>" in page and "<td>Wave: Pilot</td>" in page
    assert "Stage 1: " in page  # stages are offered as plan items too


def test_a_dependency_cycle_is_refused_naming_the_loop(app, client, login_as, make_programme):
    programme, pilot, key = pilot_and_key(app, make_programme)
    vendor = add_milestone(app, programme, "Vendor chosen")
    add_dependency(app, programme, f"milestone:{vendor}", f"wave:{pilot}")
    add_dependency(app, programme, f"wave:{pilot}", f"wave:{key}")
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/dependencies"

    response = form_post(client, url, {"predecessor_key": f"wave:{key}", "successor_key": f"milestone:{vendor}",
                                       "lag_days": "0"})
    assert response.status_code == 422
    errors = html.unescape(field_errors(response.get_data(as_text=True), "predecessor_key"))
    assert "This would make the plan wait for itself:" in errors
    loop = errors.split("itself:")[1]
    for name in ("Vendor chosen", "Wave: Pilot", "Wave: Key regions"):
        assert name in loop
    assert len(dependency_pairs(app, programme)) == 2


def test_deleting_a_milestone_removes_its_dependencies(app, client, login_as, make_programme):
    programme, pilot, key = pilot_and_key(app, make_programme)
    kickoff = add_milestone(app, programme, "Kickoff")
    review = add_milestone(app, programme, "Review", planned_on=date(2027, 6, 1))
    add_dependency(app, programme, f"milestone:{kickoff}", f"wave:{pilot}")
    add_dependency(app, programme, f"wave:{key}", f"milestone:{review}", lag_days=20)
    add_dependency(app, programme, f"wave:{pilot}", f"wave:{key}")
    login_as("project_manager", programme)

    response = form_post(client, f"/programmes/{programme.id}/milestones/{kickoff}/delete", {})
    assert response.status_code == 302
    assert dependency_pairs(app, programme) == [(f"wave:{key}", f"milestone:{review}", 20),
                                                (f"wave:{pilot}", f"wave:{key}", 0)]
    with app.app_context():
        assert db.session.get(Milestone, kickoff) is None
        assert not db.session.scalars(select(Dependency.id).where(
            Dependency.predecessor_kind == ItemKind.MILESTONE, Dependency.predecessor_id == kickoff)).all()


def test_a_dependency_can_be_removed(app, client, login_as, make_programme):
    programme, pilot, key = pilot_and_key(app, make_programme)
    dependency = add_dependency(app, programme, f"wave:{pilot}", f"wave:{key}")
    login_as("project_manager", programme)
    url = f"/programmes/{programme.id}/dependencies"
    assert form_post(client, f"{url}/{dependency}/delete", {}, page_url=url).status_code == 302
    assert dependency_pairs(app, programme) == []
