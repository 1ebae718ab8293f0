"""People in the field, in a real browser: a trainer takes attendance on a phone, a committee member reads the pack.

Same set-up as test_browser_journeys.py (Debian's Chromium, the demo on its own database, screenshots in
test-artifacts/; the ``page_for`` fixture fails a journey on any console error or CSP violation). ``live_app``
hands out the server's app, so a journey can arrange what a project manager would have done beforehand (a session
running now, with people enrolled) through the same services, and read back what the browser saved.
"""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from planner.auth.models import User
from planner.committee.models import AgendaItem, Meeting, MeetingInvitee, MeetingOccurrence, MeetingStatus
from planner.core import clock
from planner.core.errors import DomainError
from planner.extensions import db
from planner.programmes.models import Programme, Region
from planner.training import enrolment, sessions
from planner.training.models import AttendanceMark, Course
from tests.e2e.helpers import ARTIFACTS, NEEDS_CHROMIUM, log_in, note_overflow, shot

pytestmark = NEEDS_CHROMIUM

PROGRAMME = "Meridian Outdoor Group: Helix CRM rollout"
TRAINER = "trainer@example.com"
MEMBER = "member@example.com"
PHONE = (390, 844)


def _open_dashboard(page, base: str, email: str) -> None:
    """Log in, open the demo programme from the list and go to its dashboard, by clicking."""
    log_in(page, base, email)
    with page.expect_navigation():
        page.get_by_role("link", name=PROGRAMME).first.click()
    with page.expect_navigation():
        page.get_by_role("navigation", name="Programme").get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name=f"{PROGRAMME}: dashboard")).to_be_visible()


def _session_running_now(app, *, region_name: str = "UK and Ireland", course_title: str = "Helix CRM essentials",
                         seats: int = 5) -> dict:
    """What the project manager set up before the day: a session of the demo trainer that started a few minutes
    ago (on the region's today), with ``seats`` people who still need the course enrolled, scheduled. Made through
    the training services, as the pages would."""
    with app.test_request_context():
        programme = db.session.scalar(select(Programme).where(Programme.name == PROGRAMME))
        region = db.session.scalar(select(Region).where(Region.programme_id == programme.id,
                                                        Region.name == region_name))
        course = db.session.scalar(select(Course).where(Course.programme_id == programme.id,
                                                        Course.title == course_title))
        trainer = db.session.scalar(select(User).where(User.email == TRAINER))
        local_now = clock.now().astimezone(ZoneInfo(region.time_zone))
        midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        session, refusals = None, []
        for minutes_ago in (15, 5, 25):  # another session of the trainer may hold one of these slots
            start = max(local_now - timedelta(minutes=minutes_ago), midnight).replace(second=0, microsecond=0)
            try:
                with db.session.begin_nested():
                    session = sessions.create_session(
                        programme, course_id=course.id, region_id=region.id, trainer_id=trainer.id,
                        start_on=start.date(), start_time=start.time(), duration_minutes=60,
                        location="London office, room Thames", online_url="", capacity=12)
                break
            except DomainError as refusal:
                refusals.append(refusal.message)
        assert session is not None, refusals
        person_ids = enrolment.people_to_auto_enrol(session)[:seats]
        assert len(person_ids) == seats, person_ids
        for person_id in person_ids:
            sessions.enrol_person(session, person_id)
        sessions.schedule_session(session)
        arranged = {"session_id": session.id, "trainer_id": trainer.id, "course": course.title,
                    "people": [(enrolled.person_id, enrolled.person.full_name)
                               for enrolled in session.enrolments]}
        db.session.commit()
        db.session.remove()
    arranged["people"].sort(key=lambda person: (person[1], person[0]))
    return arranged


def _mark(page, row, label: str) -> None:
    """Tap a mark button of a roster row and wait for the page's own script to save it (fetch, no reload)."""
    with page.expect_response(lambda response: response.url.endswith("/roster/marks")
                              and response.request.method == "POST") as saved:
        row.get_by_role("button", name=label, exact=True).click()
    assert saved.value.ok and saved.value.json()["ok"] is True, saved.value.text()


