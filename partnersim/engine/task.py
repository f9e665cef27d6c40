"""The ``task`` stage kind: a piece of work that takes a drawn duration (e.g. drafting)."""

from __future__ import annotations

import numpy as np

from partnersim.engine.stages import ADVANCE, ChunkKeys, Entering
from partnersim.scenario.schema import TaskStage
from partnersim.streams import Streams, key_of


class Task:
    kind = "task"

    def __init__(self, name: str, index: int, params: TaskStage) -> None:
        self.name = name
        self.index = index
        self.key = key_of(name)
        self.duration = params.duration

    def draw(self, streams: Streams, keys: ChunkKeys) -> np.ndarray:
        u = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], keys.stage(self.name, self.key), np.uint64(0))
        return self.duration.ppf(u)

    def finish(self, plan: np.ndarray, entering: Entering) -> tuple[np.ndarray, np.ndarray]:
        return plan, np.full(plan.shape, ADVANCE, dtype=np.int8)
