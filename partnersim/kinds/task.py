"""The ``task`` stage kind: a piece of work that takes a drawn duration (e.g. drafting)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
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

    def draw(self, streams: Streams, keys: ChunkKeys) -> TaskPlan:
        return TaskPlan(self._uniforms(streams, keys), streams, self._members(keys))

    def draw_open(self, streams: Streams, keys: ChunkKeys, elapsed: float) -> TaskPlan:
        """Durations known to exceed ``elapsed`` days: ``elapsed`` plus the residual life, drawn exactly."""
        u = self._uniforms(streams, keys)
        members = self._members(keys)
        days = elapsed + self._by_member(members, u, lambda dist, u: dist.residual(u, np.full(u.shape, elapsed)))
        return TaskPlan(u, streams, members, days)

    def _members(self, keys: ChunkKeys) -> np.ndarray | None:
        return None if self.points is None else self.points.rows(keys.points)

    def _by_member(self, members: np.ndarray | None, u: np.ndarray,
                   draw: Callable[[Any, np.ndarray], np.ndarray]) -> np.ndarray:
        if members is None:
            return draw(self.duration, u)
        out = np.empty(u.shape)
        for k in np.unique(members).tolist():
            rows = members == k
            out[rows] = draw(self.durations[k], u[rows])
        return out

    def _uniforms(self, streams: Streams, keys: ChunkKeys) -> np.ndarray:
        return streams.uniforms(keys.reps[:, None], keys.candidates[None, :], keys.stage(self.name, self.key),
                                np.uint64(0))

    def finish(self, plan: TaskPlan, entering: Entering) -> tuple[np.ndarray, np.ndarray]:
        days = plan.days
        if days is None:  # the duration's quantile (slow for a PERT) is worked out for the cases entering only
            days = np.zeros(plan.u.shape)
            active = entering.active
            members = None if plan.members is None else np.broadcast_to(plan.members[:, None], active.shape)[active]
            days[active] = self._by_member(members, plan.u[active], plan.streams.quantiles)
        return days, np.full(days.shape, ADVANCE, dtype=np.int8)


@dataclass
class TaskPlan:
    """One chunk's draws: the uniform of each case's duration, and the durations where they are known already."""

    u: np.ndarray  # (R, C)
    streams: Streams  # what the quantiles are worked out by
    members: np.ndarray | None  # (R,) each row's member, for a stage stacked over a design's points
    days: np.ndarray | None = None  # (R, C) durations, drawn at once for cases resuming the task


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
