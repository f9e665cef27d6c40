"""A design: many points of one scenario (values of its settings), run together on common random numbers.

A sensitivity analysis, a global sensitivity analysis and a goal seek all ask
the same of the engine: run the scenario at many points, each for the same
replications of one seed, and total each point's replications. Here a point
is the scenario with some settings changed (key path → value, as ``--set``
names them); its model is compiled from the scenario's own document where
the point is run (on a worker, for a design of thousands of points), and the
points' rows run together in chunks (:mod:`partnersim.engine.design`), every
row drawing exactly what that replication draws in the point's own run. So a
point's totals are those of ``partnersim run`` with its settings, and two
points differ only by what their settings do (common random numbers).

The chunks and the tasks they are grouped in depend on the design alone,
never on the number of workers, so the totals are the same with any.

Each point's values are checked by the schema (a chance stays a chance), but
the rules across keys are not checked again at every point: the commands
that build designs check each setting's ends with them before anything runs
(a point is a scenario between ends that were checked).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np

from partnersim.engine.design import Layout, stack, stackable
from partnersim.engine.inputs import InvalidValues, with_values
from partnersim.engine.model import Model, compile_scenario
from partnersim.engine.records import Records
from partnersim.engine.replication import run_keys
from partnersim.errors import PartnersimError
from partnersim.executors import Executor
from partnersim.kinds.base import ChunkKeys
from partnersim.runner import CHUNK, TASK_CHUNKS
from partnersim.scenario.schema import Scenario
from partnersim.streams import Streams

Values = Mapping[str, Any]


class Fold(Protocol):
    def add(self, records: Records) -> None: ...

    def merge(self, other: Any) -> None: ...


FoldT = TypeVar("FoldT", bound=Fold)


class Points:
    """The points of a design: a scenario, and each point's settings in place of the scenario's."""

    def __init__(self, scenario: Scenario, values: Sequence[Values], names: Sequence[str] | None = None) -> None:
        self.scenario = scenario
        self.values = values  # a sequence: a design's may compute each point's values when asked
        self.names = list(names) if names is not None else None  # how a message names each point
        self._document: dict[str, Any] | None = None
        self._models: dict[int, Model] = {}

    def __len__(self) -> int:
        return len(self.values)

    def __getstate__(self) -> dict[str, Any]:  # a worker compiles its own models
        return {**self.__dict__, "_document": None, "_models": {}}

    def __getitem__(self, point: int) -> Model:
        """The compiled model of ``point`` (kept while its rows may still come)."""
        model = self._models.get(point)
        if model is None:
            if len(self._models) > 64:
                self._models.clear()
            model = self._models[point] = compile_scenario(self.scenario_of(point))
        return model

    def scenario_of(self, point: int) -> Scenario:
        values = self.values[point]
        if not values:
            return self.scenario
        if self._document is None:
            self._document = self.scenario.model_dump(mode="json")
        try:
            return with_values(self.scenario, values, self._document, rules=False)
        except InvalidValues as exc:
            name = self.names[point] if self.names is not None else ", ".join(f"{k} = {v}" for k, v in values.items())
            raise PartnersimError(f"{name} makes the scenario invalid: {exc}") from None


def fold_points(
    points: Points, replications: int, fold: Callable[[Model], FoldT], *, seed: int,
    executor: Executor | None = None, progress: Callable[[int], None] | None = None, block: int | None = None,
) -> list[FoldT]:
    """Each point's totals over ``replications`` replications of ``seed``, in the order of the points: the
    same replications for every point (0 onwards), or with ``block``, the same within each block of that many
    points and others for the next block (:class:`partnersim.engine.design.Layout`).

    ``fold(model)`` makes a point's totals; each piece of a point's rows is
    added to one, in order, and a worker's totals are merged in order.
    """
    layout = Layout(len(points), replications, block=block)
    parts = list(layout.chunks(CHUNK))
    totals: dict[int, FoldT] = {}
    executor = executor or Executor()
    for found, rows in executor.map(_run_task, _tasks(parts), shared=(points, layout, seed, fold)):
        for point, part in found:
            if point in totals:
                totals[point].merge(part)
            else:
                totals[point] = part
        if progress is not None:
            progress(rows)
    return [totals[p] for p in range(len(points))]


def _tasks(parts: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    """Groups of chunks, smaller towards the end so that no worker is left with a long one."""
    at = 0
    while at < len(parts):
        take = min(TASK_CHUNKS, max(1, (len(parts) - at) // 4))
        yield parts[at : at + take]
        at += take


def _run_task(shared: tuple[Points, Layout, int, Callable[[Model], Any]], batch: list[tuple[int, int]]
              ) -> tuple[list[tuple[int, Any]], int]:
    points, layout, seed, fold = shared
    found: list[tuple[int, Any]] = []
    streams = Streams(seed, remember=True)  # the task's points run on the same replications: hash their keys once
    for first, count in batch:
        for rows_points, reps, records in run_design(points, layout, streams, first, count):
            for point in np.unique(rows_points).tolist():
                rows = np.flatnonzero(rows_points == point)
                part = fold(points[point])
                if len(rows) == records.count:  # the whole piece is this point's
                    records.first = int(reps[0])
                    part.add(records)
                else:
                    part.add(records.take(rows, int(reps[rows[0]])))
                if found and found[-1][0] == point:
                    found[-1][1].merge(part)
                else:
                    found.append((point, part))
    return found, sum(count for _, count in batch)


def run_design(models: Any, layout: Layout, streams: Streams, first: int, count: int,
               together: bool | None = None) -> list[tuple[np.ndarray, np.ndarray, Records]]:
    """Rows ``first`` … ``first + count − 1`` of a design's run: (each row's point, its replication, the records)
    for each piece run.

    With ``together`` (by default: when the models stack) the rows run as one chunk on the stacked model;
    otherwise each point's rows run on its own model. Either way a row's record is the one the point's own
    run gives that replication.
    """
    points, reps = layout.keys(first, count)
    if together is None:
        together = stackable([models[p] for p in np.unique(points).tolist()])
    if together:
        model = stack(models, points)
        keys = ChunkKeys(reps, model.candidate_keys, points=points)
        return [(points, reps, run_keys(model, streams, keys))]
    pieces = []
    for point in np.unique(points).tolist():
        rows = points == point
        model = models[point]
        pieces.append((points[rows], reps[rows], run_keys(model, streams, ChunkKeys(reps[rows], model.candidate_keys))))
    return pieces
