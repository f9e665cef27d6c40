"""Process templates as data: the stages a case passes through, their kinds and defaults.

A template is the vocabulary of a scenario's ``stages:`` block and the plan
from which :mod:`partnersim.process` builds the state machine. Every case
starts ``prospective`` (it has not asked yet), becomes ``requested``, walks the
stages in order and ends in the template's success state or in one of the
shared terminal outcomes.

Two processes are built in: ``global-partner`` (the interview's path to a
partnership programme) and ``membership-accession`` (Article 10 accession,
whose ratification stage uses the same consensus mechanics). One engine runs
both; adding a process is adding a template here.
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
    council: bool = False  # a North Atlantic Council decision (taken at its meetings)
    approval: bool = False  # the approval a veto elsewhere can freeze (spillover)


@dataclass(frozen=True)
class Template:
    """A process: stages in order, and what reaching the end is called."""

    name: str
    description: str
    stages: tuple[StageSpec, ...]
    success: str
    success_label: str
    success_phrase: str = ""  # how a sentence names reaching the end: "cooperation", "membership"
    life: bool = False  # the success state is a partnership that is renewed and can be suspended

    @property
    def success_words(self) -> str:
        return self.success_phrase or self.success.replace("_", " ")

    def stage(self, name: str) -> StageSpec:
        for spec in self.stages:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.stages)

    @property
    def council_stages(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.stages if spec.council)

    @property
    def approval_stages(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.stages if spec.approval)


PROSPECTIVE = "prospective"
REQUESTED = "requested"
RENEWAL = "renewal"
SUSPENDED = "suspended"
LAPSED = "lapsed"
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
        StageSpec("consensus", "consensus", "Allied consensus", council=True),
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
            council=True,
            approval=True,
        ),
    ),
    success="cooperation",
    success_label="Cooperation",
    life=True,
)

MEMBERSHIP_ACCESSION = Template(
    name="membership-accession",
    description=(
        "A nation applies to join NATO; every ally must agree to invite it; accession talks "
        "follow; the allies sign an accession protocol; every ally ratifies it (the same "
        "consensus mechanics, with per-ally delays and holds); the instruments are deposited "
        "with the United States and the nation becomes a member."
    ),
    stages=(
        StageSpec(
            "invitation",
            "consensus",
            "Invitation",
            # A North Atlantic Council decision, taken at its weekly meeting, not
            # a parliamentary one: the allies' ratification delays would be far
            # too slow here. Assumption: each ally is ready within a day to four
            # weeks, most likely one; the last of 30 is then ready in about three.
            # Holds: one of the 30 allies (Türkiye) held the Finland and Sweden
            # invitation, for 41 days (2022-05-18 → 2022-06-28, events.csv); one
            # case only, so the probability and length are assumptions sized on it.
            {
                "allies": {
                    "default": {
                        "deliberation": {"pert": ["1d", "1w", "4w"]},
                        "hold": {
                            "probability": 0.03,
                            "duration": {"lognormal": {"median": "6w", "p90": "6mo"}},
                        },
                    }
                }
            },
            council=True,
        ),
        StageSpec(
            "accession_talks",
            "talks",
            "Accession talks",
            # Finland's and Sweden's talks took one session in Brussels on
            # 2022-07-04, five days after the invitation (events.csv; NATOPA).
            # Assumption: one or two rounds of about a week, rarely failing.
            {
                "teams": 2,
                "round": {"gamma": {"mean": "1w", "cv": 0.5}},
                "agreement": 0.8,
                "max_rounds": None,
            },
        ),
        StageSpec(
            "protocol_signing",
            "task",
            "Protocol signing",
            # Finland and Sweden: talks ended 2022-07-04, protocols signed
            # 2022-07-05 (NATOPA). Assumption: a day to a few weeks.
            {"duration": {"pert": ["1d", "1w", "4w"]}},
        ),
        StageSpec(
            "ratification",
            "consensus",
            "Ratification",
            # Every ally ratifies with the top-level allies' delays and holds (the
            # built-in ally defaults are fitted on these ratifications; see
            # docs/calibration.md). Only the veto rate differs. Assumption: a
            # signed protocol is rarely left unratified: all four Finland/Sweden
            # holds ended in consent (ratification_finland_sweden.csv), and no
            # accession protocol has failed since 1949.
            {"allies": {"default": {"hold": {"lifted": 0.95}}}},
        ),
        StageSpec(
            "deposit",
            "task",
            "Deposit",
            # From the last parliamentary consent to membership: Finland 5 days
            # (Türkiye 2023-03-30 → 2023-04-04), Sweden 10 days (Hungary
            # 2024-02-26 → 2024-03-07) (events.csv). Assumption: 1 day to 3 weeks.
            {"duration": {"pert": ["1d", "1w", "3w"]}},
        ),
    ),
    success="member",
    success_label="Member",
    success_phrase="membership",
)

TEMPLATES: dict[str, Template] = {t.name: t for t in (GLOBAL_PARTNER, MEMBERSHIP_ACCESSION)}
