"""Viewers may not see the programme's people (they lack PEOPLE_VIEW): the committee's pages show them roles and
counts where members see names and emails. The same world is read by a viewer and by a committee member."""
import re
from dataclasses import dataclass
from datetime import date

import pytest
from planner.committee import services as committee_services
from planner.committee.models import CommitteeMember, MeetingOccurrence
from planner.extensions import db
from planner.programmes.models import Programme
from tests.committee.test_pages_helpers import NOW, add_items, past_and_next, schedule, seat

#: every name and email the world below holds; none may reach a viewer
NAMES = ("Hanna Vogel", "hanna@example.com", "Luis Ortega", "luis@example.com", "Mara Lind", "mara@example.com",
         "Ana Ruiz", "recorder@example.com")


@dataclass
class World:
    programme: object
    meeting: int
    past: int
    upcoming: int
    leaver_id: int

    def url(self, page: str) -> str:
        return f"/programmes/{self.programme.id}/" + page.format(meeting=self.meeting, past=self.past,
                                                                 upcoming=self.upcoming)


@pytest.fixture
def world(app, make_programme, make_person, make_user, now_is) -> World:
    """A chair, a representative and a member who left with an open action; a weekly meeting whose last
    occurrence had Luis presenting, Hanna present and Luis represented by Ana Ruiz, a decision recorded by
    recorder@example.com, and Luis presenting at the next one too."""
    now_is(NOW)
    programme = make_programme()
    hanna = make_person(programme, "Hanna Vogel", email="hanna@example.com")
    luis = make_person(programme, "Luis Ortega", email="luis@example.com")
    mara = make_person(programme, "Mara Lind", email="mara@example.com")
    seat(app, programme, hanna, role="chair")
    seat(app, programme, luis)
    leaver = seat(app, programme, mara, role="secretary")
    meeting = schedule(app, programme, send_now=True)
    past, upcoming = past_and_next(app, meeting)
    recorder = make_user("recorder@example.com")
    add_items(app, past, 1, presenter=luis)
    add_items(app, upcoming, 1, presenter=luis)
    with app.app_context():
        target = db.session.get(Programme, programme.id)
        occurrence = db.session.get(MeetingOccurrence, past)
        committee_services.record_attendance(occurrence, {hanna.id: ("present", ""), luis.id: ("delegate", "Ana Ruiz")})
        committee_services.record_decision(target, text="Pilot in the north", recorded_by_id=recorder.id,
                                           occurrence=occurrence)
        committee_services.add_action(target, title="Hand over the minutes", owner_id=mara.id,
                                      due_on=date(2026, 12, 1))
        member = db.session.get(CommitteeMember, leaver)
        committee_services.record_leaving(member, ends_on=date(2026, 10, 31), reason="", expected_version=None)
        db.session.commit()
    return World(programme, meeting, past, upcoming, mara.id)


PAGES = ["committee", "meetings/{meeting}", "meetings/{meeting}?answer=none", "occurrences/{past}",
         "occurrences/{upcoming}", "occurrences/{past}/pack", "occurrences/{upcoming}/pack", "decisions"]


@pytest.mark.parametrize("page", PAGES)
def test_a_viewer_sees_no_name_or_email_of_the_programmes_people(client, login_as, world, page):
    login_as("viewer", world.programme)
    response = client.get(world.url(page))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert [name for name in NAMES if name in html] == []


def _page(client, world, page: str) -> str:
    response = client.get(world.url(page))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_viewer_reads_the_committee_by_roles_and_counts(client, login_as, world):
    login_as("viewer", world.programme)
    page = _page(client, world, "committee")
    assert "2 members serve on the committee." in page
    assert re.search(r"<td>\s*Chair\s*</td>", page) and re.search(r"<td>\s*Department representative\s*</td>", page)
    assert "<strong>Secretary</strong>" in page and "left on" in page  # the member who left, by role
    assert "Hand over the minutes" in page  # their open action, without the owner filter a viewer cannot use
    assert "owner=" not in page


def test_a_viewer_reads_who_is_invited_and_who_came_as_counts(client, login_as, world):
    login_as("viewer", world.programme)
    meeting = _page(client, world, "meetings/{meeting}")
    assert "2 people invited." in meeting
    assert ">Chair<" in meeting and ">Required<" in meeting
    occurrence = _page(client, world, "occurrences/{past}")
    assert "<td>assigned</td>" in occurrence  # the presenter
    assert "Present: 1" in occurrence and "Sent a delegate: 1" in occurrence and "Absent: 0" in occurrence
    assert "Quorum met" in occurrence
    pack = _page(client, world, "occurrences/{upcoming}/pack")
    assert "Item 1</strong> (10 minutes, presenter assigned)" in pack
    decisions = _page(client, world, "decisions")
    assert "Pilot in the north" in decisions and "Recorded by" not in decisions


def test_a_committee_member_sees_the_names(client, login_as, world):
    login_as("committee_member", world.programme)
    committee = _page(client, world, "committee")
    assert "Hanna Vogel" in committee and "luis@example.com" in committee and "Mara Lind" in committee
    assert f"owner={world.leaver_id}" in committee
    meeting = _page(client, world, "meetings/{meeting}")
    assert "Hanna Vogel" in meeting and "luis@example.com" in meeting
    occurrence = _page(client, world, "occurrences/{past}")
    assert "<td>Luis Ortega</td>" in occurrence and "Ana Ruiz" in occurrence
    assert "Item 1</strong> (10 minutes, Luis Ortega)" in _page(client, world, "occurrences/{upcoming}/pack")
    assert "recorder@example.com" in _page(client, world, "decisions")


def test_a_trainer_reads_attendance_by_name(client, login_as, world):
    """Trainers may see people but not record attendance: the read-only list keeps the names."""
    login_as("trainer", world.programme)
    page = _page(client, world, "occurrences/{past}")
    assert "Hanna Vogel: Present" in page and "Luis Ortega: Sent a delegate (Ana Ruiz)" in page
    assert "Present: 1" not in page

