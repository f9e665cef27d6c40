"""Compiling a Scenario into a Model: everything a replication needs, built once.

The Model holds the roster, the candidates' keys and request distributions,
and one compiled stage per stage of the process. It holds no random state and
no SimPy objects, so it pickles cheaply to worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from partnersim.engine.inputs import Inputs
from partnersim.engine.life import RENEWAL, Life, compile_life
from partnersim.engine.resume import Resume
from partnersim.engine.spillover import Spillover
from partnersim.kinds import KINDS, Context
from partnersim.kinds.base import CompiledStage
from partnersim.kinds.consensus import compile_consensus
from partnersim.process.definition import REQUESTED, Template
from partnersim.process.machine import Paths, outcome_states, state_names
from partnersim.process.route import Route
from partnersim.scenario.calendar import Calendar
from partnersim.scenario.schema import Scenario
from partnersim.streams import keys_of
from partnersim.values.distributions import DurationDist
from partnersim.values.durations import DAYS_PER_YEAR


@dataclass(frozen=True)
class Model:
    """Everything a replication needs, compiled once from a scenario: pure data, cheap to send to workers."""

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
    timeouts: list[float | None]  # per stage: the days after which a case leaves by its timeout exit
    calendar: Calendar
    route: Route
    paths: Paths  # the state machine, which confirms every path the walk produces
    spillover: Spillover | None = None
    life: Life | None = None  # what follows cooperation, with a ``partnership`` block
    resumes: tuple[Resume, ...] = ()  # the cases already in a stage on the start date, with their history
    inputs: Inputs | None = None  # settings drawn for each group of replications (an ``uncertainty`` block)

    def column(self, state: str) -> int:
        """The column of ``state`` in the tables of a run (``Records.entry``, ``Records.spent``)."""
        return self.states.index(state)

    def stage_column(self, index: int) -> int:
        """The column of the stage at ``index``."""
        return self.states.index(self.route.stages[index])

    @property
    def consensus_stages(self) -> list[CompiledStage]:
        """The stages at which allies decide (consensus, or silence procedure), with their ally records."""
        return [s for s in self.stages if KINDS[s.kind].decision]


def compile_scenario(scenario: Scenario) -> Model:
    """Build the Model of a validated scenario."""
    template = scenario.template
    route = scenario.route
    roster = scenario.roster
    ally_codes = list(roster)
    ally_keys = keys_of(ally_codes)
    context = Context(ally_codes, ally_keys, allies=scenario.allies, elections=scenario.calendar.elections,
                      blocs=scenario.blocs, start=scenario.start)
    stages: list[CompiledStage] = []
    for index, spec in enumerate(template.stages):
        params = scenario.stages[spec.name]
        stages.append(KINDS[params.kind].compile(spec.name, index, params, context))
    names = template.stage_names
    entry: list[int | None] = []
    resumes: list[Resume] = []
    for column, candidate in enumerate(scenario.candidates):
        stage = candidate.stage
        if stage is None or stage == REQUESTED:
            entry.append(None)
            continue
        index = names.index(stage)
        entry.append(index)
        if candidate.since is not None:
            known = KINDS[scenario.stages[stage].kind].known
            resumes.append(Resume(
                candidate=column, stage=index, elapsed=float((scenario.start - candidate.since).days),
                label=f"{candidate.label}, in {template.stages[index].label} since {candidate.since}",
                known=known(candidate, ally_codes, scenario.start) if known is not None else None,
            ))
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
        states=state_names(template, route),
        outcomes=outcome_states(template, route),
        horizon=scenario.horizon_days,
        timeouts=[scenario.stages[name].timeout for name in template.stage_names],
        calendar=Calendar(scenario),
        route=route,
        paths=Paths(template, route),
        spillover=Spillover.compile(scenario, template) if scenario.spillover is not None else None,
        resumes=tuple(resumes),
        inputs=Inputs.of(scenario),
        life=compile_life(
            scenario.partnership, scenario.horizon_days,
            lambda name, params: compile_consensus(name, -1, params, context, rules_of=RENEWAL),
        ),
    )
