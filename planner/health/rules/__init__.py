"""The health check's rules: each checks one known failure mode (DOMAIN.md, "Known failure modes") against
live data. A rule is a function decorated with ``@rule(...)`` that takes a ``HealthContext`` and returns
(or yields) ``Finding``s. Importing this package registers every rule, in the order of ``RULE_MODULES``.

Reads that several rules need (regions, go-lives, the working calendar, waves, ...) go through the context's
shared properties (``planner.health.context``): each is loaded once per health-check run.
"""
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from planner.health.context import HealthContext
from planner.health.findings import Finding

__all__ = ["RULES", "THRESHOLDS", "HealthContext", "Rule", "Threshold", "rule"]


@dataclass(frozen=True)
class Threshold:
    """A number a rule compares against, which each programme may set for itself."""

    key: str
    #: shown on the settings page ("Weeks without a committee meeting")
    label: str
    default: int
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Rule:
    key: str
    #: the rule's general name, for the README, the settings page and the API ("No executive sponsor")
    title: str
    #: the catalogue's failure mode it watches, in the catalogue's words
    failure_mode: str
    check: Callable[["HealthContext"], Iterable[Finding]]
    thresholds: tuple[Threshold, ...] = ()


#: rule key -> Rule, in registration order
RULES: dict[str, Rule] = {}
#: threshold key -> Threshold, across all rules (keys are unique)
THRESHOLDS: dict[str, Threshold] = {}


def rule(key: str, *, title: str, failure_mode: str, thresholds: tuple[Threshold, ...] = ()):
    """Register a rule function under ``key``."""

    def register(check: Callable[[HealthContext], Iterable[Finding]]):
        if key in RULES:
            raise ValueError(f"Health rule {key!r} is registered twice")
        for threshold in thresholds:
            if threshold.key in THRESHOLDS:
                raise ValueError(f"Health threshold {threshold.key!r} is declared twice")
            if not threshold.minimum <= threshold.default <= threshold.maximum:
                raise ValueError(f"Health threshold {threshold.key!r}: default outside its range")
            THRESHOLDS[threshold.key] = threshold
        RULES[key] = Rule(key=key, title=title, failure_mode=failure_mode, check=check, thresholds=thresholds)
        return check

    return register


#: the modules that hold rules, imported in this order (the order rules are listed in)
RULE_MODULES = ("governance", "communication", "rollout", "training", "adoption", "risks")

for _module in RULE_MODULES:
    importlib.import_module(f"{__name__}.{_module}")
