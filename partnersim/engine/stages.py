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

from partnersim.process.route import Exit
from partnersim.streams import Streams, key_of

# How a case leaves a stage.
ADVANCE, VETO, FAIL_TALKS, WITHDRAW, TIMEOUT = Exit.ADVANCE, Exit.VETO, Exit.FAIL, Exit.WITHDRAW, Exit.TIMEOUT


@dataclass
class ChunkKeys:
    """The keys of a chunk: replication numbers and candidate keys.

    ``visits`` counts, for the stage being drawn, the times each case has
    been in it before (a process may send a case back). A stage's draws are
    keyed by its name on the first visit and by ``name#k`` on visit k, so a
    second visit draws afresh, and a process that never sends a case back
    draws exactly what it always did.
    """

    reps: np.ndarray  # (R,) uint64
    candidates: np.ndarray  # (C,) uint64
    visits: np.ndarray | None = None  # (R, C) earlier visits to the stage drawn; None: first visits for all

    def stage(self, name: str, key: np.uint64) -> np.uint64 | np.ndarray:
        """The key of ``name``'s draws: ``key`` (a scalar) when every case is on its first visit, else (R, C)."""
        if self.visits is None or not self.visits.any():
            return key
        keyed = np.full(self.visits.shape, key, dtype=np.uint64)
        for visit in np.unique(self.visits[self.visits > 0]).tolist():
            keyed[self.visits == visit] = key_of(f"{name}#{visit}")
        return keyed

    def for_visits(self, visits: np.ndarray) -> ChunkKeys:
        return ChunkKeys(self.reps, self.candidates, visits)


def expand(key: np.uint64 | np.ndarray, extra: int) -> np.uint64 | np.ndarray:
    """A stage key laid out for broadcasting against (R, C) followed by ``extra`` more axes."""
    if np.ndim(key) == 0:
        return key
    return np.asarray(key).reshape(np.shape(key) + (1,) * extra)


@dataclass
class Entering:
    """The cases entering a stage: who, when, and when their candidate would withdraw."""

    active: np.ndarray  # (R, C) bool
    start: np.ndarray  # (R, C) day of entry (meaningful where active)
    withdraw_at: np.ndarray  # (R, C) day the candidate would withdraw (inf: never)
    horizon: float


@dataclass
class Leaving:
    """The cases that were in a stage on one pass of the walk: when they came, and when and how they left."""

    entered: np.ndarray  # (R, C) day entered, NaN if not in the stage on this pass
    left: np.ndarray  # (R, C) day left: the decision taking effect, a withdrawal, or the horizon
    advanced: np.ndarray  # (R, C) bool: left by the stage's advance exit
    vetoed: np.ndarray  # (R, C) bool: left by a veto


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
