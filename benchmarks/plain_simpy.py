"""The plain SimPy model an analyst would write in an afternoon: the baseline to beat.

One SimPy process per ally, no state machine, no scenario file. The process
is the reference workload of this folder: 32 allies decide (lognormal
deliberation; with probability 0.05 a lognormal hold, lifted with probability
0.7, else a veto); then rounds of expert talks, each needing one of two shared
teams, each agreeing with probability 0.6; then IPCP drafting.
"""

from __future__ import annotations

import numpy as np
import simpy

ALLIES = 32


def ally(env: simpy.Environment, rng: np.random.Generator, decided: simpy.Event, votes: list[bool]) -> simpy.events.ProcessGenerator:
    yield env.timeout(rng.lognormal(3.0, 0.6))
    if rng.random() < 0.05:
        yield env.timeout(rng.lognormal(4.5, 0.8))
        if rng.random() >= 0.7:
            votes.append(False)
            if not decided.triggered:
                decided.succeed()
            return
    votes.append(True)
    if len(votes) == ALLIES and not decided.triggered:
        decided.succeed()


def candidate(env: simpy.Environment, rng: np.random.Generator, teams: simpy.Resource, outcome: dict[str, float]) -> simpy.events.ProcessGenerator:
    decided = env.event()
    votes: list[bool] = []
    for _ in range(ALLIES):
        env.process(ally(env, rng, decided, votes))
    yield decided
    if not all(votes):
        outcome["rejected"] = env.now
        return
    while True:
        with teams.request() as request:
            yield request
            yield env.timeout(rng.gamma(4.0, 15.0))
        if rng.random() < 0.6:
            break
    yield env.timeout(rng.triangular(90.0, 180.0, 365.0))
    outcome["cooperation"] = env.now


def replicate(seed: int, candidates: int = 1) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    teams = simpy.Resource(env, capacity=2)
    outcomes: list[dict[str, float]] = [{} for _ in range(candidates)]
    for outcome in outcomes:
        env.process(candidate(env, rng, teams, outcome))
    env.run()
    return outcomes


def run(replications: int, candidates: int = 1, seed: int = 1) -> list[list[dict[str, float]]]:
    return [replicate(seed * 1_000_003 + i, candidates) for i in range(replications)]
