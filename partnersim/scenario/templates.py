"""Process templates as data: the stages a case passes through, their kinds and defaults.

A template is the vocabulary of a scenario's ``stages:`` block and the plan
from which :mod:`partnersim.process` builds the state machine. Every case
starts ``prospective`` (it has not asked yet), becomes ``requested``, walks the
stages in order and ends in the template's success state or in one of the
shared terminal outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

StageKind = Literal["consensus", "talks", "task"]


@dataclass(frozen=True)
class StageSpec:
    """One stage: its name in scenario files, its kind, and its default parameters."""

    name: str
    kind: StageKind
    label: str
    defaults: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Template:
    """A process: stages in order, and what reaching the end is called."""

    name: str
    description: str
    stages: tuple[StageSpec, ...]
    success: str
    success_label: str

    def stage(self, name: str) -> StageSpec:
        for spec in self.stages:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.stages)


PROSPECTIVE = "prospective"
REQUESTED = "requested"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
TALKS_FAILED = "talks_failed"
PENDING = "pending"

OUTCOME_LABELS: dict[str, str] = {
    REJECTED: "Rejected (an ally vetoed)",
    WITHDRAWN: "Withdrawn by the candidate",
    TALKS_FAILED: "Talks failed (round limit)",
    PENDING: "Pending at the horizon",
}

GLOBAL_PARTNER = Template(
    name="global-partner",
    description=(
        "A nation asks NATO for global-partner status; every ally must agree to pursue it; "
        "NATO experts and the nation's officials discuss areas of cooperation; an Individual "
        "Partnership and Cooperation Programme (IPCP) is drafted and approved by the allies; "
        "cooperation begins."
    ),
    stages=(
        StageSpec("consensus", "consensus", "Allied consensus"),
        StageSpec(
            "expert_talks",
            "talks",
            "Expert talks",
            # Assumption: about two rounds of two months, as the talks of Colombia
            # (late 2016 → May 2017) and Mongolia (May 2011 → March 2012) suggest
            # together with drafting.
            {
                "teams": 2,
                "round": {"gamma": {"mean": "2mo", "cv": 0.5}},
                "agreement": 0.6,
                "max_rounds": None,
            },
        ),
        StageSpec(
            "ipcp_drafting",
            "task",
            "IPCP drafting",
            {"duration": {"pert": ["3mo", "6mo", "12mo"]}},  # assumption
        ),
        StageSpec(
            "ipcp_approval",
            "consensus",
            "IPCP approval",
            # Assumption: approving a drafted programme is quicker and rarely held.
            {
                "allies": {
                    "default": {
                        "deliberation": {"lognormal": {"median": "2w", "p90": "6w"}},
                        "hold": {"probability": 0.01},
                    }
                }
            },
        ),
    ),
    success="cooperation",
    success_label="Cooperation",
)

TEMPLATES: dict[str, Template] = {GLOBAL_PARTNER.name: GLOBAL_PARTNER}
