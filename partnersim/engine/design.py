"""Many variants of one scenario run together: a design's points, row by row in the same chunks.

A sensitivity analysis or a goal seek runs one scenario at many *points*
(values of its settings), each for the same replications of the same seed, so
that the points share their random numbers (common random numbers). Run one
by one, each point costs a chunk of its own, and small chunks waste the
vectorised engine. Here the rows of a chunk are (point, replication) pairs:
``ChunkKeys.points`` says each row's point and ``ChunkKeys.reps`` its
replication, so every draw is keyed exactly as the point's own run keys it.
Each stage is a :class:`Stacked` stage, which hands every point's rows to
that point's compiled stage; the walk through the route, the withdrawals and
the horizon are shared. A row's record is therefore byte for byte the record
of that replication in the point's own run (``tests/test_design.py``).

Points stack when they differ only in what a stage compiles (its settings,
the allies' rules, blocs and elections) and in the candidates' request dates
and withdrawal rates; points that differ in anything else (the process, the
calendar, the horizon, a partnership's life) run point by point.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from partnersim.engine.model import Model
from partnersim.kinds.base import AllyRecord, ChunkKeys, Entering, Leaving, Members

# What stacked points may differ in: the rest of the model must be the same for every point.
_MAY_DIFFER = {"scenario", "stages", "requests", "withdrawal_rate", "inputs", "candidate_names"}


@dataclass(frozen=True)
class Layout:
    """Rows of a design's run: ``replications`` rows for each of ``points`` points, point after point.

    The rows of a point are replications ``first`` onwards, the same for every point (common random numbers
    across the design); with ``block``, each block of that many points has replications of its own (block *b*
    from ``first + b·replications``): common within a block, independent between blocks.
    """

    points: int
    replications: int
    first: int = 0
    block: int | None = None

    @property
    def rows(self) -> int:
        return self.points * self.replications

    def chunks(self, size: int) -> Iterator[tuple[int, int]]:
        """``(first row, rows)`` of each chunk of about ``size`` rows. Points smaller than a chunk are not cut
        (a chunk's points are whole, and its totals each point's own). A larger point is cut at every ``size``
        replications, and its pieces come replication range by replication range, each range for every point
        in turn: chunks that follow each other draw the same replications, whose keys a task hashes once."""
        if self.replications <= size:
            step = max(1, size // self.replications) * self.replications
            for first in range(0, self.rows, step):
                yield first, min(step, self.rows - first)
            return
        for offset in range(0, self.replications, size):
            for point in range(self.points):
                yield point * self.replications + offset, min(size, self.replications - offset)

    def keys(self, first: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The point and the replication of rows ``first`` … ``first + count − 1``."""
        row = np.arange(first, first + count, dtype=np.int64)
        point = row // self.replications
        start = self.first if self.block is None else self.first + (point // self.block) * self.replications
        return point, (start + row % self.replications).astype(np.uint64)


def stackable(models: Sequence[Model]) -> bool:
    """Whether the models differ only in what :func:`stack` can stack."""
    first = models[0]
    if all(model is first for model in models):
        return True
    names = [f.name for f in dataclasses.fields(Model) if f.name not in _MAY_DIFFER]
    reference = {name: pickle.dumps(getattr(first, name)) for name in names}
    for model in models[1:]:
        if model is first:
            continue
        for name in names:
            if getattr(model, name) is not getattr(first, name) and pickle.dumps(getattr(model, name)) != reference[name]:
                return False
    return True


def stack(models: Sequence[Model], points: np.ndarray) -> Model:
    """One model whose stages and candidates' draws hand each row to its point's model (``points``: the
    models' indices present in a chunk; rows carry their own point in ``ChunkKeys.points``)."""
    first = models[0]
    members = {int(p): models[int(p)] for p in np.unique(points)}
    return dataclasses.replace(
        first,
        stages=[_stacked([m.stages[i] for m in members.values()], list(members)) for i in range(len(first.stages))],
        # Drawn by each row's point: read through requests_of and rates_of, which know them.
        requests=[_Requests([m.requests[c] for m in members.values()], list(members))  # type: ignore[misc]
                  for c in range(len(first.requests))],
        withdrawal_rate=_Rates(np.stack([m.withdrawal_rate for m in members.values()]),  # type: ignore[arg-type]
                               list(members)),
        inputs=None,
    )


def _stacked(stages: list[Any], points: list[int]) -> Any:
    """The stages of one stage index over ``points``: stacked by their kind where it can (one draw for every
    row, each row with its own point's settings), else each point's rows handed to its own stage."""
    if all(s is stages[0] for s in stages):
        return stages[0]
    stack = getattr(type(stages[0]), "stack", None)
    if stack is not None and all(type(s) is type(stages[0]) for s in stages):
        stacked = stack(stages, points)
        if stacked is not None:
            return stacked
    return Stacked(stages, points)


class _ByPoint:
    """Rows grouped by their point: which member serves each row."""

    def __init__(self, points: list[int]) -> None:
        self.members = Members.of(points)

    def groups(self, points: np.ndarray | None) -> list[tuple[int, np.ndarray]]:
        """Each member present and its rows."""
        members = self.members.rows(points)
        return [(k, np.flatnonzero(members == k)) for k in np.unique(members).tolist()]


@dataclass
class _Plan:
    parts: list[tuple[int, np.ndarray, Any]]  # member, rows, that member's plan of those rows


class Stacked(_ByPoint):
    """One stage of a design: each point's rows drawn and finished by that point's compiled stage."""

    def __init__(self, stages: list[Any], points: list[int]) -> None:
        super().__init__(points)
        self.stages = stages
        first = stages[0]
        self.name, self.kind, self.index = first.name, first.kind, first.index
        if hasattr(first, "draw_open"):
            self.draw_open = self._draw_open

    def draw(self, streams: Any, keys: ChunkKeys) -> _Plan:
        return _Plan([(member, rows, self.stages[member].draw(streams, keys.take(rows)))
                      for member, rows in self.groups(keys.points)])

    def _draw_open(self, streams: Any, keys: ChunkKeys, elapsed: float) -> _Plan:
        return _Plan([(member, rows, self.stages[member].draw_open(streams, keys.take(rows), elapsed))
                      for member, rows in self.groups(keys.points)])

    def finish(self, plan: _Plan, entering: Entering) -> tuple[np.ndarray, np.ndarray]:
        days: np.ndarray | None = None
        how: np.ndarray | None = None
        for member, rows, part in plan.parts:
            some = Entering(entering.active[rows], entering.start[rows], entering.withdraw_at[rows],
                            entering.horizon, entering.known)
            d, h = self.stages[member].finish(part, some)
            if days is None or how is None:
                days = np.empty(entering.active.shape, dtype=d.dtype)
                how = np.empty(entering.active.shape, dtype=h.dtype)
            days[rows], how[rows] = d, h
        assert days is not None and how is not None
        return days, how

    def ally_record(self, plan: _Plan, leaving: Leaving) -> AllyRecord:
        found: AllyRecord | None = None
        for member, rows, part in plan.parts:
            some = Leaving(leaving.entered[rows], leaving.left[rows], leaving.advanced[rows], leaving.vetoed[rows])
            record = self.stages[member].ally_record(part, some)
            if found is None:
                shape = leaving.entered.shape
                found = AllyRecord(record.stage, np.empty(shape, record.last.dtype), np.empty(shape, record.veto.dtype),
                                   np.empty(shape + record.held.shape[2:], record.held.dtype))
            found.last[rows], found.veto[rows], found.held[rows] = record.last, record.veto, record.held
        assert found is not None
        return found


class _Requests(_ByPoint):
    """A candidate's request date, drawn by each row's point."""

    def __init__(self, dists: list[Any], points: list[int]) -> None:
        super().__init__(points)
        self.dists = dists

    def ppf_rows(self, u: np.ndarray, points: np.ndarray | None) -> np.ndarray:
        out = np.empty(u.shape)
        for member, rows in self.groups(points):
            out[rows] = self.dists[member].ppf(u[rows])
        return out


class _Rates(_ByPoint):
    """The candidates' withdrawal rates (per day), by each row's point."""

    def __init__(self, rates: np.ndarray, points: list[int]) -> None:
        super().__init__(points)
        self.rates = rates

    def rows(self, points: np.ndarray | None) -> np.ndarray:
        return self.rates[self.members.rows(points)]


def requests_of(model: Model, u: np.ndarray, points: np.ndarray | None) -> np.ndarray:
    """(R, C) days from the start to each case's request, for uniforms ``u`` (R, C)."""
    return np.column_stack([dist.ppf_rows(u[:, c], points) if isinstance(dist, _Requests) else dist.ppf(u[:, c])
                            for c, dist in enumerate(model.requests)])


def rates_of(model: Model, points: np.ndarray | None) -> np.ndarray:
    """The withdrawal rate per day of each case: (1, C), or (R, C) for a stacked model."""
    rate = model.withdrawal_rate
    return rate.rows(points) if isinstance(rate, _Rates) else rate[None, :]

