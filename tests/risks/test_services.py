"""The risk register's services: create, update, review, delete, the score history and the figures."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from planner.core.errors import DomainError, StaleEditError
from planner.core.models import AuditEvent
from planner.extensions import db
from planner.programmes.models import Programme
from planner.risks import queries, services
from planner.risks.models import Risk, RiskScoreChange, RiskStatus
from planner.risks.status import risks_status
from tests.risks.helpers import NOW, TODAY, build_world, make_risk, risk_fields


@pytest.fixture
def world(app, factories, now_is):
    now_is(NOW)
    return build_world(app, factories)


@pytest.fixture
def programme(app, world):
    with app.app_context():
        yield db.session.get(Programme, world.programme_id)


def test_create_numbers_per_programme_and_writes_history(app, world, programme, factories):
    first = make_risk(programme, owner_id=world.person_id, stage_ids=[world.stage_id],
                      region_ids=[world.region_id], occurrence_ids=[world.occurrence_id])
    second = make_risk(programme, title="Data is dirty", category="data_quality", likelihood=5, impact=5)
    assert (first.reference, second.reference) == ("R-001", "R-002")
    assert first.score == 12 and second.score == 25
    assert [s.id for s in first.stages] == [world.stage_id]
    assert [r.id for r in first.regions] == [world.region_id]
    assert [o.id for o in first.occurrences] == [world.occurrence_id]
    rows = db.session.scalars(select(RiskScoreChange).where(RiskScoreChange.risk_id == first.id)).all()
    assert [(r.likelihood, r.impact, r.score, r.status) for r in rows] == [(3, 4, 12, RiskStatus.OPEN)]
    assert rows[0].at == NOW
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "Risk", AuditEvent.action == "create")) == 2
    other = db.session.get(Programme, factories.programme().id)
    assert make_risk(other).reference == "R-001"


@pytest.mark.parametrize("values, field", [
    ({"title": "  "}, "title"),
    ({"category": "weather"}, "category"),
    ({"status": "forgotten"}, "status"),
    ({"likelihood": 0}, "likelihood"),
    ({"likelihood": 6}, "likelihood"),
    ({"impact": None}, "impact"),
    ({"impact": "x"}, "impact"),
])
def test_bad_input_is_refused_with_its_field(programme, values, field):
    with pytest.raises(DomainError) as caught:
        make_risk(programme, **values)
    assert caught.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Risk)) == 0


def test_links_and_owner_must_belong_to_the_programme(app, world, programme, factories):
    other = factories.programme(regions=["Elsewhere"])
    stranger = factories.person(other, "Stranger")
    with pytest.raises(DomainError) as caught:
        make_risk(programme, owner_id=stranger.id)
    assert caught.value.field == "owner_id"
    from planner.programmes.models import Region
    foreign_region = db.session.scalar(select(Region.id).where(Region.programme_id == other.id))
    with pytest.raises(DomainError) as caught:
        make_risk(programme, region_ids=[foreign_region])
    assert caught.value.field == "region_ids"
    with pytest.raises(DomainError) as caught:
        make_risk(programme, occurrence_ids=[world.occurrence_id + 1000])
    assert caught.value.field == "occurrence_ids"


def _update(risk, expected_version, **values):
    fields = risk_fields(**values)
    services.update_risk(risk, expected_version=expected_version, **fields)


def test_update_writes_history_only_when_scores_or_status_change(programme, now_is):
    risk = make_risk(programme)
    now_is(NOW + timedelta(days=1))
    _update(risk, risk.version, mitigation="Two deputies.")
    assert len(risk.history) == 1
    now_is(NOW + timedelta(days=2))
    _update(risk, risk.version, mitigation="Two deputies.", likelihood=5)
    now_is(NOW + timedelta(days=3))
    _update(risk, risk.version, mitigation="Two deputies.", likelihood=5, status="mitigating")
    db.session.expire(risk, ["history"])
    assert [(row.score, row.status) for row in risk.history] == [
        (20, RiskStatus.MITIGATING), (20, RiskStatus.OPEN), (12, RiskStatus.OPEN)]


def test_a_stale_edit_is_refused(programme):
    risk = make_risk(programme)
    with pytest.raises(StaleEditError):
        _update(risk, risk.version - 1 if risk.version > 1 else risk.version + 5, title="Changed")
    assert risk.title == "Sponsor leaves"


def test_review_sets_the_next_date_and_may_change_scores(programme, now_is):
    risk = make_risk(programme)
    with pytest.raises(DomainError) as caught:
        services.review_risk(risk, expected_version=risk.version, next_review_on=TODAY)
    assert caught.value.field == "next_review_on"
    with pytest.raises(DomainError) as caught:
        services.review_risk(risk, expected_version=risk.version, next_review_on=TODAY + timedelta(days=7),
                             likelihood=9)
    assert caught.value.field == "likelihood"
    services.review_risk(risk, expected_version=risk.version, next_review_on=TODAY + timedelta(days=14),
                         impact="2", note="Deputy named.")
    assert (risk.next_review_on, risk.impact, risk.score) == (TODAY + timedelta(days=14), 2, 6)
    assert risk.history[0].note == "Deputy named." and risk.history[0].score == 6
    services.review_risk(risk, expected_version=risk.version, next_review_on=TODAY + timedelta(days=28))
    db.session.expire(risk, ["history"])
    assert len(risk.history) == 3 and risk.history[0].score == 6


def test_a_review_that_closes_the_risk_needs_no_next_review(programme):
    risk = make_risk(programme)
    services.review_risk(risk, expected_version=risk.version, next_review_on=None, status="closed",
                         note="The deputy sponsor is in place.")
    assert (risk.status, risk.next_review_on) == (RiskStatus.CLOSED, None)
    assert risk.history[0].status == RiskStatus.CLOSED


def test_delete_removes_the_history(programme):
    risk = make_risk(programme)
    risk_id = risk.id
    services.delete_risk(risk)
    assert db.session.get(Risk, risk_id) is None
    assert db.session.scalar(select(func.count()).select_from(RiskScoreChange)) == 0


def test_database_refuses_a_score_out_of_range(programme):
    risk = make_risk(programme)
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(Risk.__table__.update().where(Risk.id == risk.id).values(likelihood=6))


def test_status_figures(programme, world):
    make_risk(programme, likelihood=5, impact=3, owner_id=world.person_id)  # high, review 1 Oct
    make_risk(programme, likelihood=1, impact=1, mitigation="", next_review_on=date(2026, 9, 1))  # overdue
    make_risk(programme, likelihood=5, impact=5, status="closed", next_review_on=date(2026, 9, 1))
    make_risk(programme, likelihood=4, impact=4, status="mitigating", owner_id=world.person_id)
    figures = risks_status(programme, TODAY)
    assert (figures.open, figures.high, figures.overdue_reviews, figures.without_owner,
            figures.without_mitigation) == (3, 2, 1, 1, 1)


def test_register_sorts_by_score_and_filters(programme, world):
    low = make_risk(programme, likelihood=1, impact=2, category="training")
    high = make_risk(programme, likelihood=5, impact=4, owner_id=world.person_id)
    overdue = make_risk(programme, likelihood=2, impact=2, next_review_on=date(2026, 9, 1))
    ids = lambda query: [risk.id for risk in db.session.scalars(query)]  # noqa: E731
    assert ids(queries.risks_of(programme.id)) == [high.id, overdue.id, low.id]
    assert ids(queries.risks_of(programme.id, category="training")) == [low.id]
    assert ids(queries.risks_of(programme.id, owner_id=world.person_id)) == [high.id]
    assert ids(queries.risks_of(programme.id, overdue_on=TODAY)) == [overdue.id]
    assert [risk.id for risk in queries.top_risks(programme.id, 2)] == [high.id, overdue.id]
    assert queries.heat_counts(programme.id) == {(1, 2): 1, (5, 4): 1, (2, 2): 1}


def test_trend_rebuilds_the_open_score_per_day(programme, now_is):
    now_is(datetime(2026, 9, 10, 12, tzinfo=UTC))
    risk = make_risk(programme, likelihood=2, impact=2)
    now_is(datetime(2026, 9, 12, 12, tzinfo=UTC))
    other = make_risk(programme, likelihood=3, impact=3)
    now_is(datetime(2026, 9, 14, 12, tzinfo=UTC))
    _update(risk, risk.version, likelihood=4, impact=2)
    now_is(datetime(2026, 9, 16, 12, tzinfo=UTC))
    _update(other, other.version, likelihood=3, impact=3, status="closed")
    points = queries.score_trend(programme.id, date(2026, 9, 17), days=9)
    assert [(p.day.day, p.total) for p in points] == [
        (9, 0), (10, 4), (11, 4), (12, 13), (13, 13), (14, 17), (15, 17), (16, 8), (17, 8)]


def test_top_risks_are_two_queries_with_the_owners_read_after_the_limit(app, programme, world):
    """The owners come in a second query for the risks kept: joined into the first, PostgreSQL joined every
    person of the programme before the limit (5 ms at 20,000 people, issue 9)."""
    from tests.conftest import count_queries
    for n in range(7):
        make_risk(programme, title=f"Risk {n}", owner_id=world.person_id)
    db.session.flush()
    db.session.expunge_all()
    with count_queries(app) as statements:
        names = [risk.owner.full_name for risk in queries.top_risks(programme.id)]
    assert names == ["Olga Owner"] * 5 and len(statements) == 2
    assert "person" not in statements[0].split("FROM", 1)[1]


def test_heat_map_bands():
    from planner.reports.risk_charts import HIGH_COLOUR, LOW_COLOUR, MEDIUM_COLOUR, band_colour
    assert [band_colour(score) for score in (1, 6, 8, 12, 15, 25)] == [
        LOW_COLOUR, LOW_COLOUR, MEDIUM_COLOUR, MEDIUM_COLOUR, HIGH_COLOUR, HIGH_COLOUR]
