"""The trainer's roster: one tap per trainee (a plain form, or fetch answered with JSON), upserted marks that
survive a reload, "mark all present", completing the roster, the marking window, and who may mark."""
import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from planner.core.models import AuditEvent
from planner.extensions import db
from planner.training.models import AttendanceMark, MarkStatus, TrainingSession
from tests.conftest import count_queries, csrf_token_from, log_in
from tests.training.test_sessions_helpers import NOW, UTC, make_people, make_session, setup

#: the session of make_session starts at 10:00 Berlin = 09:00 UTC on NOW's day and lasts two hours
DURING = datetime(2026, 11, 10, 9, 30, tzinfo=UTC)


def _roster(app, factories, n: int = 3, *, login: str | None = "trainer"):
    """A session given by the setup's trainer with ``n`` enrolled trainees; a client logged in as ``login``."""
    s = setup(app, factories)
    people = make_people(factories, s, n)
    session_id = make_session(app, s, schedule=True, people=people, capacity=max(12, n))
    client = app.test_client()
    if login == "trainer":
        log_in(client, s.trainer.email)
    elif login:
        log_in(client, factories.user_with_role(login, s.programme).email)
    return s, people, session_id, client, f"/programmes/{s.programme.id}/sessions/{session_id}/roster"


def _mark(client, url, person_id, status, note="", **headers):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(f"{url}/marks", data={"csrf_token": token, "person_id": str(person_id), "status": status,
                                             "note": note}, headers=headers)


def _marks(app, session_id) -> dict[int, tuple[str, str]]:
    with app.app_context():
        return {mark.person_id: (mark.status.value, mark.note) for mark in db.session.scalars(
            select(AttendanceMark).where(AttendanceMark.session_id == session_id))}


def _pressed(html: str, person_id: int) -> list[str]:
    """The mark buttons shown pressed in one trainee's row."""
    row = html.split(f'name="person_id" value="{person_id}"')[1].split("</form>")[0]
    return re.findall(r'value="(\w+)" class="mark [^"]*" aria-pressed="true"', row)


def test_a_tap_saves_the_mark_and_it_survives_a_reload(app, factories, now_is):
    now_is(DURING)
    s, people, session_id, client, url = _roster(app, factories)
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'src="/static/js/roster.js"' in html and "<script>" not in html
    assert html.count('class="mark-form"') == 3
    response = _mark(client, url, people[0], "late", note="Train delayed")
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert _marks(app, session_id) == {people[0]: ("late", "Train delayed")}
    reloaded = client.get(url).get_data(as_text=True)
    assert _pressed(reloaded, people[0]) == ["late"]
    assert _pressed(reloaded, people[1]) == []
    assert 'value="Train delayed"' in reloaded


def test_a_fetch_tap_is_answered_with_json(app, factories, now_is):
    now_is(DURING)
    s, people, session_id, client, url = _roster(app, factories)
    response = _mark(client, url, people[1], "present", **{"X-Requested-With": "fetch"})
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["ok"] is True
    assert answer["mark"]["person_id"] == people[1] and answer["mark"]["status"] == "present"
    accept = _mark(client, url, people[2], "absent", Accept="application/json")
    assert accept.get_json()["mark"]["status"] == "absent"
    refused = _mark(client, url, people[2], "asleep", Accept="application/json")
    assert refused.status_code == 422 and refused.get_json()["ok"] is False


def test_marking_again_overwrites_the_one_mark_and_is_audited(app, factories, now_is):
    now_is(DURING)
    s, people, session_id, client, url = _roster(app, factories)
    _mark(client, url, people[0], "absent")
    _mark(client, url, people[0], "late", note="Came at 10:20")
    assert _marks(app, session_id) == {people[0]: ("late", "Came at 10:20")}
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "AttendanceMark")
                                     .order_by(AuditEvent.id)).all()
    assert actions == ["create", "update"]


def test_only_enrolled_people_can_be_marked(app, factories, now_is):
    now_is(DURING)
    s, people, session_id, client, url = _roster(app, factories)
    [stranger] = make_people(factories, s, 1)
    response = _mark(client, url, stranger, "present")
    assert response.status_code == 422
    assert "Only people enrolled in this session can be marked" in response.get_data(as_text=True)
    assert _marks(app, session_id) == {}


