"""Survey pages through the test client: preparing and opening a round, the public answer page (404, 410, 422),
paper entry, the results with the heat map, privacy per role, and query counts flat in the number of answers."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select, text

from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.surveys import services
from planner.surveys.models import ResponseSource, RoundState, SurveyResponse, SurveyRound
from tests.conftest import count_queries, csrf_token_from, form_post, log_in
from tests.surveys.helpers import NOON, make_round, make_world, scores, token_of

ANSWER = {"awareness": "4", "desire": "5", "knowledge": "2", "ability": "3", "reinforcement": "4",
          "comment": "More practice please"}


@pytest.fixture
def world(app, factories, now_is):
    now_is(NOON)
    return make_world(app, factories)


def _url(world, path: str = "") -> str:
    return f"/programmes/{world.programme.id}/surveys{path}"


def flashes(html: str) -> list[str]:
    return re.findall(r'<p class="flash flash-\w+">(.*?)</p>', html, re.DOTALL)


def _count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count(model.id))
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return db.session.scalar(query)


def test_a_project_manager_prepares_and_opens_a_round(app, client, login_as, world):
    login_as("project_manager", world.programme)
    page = client.get(_url(world, "/new"))
    assert page.status_code == 200 and "Everyone" in page.get_data(as_text=True)
    response = form_post(client, _url(world, "/new"), {
        "title": "Pilot readiness", "audience_id": str(world.audience_id), "opens_on": "2026-11-02",
        "closes_on": "2026-11-16", "intro": "Two minutes, please."})
    assert response.status_code == 302
    with app.app_context():
        survey = db.session.scalar(select(SurveyRound).where(SurveyRound.title == "Pilot readiness"))
        survey_id = survey.id
    assert survey.state is RoundState.DRAFT and _count(app, OutboxMessage) == 0
    opened = form_post(client, _url(world, f"/{survey_id}/open"), {}, page_url=_url(world, f"/{survey_id}"),
                       follow_redirects=True)
    assert "7 emails with a personal link" in opened.get_data(as_text=True)
    assert _count(app, OutboxMessage, kind="survey") == 7
    again = form_post(client, _url(world, f"/{survey_id}/open"), {}, page_url=_url(world, f"/{survey_id}"),
                      follow_redirects=True)
    assert "open already" in " ".join(flashes(again.get_data(as_text=True)))
    assert _count(app, OutboxMessage, kind="survey") == 7


@pytest.mark.parametrize(("field", "value"), [("title", ""), ("closes_on", "2026-10-01"), ("audience_id", "999999"),
                                              ("opens_on", "not a date")])
def test_a_bad_round_form_is_refused_with_422_and_nothing_written(app, client, login_as, world, field, value):
    login_as("project_manager", world.programme)
    data = {"title": "Check", "audience_id": str(world.audience_id), "opens_on": "2026-11-02",
            "closes_on": "2026-11-16", "intro": ""}
    data[field] = value
    response = form_post(client, _url(world, "/new"), data)
    assert response.status_code == 422
    assert _count(app, SurveyRound) == 0


def test_the_answer_page_asks_in_plain_words_and_saves_then_updates(app, client, world):
    survey_id = make_round(app, world)
    token = token_of(app, survey_id, world.people["Boston0"])
    page = client.get(f"/survey/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "I know how to do my work in the new system" in html and html.count('type="radio"') == 25
    assert "<script>" not in html and "style=" not in html
    done = form_post(client, f"/survey/{token}", ANSWER)
    assert done.status_code == 200 and "Thank you" in done.get_data(as_text=True)
    again = client.get(f"/survey/{token}").get_data(as_text=True)
    assert "You have answered already" in again
    assert re.search(r'<input checked id="knowledge-1" name="knowledge" required type="radio" value="2">', again), \
        re.findall(r'<input[^>]*knowledge[^>]*>', again)
    form_post(client, f"/survey/{token}", {**ANSWER, "knowledge": "4"})
    with app.app_context():
        [response] = db.session.scalars(select(SurveyResponse)).all()
        assert response.knowledge == 4 and response.source is ResponseSource.LINK
        assert response.region_id == world.regions["Boston"]


@pytest.mark.parametrize("bad", [{"knowledge": "7"}, {"knowledge": "0"}, {"knowledge": ""}, {"desire": "abc"}])
def test_bad_scores_are_refused_with_422_and_a_message(app, client, world, bad):
    token = token_of(app, make_round(app, world), world.people["Boston0"])
    response = form_post(client, f"/survey/{token}", {**ANSWER, **bad})
    assert response.status_code == 422
    assert "Choose a score from 1 to 5" in response.get_data(as_text=True) or "Not a valid choice" in \
        response.get_data(as_text=True)
    assert _count(app, SurveyResponse) == 0


def test_unknown_tokens_are_404_and_closed_rounds_are_410(app, client, world):
    survey_id = make_round(app, world)
    token = token_of(app, survey_id, world.people["Boston0"])
    assert client.get("/survey/not-a-real-token").status_code == 404
    assert client.get("/survey/" + "x" * 300).status_code == 404
    csrf = csrf_token_from(client.get(f"/survey/{token}").get_data(as_text=True))
    with app.app_context():
        services.close_round(db.session.get(SurveyRound, survey_id))
        db.session.commit()
    gone = client.get(f"/survey/{token}")
    assert gone.status_code == 410 and "This survey is closed" in gone.get_data(as_text=True)
    # a form fetched while open and posted after the close is refused the same way, and writes nothing
    posted = client.post(f"/survey/{token}", data={**ANSWER, "csrf_token": csrf})
    assert posted.status_code == 410
    assert _count(app, SurveyResponse) == 0


def test_paper_forms_are_typed_in_one_after_another(app, client, login_as, world):
    survey_id = make_round(app, world)
    login_as("project_manager", world.programme)
    url = _url(world, f"/{survey_id}/paper")
    boston = world.regions["Boston"]
    response = form_post(client, url, {**ANSWER, "region_id": str(boston)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"?region={boston}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'<option selected value="{boston}">' in page or f'value="{boston}" selected' in page
    refused = form_post(client, url, {**ANSWER, "region_id": ""})
    assert refused.status_code == 422
    refused = form_post(client, url, {**ANSWER, "region_id": str(boston), "ability": "9"})
    assert refused.status_code == 422
    assert _count(app, SurveyResponse, source=ResponseSource.PAPER) == 1


def test_results_page_and_heat_map(app, client, login_as, world):
    survey_id = make_round(app, world)
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        for knowledge in (2, 2, 3):
            services.enter_paper_response(survey, region_id=world.regions["Boston"], scores=scores(k=knowledge),
                                          entered_by_id=None)
        db.session.commit()
    login_as("viewer", world.programme)
    html = client.get(_url(world, f"/{survey_id}")).get_data(as_text=True)
    assert "Boston: Knowledge is a barrier (mean 2.3 over 3 answers)." in html
    assert "2.3 · barrier" in html and "Too few answers to show" in html  # Hamburg has none
    for fmt, mimetype, magic in (("png", "image/png", b"\x89PNG"), ("svg", "image/svg+xml", b"<?xml")):
        chart = client.get(_url(world, f"/{survey_id}/heatmap.{fmt}"))
        assert chart.status_code == 200 and chart.mimetype == mimetype and chart.data.startswith(magic)
        assert chart.data == client.get(_url(world, f"/{survey_id}/heatmap.{fmt}")).data
    assert client.get(_url(world, f"/{survey_id}/heatmap.gif")).status_code == 404


def test_viewers_see_aggregates_only_never_names_or_comments(app, client, login_as, world):
    survey_id = make_round(app, world)
    token = token_of(app, survey_id, world.people["Boston0"])
    form_post(client, f"/survey/{token}", ANSWER)
    login_as("viewer", world.programme)
    html = client.get(_url(world, f"/{survey_id}")).get_data(as_text=True)
    assert "Boston person" not in html and "More practice please" not in html
    assert "Who has not answered" not in html and "Type in paper forms" not in html
    assert client.get(_url(world, f"/{survey_id}/unanswered")).status_code == 403
    assert client.get(_url(world, f"/{survey_id}/paper")).status_code == 403


def test_the_unanswered_list_names_only_who_has_not_answered(app, client, login_as, world):
    survey_id = make_round(app, world)
    form_post(client, f"/survey/{token_of(app, survey_id, world.people['Boston0'])}", ANSWER)
    login_as("project_manager", world.programme)
    html = client.get(_url(world, f"/{survey_id}/unanswered")).get_data(as_text=True)
    assert "Boston person 0" not in html and "Boston person 1" in html and "Roving person" in html


@pytest.mark.parametrize("walk_names_from", [1, 1000], ids=["many: the name index walked", "few: sorted"])
def test_the_unanswered_list_pages_by_name_reading_the_name_index_and_counting_invitations(app, client, login_as,
                                                                                           world, monkeypatch,
                                                                                           walk_names_from):
    from planner.people.models import Person
    from planner.surveys import queries
    from planner.surveys.models import SurveyInvitation

    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 4)
    monkeypatch.setattr(queries, "WALK_NAMES_FROM", walk_names_from)
    survey_id = make_round(app, world)
    form_post(client, f"/survey/{token_of(app, survey_id, world.people['Boston0'])}", ANSWER)
    login_as("project_manager", world.programme)
    with app.app_context():
        expected = db.session.scalars(select(Person.full_name).join(SurveyInvitation).where(
            SurveyInvitation.round_id == survey_id, SurveyInvitation.answered_at.is_(None))
            .order_by(Person.full_name, Person.id)).all()
    assert len(expected) > 4 and "Boston person 0" not in expected
    shown = []
    for page in (1, 2, 3):
        html = client.get(_url(world, f"/{survey_id}/unanswered?page={page}")).get_data(as_text=True)
        shown += re.findall(r"<tr><td>([^<]+)</td><td>", html)
    assert shown == expected
    with app.app_context():
        if db.engine.dialect.name == "sqlite" and walk_names_from == 1:  # people in name order, no sort
            statement = queries.unanswered_people(db.session.get(SurveyRound, survey_id), len(expected)).limit(4)
            sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
            plan = " ".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "ix_person_programme_name" in plan and "TEMP B-TREE" not in plan, plan
        assert db.session.scalar(queries.unanswered_count(survey_id)) == len(expected)


def test_query_counts_do_not_grow_with_answers(app, factories, now_is):
    now_is(NOON)
    counts = {}
    for size in (3, 30):
        world = make_world(app, factories, per_region=size)
        survey_id = make_round(app, world)
        with app.app_context():
            survey = db.session.get(SurveyRound, survey_id)
            for region_id in world.regions.values():
                for number in range(size):
                    services.enter_paper_response(survey, region_id=region_id, scores=scores(k=1 + number % 5),
                                                  entered_by_id=None)
            for key, person_id in world.people.items():
                if key != "nowhere":
                    services.answer_survey(services.invitation_for_token(token_of(app, survey_id, person_id)),
                                           scores=scores())
            db.session.commit()
        make_round(app, world, title="Second")
        client = app.test_client()
        log_in(client, factories.user_with_role("project_manager", world.programme).email)
        for page in ("", "/{id}", "/{id}/heatmap.png", "/{id}/paper", "/{id}/unanswered"):
            url = _url(world, page.format(id=survey_id))
            assert client.get(url).status_code == 200
            with count_queries(app) as statements:
                assert client.get(url).status_code == 200
            counts.setdefault(page or "list", []).append(len(statements))
    for page, (small, large) in counts.items():
        assert small == large, f"{page}: {small} queries with 3 per region, {large} with 30"
    print("query counts", counts)


def test_the_closes_on_date_can_be_moved_on_an_open_round(app, client, login_as, world):
    survey_id = make_round(app, world)
    login_as("project_manager", world.programme)
    with app.app_context():
        version = db.session.get(SurveyRound, survey_id).version
    response = form_post(client, _url(world, f"/{survey_id}/edit"), {
        "title": "Readiness check", "audience_id": str(world.audience_id), "opens_on": "2026-11-02",
        "closes_on": "2026-11-30", "intro": "", "version": str(version)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(SurveyRound, survey_id).closes_on == date(2026, 11, 30)


def test_managers_read_comments_without_names_and_without_a_region_that_is_too_small(app, client, login_as, world):
    survey_id = make_round(app, world)
    form_post(client, f"/survey/{token_of(app, survey_id, world.people['Boston0'])}", ANSWER)
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        for _number in range(3):
            services.enter_paper_response(survey, region_id=world.regions["Hamburg"], scores=scores(),
                                          comment="Hamburg is fine", entered_by_id=None)
        db.session.commit()
    login_as("project_manager", world.programme)
    html = client.get(_url(world, f"/{survey_id}")).get_data(as_text=True)
    comments = html.split("<h2>Comments</h2>")[1].split("</ul>")[0]
    assert "<li>More practice please</li>" in comments  # Boston has one answer: no region next to it
    assert "<strong>Hamburg</strong>: Hamburg is fine" in comments
    assert "Boston person" not in html


# --- review fixes ---------------------------------------------------------------------------------

def _reminder_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.key.contains(":reminder:")))


def test_remind_carries_the_version_a_double_click_is_409_and_twelve_hours_must_pass(app, client, login_as, world,
                                                                                    now_is):
    from datetime import timedelta

    survey_id = make_round(app, world)
    login_as("project_manager", world.programme)
    page_url = _url(world, f"/{survey_id}")
    remind_url = _url(world, f"/{survey_id}/remind")
    html = client.get(page_url).get_data(as_text=True)
    with app.app_context():
        version = db.session.get(SurveyRound, survey_id).version
    assert re.search(rf'action="{remind_url}".*?name="version" value="{version}"', html, re.DOTALL)
    too_soon = form_post(client, remind_url, {"version": str(version)}, page_url=page_url, follow_redirects=True)
    assert too_soon.status_code == 200
    assert "12 hours" in " ".join(flashes(too_soon.get_data(as_text=True))) and _reminder_rows(app) == 0
    now_is(NOON + timedelta(hours=13))
    sent = form_post(client, remind_url, {"version": str(version)}, page_url=page_url)
    assert sent.status_code == 302 and _reminder_rows(app) == 7
    double = form_post(client, remind_url, {"version": str(version)}, page_url=page_url)
    assert double.status_code == 409 and _reminder_rows(app) == 7
    assert form_post(client, remind_url, {}, page_url=page_url).status_code == 422
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        assert survey.reminders_sent == 1 and survey.version == version + 1


def test_the_survey_list_reads_audiences_in_one_go(app, client, login_as, world):
    """1 round and 9 rounds, each to its own audience: the same number of queries."""
    from planner.comms import audiences
    from planner.programmes.models import Programme

    login_as("project_manager", world.programme)
    counts = []
    for total in (1, 9):
        with app.app_context():
            have = db.session.scalar(select(func.count(SurveyRound.id)))
            for number in range(have, total):
                audience = audiences.create_audience(
                    db.session.get(Programme, world.programme.id), name=f"Audience {number}", description="",
                    is_everyone=True, region_ids=[], department_ids=[], job_roles="", person_ids=[])
                services.create_round(db.session.get(Programme, world.programme.id), title=f"Round {number}",
                                      audience_id=audience.id, opens_on=date(2026, 11, 2),
                                      closes_on=date(2026, 11, 20), intro="")
            db.session.commit()
        assert client.get(_url(world)).status_code == 200
        with count_queries(app) as statements:
            html = client.get(_url(world)).get_data(as_text=True)
        assert html.count("Audience ") == total
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    print("survey list queries (1, 9 rounds):", counts)


def test_the_results_page_shows_the_total_of_regions_shown_and_barriers_as_rounded(app, client, login_as, world):
    survey_id = make_round(app, world)
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        for number in range(25):  # Boston knowledge 3.04: shown 3.0, a barrier
            services.enter_paper_response(survey, region_id=world.regions["Boston"],
                                          scores=scores(k=4 if number == 0 else 3), entered_by_id=None)
        for _number in range(2):  # Hamburg: hidden, with scores that would pull the total down
            services.enter_paper_response(survey, region_id=world.regions["Hamburg"],
                                          scores=scores(a=1, d=1, k=1, ab=1, r=1), entered_by_id=None)
        db.session.commit()
    login_as("viewer", world.programme)
    html = client.get(_url(world, f"/{survey_id}")).get_data(as_text=True)
    total = html.split("<tfoot>")[1].split("</tfoot>")[0]
    assert "Regions shown" in total and "All regions" not in total and "covers the regions shown only" in html
    assert "3.0 · barrier" in total and ">4.0<" in total  # Boston alone: Hamburg's 1s do not show through
    assert "Boston: Knowledge is a barrier (mean 3.0 over 25 answers)." in html
