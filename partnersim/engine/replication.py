"""Running replications: one SimPy environment per replication, candidates as processes.

A chunk of replications first draws everything that needs no event loop, in
vectorised calls (every ally's decision, task durations, talk rounds), then
runs each replication's environment, where candidates compete for the shared
expert teams and the horizon cuts off what is still open.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from partnersim.engine.consensus import Consensus, ConsensusPlan
from partnersim.engine.model import Model
from partnersim.engine.records import AllyRecord, Records
from partnersim.engine.stages import ChunkKeys
from partnersim.engine.streams import Streams, key_of
from partnersim.process.machine import Case, build_machine
from partnersim.scenario.templates import PROSPECTIVE

_REQUEST = key_of("request")
_WITHDRAWAL = key_of("withdrawal")


class _Replication:
    """The state of one replication: its environment and its shared resources."""

    def __init__(self, model: Model) -> None:
        self.env = simpy.Environment()
        self._resources = {
            stage.name: simpy.Resource(self.env, capacity=stage.teams) for stage in model.talks_stages
        }

    def resource(self, stage: str) -> simpy.Resource:
        return self._resources[stage]


def run_chunk(model: Model, seed: int, first: int, count: int) -> Records:
    """Replications ``first`` to ``first + count - 1`` of a run seeded with ``seed``."""
    streams = Streams(seed)
    keys = ChunkKeys(np.arange(first, first + count, dtype=np.uint64), model.candidate_keys)
    opened, withdraw_at = _openings(model, streams, keys)
    plans = [stage.draw(streams, keys) for stage in model.stages]
    machine = build_machine(model.template.name)
    cases = [Case(code) for code in model.candidate_codes]
    for case in cases:
        machine.add_model(case, initial=PROSPECTIVE)
    n_cand = len(cases)
    state_index = {name: i for i, name in enumerate(model.states)}
    outcome_index = {name: i for i, name in enumerate(model.outcomes)}
    outcome = np.empty((count, n_cand), dtype=np.int8)
    end = np.empty((count, n_cand))
    entry = np.full((count, n_cand, len(model.states)), np.nan)
    opened_list = opened.tolist()
    withdraw_list = withdraw_at.tolist()
    try:
        for r in range(count):
            rep = _Replication(model)
            for c, case in enumerate(cases):
                case.start(machine, rep.env)
                rep.env.process(_walk(rep, model, plans, case, r, c, opened_list[r][c], withdraw_list[r][c]))
            rep.env.run(until=model.horizon)
            for c, case in enumerate(cases):
                if case.state not in outcome_index:
                    case.censor()  # type: ignore[attr-defined]
                for state, day in case.trace:
                    column = state_index[state]
                    if np.isnan(entry[r, c, column]):
                        entry[r, c, column] = day
                final, day = case.trace[-1]
                outcome[r, c] = outcome_index[final]
                end[r, c] = day
    finally:
        for case in cases:
            machine.remove_model(case)
    return Records(
        first=first,
        outcome=outcome,
        end=end,
        opened=opened,
        entry=entry,
        allies=[_ally_record(stage, plans[stage.index], entry) for stage in model.consensus_stages],
    )


def _openings(model: Model, streams: Streams, keys: ChunkKeys) -> tuple[np.ndarray, np.ndarray]:
    """The day each case opens, and the day its candidate would withdraw (inf: never)."""
    u = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], _REQUEST, np.uint64(0))
    request = np.column_stack([dist.ppf(u[:, c]) for c, dist in enumerate(model.requests)])
    opened = np.maximum(request, 0.0)
    v = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], _WITHDRAWAL, np.uint64(0))
    rate = model.withdrawal_rate[None, :]
    with np.errstate(divide="ignore"):
        after = np.where(rate > 0, -np.log1p(-v) / np.where(rate > 0, rate, 1.0), np.inf)
    return opened, opened + after


def _walk(
    rep: _Replication, model: Model, plans: list[Any], case: Case, r: int, c: int,
    opened: float, withdraw_at: float,
) -> Generator[simpy.Event, Any, None]:
    """One case from its request to an outcome, stage by stage."""
    env = rep.env
    if opened > 0:
        yield env.timeout(opened)
    entry = model.entry_stage[c]
    if entry is None:
        case.request()  # type: ignore[attr-defined]
        case.advance()  # type: ignore[attr-defined]
        entry = 0
    else:
        case.trigger(f"resume_{model.stages[entry].name}")  # type: ignore[attr-defined]
    for stage in model.stages[entry:]:
        ending = yield from stage.run(rep, plans[stage.index], r, c, withdraw_at)
        if ending is not None:
            case.trigger(ending)  # type: ignore[attr-defined]
            return
        case.advance()  # type: ignore[attr-defined]


def _ally_record(stage: Consensus, plan: ConsensusPlan, entry: np.ndarray) -> AllyRecord:
    """Which allies stood in the way, counting only what happened before the case left the stage."""
    column = 2 + stage.index  # prospective, requested, then the stages in order
    entered = entry[:, :, column]
    later = entry[:, :, column + 1 :]
    left = np.nanmin(np.where(np.isnan(later), np.inf, later), axis=2)
    was_here = ~np.isnan(entered)
    reached_next = np.isfinite(entry[:, :, column + 1])
    last = np.where(was_here & reached_next & ~plan.vetoed, plan.last, -1).astype(np.int16)
    vetoed_here = was_here & plan.vetoed & np.isfinite(left) & np.isclose(left - entered, plan.end)
    veto = np.where(vetoed_here, plan.veto_ally, -1).astype(np.int16)
    hold_start = entered[:, :, None] + plan.deliberation
    held = plan.holds & was_here[:, :, None] & (hold_start < left[:, :, None])
    return AllyRecord(stage=stage.name, last=last, veto=veto, held=held)
