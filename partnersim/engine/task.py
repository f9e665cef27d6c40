"""The ``task`` stage kind: a piece of work that takes a drawn duration (e.g. drafting)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from partnersim.engine.stages import WITHDRAW, ChunkKeys, Replication, wait
from partnersim.engine.streams import Streams, key_of
from partnersim.scenario.schema import TaskStage


class Task:
    kind = "task"

    def __init__(self, name: str, index: int, params: TaskStage) -> None:
        self.name = name
        self.index = index
        self.key = key_of(name)
        self.duration = params.duration

    def draw(self, streams: Streams, keys: ChunkKeys) -> list[list[float]]:
        u = streams.uniforms(keys.reps[:, None], keys.candidates[None, :], self.key, np.uint64(0))
        return self.duration.ppf(u).tolist()

    def run(
        self, rep: Replication, plan: list[list[float]], r: int, c: int, withdraw_at: float
    ) -> Generator[simpy.Event, Any, str | None]:
        finished = yield from wait(rep.env, plan[r][c], withdraw_at)
        return None if finished else WITHDRAW
