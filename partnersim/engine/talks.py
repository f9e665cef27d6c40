"""The ``talks`` stage kind: rounds of talks with a shared pool of expert teams.

Each round needs one of the stage's expert teams, a SimPy resource shared by
every candidate of the replication, so candidates queue when teams are busy.
A round ends in agreement with probability ``agreement``; the uniform that
decides round *k* is keyed by *k*, so raising the probability only ever makes
talks end sooner, draw for draw. With ``max_rounds`` set, talks that have not
agreed after that many rounds fail.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from partnersim.engine.stages import FAIL_TALKS, WITHDRAW, ChunkKeys, Replication, wait
from partnersim.engine.streams import Streams, key_of
from partnersim.scenario.schema import TalksStage

NEVER = -1
ROUND_CAP = 1000  # rounds drawn at most when talks have no round limit
_BLOCK = 32


class TalksPlan:
    """One chunk's draws: rounds needed (or NEVER) and each round's duration."""

    def __init__(self, rounds: np.ndarray, durations: list[list[list[float]]]) -> None:
        self.rounds = rounds
        self.rounds_list: list[list[int]] = rounds.tolist()
        self.durations = durations


class Talks:
    kind = "talks"

    def __init__(self, name: str, index: int, params: TalksStage) -> None:
        self.name = name
        self.index = index
        self.key = key_of(name)
        self.teams = params.teams
        self.round = params.round
        self.agreement = params.agreement
        self.max_rounds = params.max_rounds
        self.limit = params.max_rounds if params.max_rounds is not None else ROUND_CAP

    def _uniforms(self, streams: Streams, keys: ChunkKeys, first: int, last: int, slot: int) -> np.ndarray:
        rounds = np.arange(first, last, dtype=np.uint64)
        return streams.uniforms(
            keys.reps[:, None, None], keys.candidates[None, :, None], self.key,
            rounds[None, None, :], np.uint64(slot),
        )

    def draw(self, streams: Streams, keys: ChunkKeys) -> TalksPlan:
        shape = (len(keys.reps), len(keys.candidates))
        rounds = np.full(shape, NEVER, dtype=np.int64)
        first = 0
        while first < self.limit and (rounds == NEVER).any():
            last = min(first + _BLOCK, self.limit)
            agreed = self._uniforms(streams, keys, first, last, 1) < self.agreement
            hit = agreed.any(axis=2) & (rounds == NEVER)
            rounds[hit] = first + agreed.argmax(axis=2)[hit] + 1
            first = last
            if self.agreement == 0.0:
                break
        needed = np.where(rounds == NEVER, self.limit, rounds)
        widest = int(needed.max()) if needed.size else 0
        days = self.round.ppf(self._uniforms(streams, keys, 0, widest, 0)) if widest else np.zeros(shape + (0,))
        durations = [
            [days[r, c, : needed[r, c]].tolist() for c in range(shape[1])] for r in range(shape[0])
        ]
        return TalksPlan(rounds, durations)

    def run(
        self, rep: Replication, plan: TalksPlan, r: int, c: int, withdraw_at: float
    ) -> Generator[simpy.Event, Any, str | None]:
        env = rep.env
        teams = rep.resource(self.name)
        needed = plan.rounds_list[r][c]
        for days in plan.durations[r][c]:
            request = teams.request()
            if withdraw_at < np.inf:
                got = yield request | env.timeout(max(withdraw_at - env.now, 0.0))
                if request not in got:
                    request.cancel()
                    return WITHDRAW
            else:
                yield request
            try:
                finished = yield from wait(env, days, withdraw_at)
            finally:
                teams.release(request)
            if not finished:
                return WITHDRAW
            needed -= 1
            if needed == 0:
                return None
        if self.max_rounds is not None:
            return FAIL_TALKS
        # No agreement within the drawn rounds and no limit: talks go on to the horizon.
        if withdraw_at < np.inf:
            yield env.timeout(max(withdraw_at - env.now, 0.0))
            return WITHDRAW
        yield env.event()
        return None  # pragma: no cover - the horizon ends the replication first
