"""Stage pages: the gate (unmet criteria, reviews, closing and overriding), deliverables, edits."""
import html
from datetime import date, datetime

import pytest

from planner.core import clock
from planner.lifecycle.template import STAGES
from tests.conftest import csrf_token_from, form_post, log_in
from tests.lifecycle.helpers import (TODAY, audit_events, field_errors, stage_facts, stage_ids, stage_url,
                                     version_in)

STAGE_1_CRITERIA = STAGES[0]["criteria"]


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def programme(make_programme):
    return make_programme(regions=["North"])


@pytest.fixture
def stage_1(app, programme):
    return stage_ids(app, programme)[1]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def review(client, programme, stage_id, met_ids, **values):
    data = {"met": [str(i) for i in met_ids], "reviewed_on": "2026-05-29", "approved_by_id": "", "notes": "",
            **values}
    return form_post(client, stage_url(programme, stage_id, "/gate-review"), data,
                     page_url=stage_url(programme, stage_id))


def close(client, programme, stage_id, **values):
    return form_post(client, stage_url(programme, stage_id, "/close"), values,
                     page_url=stage_url(programme, stage_id))


# --- closing a stage -------------------------------------------------------------------------

def test_closing_with_unmet_criteria_is_refused_naming_them_and_writes_nothing(app, client, login_as, programme,
                                                                               stage_1):
    login_as("project_manager", programme)
    before = stage_facts(app, stage_1)

    response = close(client, programme, stage_1, override_reason="", override_approver_id="")

    assert response.status_code == 422
    page = text_of(response)
    assert "The gate is not met: " + "; ".join(STAGE_1_CRITERIA) in page
    assert stage_facts(app, stage_1) == before
    assert [event.action for event in audit_events(app, "Stage", stage_1)] == ["create"]


def test_the_stage_page_says_which_criteria_are_unmet(app, client, login_as, factories, programme, stage_1,
                                                     make_person):
    approver = make_person(programme, "Greta Approver")
    login_as("project_manager", programme)
    criteria = stage_facts(app, stage_1)["criteria"]
    met_ids = [criterion_id for criterion_id, _text in criteria[:2]]
    assert review(client, programme, stage_1, met_ids, approved_by_id=str(approver.id)).status_code == 302
    viewer = app.test_client()
    log_in(viewer, factories.user_with_role("viewer", programme).email)

    page = text_of(viewer.get(stage_url(programme, stage_1)))

    assert "The gate is not met: 2 criteria are still unmet." in page
    unmet_list = page.split('<ul class="unmet-criteria">')[1].split("</ul>")[0]
    assert [text for _id, text in criteria[2:]] == [item.split("</li>")[0] for item in unmet_list.split("<li>")[1:]]


def test_a_passing_review_then_close_closes_the_stage(app, client, login_as, programme, stage_1, make_person):
    approver = make_person(programme, "Greta Approver")
    login_as("project_manager", programme)
    criterion_ids = [criterion_id for criterion_id, _text in stage_facts(app, stage_1)["criteria"]]

    response = review(client, programme, stage_1, criterion_ids, approved_by_id=str(approver.id), notes="All good")
    assert response.status_code == 302
    assert "The gate is met" in text_of(client.get(stage_url(programme, stage_1)))
    response = close(client, programme, stage_1)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(stage_url(programme, stage_1))
    facts = stage_facts(app, stage_1)
    assert isinstance(facts["closed_at"], datetime)
    assert facts["actual_finish"] == TODAY
    assert facts["override_reason"] == "" and facts["override_approver_id"] is None
    update = audit_events(app, "Stage", stage_1)[-1]
    assert update.action == "update" and "unmet_criteria" not in update.changes
    page = text_of(client.get(stage_url(programme, stage_1)))
    assert "Stage 1 closed." in page and "The stage is closed." in page
    assert "Close this stage" not in page
    again = client.post(stage_url(programme, stage_1, "/close"), data={"csrf_token": csrf_token_from(page)})
    assert again.status_code == 422 and "This stage is already closed." in text_of(again)


