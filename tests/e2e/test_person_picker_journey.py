"""The person search box in a real browser, on a phone: the demo programme has 300 people, more than a select
lists, so a risk's owner is found by typing (suggestions fetched from the people lookup) and saved by the id the
script sets. Same set-up as the other journeys: Debian's Chromium, the demo on its own database, no console errors
or CSP violations, a screenshot in test-artifacts/."""
from playwright.sync_api import expect
from sqlalchemy import select

from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Programme
from planner.risks.models import Risk
from tests.e2e.helpers import NEEDS_CHROMIUM, log_in, shot

pytestmark = NEEDS_CHROMIUM


def test_project_manager_finds_a_risk_owner_by_typing_on_a_phone(live_app, page_for):
    base, app = live_app
    with app.app_context():
        programme_id = db.session.scalar(select(Programme.id).order_by(Programme.id).limit(1))
        risk = db.session.scalar(select(Risk).where(Risk.programme_id == programme_id).order_by(Risk.id).limit(1))
        risk_id, owner_before = risk.id, risk.owner_id
        person = db.session.scalar(select(Person).where(Person.programme_id == programme_id,
                                                        Person.id != (owner_before or 0))
                                   .order_by(Person.full_name.desc()).limit(1))
        person_id, name, email = person.id, person.full_name, person.email
        db.session.remove()

    page = page_for(390, 844)
    log_in(page, base, "pm@example.com")
    page.goto(f"{base}/programmes/{programme_id}/risks/{risk_id}/edit")
    box = page.locator("#owner_id")
    hidden = page.locator('input[type=hidden][name="owner_id"]')
    expect(box).to_have_attribute("type", "search")
    assert page.locator("select#owner_id").count() == 0

    box.fill("")
    box.press_sequentially(name[:5].lower(), delay=40)
    suggestion = page.locator(f'#owner_id-list option[value="{name} <{email}>"]')
    expect(suggestion).to_have_count(1, timeout=5000)  # fetched as one types
    assert hidden.input_value() == ""  # typed text alone names nobody yet

    box.fill(f"{name} <{email}>")  # what picking the suggestion puts in the box
    expect(hidden).to_have_value(str(person_id))
    shot(page, "pm-risk-owner-search-phone")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_be_visible()

    with app.app_context():
        assert db.session.get(Risk, risk_id).owner_id == person_id
        db.session.remove()
    page.goto(f"{base}/programmes/{programme_id}/risks/{risk_id}/edit")
    expect(page.locator("#owner_id")).to_have_value(f"{name} <{email}>")
    expect(hidden).to_have_value(str(person_id))
    assert page.problems == []
