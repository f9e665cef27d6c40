"""The ``task`` stage kind: a piece of work that takes a drawn duration (e.g. drafting)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from pydantic import Field

from partnersim.kinds.base import (
    ADVANCE,
    ChunkKeys,
    Context,
    Entering,
    Exit,
    Kind,
    Members,
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
        self.durations: tuple[Any, ...] = ()  # stacked over a design's points (``stack``): each member's duration
        self.points: Members | None = None  # the design points of the members, when stacked

    @classmethod
    def stack(cls, stages: list[Task], points: list[int]) -> Task:
        """One stage drawing the rows of design points ``points`` at once, each with its own point's duration."""
        stacked = copy.copy(stages[0])
        stacked.durations = tuple(s.duration for s in stages)
        stacked.points = Members.of(points)
        return stacked

    def draw(self, streams: Streams, keys: ChunkKeys) -> np.ndarray:
        return self._by_member(keys, self._uniforms(streams, keys), streams.quantiles)

    def draw_open(self, streams: Streams, keys: ChunkKeys, elapsed: float) -> np.ndarray:
        """Durations known to exceed ``elapsed`` days: ``elapsed`` plus the residual life, drawn exactly."""
        u = self._uniforms(streams, keys)
        return elapsed + self._by_member(keys, u, lambda dist, u: dist.residual(u, np.full(u.shape, elapsed)))

    def _by_member(self, keys: ChunkKeys, u: np.ndarray, draw: Callable[[Any, np.ndarray], np.ndarray]) -> np.ndarray:
        if self.points is None:
            return draw(self.duration, u)
        members = self.points.rows(keys.points)
        out = np.empty(u.shape)
        for k in np.unique(members).tolist():
            rows = members == k
            out[rows] = draw(self.durations[k], u[rows])
        return out

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
