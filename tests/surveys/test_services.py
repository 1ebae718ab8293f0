"""Survey rounds: opening resolves the audience into invitations and mail, reminders, closing, answers,
paper forms, and the results per region with barriers and the "too few answers" rule."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from planner.core.errors import DomainError
from planner.core.models import OutboxMessage
from planner.extensions import db
from planner.programmes.models import Programme
from planner.surveys import services
from planner.surveys.models import ResponseSource, RoundState, SurveyInvitation, SurveyResponse, SurveyRound
from planner.surveys.results import barriers, round_results
from planner.surveys.status import surveys_status
from tests.conftest import sent_text
from tests.surveys.helpers import DAY, NOON, make_round, make_world, scores, token_of


@pytest.fixture
def world(app, factories, now_is):
    now_is(NOON)
    return make_world(app, factories)


def _outbox_keys(app, programme_id):
    with app.app_context():
        return sorted(db.session.scalars(select(OutboxMessage.key).where(OutboxMessage.programme_id == programme_id)))


def test_opening_resolves_the_audience_now_and_emails_each_person_their_own_link(app, factories, world):
    survey_id = make_round(app, world, open_it=False)
    late = factories.person(world.programme, "Joined late", region_id=world.regions["Boston"])
    assert _outbox_keys(app, world.programme.id) == []
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        emailed = services.open_round(survey)
        db.session.commit()
        invitations = db.session.scalars(select(SurveyInvitation).where(SurveyInvitation.round_id == survey_id)).all()
        assert survey.state is RoundState.OPEN
        assert emailed == 8 == len(invitations)
        assert late.id in {invitation.person_id for invitation in invitations}
        # only the hash of the token is stored, and every link is different
        assert len({invitation.link_token_hash for invitation in invitations}) == 8
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"survey:{survey_id}:{late.id}"))
        token = token_of(app, survey_id, late.id)
        assert f"/survey/{token}" in sent_text(message) and token not in message.content.decode()
        assert all(token not in (invitation.link_salt, invitation.link_token_hash) for invitation in invitations)
    assert len(_outbox_keys(app, world.programme.id)) == 8


def test_open_twice_is_refused_and_a_past_last_day_is_refused(app, world, today_is):
    survey_id = make_round(app, world)
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        with pytest.raises(DomainError):
            services.open_round(survey)
        services.close_round(survey)
        today_is(date(2026, 12, 1))
        with pytest.raises(DomainError) as refused:
            services.open_round(survey)
        assert refused.value.field == "closes_on"


def test_reminders_go_only_to_those_who_have_not_answered_with_a_new_key_each_time(app, world, now_is):
    survey_id = make_round(app, world)
    with app.app_context():
        invitation = db.session.scalar(select(SurveyInvitation).where(
            SurveyInvitation.round_id == survey_id, SurveyInvitation.person_id == world.people["Hamburg0"]))
        services.answer_survey(invitation, scores=scores())
        db.session.commit()
    for day in (1, 2):
        now_is(NOON + timedelta(days=day))
        with app.app_context():
            assert services.send_reminders(db.session.get(SurveyRound, survey_id)) == 6
            db.session.commit()
    keys = _outbox_keys(app, world.programme.id)
    assert len([key for key in keys if ":reminder:1" in key]) == 6
    assert len([key for key in keys if ":reminder:2" in key]) == 6
    assert not any(key.startswith(f"survey:{survey_id}:{world.people['Hamburg0']}:reminder") for key in keys)


def test_reopening_a_closed_round_invites_newcomers_and_reminds_the_others(app, factories, world):
    survey_id = make_round(app, world)
    with app.app_context():
        services.close_round(db.session.get(SurveyRound, survey_id))
        db.session.commit()
    factories.person(world.programme, "Newcomer", region_id=world.regions["Hamburg"])
    with app.app_context():
        assert services.open_round(db.session.get(SurveyRound, survey_id)) == 1 + 7
        db.session.commit()


def test_answering_again_updates_the_same_response_until_the_round_closes(app, world):
    survey_id = make_round(app, world)
    with app.app_context():
        invitation = services.invitation_for_token(token_of(app, survey_id, world.people["Boston1"]))
        first = services.answer_survey(invitation, scores=scores(k=2), comment="Need more practice")
        second = services.answer_survey(invitation, scores=scores(k=4), comment="")
        assert first.id == second.id and second.knowledge == 4
        assert second.region_id == world.regions["Boston"] and second.source is ResponseSource.LINK
        assert invitation.answered_at is not None
        services.close_round(db.session.get(SurveyRound, survey_id))
        with pytest.raises(services.RoundClosedError) as closed:
            services.answer_survey(invitation, scores=scores())
        assert closed.value.status_code == 410


@pytest.mark.parametrize("bad", [0, 6, "", None, "4.5", "x", True])
def test_scores_must_be_whole_numbers_from_one_to_five(app, world, bad):
    survey_id = make_round(app, world)
    with app.app_context():
        invitation = services.invitation_for_token(token_of(app, survey_id, world.people["Boston1"]))
        with pytest.raises(DomainError) as refused:
            services.answer_survey(invitation, scores=scores(ab=bad))
        assert refused.value.field == "ability"
        assert db.session.scalar(select(func.count(SurveyResponse.id))) == 0


def test_the_database_refuses_a_score_outside_one_to_five(app, world):
    survey_id = make_round(app, world)
    with app.app_context():
        db.session.add(SurveyResponse(programme_id=world.programme.id, round_id=survey_id, source="paper",
                                      region_id=world.regions["Boston"], submitted_at=NOON, comment="",
                                      **scores(r=9)))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_unknown_and_malformed_tokens_find_nothing(app, world):
    make_round(app, world)
    with app.app_context():
        assert services.invitation_for_token("nope") is None
        assert services.invitation_for_token("") is None
        assert services.invitation_for_token("a" * 500) is None


def test_paper_forms_need_a_region_of_the_programme_and_an_opened_round(app, factories, world):
    draft_id = make_round(app, world, open_it=False, title="Draft")
    survey_id = make_round(app, world, title="Open")
    other = factories.programme(regions=["Elsewhere"])
    with app.app_context():
        foreign_region = db.session.get(Programme, other.id).regions[0].id
        with pytest.raises(DomainError):
            services.enter_paper_response(db.session.get(SurveyRound, draft_id), region_id=world.regions["Boston"],
                                          scores=scores(), entered_by_id=None)
        for region_id in (None, foreign_region):
            with pytest.raises(DomainError) as refused:
                services.enter_paper_response(db.session.get(SurveyRound, survey_id), region_id=region_id,
                                              scores=scores(), entered_by_id=None)
            assert refused.value.field == "region_id"
        paper = services.enter_paper_response(db.session.get(SurveyRound, survey_id),
                                              region_id=world.regions["Boston"], scores=scores(), comment="paper",
                                              entered_by_id=None)
        assert paper.person_id is None and paper.source is ResponseSource.PAPER
        linked = services.answer_survey(services.invitation_for_token(token_of(app, survey_id,
                                                                               world.people["Boston0"])),
                                        scores=scores())
        with pytest.raises(DomainError):
            services.delete_paper_response(linked)
        services.delete_paper_response(paper)
        assert db.session.get(SurveyResponse, paper.id) is None


def test_a_round_with_answers_cannot_be_deleted_and_the_audience_is_fixed_once_sent(app, world, factories):
    survey_id = make_round(app, world)
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        from planner.comms import audiences

        other = audiences.create_audience(db.session.get(Programme, world.programme.id), name="Boston only",
                                          description="", is_everyone=False, region_ids=[world.regions["Boston"]],
                                          department_ids=[], job_roles="", person_ids=[])
        with pytest.raises(DomainError) as refused:
            services.update_round(survey, expected_version=survey.version, title="New title", audience_id=other.id,
                                  opens_on=DAY, closes_on=survey.closes_on, intro="")
        assert refused.value.field == "audience_id"
        services.enter_paper_response(survey, region_id=world.regions["Boston"], scores=scores(), entered_by_id=None)
        with pytest.raises(DomainError):
            services.delete_round(survey)


@pytest.mark.parametrize(("values", "field"), [
    ({"title": " "}, "title"), ({"audience_id": None}, "audience_id"), ({"opens_on": None}, "opens_on"),
    ({"closes_on": date(2026, 10, 1)}, "closes_on"),
])
def test_creating_a_round_checks_its_fields(app, world, values, field):
    spec = {"title": "Check", "audience_id": world.audience_id, "opens_on": DAY, "closes_on": date(2026, 11, 20),
            "intro": ""}
    spec.update(values)
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            services.create_round(db.session.get(Programme, world.programme.id), **spec)
        assert refused.value.field == field


def test_results_per_region_mark_barriers_and_hide_regions_with_too_few_answers(app, world):
    survey_id = make_round(app, world)
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        for number, knowledge in enumerate((2, 3, 4)):  # Boston: knowledge mean 3.0 -> a barrier
            invitation = services.invitation_for_token(token_of(app, survey_id, world.people[f"Boston{number}"]))
            services.answer_survey(invitation, scores=scores(k=knowledge))
        services.enter_paper_response(survey, region_id=world.regions["Boston"], scores=scores(k=3),
                                      entered_by_id=None)
        for number in range(2):  # Hamburg: two answers only, with low scores that must not show
            invitation = services.invitation_for_token(token_of(app, survey_id, world.people[f"Hamburg{number}"]))
            services.answer_survey(invitation, scores=scores(a=1, d=1, k=1, ab=1, r=1))
        results = round_results(survey)
        rows = {row.label: row for row in results.rows}
        assert list(rows) == ["Boston", "Hamburg", "No region"]
        boston, hamburg = rows["Boston"], rows["Hamburg"]
        assert (boston.invited, boston.answers, boston.response_rate) == (3, 4, 4 * 100 / 3)
        assert boston.means["knowledge"] == 3.0 and boston.barrier_elements == ["knowledge"]
        assert hamburg.too_few and hamburg.means == {} and hamburg.barrier_elements == []
        assert rows["No region"].invited == 1 and rows["No region"].answers == 0
        # Hamburg's two answers are hidden, so the total covers the regions shown (Boston) only
        assert results.total.answers == 4 and results.total.invited == 3
        assert (results.answers, results.invited) == (6, 7)
        found = barriers(world.programme.id)
        assert [(b.region, b.element, b.mean, b.count) for b in found] == [("Boston", "knowledge", 3.0, 4)]
        assert barriers(world.programme.id, round_id=survey_id) == found == results.barriers
        # without counting the people asked: the regions answering only, the same scores and barriers
        answering = round_results(survey, with_invited=False)
        assert [(row.label, row.invited, row.answers, row.means) for row in answering.rows] == \
            [("Boston", 0, 4, boston.means), ("Hamburg", 0, 2, {})]
        assert answering.barriers == found
        status = surveys_status(db.session.get(Programme, world.programme.id), DAY)
        assert (status.open_rounds, status.barrier_count, status.answers) == (1, 1, 6)
        assert status.response_rate == pytest.approx(600 / 7)


def test_barriers_read_nothing_without_an_opened_round_or_from_another_programme(app, factories, world):
    draft_id = make_round(app, world, open_it=False)
    other = factories.programme()
    with app.app_context():
        assert barriers(world.programme.id) == []
        assert barriers(world.programme.id, round_id=draft_id) == []
        assert barriers(other.id, round_id=draft_id) == []
        status = surveys_status(db.session.get(Programme, world.programme.id), DAY)
        assert status.latest_round_id is None and status.open_rounds == 0


# --- review fixes ---------------------------------------------------------------------------------

def _answer_as(app, survey_id, world, key, **score_values):
    invitation = services.invitation_for_token(token_of(app, survey_id, world.people[key]))
    return services.answer_survey(invitation, scores=scores(**score_values))


def test_the_total_leaves_out_regions_too_small_to_show(app, world):
    survey_id = make_round(app, world)
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        for number in range(3):  # Boston: shown, knowledge 4
            _answer_as(app, survey_id, world, f"Boston{number}", k=4)
        results = round_results(survey)
        assert str(results.total.label) == "All regions"  # nothing hidden: the total is the whole round
        assert (results.total.answers, results.total.means["knowledge"]) == (3, 4.0)
        for number in range(2):  # Hamburg: two answers, hidden; they must not move the total
            _answer_as(app, survey_id, world, f"Hamburg{number}", k=1)
        results = round_results(survey)
        assert str(results.total.label) == "Regions shown" and results.total_is_partial
        assert (results.total.answers, results.total.invited) == (3, 3)
        assert results.total.means["knowledge"] == 4.0
        # the whole round's figures (no scores) stay available for the overview
        assert (results.answers, results.invited) == (5, 7)
        status = surveys_status(db.session.get(Programme, world.programme.id), DAY)
        assert status.answers == 5 and status.response_rate == pytest.approx(500 / 7)


def test_deleting_a_person_keeps_their_survey_answers(app, world):
    from planner.people.models import Person
    from planner.people.services import delete_person

    survey_id = make_round(app, world)
    with app.app_context():
        response_id = _answer_as(app, survey_id, world, "Boston0", k=2).id
        db.session.commit()
        delete_person(db.session.get(Person, world.people["Boston0"]))
        db.session.commit()
        db.session.expire_all()
        response = db.session.get(SurveyResponse, response_id)
        assert response is not None
        assert (response.invitation_id, response.person_id, response.knowledge) == (None, None, 2)
        assert response.region_id == world.regions["Boston"]
        assert round_results(db.session.get(SurveyRound, survey_id)).answers == 1


def test_reminders_check_the_version_and_wait_twelve_hours(app, world, now_is):
    from planner.core.errors import StaleEditError

    survey_id = make_round(app, world)
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        with pytest.raises(DomainError, match="12 hours"):  # the invitations went out just now
            services.send_reminders(survey, expected_version=survey.version)
    now_is(NOON + timedelta(hours=12))
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        seen = survey.version
        assert services.send_reminders(survey, expected_version=seen) == 7
        db.session.commit()
        with pytest.raises(StaleEditError):  # a double click: the second one carries the old version
            services.send_reminders(survey, expected_version=seen)
    now_is(NOON + timedelta(hours=23, minutes=59))
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        with pytest.raises(DomainError, match="12 hours"):
            services.send_reminders(survey, expected_version=survey.version)
    now_is(NOON + timedelta(hours=24))
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        assert services.send_reminders(survey, expected_version=survey.version) == 7
        db.session.commit()
    assert len([key for key in _outbox_keys(app, world.programme.id) if ":reminder:" in key]) == 14


def test_barriers_are_decided_on_the_mean_as_shown(app, world):
    survey_id = make_round(app, world)
    with app.app_context():
        survey = db.session.get(SurveyRound, survey_id)
        for number in range(25):  # knowledge: 24 x 3 and one 4 -> 3.04, shown 3.0: a barrier
            services.enter_paper_response(survey, region_id=world.regions["Boston"],
                                          scores=scores(k=4 if number == 0 else 3), entered_by_id=None)
        for number in range(20):  # desire in Hamburg: 19 x 3 and one 4 -> 3.05, shown 3.1: not a barrier
            services.enter_paper_response(survey, region_id=world.regions["Hamburg"],
                                          scores=scores(d=4 if number == 0 else 3), entered_by_id=None)
        results = round_results(survey)
        rows = {row.label: row for row in results.rows}
        assert rows["Boston"].means["knowledge"] == 3.0 and rows["Boston"].is_barrier("knowledge")
        assert rows["Hamburg"].means["desire"] == 3.1 and not rows["Hamburg"].is_barrier("desire")
        assert ("Boston", "knowledge", 3.0, 25) in [(b.region, b.element, b.mean, b.count)
                                                     for b in barriers(world.programme.id)]
        assert "desire" not in {b.element for b in barriers(world.programme.id)}
        status = surveys_status(db.session.get(Programme, world.programme.id), DAY)
        assert status.barrier_count == len(results.barriers)


def test_a_second_answer_racing_the_first_updates_it_instead_of_failing(app, world, monkeypatch):
    survey_id = make_round(app, world)
    real_lookup = services._response_of

    def behind_its_back_once(invitation_id):
        monkeypatch.setattr(services, "_response_of", real_lookup)
        invitation = db.session.get(SurveyInvitation, invitation_id)
        db.session.execute(SurveyResponse.__table__.insert().values(
            programme_id=invitation.programme_id, round_id=invitation.round_id, invitation_id=invitation.id,
            person_id=invitation.person_id, region_id=world.regions["Boston"], source="link", comment="first",
            submitted_at=NOON, created_at=NOON, updated_at=NOON, **scores(k=1)))
        return None  # the lookup ran before the other request's insert

    monkeypatch.setattr(services, "_response_of", behind_its_back_once)
    with app.app_context():
        invitation = services.invitation_for_token(token_of(app, survey_id, world.people["Boston1"]))
        response = services.answer_survey(invitation, scores=scores(k=5), comment="second")
        db.session.commit()
        [stored] = db.session.scalars(select(SurveyResponse)).all()
        assert stored.id == response.id and (stored.knowledge, stored.comment) == (5, "second")
        assert invitation.answered_at is not None
