"""Test-only health rules: the tests of the engine, services and pages register their own rules, so they do not
depend on which real rules exist. While a test runs the registry holds only its rules; the real ones come back
afterwards."""
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.health.findings import Evidence, Finding, Severity
from planner.health.rules import RULES, THRESHOLDS, Threshold, rule

#: the key and threshold of the region rule
REGION_RULE = "test_region_headcount"
HEADCOUNT_THRESHOLD = "test_headcount_people"
SCRIPTED_RULE = "test_scripted"


@pytest.fixture
def register_rule():
    """``register_rule(key, check, thresholds=(...))`` adds a rule for this test only; the registry holds nothing
    else meanwhile."""
    saved_rules, saved_thresholds = dict(RULES), dict(THRESHOLDS)
    RULES.clear()
    THRESHOLDS.clear()

    def register(key: str, check, *, title: str | None = None, thresholds: tuple[Threshold, ...] = ()):
        rule(key, title=title or f"Test rule {key}", failure_mode="A test's own failure mode",
             thresholds=thresholds)(check)
        return RULES[key]

    try:
        yield register
    finally:
        RULES.clear()
        RULES.update(saved_rules)
        THRESHOLDS.clear()
        THRESHOLDS.update(saved_thresholds)


@dataclass
class Script:
    """What the scripted rule finds: set ``findings`` to (subject, severity, measure) triples."""

    findings: list[tuple[str, Severity, float]] = field(default_factory=list)
    #: set to make the rule raise
    error: Exception | None = None


def scripted_finding(subject: str, severity: Severity, measure: float) -> Finding:
    return Finding(rule=SCRIPTED_RULE, subject=subject, severity=severity,
                   title=f"Scripted problem at {subject} ({measure:g})", advice="Fix the script.", measure=measure)


@pytest.fixture
def scripted(register_rule) -> Script:
    """A rule that finds exactly what the test says (no queries), to drive the engine."""
    script = Script()

    def check(ctx):
        if script.error is not None:
            raise script.error
        return [scripted_finding(subject, severity, measure) for subject, severity, measure in script.findings]

    register_rule(SCRIPTED_RULE, check, title="Scripted test rule")
    return script


def region_headcount_check(ctx):
    """Fires for every region of at least the threshold's headcount (MEDIUM; HIGH from twice the threshold),
    with the region and its people as evidence: two queries whatever the number of regions or people."""
    from planner.people.models import Person
    from planner.programmes.models import Region

    limit = ctx.threshold(HEADCOUNT_THRESHOLD)
    regions = db.session.scalars(select(Region).where(Region.programme_id == ctx.programme.id,
                                                      Region.headcount >= limit).order_by(Region.name)).all()
    people: dict[int, list] = {}
    for person_id, full_name, region_id in db.session.execute(select(Person.id, Person.full_name, Person.region_id)
                                                              .where(Person.programme_id == ctx.programme.id)
                                                              .order_by(Person.full_name)):
        people.setdefault(region_id, []).append((person_id, full_name))
    for region in regions:
        evidence = [Evidence.link(f"Region {region.name}", "programmes.edit_region",
                                  programme_id=ctx.programme.id, region_id=region.id)]
        evidence += [Evidence.link(name, "people.edit_person", is_personal=True, programme_id=ctx.programme.id,
                                   person_id=person_id) for person_id, name in people.get(region.id, [])]
        yield Finding(rule=REGION_RULE, subject=f"region:{region.id}",
                      severity=Severity.HIGH if region.headcount >= 2 * limit else Severity.MEDIUM,
                      title=f"{region.name} is crowded: {region.headcount} people",
                      advice="Split the region's training into more sessions.", measure=region.headcount,
                      evidence=tuple(evidence))


@pytest.fixture
def region_rule(register_rule):
    """A rule reading the database: regions of at least ``test_headcount_people`` (default 100) people."""
    return register_rule(REGION_RULE, region_headcount_check, title="Crowded regions", thresholds=(
        Threshold(HEADCOUNT_THRESHOLD, "People in a region before it counts as crowded", 100, 10, 1000),))