def test_an_override_with_reason_and_approver_closes_and_is_audited(app, client, login_as, programme, stage_1,
                                                                    make_person):
    approver = make_person(programme, "Sam Sponsor")
    login_as("project_manager", programme)

    response = close(client, programme, stage_1, override_reason="Board wants to move on; risks accepted",
                     override_approver_id=str(approver.id))

    assert response.status_code == 302
    facts = stage_facts(app, stage_1)
    assert facts["closed_at"] is not None
    assert facts["override_reason"] == "Board wants to move on; risks accepted"
    assert facts["override_approver_id"] == approver.id
    changes = audit_events(app, "Stage", stage_1)[-1].changes
    assert changes["override_reason"] == ["", "Board wants to move on; risks accepted"]
    assert changes["override_approver_id"] == [None, approver.id]
    assert changes["unmet_criteria"] == [STAGE_1_CRITERIA, None]
    page = text_of(client.get(stage_url(programme, stage_1)))
    assert "Board wants to move on; risks accepted" in page and "approved by Sam Sponsor" in page


def test_an_override_without_approver_is_refused(app, client, login_as, programme, stage_1):
    login_as("project_manager", programme)
    before = stage_facts(app, stage_1)

    response = close(client, programme, stage_1, override_reason="We must move on", override_approver_id="")

    assert response.status_code == 422
    assert "An override needs the person who approved it." in field_errors(text_of(response),
                                                                          "override_approver_id")
    assert stage_facts(app, stage_1) == before


def test_an_override_approver_from_another_programme_is_refused(app, client, login_as, programme, stage_1,
                                                                make_programme, make_person):
    outsider = make_person(make_programme(), "Olga Outsider")
    login_as("project_manager", programme)

    response = close(client, programme, stage_1, override_reason="Move on", override_approver_id=str(outsider.id))

    assert response.status_code == 422
    assert field_errors(text_of(response), "override_approver_id")
    assert stage_facts(app, stage_1)["closed_at"] is None


# --- gate reviews ----------------------------------------------------------------------------

def test_a_gate_review_records_each_criterion(app, client, login_as, programme, stage_1, make_person):
    approver = make_person(programme, "Greta Approver")
    user = login_as("project_manager", programme)
    criteria = stage_facts(app, stage_1)["criteria"]
    met, unmet = [criteria[0][0], criteria[2][0]], [criteria[1][0], criteria[3][0]]

    response = review(client, programme, stage_1, met, approved_by_id=str(approver.id), notes="Sponsor not named")

    assert response.status_code == 302
    [recorded] = stage_facts(app, stage_1)["reviews"]
    assert recorded == {"outcome": "not_passed", "reviewed_on": date(2026, 5, 29), "approved_by_id": approver.id,
                        "recorded_by_id": user.id, "notes": "Sponsor not named",
                        "results": {met[0]: True, met[1]: True, unmet[0]: False, unmet[1]: False}}
    page = text_of(client.get(stage_url(programme, stage_1)))
    history = page.split('<ul class="review-results">')[1].split("</ul>")[0]
    assert f"Met: {criteria[0][1]}" in history and f"Not met: {criteria[1][1]}" in history
    assert "Not passed" in page and "approved by Greta Approver" in page and "Sponsor not named" in page
    refused = close(client, programme, stage_1)
    assert refused.status_code == 422
    message = text_of(refused)
    assert f"The gate is not met: {criteria[1][1]}; {criteria[3][1]}." in message
    assert f"The gate is not met: {criteria[0][1]}" not in message


def test_the_latest_review_decides(app, client, login_as, programme, stage_1):
    login_as("project_manager", programme)
    criterion_ids = [criterion_id for criterion_id, _text in stage_facts(app, stage_1)["criteria"]]
    assert review(client, programme, stage_1, criterion_ids).status_code == 302
    assert review(client, programme, stage_1, criterion_ids[1:]).status_code == 302

    assert [r["outcome"] for r in stage_facts(app, stage_1)["reviews"]] == ["passed", "not_passed"]
    assert close(client, programme, stage_1).status_code == 422