def test_trainer_marks_attendance_on_a_phone_and_the_marks_survive_a_reload(live_app, page_for):
    base, app = live_app
    arranged = _session_running_now(app)
    present, corrected, excused, late, unmarked = (person_id for person_id, _name in arranged["people"])
    names = dict(arranged["people"])
    note = "Customer visit; rebooked for next week."
    expected = {present: ("present", "Present"), corrected: ("absent", "Absent"),
                excused: ("excused", "Excused"), late: ("late", "Late")}

    page = page_for(*PHONE)
    overflowing = []
    _open_dashboard(page, base, TRAINER)
    today = page.locator("#trainer-today")
    session_item = today.locator(f"li.my-session[data-session='{arranged['session_id']}']")
    expect(session_item).to_contain_text(arranged["course"])
    expect(session_item).to_contain_text("5 enrolled")
    shot(page, "trainer-dashboard-phone")
    note_overflow(page, overflowing)

    with page.expect_navigation():
        session_item.get_by_role("link", name="Roster").click()
    expect(page.get_by_role("heading", name=f"Roster: {arranged['course']}")).to_be_visible()
    expect(page.locator("[data-marked-count]")).to_have_text("0")
    rows = {person_id: page.locator("li.roster-row").filter(has=page.get_by_text(name, exact=True))
            for person_id, name in arranged["people"]}
    assert all(row.count() == 1 for row in rows.values()), {names[p]: row.count() for p, row in rows.items()}
    note_overflow(page, overflowing)

    _mark(page, rows[present], "Present")
    _mark(page, rows[corrected], "Present")
    _mark(page, rows[corrected], "Absent")  # a wrong tap put right: the mark is replaced, not added
    _mark(page, rows[excused], "Excused")
    with page.expect_response(lambda response: response.url.endswith("/roster/marks")) as saved:
        rows[excused].get_by_placeholder("Note (optional)").fill(note)
        rows[excused].get_by_placeholder("Note (optional)").press("Tab")  # the note is saved when it loses focus
    assert saved.value.ok, saved.value.text()
    _mark(page, rows[late], "Late")

    def check_rows(when: str) -> None:
        for person_id, (status, label) in expected.items():
            row = rows[person_id]
            expect(row, f"{names[person_id]} {when}").to_have_attribute("data-status", status)
            expect(row.locator("[data-mark-label]")).to_have_text(label)
            expect(row.get_by_role("button", name=label, exact=True)).to_have_attribute("aria-pressed", "true")
            assert row.locator("button.mark[aria-pressed=true]").count() == 1, (when, names[person_id])
        expect(rows[unmarked]).to_have_attribute("data-status", "")
        expect(rows[unmarked].locator("[data-mark-label]")).to_have_text("Not marked")
        expect(page.locator("[data-marked-count]")).to_have_text("4")
        expect(page.locator(".roster-count")).to_contain_text("4 / 5 marked")
        expect(rows[excused].get_by_placeholder("Note (optional)")).to_have_value(note)
        assert page.locator("[data-row-error]:visible").count() == 0

    check_rows("before the reload")
    shot(page, "trainer-roster-marked-phone")
    note_overflow(page, overflowing)

    page.reload()
    check_rows("after the reload")
    shot(page, "trainer-roster-after-reload-phone")
    note_overflow(page, overflowing)

    with app.app_context():
        marks = {mark.person_id: mark for mark in db.session.scalars(
            select(AttendanceMark).where(AttendanceMark.session_id == arranged["session_id"]))}
        saved_marks = {person_id: (mark.status.value, mark.note, mark.marked_by_id, mark.source)
                       for person_id, mark in marks.items()}
        db.session.remove()
    assert saved_marks == {
        present: ("present", "", arranged["trainer_id"], "trainer"),
        corrected: ("absent", "", arranged["trainer_id"], "trainer"),
        excused: ("excused", note, arranged["trainer_id"], "trainer"),
        late: ("late", "", arranged["trainer_id"], "trainer")}, saved_marks
    assert page.problems == [], page.problems
    assert overflowing == [], f"wider than the 390px phone (page, scrollWidth): {overflowing}"


