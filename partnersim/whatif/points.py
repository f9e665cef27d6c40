"""Running many variants of one scenario on the same replications, and comparing them replication by replication.

A sweep or a sensitivity analysis runs dozens of small variants ("points")
of one scenario. They run as one design (:mod:`partnersim.designs`): the
rows of a chunk are (point, replication) pairs, each drawn exactly as the
point's own run would draw it, so every point shares its random numbers with
the others (common random numbers) and the differences between points are
the effects of the settings, not noise. A comparison's scenarios, which may
differ in anything, run one by one (:func:`run_point`).

Each point returns its :class:`Results` and, per replication and candidate,
its outcome, so that two points can be compared replication by replication.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from partnersim.designs import Points, fold_points
from partnersim.engine.life import ACTIVE
from partnersim.engine.model import Model
from partnersim.engine.records import Records
from partnersim.executors import Executor
from partnersim.results.aggregate import Aggregate
from partnersim.results.summary import Results, summarise
from partnersim.scenario.schema import Scenario
from partnersim.simulation import simulate


@dataclass(frozen=True)
class Point:
    """One simulated variant."""

    results: Results
    outcome: np.ndarray  # (replications, candidates) int8 index into ``outcomes``
    outcomes: tuple[str, ...]
    active: np.ndarray | None = None  # (replications, candidates) bool: partnership active at the horizon

    def indicator(self, outcome: str) -> np.ndarray:
        """(replications, candidates) bool: the case ended in ``outcome``."""
        return self.outcome == self.outcomes.index(outcome)


class OutcomeRows:
    """Collects the outcome of every replication from the streamed chunks."""

    def __init__(self, replications: int, candidates: int) -> None:
        self.outcome = np.full((replications, candidates), -1, dtype=np.int8)
        self.outcomes: tuple[str, ...] = ()
        self.active: np.ndarray | None = None

    def __call__(self, model: Model, records: Records) -> None:
        self.outcomes = tuple(model.outcomes)
        rows = slice(records.first, records.first + records.count)
        self.outcome[rows] = records.outcome
        if records.life is not None:
            if self.active is None:
                self.active = np.zeros(self.outcome.shape, dtype=bool)
            self.active[rows] = records.life.ending == ACTIVE


class PointTotals:
    """A design point's totals for a what-if: its run's totals, and every replication's outcome."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.aggregate = Aggregate(model)
        self.rows = OutcomeRows(model.scenario.replications, len(model.candidate_codes))

    def __getstate__(self) -> dict[str, object]:  # the model is the receiver's own
        return {**self.__dict__, "model": None}

    def add(self, records: Records) -> None:
        self.aggregate.add(records)
        self.rows(self.model, records)

    def merge(self, other: PointTotals) -> None:
        self.aggregate.merge(other.aggregate)
        filled = other.rows.outcome[:, 0] >= 0
        self.rows.outcome[filled] = other.rows.outcome[filled]
        self.rows.outcomes = self.rows.outcomes or other.rows.outcomes
        if other.rows.active is not None:
            if self.rows.active is None:
                self.rows.active = np.zeros(self.rows.outcome.shape, dtype=bool)
            self.rows.active[filled] = other.rows.active[filled]


def design_points(
    scenario: Scenario, values: Sequence[Mapping[str, Any]], names: Sequence[str], *,
    executor: Executor | None = None, progress: Callable[[int], None] | None = None, base: bool = True,
) -> list[Point]:
    """``scenario`` at each of ``values`` (key path → value), on its replications and seed, run as one design
    (:mod:`partnersim.designs`): each point what its own run gives, at the cost of one run of them all.

    With ``base``, the first point is the base (a sensitivity analysis's): only its Results say how unusual a
    case's stated history is; without, no point's do (a sweep's points are variants alike)."""
    points = Points(scenario, values, names)
    totals = fold_points(points, scenario.replications, PointTotals, seed=scenario.seed, executor=executor,
                         progress=progress)
    found = []
    for point, total in enumerate(totals):
        model = points[point]
        found.append(Point(summarise(model, total.aggregate, history=base and point == 0), total.rows.outcome, tuple(model.outcomes),
                           total.rows.active))
    return found


def run_point(
    scenario: Scenario, jobs: int = 1, progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
) -> Point:
    """Simulate one scenario (its own replications and seed) and keep every replication's outcome."""
    rows = OutcomeRows(scenario.replications, len(scenario.candidates))
    results = simulate(scenario, jobs=jobs, executor=executor, on_records=rows, progress=progress)
    return Point(results, rows.outcome, rows.outcomes, rows.active)