def test_a_review_refuses_another_stages_criterion_and_a_missing_date(app, client, login_as, programme):
    ids = stage_ids(app, programme)
    login_as("project_manager", programme)
    other_criterion = stage_facts(app, ids[2])["criteria"][0][0]

    foreign = review(client, programme, ids[1], [other_criterion])
    undated = review(client, programme, ids[1], [], reviewed_on="")

    assert foreign.status_code == 422 and undated.status_code == 422
    assert field_errors(text_of(undated), "reviewed_on")
    assert stage_facts(app, ids[1])["reviews"] == []


def test_the_review_form_offers_today_and_every_criterion(app, client, login_as, programme, stage_1):
    login_as("project_manager", programme)
    page = text_of(client.get(stage_url(programme, stage_1, "/gate-review")))
    assert 'value="2026-06-01"' in page
    for criterion_id, text in stage_facts(app, stage_1)["criteria"]:
        assert f'value="{criterion_id}"' in page and text in page


# --- deliverables and criteria ---------------------------------------------------------------

def test_a_deliverable_is_ticked_off_and_back(app, client, login_as, programme, stage_1):
    login_as("project_manager", programme)
    deliverable_id = stage_facts(app, stage_1)["deliverables"][0][0]
    url = stage_url(programme, stage_1, f"/deliverables/{deliverable_id}/toggle")

    def toggle(done: str):
        return form_post(client, url, {"done": done}, page_url=stage_url(programme, stage_1))

    def state():
        return next((is_done, done_on) for d_id, _t, is_done, done_on in stage_facts(app, stage_1)["deliverables"]
                    if d_id == deliverable_id)

    assert toggle("1").status_code == 302
    assert state() == (True, TODAY)
    assert toggle("1").status_code == 302, "a second click on a stale page must not undo it"
    assert state() == (True, TODAY)
    assert "1/4" in text_of(client.get(stage_url(programme, stage_1)))
    assert toggle("0").status_code == 302
    assert state() == (False, None)
    assert toggle("maybe").status_code == 422
    assert state() == (False, None)


def test_a_deliverable_is_only_reached_through_its_own_stage(app, client, login_as, programme):
    ids = stage_ids(app, programme)
    login_as("project_manager", programme)
    deliverable_id = stage_facts(app, ids[2])["deliverables"][0][0]

    response = form_post(client, stage_url(programme, ids[1], f"/deliverables/{deliverable_id}/toggle"),
                         {"done": "1"}, page_url=stage_url(programme, ids[1]))

    assert response.status_code == 404
    assert not stage_facts(app, ids[2])["deliverables"][0][2]


def test_deliverables_and_criteria_are_added_from_the_stage_page(app, client, login_as, programme, stage_1):
    login_as("project_manager", programme)
    page_url = stage_url(programme, stage_1)

    added = form_post(client, stage_url(programme, stage_1, "/deliverables"), {"title": "Data audit"},
                      page_url=page_url)
    criterion = form_post(client, stage_url(programme, stage_1, "/criteria"), {"text": "Data owners named"},
                          page_url=page_url)
    empty = form_post(client, stage_url(programme, stage_1, "/deliverables"), {"title": "  "}, page_url=page_url)

    assert added.status_code == 302 and criterion.status_code == 302
    assert empty.status_code == 422 and field_errors(text_of(empty), "title")
    facts = stage_facts(app, stage_1)
    assert facts["deliverables"][-1][1] == "Data audit" and len(facts["deliverables"]) == 5
    assert facts["criteria"][-1][1] == "Data owners named"
    assert "Data owners named" in text_of(client.get(page_url)).split('<ul class="unmet-criteria">')[1]