def _next_meeting_of(app, email: str) -> dict:
    """The coming meeting ``email``'s person is invited to, soonest first, read straight from the tables (not
    through the dashboard's query), with its agenda in order."""
    with app.app_context():
        person_id = db.session.scalar(select(User.person_id).where(User.email == email))
        occurrence = db.session.scalars(
            select(MeetingOccurrence).join(Meeting, Meeting.id == MeetingOccurrence.meeting_id)
            .join(MeetingInvitee, MeetingInvitee.meeting_id == Meeting.id)
            .where(MeetingInvitee.person_id == person_id, MeetingInvitee.removed_at.is_(None),
                   Meeting.status == MeetingStatus.SCHEDULED, MeetingOccurrence.is_cancelled.is_(False),
                   MeetingOccurrence.starts_at >= clock.now())
            .order_by(MeetingOccurrence.starts_at, MeetingOccurrence.id).limit(1)).first()
        assert occurrence is not None, f"{email} is invited to no coming meeting"
        meeting = {"occurrence_id": occurrence.id, "title": occurrence.meeting.title,
                   "day": occurrence.local_start.strftime("%Y-%m-%d"),
                   "is_published": occurrence.agenda_published_revision is not None,
                   "agenda": list(db.session.scalars(
                       select(AgendaItem.title).where(AgendaItem.occurrence_id == occurrence.id)
                       .order_by(AgendaItem.position, AgendaItem.id)))}
        db.session.remove()
    assert meeting["agenda"], f"the demo's next meeting has no agenda: {meeting}"
    return meeting


def _check_pack(page, meeting: dict) -> None:
    assert page.url.endswith(f"/occurrences/{meeting['occurrence_id']}/pack"), page.url
    pack = page.locator("article.pack")
    expect(pack.get_by_role("heading", level=1)).to_have_text(meeting["title"])
    agenda = pack.locator("section", has=page.get_by_role("heading", name="Agenda", exact=True))
    assert agenda.locator("ol > li > strong").all_inner_texts() == meeting["agenda"]
    not_published = agenda.get_by_text("This agenda is not published yet.")
    expect(not_published).to_have_count(0 if meeting["is_published"] else 1)
    for section in ("Programme status", "Overdue actions", "Top risks"):
        expect(pack.get_by_role("heading", name=section)).to_be_visible()


@pytest.mark.parametrize("viewport, through", [(PHONE, "meeting page"), ((1280, 800), "dashboard")],
                         ids=["phone-through-meeting-page", "desktop-from-dashboard"])
def test_committee_member_opens_the_pack_of_their_next_meeting(live_app, page_for, viewport, through):
    base, app = live_app
    meeting = _next_meeting_of(app, MEMBER)
    page = page_for(*viewport)
    overflowing = []
    suffix = "phone" if viewport == PHONE else "desktop"
    _open_dashboard(page, base, MEMBER)
    first = page.locator("#member-meetings li.my-meeting").first
    expect(first).to_contain_text(meeting["title"])
    expect(first).to_contain_text(meeting["day"])
    shot(page, f"member-dashboard-{suffix}")
    note_overflow(page, overflowing)

    if through == "meeting page":
        with page.expect_navigation():
            first.get_by_role("link", name="Agenda").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"{meeting['title']}, ")
        expect(page.get_by_role("heading", level=1)).to_contain_text(meeting["day"])
        note_overflow(page, overflowing)
        with page.expect_navigation():
            page.get_by_role("link", name="Committee pack").click()
    else:
        with page.expect_navigation():
            first.get_by_role("link", name="Pack", exact=True).click()
    _check_pack(page, meeting)
    shot(page, f"member-pack-{suffix}")
    note_overflow(page, overflowing)

    page.emulate_media(media="print")  # the pack is meant to be printed: no menu, no "back" link on paper
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator("article.pack .no-print")).to_be_hidden()
    expect(page.locator("article.pack h1")).to_be_visible()
    if suffix == "desktop":  # printing ignores the viewport: one PDF is enough
        ARTIFACTS.mkdir(exist_ok=True)
        page.pdf(path=str(ARTIFACTS / "member-pack.pdf"), format="A4")
    assert page.problems == [], page.problems
    assert overflowing == [], f"wider than the {viewport[0]}px viewport (page, scrollWidth): {overflowing}"


def test_the_journeys_catch_a_csp_violation(live_server, page_for):
    """The net every journey relies on: an inline script, which the policy blocks, reaches ``page.problems``
    both as the violation event and as Chromium's console error."""
    page = page_for(*PHONE)
    page.goto(f"{live_server}/login")
    assert page.problems == [], page.problems
    page.evaluate("() => { const script = document.createElement('script');"
                  " script.textContent = 'window.ranInline = true'; document.body.append(script); }")
    assert page.evaluate("() => window.ranInline === undefined")  # the policy blocked it
    for _attempt in range(50):  # the reports arrive asynchronously
        if len(page.problems) >= 2:
            break
        page.wait_for_timeout(50)
    assert any(problem.startswith("CSP violation: script-src-elem blocked inline") for problem in page.problems), \
        page.problems
    assert any("Content Security Policy" in problem for problem in page.problems), page.problems
    page.problems.clear()
