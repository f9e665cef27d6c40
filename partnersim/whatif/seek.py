"""Goal seek: the value of one setting at which a candidate's chance reaches a target.

"Which chance of a Turkish hold makes Argentina's cooperation by the end of
2027 an even chance?" The setting is run at a grid of values over its range,
every value on the same replications of the seed (common random numbers), so
that the estimated chance moves only by what the setting does; for a setting
that acts one way (a chance of a hold, a duration) it moves one way, draw for
draw. Where the estimate crosses the target is the answer; a second, finer
grid is run over the values whose interval holds the target. All of one
round's values run as one design (:mod:`partnersim.designs`).

The interval of the answer is the set of values at which the target lies
within the 95% Wilson interval of the chance there (the inverse of the
chance's interval, as a calibration curve is inverted): the values the
simulation cannot tell from the answer. It is the answer's uncertainty from
the simulation alone, not from the scenario's other assumptions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from partnersim.designs import Points, fold_points
from partnersim.executors import Executor
from partnersim.scenario.schema import Scenario
from partnersim.stats import wilson
from partnersim.whatif.indices import Measure, _SharesOf, measures_of
from partnersim.whatif.sweep import Param

GRID = 33  # values a round
REPLICATIONS = 5_000


@dataclass(frozen=True)
class Seek:
    """What a goal seek found: the chance at every value run, and the value that reaches the target."""

    scenario: Scenario
    param: Param
    code: str
    name: str
    measure: Measure
    target: float
    replications: int
    values: np.ndarray  # every value run, in order
    reached: np.ndarray  # replications reaching the success by the measure's date, at each value
    rounds: np.ndarray  # the round each value was run in (1 or 2)
    base: float | None  # the scenario's own value, when it is a number on the setting's axis
    answer: float | None  # where the chance crosses the target (None: it does not, within the range)
    low: float | None  # the interval of the answer (None at an end: it reaches beyond the range)
    high: float | None
    crossings: int  # how many times the chance crosses the target over the range

    @property
    def chances(self) -> np.ndarray:
        return self.reached / self.replications

    def interval(self) -> tuple[np.ndarray, np.ndarray]:
        return wilson(self.reached, self.replications)

    @property
    def points(self) -> int:
        return len(self.values)

    def chance_at(self, value: float) -> float:
        """The chance at ``value``, interpolated between the values run."""
        return float(np.interp(value, self.values, self.chances))


def seek(
    scenario: Scenario, param: Param, *, code: str, target: float, by: dt.date | None = None,
    replications: int = REPLICATIONS, base: float | None = None, executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> Seek:
    """The value of ``param`` at which candidate ``code``'s chance of success by ``by`` (the horizon by default)
    is ``target``, with its interval."""
    measures = measures_of(scenario, [by] if by is not None else [])
    measure = measures[-1]
    column = [c.code for c in scenario.candidates].index(code)
    ran: dict[float, int] = {}
    rounds: dict[float, int] = {}

    def run(values: list[float], round_: int) -> None:
        new = [v for v in dict.fromkeys(values) if v not in ran]
        if not new:
            return
        points = Points(scenario, [{param.path: param.setting(v)} for v in new],
                        [param.label(v) for v in new])
        totals = fold_points(points, replications, _SharesOf(np.array([measure.day]), replications),
                             seed=scenario.seed, executor=executor, progress=progress)
        for v, total in zip(new, totals, strict=True):
            ran[v] = int(total.reached.sum(axis=0)[column, 0])
            rounds[v] = round_

    first = _grid(param, param.low, param.high)
    run(first + ([base] if base is not None and param.low <= base <= param.high else []), 1)
    values, reached = _sorted(ran)
    near = _near(values, reached, replications, target)
    if near is not None:
        run(_grid(param, *near), 2)
        values, reached = _sorted(ran)
    answer, crossings = _crossing(values, reached / replications, target)
    low, high = _bounds(values, reached, replications, target) if answer is not None else (None, None)
    return Seek(scenario, param, code, scenario.candidates[column].label, measure, target, replications, values,
                reached, np.array([rounds[v] for v in values.tolist()]), base, answer, low, high, crossings)


def _grid(param: Param, low: float, high: float) -> list[float]:
    values = np.linspace(low, high, GRID)
    if param.integer or param.kind == "date":
        values = np.round(values)
    return [float(v) for v in dict.fromkeys(values.tolist())]


def _sorted(ran: dict[float, int]) -> tuple[np.ndarray, np.ndarray]:
    values = np.array(sorted(ran))
    return values, np.array([ran[v] for v in values.tolist()])


def _accepted(reached: np.ndarray, n: int, target: float) -> np.ndarray:
    low, high = wilson(reached, n)
    return (low <= target) & (target <= high)


def _near(values: np.ndarray, reached: np.ndarray, n: int, target: float) -> tuple[float, float] | None:
    """The values to run again, finer: from the value before the first whose interval holds the target to the
    value after the last (with a crossing between grid values, its two neighbours)."""
    accepted = _accepted(reached, n, target)
    diff = reached / n - target
    crossing = np.flatnonzero(np.sign(diff[:-1]) * np.sign(diff[1:]) < 0)
    where = np.flatnonzero(accepted).tolist() + crossing.tolist() + (crossing + 1).tolist()
    if not where:
        return None
    first, last = max(min(where) - 1, 0), min(max(where) + 1, len(values) - 1)
    return float(values[first]), float(values[last])


def _crossing(values: np.ndarray, chances: np.ndarray, target: float) -> tuple[float | None, int]:
    """Where the chance first reaches the target (linearly between the values run), and how many times it
    crosses it over the range."""
    diff = chances - target
    sides = np.sign(diff)
    changes = [i for i in range(len(values) - 1) if sides[i] != sides[i + 1] and sides[i] != 0]
    exact = np.flatnonzero(sides == 0)
    crossings = len(changes) + (1 if exact.size and not changes else 0)
    if exact.size and (not changes or exact[0] <= changes[0]):
        return float(values[exact[0]]), max(crossings, 1)
    if not changes:
        return None, 0
    i = changes[0]
    t = diff[i] / (diff[i] - diff[i + 1])
    return float(values[i] + t * (values[i + 1] - values[i])), crossings


def _bounds(values: np.ndarray, reached: np.ndarray, n: int, target: float) -> tuple[float | None, float | None]:
    """The lowest and highest values the simulation cannot tell from the answer (their chance's interval holds
    the target), each end placed between the last value outside and the first inside by where the interval's
    edge meets the target; None where the set reaches the end of the range."""
    accepted = _accepted(reached, n, target)
    inside = np.flatnonzero(accepted)
    if not inside.size:  # the chance jumps over the target between two values: the answer lies between them
        chances = reached / n
        i = int(np.flatnonzero(np.sign(chances[:-1] - target) != np.sign(chances[1:] - target))[0])
        return float(values[i]), float(values[i + 1])
    low_edge, high_edge = wilson(reached, n)

    def meet(a: int, b: int) -> float:
        """Between values a (outside) and b (inside): where the nearer edge of the interval meets the target."""
        edge = low_edge if low_edge[a] > target else high_edge
        span = edge[b] - edge[a]
        t = 0.5 if span == 0 else float(np.clip((target - edge[a]) / span, 0.0, 1.0))
        return float(values[a] + t * (values[b] - values[a]))

    first, last = int(inside[0]), int(inside[-1])
    low = None if first == 0 else meet(first - 1, first)
    high = None if last == len(values) - 1 else meet(last + 1, last)
    return low, high