def test_a_closed_stage_takes_no_new_criteria_or_reviews(app, client, login_as, programme, stage_1, make_person):
    approver = make_person(programme)
    login_as("project_manager", programme)
    assert close(client, programme, stage_1, override_reason="Move on",
                 override_approver_id=str(approver.id)).status_code == 302
    page_url = stage_url(programme, stage_1)

    criterion = form_post(client, stage_url(programme, stage_1, "/criteria"), {"text": "Late idea"},
                          page_url=page_url)
    late_review = review(client, programme, stage_1, [])

    assert criterion.status_code == 422
    assert "This stage is closed; its gate can no longer change." in text_of(criterion)
    assert late_review.status_code == 422 and "This stage is already closed." in text_of(late_review)
    facts = stage_facts(app, stage_1)
    assert len(facts["criteria"]) == len(STAGE_1_CRITERIA) and facts["reviews"] == []


# --- editing a stage -------------------------------------------------------------------------

def test_a_stage_is_edited_with_owner_and_dates(app, client, login_as, programme, stage_1, make_person):
    owner = make_person(programme, "Olivia Owner")
    login_as("project_manager", programme)
    url = stage_url(programme, stage_1, "/edit")
    page = client.get(url).get_data(as_text=True)

    response = client.post(url, data={
        "csrf_token": csrf_token_from(page), "version": version_in(page), "owner_id": str(owner.id),
        "goals": "Plan it", "expertise_needed": "Strategy", "planned_start": "2026-03-02",
        "planned_finish": "2026-04-30", "actual_start": "2026-03-04", "actual_finish": "",
        "programme_id": "999", "closed_at": "2026-01-01"})

    assert response.status_code == 302
    facts = stage_facts(app, stage_1)
    assert (facts["owner_id"], facts["goals"], facts["planned_start"], facts["planned_finish"],
            facts["actual_start"], facts["closed_at"]) == (owner.id, "Plan it", date(2026, 3, 2),
                                                           date(2026, 4, 30), date(2026, 3, 4), None)
    listing = text_of(client.get(f"/programmes/{programme.id}/stages"))
    assert "Olivia Owner" in listing and "Late" in listing  # planned finish 30 April, today 1 June


def test_stage_edit_refusals(app, client, login_as, programme, stage_1, make_programme, make_person):
    outsider = make_person(make_programme(), "Olga Outsider")
    login_as("project_manager", programme)
    url = stage_url(programme, stage_1, "/edit")
    page = client.get(url).get_data(as_text=True)
    base = {"csrf_token": csrf_token_from(page), "version": version_in(page), "owner_id": "", "goals": "Plan",
            "expertise_needed": "", "planned_start": "2026-05-01", "planned_finish": "2026-04-01",
            "actual_start": "", "actual_finish": ""}
    before = stage_facts(app, stage_1)

    backwards = client.post(url, data=base)
    foreign_owner = client.post(url, data={**base, "planned_finish": "", "owner_id": str(outsider.id)})
    stale = client.post(url, data={**base, "planned_finish": "", "version": "0"})

    assert backwards.status_code == 422
    assert "The finish cannot be before the start." in field_errors(text_of(backwards), "planned_finish")
    assert foreign_owner.status_code == 422 and field_errors(text_of(foreign_owner), "owner_id")
    assert stale.status_code == 409
    assert stage_facts(app, stage_1) == before


# --- the list --------------------------------------------------------------------------------

def test_the_list_shows_six_stages_and_highlights_the_current_one(app, client, login_as, programme, make_person):
    ids = stage_ids(app, programme)
    approver = make_person(programme)
    login_as("project_manager", programme)
    assert close(client, programme, ids[1], override_reason="Move on",
                 override_approver_id=str(approver.id)).status_code == 302

    page = text_of(client.get(f"/programmes/{programme.id}/stages"))

    names = [f"{spec['number']}. {spec['name']}" for spec in STAGES]
    positions = [page.index(name) for name in names]
    assert positions == sorted(positions)
    current_row = page.split('aria-current="step"')[1].split("</tr>")[0]
    assert "2. Project initiation" in current_row
    assert page.count('aria-current="step"') == 1
    assert "Closed by override" in page
    assert "4 criteria unmet" in page  # stage 2 has four criteria and no review
