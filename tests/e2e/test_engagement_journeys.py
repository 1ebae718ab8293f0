"""Engagement pages in a real browser: status updates, feedback and the FAQ, the survey heat map, a change's impact.

Same set-up as test_browser_journeys.py (Debian's Chromium, the demo on its own database, no console errors or
CSP violations, screenshots in test-artifacts/); ``live_app`` hands out the server's app too, so a journey can derive
a person's real feedback link the way the app does.
"""
import re

from sqlalchemy import select

from planner.extensions import db
from tests.e2e.helpers import NEEDS_CHROMIUM, log_in, note_overflow, shot

pytestmark = NEEDS_CHROMIUM

PROGRAMME = "Meridian Outdoor Group: Helix CRM rollout"
PM = "pm@example.com"


def _open_programme(page, base: str) -> None:
    log_in(page, base, PM)
    page.get_by_role("link", name=PROGRAMME).first.click()
    page.wait_for_load_state()


def _subnav(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("navigation", name="Programme").get_by_role("link", name=name, exact=True).click()


def _click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_project_manager_writes_edits_and_sends_a_status_update_on_a_phone(live_app, page_for):
    base, _app = live_app
    page = page_for(390, 844)
    overflowing = []
    _open_programme(page, base)
    _subnav(page, "Communication")
    _click_and_wait(page, page.get_by_role("link", name="Status updates", exact=True))
    assert page.get_by_role("heading", name="Status updates").is_visible()
    _click_and_wait(page, page.get_by_role("link", name="Write a status update"))

    audience = page.get_by_label("Audience")
    options = [text.strip() for text in audience.locator("option").all_inner_texts()]
    assert "Sales in the key regions" in options, options  # the form lists the programme's audiences
    audience.select_option(label="Sales in the key regions")
    shot(page, "pm-status-update-new-phone")
    _click_and_wait(page, page.get_by_role("button", name="Write the draft"))

    assert page.locator(".flash-success", has_text="Draft written").is_visible()
    assert page.get_by_role("heading", name="Change the draft").is_visible()
    subject = page.get_by_label("Subject").input_value()
    body = page.get_by_label("Message").input_value()
    assert subject.strip() and len(body.splitlines()) > 3, (subject, body)
    shot(page, "pm-status-update-draft-phone")
    note_overflow(page, overflowing)

    lines = body.splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip())
    edited = "Edited by the PM: the pilot feedback session moves to Thursday."
    lines[index] = edited
    page.get_by_label("Message").fill("\n".join(lines))
    _click_and_wait(page, page.get_by_role("button", name="Save"))

    assert page.locator(".flash-success", has_text="Draft saved").is_visible()
    assert page.get_by_role("heading", name=subject).is_visible()
    assert edited in page.locator("pre.prose").inner_text()
    assert page.locator(".facts", has_text="Draft").is_visible()
    note_overflow(page, overflowing)
    _click_and_wait(page, page.get_by_role("button", name="Send by email"))

    assert page.locator(".flash-success", has_text=re.compile(r"Queued for \d+ (person|people)")).is_visible()
    assert page.locator(".facts", has_text="Sent").is_visible()
    assert page.get_by_role("link", name="Change", exact=True).count() == 0  # sent: read-only
    shot(page, "pm-status-update-sent-phone")

    _click_and_wait(page, page.get_by_role("link", name="Log", exact=True))
    assert page.get_by_role("heading", name="Communication log").is_visible()
    row = page.locator("tbody tr", has_text=subject).first
    assert row.is_visible()
    assert "Sales in the key regions" in row.inner_text()
    shot(page, "pm-comms-log-phone")
    note_overflow(page, overflowing)
    assert page.problems == [], page.problems
    assert overflowing == [], f"wider than the 390px phone (page, scrollWidth): {overflowing}"


