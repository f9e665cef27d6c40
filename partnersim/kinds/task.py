"""The ``task`` stage kind: a piece of work that takes a drawn duration (e.g. drafting)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from partnersim.kinds.base import (
    ADVANCE,
    ChunkKeys,
    Context,
    Entering,
    Exit,
    Kind,
    StageBase,
    least_of,
    most_of,
)
from partnersim.streams import Streams, key_of
from partnersim.values.distributions import Distribution, pert


class TaskStage(StageBase):
    """A piece of work that takes a while, such as drafting."""

    kind: Literal["task"] = "task"
    duration: Distribution = Field(default_factory=lambda: pert("3mo", "6mo", "12mo"))


class Task:
    """A compiled task: one duration per case, drawn for the chunk at once."""

    kind = "task"

    def __init__(self, name: str, index: int, params: TaskStage) -> None:
        self.name = name
        self.index = index
        self.key = key_of(name)
        self.duration = params.duration

    def draw(self, streams: Streams, keys: ChunkKeys) -> np.ndarray:
        return self.duration.ppf(self._uniforms(streams, keys))

    def draw_open(self, streams: Streams, keys: ChunkKeys, elapsed: float) -> np.ndarray:
        """Durations known to exceed ``elapsed`` days: ``elapsed`` plus the residual life, drawn exactly."""
        u = self._uniforms(streams, keys)
        return elapsed + self.duration.residual(u, np.full(u.shape, elapsed))

    def _uniforms(self, streams: Streams, keys: ChunkKeys) -> np.ndarray:
        return streams.uniforms(keys.reps[:, None], keys.candidates[None, :], keys.stage(self.name, self.key),
                                np.uint64(0))

    def finish(self, plan: np.ndarray, entering: Entering) -> tuple[np.ndarray, np.ndarray]:
        return plan, np.full(plan.shape, ADVANCE, dtype=np.int8)


def _compile(name: str, index: int, params: TaskStage, context: Context) -> Task:
    return Task(name, index, params)


KIND = Kind(
    name="task",
    params=TaskStage,
    exits=frozenset({Exit.ADVANCE}),
    compile=_compile,
    least=lambda params, context: least_of(params.duration),
    most=lambda params, context: most_of(params.duration),
    labels={"duration": "duration"},
    roles={"duration": "duration"},
)
