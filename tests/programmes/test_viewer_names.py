"""Viewers may not see the programme's people (they lack PEOPLE_VIEW): the programme overview says a sponsor is
named without naming them, and the training sessions say a trainer is assigned without their email. Those who may
see people still read the names."""
import pytest

from planner.extensions import db
from planner.programmes import services as programme_services
from planner.programmes.models import Programme
from tests.training.test_sessions_helpers import NOW, make_session, setup

SPONSOR, TRAINER = "Vera Sponsor", "the.trainer@example.com"


@pytest.fixture
def world(app, factories, now_is):
    """A programme with a sponsor and one training session given by a trainer with a known email."""
    now_is(NOW)
    s = setup(app, factories)
    sponsor = factories.person(s.programme, SPONSOR, email="vera@example.com")
    with app.app_context():
        programme = db.session.get(Programme, s.programme.id)
        programme_services.update_programme(
            programme, expected_version=None, name=programme.name, system_name=programme.system_name,
            start_date=programme.start_date, home_time_zone=programme.home_time_zone,
            description=programme.description, sponsor_id=sponsor.id)
        db.session.commit()
    trainer = factories.user_with_role("trainer", s.programme, email=TRAINER)
    session_id = make_session(app, s, trainer_id=trainer.id)
    base = f"/programmes/{s.programme.id}"
    return s.programme, {"overview": base, "sessions": f"{base}/sessions", "session": f"{base}/sessions/{session_id}"}


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["overview", "sessions", "session"])
def test_a_viewer_sees_neither_the_sponsor_nor_the_trainer(client, login_as, world, page):
    programme, urls = world
    login_as("viewer", programme)
    html = _page(client, urls[page])
    assert SPONSOR not in html and "vera@example.com" not in html and TRAINER not in html


def test_a_viewer_reads_that_a_sponsor_and_a_trainer_are_there(client, login_as, world):
    programme, urls = world
    login_as("viewer", programme)
    overview = _page(client, urls["overview"])
    assert "<dt>Executive sponsor</dt><dd>Named" in overview and "None named" not in overview
    assert "<td>Trainer assigned</td>" in _page(client, urls["sessions"])
    assert "<dt>Trainer</dt><dd>Assigned</dd>" in _page(client, urls["session"])


def test_a_viewer_is_still_warned_when_no_sponsor_is_named(client, login_as, make_programme):
    programme = make_programme()
    login_as("viewer", programme)
    assert "None named. Rollouts without a sponsor" in _page(client, f"/programmes/{programme.id}")


@pytest.mark.parametrize("role", ["committee_member", "trainer"])
def test_those_who_may_see_people_read_the_names(client, login_as, world, role):
    programme, urls = world
    login_as(role, programme)
    assert SPONSOR in _page(client, urls["overview"])
    assert TRAINER in _page(client, urls["sessions"]) and TRAINER in _page(client, urls["session"])
