"""What the health check says: findings with a severity, the evidence behind them and what to do.

Rules (``planner/health/rules/``) return findings; the engine (``engine.py``) runs the rules, applies the
programme's thresholds and acknowledgements, and hands the result to pages, dashboards, the API and the demo.
Nothing here touches the database or the request: findings are plain values.
"""
import enum
from dataclasses import dataclass, field
from urllib.parse import urlencode


class Severity(enum.StrEnum):
    """How urgently a finding needs attention, from least to most."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return SEVERITY_ORDER.index(self)


SEVERITY_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH)


@dataclass(frozen=True)
class Evidence:
    """One record behind a finding, linked to its page when it has one.

    The link is kept as an endpoint and its values, not a URL, so rules run without a request (CLI, demo,
    API) and pages build the address with ``url_for`` when they show it.
    """

    label: str
    endpoint: str | None = None
    params: tuple[tuple[str, int | str], ...] = ()
    #: the label names a person: shown only to users who may see people (PEOPLE_VIEW)
    is_personal: bool = False
    #: the ``Permission`` the linked page needs beyond seeing the programme; users without it see the label only
    permission: str | None = None

    @classmethod
    def link(cls, label: str, endpoint: str, *, is_personal: bool = False, permission: str | None = None,
             **params) -> "Evidence":
        return cls(label=label, endpoint=endpoint, params=tuple(sorted(params.items())), is_personal=is_personal,
                   permission=permission)

    @property
    def url_values(self) -> dict:
        return dict(self.params)

    @property
    def key(self) -> str | None:
        """The record behind this evidence, as "endpoint|params" ("risks.show_risk|programme_id=1&risk_id=7"); None
        for evidence without a page. An acknowledgement keeps these keys, so a new record brings a finding back."""
        if not self.endpoint:
            return None
        return f"{self.endpoint}|{urlencode(self.params)}"


@dataclass(frozen=True)
class Finding:
    """One failure mode seen in one place of the programme.

    ``subject`` names the place within the rule ("programme", "region:12", "meeting:40"): together with the
    rule's key it is what an acknowledgement holds on to, so it must stay the same while the problem lasts.
    ``measure`` says how bad it is in the rule's own unit (people untrained, requests waiting; whole weeks only
    where time itself is the problem), never a count of days that grows by itself; an acknowledged finding comes
    back when its severity rises, its measure grows, or a record not in its evidence then is behind it.
    """

    rule: str
    subject: str
    severity: Severity
    #: what is wrong, specifically ("The steering committee has not met for 9 weeks"); names no person
    #: (viewers see titles), people belong in personal evidence
    title: str
    #: what to do about it
    advice: str
    measure: float = 0
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.subject)

    @property
    def evidence_keys(self) -> list[str]:
        """The keys of the records behind the finding (``Evidence.key``), sorted, each once."""
        return sorted({evidence.key for evidence in self.evidence if evidence.key is not None})
