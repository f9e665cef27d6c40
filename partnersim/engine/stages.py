"""What every stage kind provides to the engine.

A stage kind compiles its scenario parameters once (``compile``), draws what
it needs for a whole chunk of replications in vectorised calls (``draw``),
and, inside a replication's SimPy environment, walks one case through the
stage (``run``). ``run`` is a generator of SimPy events that returns ``None``
when the case moves on, or the name of the trigger that ends it.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import simpy

from partnersim.engine.streams import Streams

WITHDRAW = "withdraw"
VETO = "veto"
FAIL_TALKS = "fail_talks"


@dataclass
class ChunkKeys:
    """The keys of a chunk: replication numbers and candidate keys."""

    reps: np.ndarray  # (R,) uint64
    candidates: np.ndarray  # (C,) uint64


class Replication(Protocol):
    """What a stage sees of the replication it runs in."""

    env: simpy.Environment

    def resource(self, stage: str) -> simpy.Resource: ...


class CompiledStage(Protocol):
    name: str
    kind: str
    index: int

    def draw(self, streams: Streams, keys: ChunkKeys) -> Any: ...

    def run(
        self, rep: Replication, plan: Any, r: int, c: int, withdraw_at: float
    ) -> Generator[simpy.Event, Any, str | None]: ...


def wait(env: simpy.Environment, days: float, withdraw_at: float) -> Generator[simpy.Event, Any, bool]:
    """Wait ``days``, unless the candidate withdraws first; True if the wait ran out."""
    remaining = withdraw_at - env.now
    if days <= remaining:
        yield env.timeout(days)
        return True
    yield env.timeout(remaining)
    return False
