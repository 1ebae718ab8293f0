"""Evidence the wave gate reads from other areas: training completion and adoption.

Until an area registers a source, this interface answers "no data" (None) for both. create_app registers
planner.adoption.evidence.GateEvidence: training completion from planner/training/readiness.py, adoption
from the weekly adoption figures. The gate code never changes.
"""
from typing import Protocol


class EvidenceSource(Protocol):
    def training_completion_pct(self, region_ids: list[int]) -> float | None:
        """Share (0-100) of the people in these regions who completed their required training."""

    def adoption_pct(self, region_ids: list[int]) -> float | None:
        """Share (0-100) of licensed users in these regions who were active in the latest week."""


class NoEvidenceYet:
    """The source until training and adoption are recorded: every answer is "no data"."""

    def training_completion_pct(self, region_ids: list[int]) -> float | None:
        return None

    def adoption_pct(self, region_ids: list[int]) -> float | None:
        return None


_source: EvidenceSource = NoEvidenceYet()


def register_source(source: EvidenceSource) -> None:
    global _source
    _source = source


def evidence() -> EvidenceSource:
    return _source
