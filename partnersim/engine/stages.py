"""What every stage kind provides to the engine.

A stage kind compiles its scenario parameters once, draws what it needs for
a whole chunk of replications in vectorised calls (``draw``), and then says,
for every case that enters it, how long it stays and how it leaves
(``finish``): all arrays shaped (replications, candidates). Only a stage
whose cases compete for something (the expert teams of ``talks``) runs SimPy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from partnersim.engine.streams import Streams

# How a case leaves a stage.
ADVANCE, VETO, FAIL_TALKS, WITHDRAW = 0, 1, 2, 3
TRIGGERS = {VETO: "veto", FAIL_TALKS: "fail_talks", WITHDRAW: "withdraw"}


@dataclass
class ChunkKeys:
    """The keys of a chunk: replication numbers and candidate keys."""

    reps: np.ndarray  # (R,) uint64
    candidates: np.ndarray  # (C,) uint64


@dataclass
class Entering:
    """The cases entering a stage: who, when, and when their candidate would withdraw."""

    active: np.ndarray  # (R, C) bool
    start: np.ndarray  # (R, C) day of entry (meaningful where active)
    withdraw_at: np.ndarray  # (R, C) day the candidate would withdraw (inf: never)
    horizon: float


class CompiledStage(Protocol):
    name: str
    kind: str
    index: int

    def draw(self, streams: Streams, keys: ChunkKeys) -> Any: ...

    def finish(self, plan: Any, entering: Entering) -> tuple[np.ndarray, np.ndarray]:
        """Days spent in the stage and how each case leaves it (ADVANCE, VETO, ...).

        A stage that handles withdrawal itself (because it is simulated) returns
        WITHDRAW with the days until the withdrawal; other stages leave
        withdrawal to the engine.
        """
        ...
