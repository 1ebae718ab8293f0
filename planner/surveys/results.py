"""Survey results: per region and ADKAR element the mean score, the number of answers and the response rate.

Only aggregates leave this module. A region with fewer than ``MIN_ANSWERS`` answers is listed with its
counts but without its scores, so one person's answers cannot be read off the table or the heat map; the
total row then covers the regions shown only (else the hidden scores could be worked out from the difference).
Means are rounded to one decimal, as shown, and a cell whose shown mean is 3.0 or below (with enough answers)
is a barrier: the element people are stuck on. The table, the heat map, ``barriers()`` and the overview's
count all read these rounded means, so what is marked always agrees with the number next to it.
Three queries whatever the number of answers: the regions, the answers grouped by region, the
invitations grouped by region.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from planner.extensions import db
from planner.people.models import Person
from planner.programmes.models import Region
from planner.surveys.models import ELEMENTS, RoundState, SurveyInvitation, SurveyResponse, SurveyRound

#: fewer answers than this in a region and its scores are not shown
MIN_ANSWERS = 3
#: a mean at or below this is a barrier
BARRIER_AT_OR_BELOW = 3.0


@dataclass(frozen=True)
class Barrier:
    """An ADKAR element a region is stuck on (read by the programme health check)."""

    region: str
    element: str
    mean: float
    count: int
    region_id: int | None = None


@dataclass
class RegionResult:
    region_id: int | None
    label: str
    #: tier value of the region (pilot, key, standard), None for answers without a region
    tier: str | None
    invited: int
    answers: int
    #: element -> mean score, only when there are enough answers
    means: dict[str, float] = field(default_factory=dict)

    @property
    def too_few(self) -> bool:
        return self.answers < MIN_ANSWERS

    @property
    def response_rate(self) -> float | None:
        """Answers per person asked (paper forms count as answers, so it can pass 100%)."""
        return self.answers * 100 / self.invited if self.invited else None

    def is_barrier(self, element: str) -> bool:
        mean = self.means.get(element)
        return mean is not None and mean <= BARRIER_AT_OR_BELOW

    @property
    def barrier_elements(self) -> list[str]:
        return [element for element in ELEMENTS if self.is_barrier(element)]


def shown_mean(total: int, count: int) -> float:
    """The mean of ``count`` scores adding up to ``total``, rounded half up to one decimal: the number shown,
    and the one barriers are decided on (exact whatever the database: sums are whole numbers)."""
    return float((Decimal(int(total)) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class Results:
    rows: list[RegionResult]
    #: the total row: every region when none is hidden, else the regions shown only
    total: RegionResult
    #: the whole round's answers and people asked (counts only, hidden regions included)
    answers: int = 0
    invited: int = 0

    @property
    def total_is_partial(self) -> bool:
        """Whether some answers are hidden, so the total row covers the regions shown only."""
        return self.total.answers < self.answers

    @property
    def barriers(self) -> list[Barrier]:
        return [Barrier(row.label, element, row.means[element], row.answers, row.region_id)
                for row in self.rows for element in row.barrier_elements]


def round_results(survey: SurveyRound, *, with_invited: bool = True) -> Results:
    """The round's aggregates per region (every region asked or answering), and the total row. Without
    ``with_invited``, the people asked are not counted (one query less: each invitation's person is read for
    their region), and only the regions answering are listed: what the barriers need."""
    sums = [func.sum(getattr(SurveyResponse, name)) for name in ELEMENTS]
    answered = db.session.execute(
        select(SurveyResponse.region_id, func.count(SurveyResponse.id), *sums)
        .where(SurveyResponse.round_id == survey.id).group_by(SurveyResponse.region_id)).all()
    invited = dict(db.session.execute(
        select(Person.region_id, func.count(SurveyInvitation.id))
        .join(Person, Person.id == SurveyInvitation.person_id)
        .where(SurveyInvitation.round_id == survey.id).group_by(Person.region_id)).all()) if with_invited else {}
    regions = db.session.execute(select(Region.id, Region.name, Region.tier)
                                 .where(Region.programme_id == survey.programme_id)
                                 .order_by(Region.name, Region.id)).all()
    #: region id -> (answers, {element: sum of scores})
    by_region = {row[0]: (row[1], dict(zip(ELEMENTS, row[2:]))) for row in answered}

    def make(region_id, label, tier, invited_count, answers, totals) -> RegionResult:
        result = RegionResult(region_id, label, tier, invited_count, answers)
        if answers >= MIN_ANSWERS:
            result.means = {name: shown_mean(totals[name], answers) for name in ELEMENTS}
        return result

    rows = []
    for region_id, name, tier in regions:
        if region_id in by_region or invited.get(region_id):
            rows.append(make(region_id, name, getattr(tier, "value", tier), invited.get(region_id, 0),
                             *by_region.get(region_id, (0, {}))))
    if None in by_region or invited.get(None):
        rows.append(make(None, _("No region"), None, invited.get(None, 0), *by_region.get(None, (0, {}))))

    all_answers, all_invited = sum(count for count, _totals in by_region.values()), sum(invited.values())
    if any(row.too_few and row.answers for row in rows):
        # some answers are hidden: a total over everything would give their scores away by difference
        shown = [row for row in rows if not row.too_few]
        label, invited_count = _("Regions shown"), sum(row.invited for row in shown)
    else:
        shown, label, invited_count = rows, _("All regions"), all_invited
    answers = sum(row.answers for row in shown)
    totals = {name: sum(by_region[row.region_id][1][name] for row in shown if row.answers) for name in ELEMENTS}
    total = make(None, label, None, invited_count, answers, totals)
    return Results(rows, total, all_answers, all_invited)


#: the most comments listed on the round page
MAX_COMMENTS = 100


def comments_of(survey: SurveyRound, results: Results) -> list[tuple[str | None, str]]:
    """The round's free-text comments, newest first, without names: (region, comment), the region left out when
    it has too few answers to show (it could point at one person). One query."""
    shown = {row.region_id: row.label for row in results.rows if not row.too_few and row.region_id is not None}
    rows = db.session.execute(
        select(SurveyResponse.region_id, SurveyResponse.comment)
        .where(SurveyResponse.round_id == survey.id, SurveyResponse.comment != "")
        .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc()).limit(MAX_COMMENTS)).all()
    return [(shown.get(region_id), comment) for region_id, comment in rows]


def latest_round(programme_id: int) -> SurveyRound | None:
    """The most recently opened round that is open or closed (a draft has no results)."""
    return db.session.scalar(
        select(SurveyRound).where(SurveyRound.programme_id == programme_id,
                                  SurveyRound.state.in_([RoundState.OPEN, RoundState.CLOSED]))
        .order_by(SurveyRound.opened_at.desc(), SurveyRound.id.desc()).limit(1))


def barriers(programme_id: int, round_id: int | None = None) -> list[Barrier]:
    """The barriers of one round (by default the latest open or closed one): region and element with a mean
    of 3.0 or below over at least MIN_ANSWERS answers. Empty when there is no such round."""
    if round_id is None:
        survey = latest_round(programme_id)
    else:
        survey = db.session.get(SurveyRound, round_id)
        if survey is not None and survey.programme_id != programme_id:
            survey = None
    if survey is None or survey.state is RoundState.DRAFT:
        return []
    return round_results(survey, with_invited=False).barriers
