"""What a health rule checks against: the programme, the day, its thresholds, and the reads several rules share.

Many rules need the same facts (the programme's regions and go-lives, its working calendar, waves, stages,
steering committee, training readiness, the communication gap report, ...). Each is read through the context,
at most once per health-check run: the first rule to ask loads it, later rules get the same object. The memo
lives and dies with the context, which ``run_health_check`` makes afresh for every run, so nothing is cached
across runs or requests (the data changes between them).

Shared values are read-only: mappings come wrapped in ``MappingProxyType``, collections as tuples or frozensets.
A rule that needs a variation builds its own from them, never changes them in place. Loaders import the areas'
modules inside the function, as the rules do (several of those modules import the programmes area).
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, TypeVar

from sqlalchemy import select

from planner.extensions import db

T = TypeVar("T")


@dataclass
class HealthContext:
    """What a rule checks against: the programme, the day, the programme's thresholds, and a per-run memo of
    the reads rules share (the properties below)."""

    programme: Any
    today: date
    #: threshold key -> value, defaults already filled in
    values: dict[str, int]
    #: shared read key -> its value, for this run only
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def threshold(self, key: str) -> int:
        return self.values[key]

    def once(self, key: str, loader: Callable[[], T]) -> T:
        """``loader()``'s value, loaded the first time ``key`` is asked for in this run and reused after.
        A loader that raises stores nothing (the next rule to ask tries again)."""
        if key not in self._memo:
            self._memo[key] = loader()
        return self._memo[key]

    # --- regions and go-lives ------------------------------------------------------------------------------

    @property
    def regions(self) -> Mapping[int, tuple[str, date | None]]:
        """{region id: (name, live_on)} of every region of the programme (one query)."""
        from planner.programmes.models import Region

        return self.once("regions", lambda: MappingProxyType({
            region_id: (name, live_on) for region_id, name, live_on in db.session.execute(
                select(Region.id, Region.name, Region.live_on).where(Region.programme_id == self.programme.id))}))

    @property
    def go_lives(self) -> Mapping[int, date]:
        """{region id: go-live}: the day it went live, else its wave's planned go-live
        (``training.session_queries.go_live_by_region``; regions with neither are left out)."""
        from planner.training.session_queries import go_live_by_region

        return self.once("go_lives", lambda: MappingProxyType(go_live_by_region(self.programme.id)))

    @property
    def upcoming_go_lives(self) -> Mapping[int, date]:
        """{region id: planned go-live} of the regions not live yet whose go-live is today or later."""
        return self.once("upcoming_go_lives", lambda: MappingProxyType({
            region_id: day for region_id, day in self.go_lives.items()
            if self.regions.get(region_id, (None, None))[1] is None and day >= self.today}))

    @property
    def calendar(self):
        """The programme's working calendar, without regional holidays (``rollout.calendar.programme_calendar``)."""
        from planner.rollout.calendar import programme_calendar

        return self.once("calendar", lambda: programme_calendar(self.programme))

    # --- the plan ------------------------------------------------------------------------------------------

    @property
    def waves(self) -> tuple:
        """The programme's waves in rollout order, each with its regions loaded (two queries)."""
        from planner.rollout.queries import waves_with_regions

        return self.once("waves", lambda: tuple(db.session.scalars(waves_with_regions(self.programme.id))))

    @property
    def stages(self) -> tuple:
        """The programme's lifecycle stages in order, with deliverables, criteria and gate reviews loaded."""
        from planner.lifecycle.queries import stages_with_gates

        return self.once("stages", lambda: tuple(
            db.session.scalars(stages_with_gates(self.programme.id)).unique()))

    # --- governance ----------------------------------------------------------------------------------------

    @property
    def steering_committee(self):
        """The programme's steering committee: its first committee, as the committee pages take it (or None)."""
        from planner.committee.models import Committee

        return self.once("steering_committee", lambda: db.session.scalar(
            select(Committee).where(Committee.programme_id == self.programme.id).order_by(Committee.id).limit(1)))

    @property
    def committee_seats(self) -> tuple:
        """Every seat on the steering committee, current and past, with its person loaded (none without a
        committee)."""
        from planner.committee.queries import members_of

        def load() -> tuple:
            committee = self.steering_committee
            return () if committee is None else tuple(db.session.scalars(members_of(committee.id)).unique())

        return self.once("committee_seats", load)

    # --- communication -------------------------------------------------------------------------------------

    @property
    def gaps(self):
        """The communication gap report for ``today`` (``comms.gaps.check_gaps``)."""
        from planner.comms.gaps import check_gaps

        return self.once("gaps", lambda: check_gaps(self.programme, self.today))

    # --- training ------------------------------------------------------------------------------------------

    @property
    def readiness(self):
        """Training completion per region, department and job role (``training.readiness.readiness``)."""
        from planner.training.readiness import readiness

        return self.once("readiness", lambda: readiness(self.programme))

    @property
    def needs(self):
        """How many people need each course per region, and how many need none (``training.queries.need_counts``,
        from the people per kind that ``readiness`` counted)."""
        from planner.training.queries import need_counts

        return self.once("needs", lambda: need_counts(self.programme.id, self.readiness.kinds))

    @property
    def required_pairs(self) -> frozenset[tuple[int, int]]:
        """(region id, course id) of every course some person of the region needs."""
        return self.once("required_pairs", lambda: frozenset(
            pair for pair in self.needs.per_region_course if pair[0] is not None))

    @property
    def course_titles(self) -> Mapping[int, str]:
        """{course id: title} of the programme's courses."""
        from planner.training.models import Course

        return self.once("course_titles", lambda: MappingProxyType(dict(db.session.execute(
            select(Course.id, Course.title).where(Course.programme_id == self.programme.id)).all())))

    @property
    def upcoming_sessions(self) -> tuple:
        """When the training sessions (not cancelled) of the regions still to go live (``upcoming_go_lives``) are,
        by start (``training.session_queries.planned_session_times``); none without such a region."""
        from planner.training.session_queries import planned_session_times

        return self.once("upcoming_sessions", lambda: tuple(
            planned_session_times(self.programme.id, self.upcoming_go_lives) if self.upcoming_go_lives else ()))

    @property
    def upcoming_session_flags(self) -> Mapping:
        """{session id: WindowFlag} of the ``upcoming_sessions`` outside their region's training window
        (``training.session_queries.window_flags``: each session's flag depends on that session alone)."""
        from planner.training.session_queries import window_flags

        return self.once("upcoming_session_flags", lambda: MappingProxyType(
            window_flags(self.programme, list(self.upcoming_sessions), self.go_lives)))

    # --- adoption ------------------------------------------------------------------------------------------

    @property
    def adoption(self):
        """Live regions with their latest adoption figure, and the super-user flags
        (``adoption.status.adoption_status``)."""
        from planner.adoption.status import adoption_status

        return self.once("adoption", lambda: adoption_status(self.programme, self.today))
