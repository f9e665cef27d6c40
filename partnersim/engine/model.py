"""Compiling a Scenario into a Model: everything a replication needs, built once.

The Model holds the roster, the candidates' keys and request distributions,
and one compiled stage per stage of the process. It holds no random state and
no SimPy objects, so it pickles cheaply to worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from partnersim.engine.consensus import Consensus
from partnersim.engine.stages import CompiledStage
from partnersim.engine.streams import keys_of
from partnersim.engine.talks import Talks
from partnersim.engine.task import Task
from partnersim.process.machine import outcome_states, state_names
from partnersim.scenario.distributions import DurationDist
from partnersim.scenario.loader import roster_of
from partnersim.scenario.schema import ConsensusStage, Scenario, TalksStage, TaskStage
from partnersim.scenario.templates import REQUESTED, TEMPLATES, Template

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Model:
    scenario: Scenario
    template: Template
    ally_codes: list[str]
    ally_names: list[str]
    candidate_codes: list[str]
    candidate_names: list[str]
    candidate_keys: np.ndarray
    requests: list[DurationDist]  # day offsets from the start (negative: before it)
    entry_stage: list[int | None]  # stage index a case starts in, None: from the request
    withdrawal_rate: np.ndarray  # per day
    stages: list[CompiledStage]
    states: list[str]
    outcomes: list[str]
    horizon: float

    @property
    def consensus_stages(self) -> list[Consensus]:
        return [s for s in self.stages if isinstance(s, Consensus)]


def compile_scenario(scenario: Scenario) -> Model:
    """Build the Model of a validated scenario."""
    template = TEMPLATES[scenario.process]
    roster = roster_of(scenario)
    ally_codes = list(roster)
    ally_keys = keys_of(ally_codes)
    stages: list[CompiledStage] = []
    for index, spec in enumerate(template.stages):
        params = scenario.stages[spec.name]
        if isinstance(params, ConsensusStage):
            stages.append(Consensus(spec.name, index, params, scenario.allies, ally_codes, ally_keys))
        elif isinstance(params, TalksStage):
            stages.append(Talks(spec.name, index, params))
        elif isinstance(params, TaskStage):
            stages.append(Task(spec.name, index, params))
    names = template.stage_names
    entry: list[int | None] = []
    for candidate in scenario.candidates:
        stage = candidate.stage
        if stage is None or stage == REQUESTED:
            entry.append(None)
        else:
            entry.append(names.index(stage))
    return Model(
        scenario=scenario,
        template=template,
        ally_codes=ally_codes,
        ally_names=[roster[code] for code in ally_codes],
        candidate_codes=[c.code for c in scenario.candidates],
        candidate_names=[c.label for c in scenario.candidates],
        candidate_keys=keys_of([c.code for c in scenario.candidates]),
        requests=[c.request.in_days(scenario.start) for c in scenario.candidates],
        entry_stage=entry,
        withdrawal_rate=np.array(
            [c.withdrawal.annual_rate / DAYS_PER_YEAR for c in scenario.candidates]
        ),
        stages=stages,
        states=state_names(template),
        outcomes=outcome_states(template),
        horizon=scenario.horizon_days,
    )