def test_a_person_asks_through_their_link_and_the_answer_reaches_the_faq(live_app, page_for):
    from planner.auth.models import User
    from planner.feedback.links import feedback_token
    from planner.people.models import Person
    from planner.programmes.models import Programme

    base, app = live_app
    with app.app_context():
        person = db.session.scalar(
            select(Person).join(Programme, Programme.id == Person.programme_id)
            .where(Programme.name == PROGRAMME, Person.region_id.is_not(None),
                   Person.id.not_in(select(User.person_id).where(User.person_id.is_not(None))))
            .order_by(Person.email).limit(1))
        assert person is not None
        name, token = person.full_name, feedback_token(person)
        db.session.commit()
        db.session.remove()

    question = "Will my saved customer searches move over from the old contact database?"
    phone = page_for(390, 844)
    phone.goto(f"{base}/feedback/{token}")
    assert phone.get_by_role("heading", name="Questions and feedback").is_visible()
    assert phone.get_by_text(f"Hello {name}.").is_visible()
    phone.get_by_label("This is a").select_option(label="Question")
    phone.get_by_label("Topic").select_option(label="Data")
    phone.get_by_label("Your question or feedback").fill(question)
    _click_and_wait(phone, phone.get_by_role("button", name="Send"))
    assert phone.locator(".flash-success", has_text="Thank you").is_visible()
    assert phone.locator(".feedback-item", has_text=question).is_visible()
    shot(phone, "person-feedback-asked-phone")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert phone.problems == [], phone.problems

    answer = "Yes. Saved searches are migrated with your account; check them on your first day."
    desk = page_for(1280, 800)
    _open_programme(desk, base)
    _subnav(desk, "Feedback")
    row = desk.locator("tbody tr", has_text=question[:60]).first
    assert name in row.inner_text()
    _click_and_wait(desk, row.get_by_role("link").first)
    assert desk.get_by_role("heading", name=re.compile(r"Question #\d+")).is_visible()
    desk.get_by_label("Answer", exact=True).fill(answer)
    _click_and_wait(desk, desk.get_by_role("button", name="Save and send"))
    assert desk.locator(".flash-success", has_text="Answer saved").is_visible()

    faq_question = desk.get_by_label("Question as the FAQ shows it")
    assert faq_question.input_value().strip() == question
    faq_question.fill("Do saved customer searches move over from the old contact database?")
    _click_and_wait(desk, desk.get_by_role("button", name="Publish to the FAQ"))
    assert desk.locator(".flash-success", has_text="Published to the FAQ").is_visible()
    shot(desk, "pm-feedback-answered-published")

    _subnav(desk, "FAQ")
    assert desk.get_by_role("heading", name="Frequently asked questions").is_visible()
    entry = desk.locator("dl.faq dt", has_text="Do saved customer searches move over")
    assert entry.is_visible()
    assert desk.locator("dl.faq dd", has_text="Saved searches are migrated").is_visible()
    assert name not in desk.locator("main").inner_text()  # the FAQ never says who asked
    shot(desk, "pm-faq")
    assert desk.problems == [], desk.problems

    phone.reload()
    assert phone.locator(".feedback-item", has_text="Saved searches are migrated").is_visible()
    assert phone.locator("dl.faq dt", has_text="Do saved customer searches move over").is_visible()
    assert phone.problems == [], phone.problems


def test_survey_heat_map_loads_and_a_schedule_change_shows_its_impact(live_app, page_for):
    base, _app = live_app
    page = page_for(1280, 800)
    _open_programme(page, base)
    _subnav(page, "Surveys")
    _click_and_wait(page, page.get_by_role("link", name=re.compile("Readiness check")).first)
    assert page.get_by_role("heading", name="Results per region").is_visible()
    heat_map = page.get_by_role("img", name=re.compile("Heat map of mean readiness scores"))
    assert heat_map.is_visible()
    page.wait_for_function("() => { const img = document.querySelector('figure.chart img');"
                           " return img && img.complete && img.naturalWidth > 0; }", timeout=15000)
    assert page.get_by_text(re.compile("North America East: .* is a barrier")).first.is_visible()
    shot(page, "pm-survey-heatmap")

    _subnav(page, "Change requests")
    _click_and_wait(page, page.locator("tbody tr", has_text="CR-003").get_by_role("link").first)
    assert page.get_by_role("heading", name=re.compile("^CR-003: ")).is_visible()
    impact = page.locator("section.card", has=page.get_by_role("heading", name="Impact on the plan"))
    assert impact.is_visible()
    table = impact.get_by_role("table")
    assert table.is_visible()
    assert table.get_by_role("columnheader", name="Shift (working days)").is_visible()
    assert table.locator("tbody tr").count() > 0
    shot(page, "pm-change-impact")
    assert page.problems == [], page.problems