@pytest.mark.parametrize("moment, allowed", [
    (datetime(2026, 11, 10, 8, 29, tzinfo=UTC), False),   # 31 minutes before the start
    (datetime(2026, 11, 10, 8, 30, tzinfo=UTC), True),    # 30 minutes before
    (datetime(2026, 11, 17, 11, 0, tzinfo=UTC), True),    # 7 days after the end
    (datetime(2026, 11, 17, 11, 1, tzinfo=UTC), False),
])
def test_marks_are_taken_from_30_minutes_before_to_7_days_after(app, factories, now_is, moment, allowed):
    now_is(NOW)
    s, people, session_id, client, url = _roster(app, factories)
    now_is(moment)
    response = _mark(client, url, people[0], "present")
    assert response.status_code == (302 if allowed else 422)
    assert bool(_marks(app, session_id)) is allowed


def test_mark_all_present_keeps_marks_already_taken(app, factories, now_is):
    now_is(DURING)
    s, people, session_id, client, url = _roster(app, factories)
    _mark(client, url, people[0], "excused", note="Sick")
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(f"{url}/all-present", data={"csrf_token": token})
    assert response.status_code == 302
    assert _marks(app, session_id) == {people[0]: ("excused", "Sick"), people[1]: ("present", ""),
                                       people[2]: ("present", "")}


def test_the_roster_is_completed_only_when_everyone_is_marked(app, factories, now_is):
    now_is(DURING)
    s, people, session_id, client, url = _roster(app, factories)
    _mark(client, url, people[0], "present")
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    refused = client.post(f"{url}/complete", data={"csrf_token": token})
    assert refused.status_code == 422
    assert "2 enrolled people have no mark yet" in refused.get_data(as_text=True)
    client.post(f"{url}/all-present", data={"csrf_token": token})
    assert client.post(f"{url}/complete", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(TrainingSession, session_id).roster_completed_at == DURING


def test_the_sessions_own_trainer_marks_and_another_trainer_gets_403(app, factories, now_is):
    now_is(DURING)
    s, people, session_id, client, url = _roster(app, factories)
    assert client.get(url).status_code == 200
    assert _mark(client, url, people[0], "present").status_code == 302
    other = app.test_client()
    log_in(other, factories.user_with_role("trainer", s.programme).email)
    assert other.get(url).status_code == 403
    token = csrf_token_from(other.get("/").get_data(as_text=True))
    for path, data in ((f"{url}/marks", {"person_id": str(people[1]), "status": "absent"}),
                       (f"{url}/all-present", {}), (f"{url}/complete", {})):
        assert other.post(path, data={"csrf_token": token, **data}).status_code == 403
    assert _marks(app, session_id) == {people[0]: ("present", "")}
    # a project manager may mark any session of the programme
    manager = app.test_client()
    log_in(manager, factories.user_with_role("project_manager", s.programme).email)
    assert _mark(manager, url, people[1], "late").status_code == 302


@pytest.mark.parametrize("role", ["viewer", "committee_member"])
def test_readers_cannot_open_the_roster(app, factories, now_is, role):
    now_is(DURING)
    s, people, session_id, client, url = _roster(app, factories, login=role)
    assert client.get(url).status_code == 403


def test_the_roster_answers_in_the_same_number_of_queries_for_3_or_40_trainees(app, factories, now_is):
    now_is(DURING)
    counts = []
    for n in (3, 40):
        s, people, session_id, client, url = _roster(app, factories, n)
        for person_id in people[::2]:
            _mark(client, url, person_id, "late", note="Traffic")
        with count_queries(app) as statements:
            response = client.get(url)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('class="mark-form"') == n
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_mark_all_present_on_40_trainees(app, factories, now_is):
    now_is(DURING)
    s, people, session_id, client, url = _roster(app, factories, 40)
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    assert client.post(f"{url}/all-present", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttendanceMark).where(
            AttendanceMark.session_id == session_id, AttendanceMark.status == MarkStatus.PRESENT)) == 40
