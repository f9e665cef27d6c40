"""``sweep``: one scenario run at many values of one or more parameters.

A parameter is any key path that ``--set`` accepts, with a range:
``allies.TUR.hold.probability=0:0.5:6`` (six values from 0 to 0.5),
``stages.ipcp_drafting.duration=1mo:12mo:5`` (durations) or
``candidates.BRA.request=2026-01-01:2030-01-01:5`` (dates). The points are a
full grid of every parameter's values, or a Latin hypercube of ``samples``
points (:class:`scipy.stats.qmc.LatinHypercube`, seeded with the run's seed,
so the same command gives the same points). Every point is loaded and
checked like a file with ``--set`` changes, and runs on the same seed, so
the points share their random numbers and the curve they draw is smooth.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from partnersim.errors import Problem, ScenarioError
from partnersim.executors import Executor
from partnersim.kinds import DURATION_KEYS
from partnersim.results.summary import CandidateResult
from partnersim.scenario.keys import flatten
from partnersim.scenario.loader import load_scenario
from partnersim.scenario.overrides import EXPECTED_TEXT, parse
from partnersim.scenario.schema import Scenario
from partnersim.text import duration_words
from partnersim.values.distributions import as_distribution, median_days, moves_by_median, with_median
from partnersim.values.durations import format_duration, parse_date, parse_duration
from partnersim.whatif.diff import setting_value
from partnersim.whatif.points import Point
from partnersim.whatif.points import design_points as run_design_points

SOURCE = "--param"
Kind = Literal["number", "duration", "date"]
DESIGNS = ("grid", "lhs")
# Each point is a whole run; a grid of two parameters of 1,000 steps would queue a million of them.
MAX_POINTS = 1_000
WHOLE_KEYS = ("teams", "max_rounds")


@dataclass(frozen=True)
class Param:
    """A key path and the range it is swept over (dates as day numbers, durations in days)."""

    path: str
    low: float
    high: float
    steps: int | None
    kind: Kind = "number"
    integer: bool = False
    # The distribution the setting holds in the scenario, as the document writes it, when the range moves its
    # median: each value is then that median, every duration of the distribution scaled alike (its spread
    # kept). None: each value is the setting (a number, a date, or a fixed duration).
    spread: Any = None

    @property
    def median(self) -> bool:
        """Whether each value is the median of the setting's distribution."""
        return self.spread is not None

    def value(self, x: float) -> str:
        """The value at ``x`` as ``--set`` would write it."""
        if self.kind == "date":
            return dt.date.fromordinal(int(round(x))).isoformat()
        if self.kind == "duration":
            return with_median(self.spread, round(x, 3)) if self.median else format_duration(round(x, 3))
        if self.integer:
            return str(int(round(x)))
        return f"{x:.6g}"

    def setting(self, x: float) -> Any:
        """The value at ``x`` as a scenario document holds it: what ``--set`` reads from :meth:`value`."""
        return parse(f"{self.path}={self.value(x)}")[1]

    def scenario_value(self, scenario: Scenario) -> float | None:
        """Where ``scenario`` itself stands on this parameter's axis (a day number for a date, days for a duration,
        the median of a distribution whose median is swept), None where it holds no single value there."""
        value = setting_value(flatten(scenario), self.path)
        try:
            if self.kind == "date":
                return float(parse_date(value).toordinal())
            if self.kind == "duration":
                if self.median:
                    return median_days(as_distribution(value))
                return parse_duration(value)
            return None if value is None or isinstance(value, bool) else float(value)
        except (TypeError, ValueError):
            return None

    @property
    def column(self) -> str:
        """The parameter's column in a table of points: its key path, saying so where the value is a median."""
        return f"{self.path} (median, days)" if self.median else self.path

    def shown(self, x: float) -> str:
        """The value at ``x`` for a table or a sentence: ``0.25``, ``2027-06-01``, ``4.5 months`` or
        ``median 1 year``."""
        if self.kind == "duration":
            return f"{'median ' if self.median else ''}{duration_words(x)}"
        value = self.number(x)
        return value.isoformat() if isinstance(value, dt.date) else f"{value:g}" if isinstance(value, float) else str(value)

    def label(self, x: float) -> str:
        """The point at ``x`` named by its key path: ``allies.TUR.hold.duration: median 1y``."""
        return f"{self.path}: {self.shown(x)}" if self.median else f"{self.path}={self.value(x)}"

    def number(self, x: float) -> float | int | dt.date:
        """The value at ``x`` for a table or an axis."""
        if self.kind == "date":
            return dt.date.fromordinal(int(round(x)))
        if self.integer:
            return int(round(x))
        return round(x, 3) if self.kind == "duration" else float(f"{x:.6g}")

    def grid(self) -> list[float]:
        steps = self.steps or 2
        values = np.linspace(self.low, self.high, steps)
        if self.integer or self.kind == "date":
            values = np.round(values)
        return list(dict.fromkeys(float(v) for v in values))


def parse_param(text: str) -> Param:
    """``PATH=LOW:HIGH:STEPS`` (``:STEPS`` may be left out for a Latin hypercube)."""
    path, sep, spec = text.partition("=")
    path = path.strip()
    parts = spec.split(":")
    if not sep or not path or len(parts) not in (2, 3):
        raise ScenarioError([Problem(SOURCE, None, path, f"expected PATH=LOW:HIGH:STEPS, got {text!r}")])
    steps = None
    if len(parts) == 3:
        try:
            steps = int(parts[2])
        except ValueError:
            steps = 0
        if steps < 2:
            raise ScenarioError([Problem(SOURCE, None, path,
                                         f"STEPS must be a whole number, 2 or more, got {parts[2]!r}")])
        if steps > MAX_POINTS:
            raise ScenarioError([Problem(SOURCE, None, path, f"STEPS must be at most {MAX_POINTS:,}, got {parts[2]!r}")])
    low, high, kind = range_ends(path, parts[0].strip(), parts[1].strip())
    if low > high:
        raise ScenarioError([Problem(SOURCE, None, path, f"LOW {parts[0]!r} is above HIGH {parts[1]!r}")])
    return Param(path, low, high, steps, kind)


def range_ends(path: str, low: str, high: str) -> tuple[float, float, Kind]:
    """The two ends of a range, as numbers on one axis (a date as its day number, a duration in days), and
    what they are; a problem naming ``path`` when they are not two of a kind."""
    try:
        return float(low), float(high), "number"
    except ValueError:
        pass
    try:
        return float(parse_date(low).toordinal()), float(parse_date(high).toordinal()), "date"
    except ValueError:
        pass
    try:
        return parse_duration(low), parse_duration(high), "duration"
    except ValueError:
        raise ScenarioError([Problem(
            SOURCE, None, path,
            f"LOW and HIGH must both be numbers (0.1), durations (3mo) or dates (2026-01-01), got {low!r} and {high!r}",
        )]) from None


@dataclass(frozen=True)
class Sweep:
    """The points of a sweep and what each found."""

    scenario: Scenario  # the scenario swept, with its --set changes
    params: list[Param]
    design: str
    values: list[tuple[float, ...]]  # per point, one value per parameter
    points: list[Point]

    def rows(self) -> list[dict[str, Any]]:
        """One row per point and candidate: the parameters, then every outcome with its interval and dates."""
        rows = []
        for index, (values, point) in enumerate(zip(self.values, self.points, strict=True)):
            results = point.results
            for candidate in results.candidates:
                row: dict[str, Any] = {"point": index + 1}
                row.update({p.column: p.number(x) for p, x in zip(self.params, values, strict=True)})
                row.update({"candidate": candidate.code, "name": candidate.name})
                row.update(outcome_columns(results.outcome_names, candidate))
                rows.append(row)
        return rows


def outcome_columns(outcomes: Sequence[str], candidate: CandidateResult) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for outcome in outcomes:
        e = candidate.outcomes[outcome]
        row.update({f"p_{outcome}": round(e.p, 6), f"p_{outcome}_low": round(e.low, 6),
                    f"p_{outcome}_high": round(e.high, 6)})
    for key in ("P10", "P50", "P80", "P90"):
        day = candidate.dates[key]
        row[f"{key.lower()}_date"] = day.isoformat() if day else ""
    return row


def design_points(params: Sequence[Param], design: str, samples: int | None, seed: int) -> list[tuple[float, ...]]:
    """The parameter values of every point: a full grid, or a Latin hypercube of ``samples`` points."""
    if design == "grid":
        missing = [p.path for p in params if p.steps is None]
        if missing:
            raise ScenarioError([Problem(SOURCE, None, path, "a grid needs STEPS: PATH=LOW:HIGH:STEPS")
                                 for path in missing])
        grids = [p.grid() for p in params]
        total = math.prod(len(grid) for grid in grids)
        if total > MAX_POINTS:
            sizes = " × ".join(f"{len(grid):,}" for grid in grids)
            raise ScenarioError([Problem(SOURCE, None, "", f"the grid has {total:,} points ({sizes}); "
                                         f"a sweep runs at most {MAX_POINTS:,}")])
        return list(itertools.product(*grids))
    if design == "lhs":
        from scipy.stats import qmc

        count = samples or 20
        if count > MAX_POINTS:
            raise ScenarioError([Problem("--samples", None, "", f"{count:,} points; a sweep runs at most {MAX_POINTS:,}")])
        unit = qmc.LatinHypercube(d=len(params), seed=np.random.default_rng(seed)).random(count)
        points = []
        for row in unit:
            values = []
            for p, u in zip(params, row, strict=True):
                x = p.low + u * (p.high - p.low)
                values.append(float(round(x)) if p.integer or p.kind == "date" else float(x))
            points.append(tuple(values))
        return points
    raise ScenarioError([Problem("--design", None, "", f"expected one of {', '.join(DESIGNS)}, got {design!r}")])


def overrides_at(params: Sequence[Param], values: Sequence[float]) -> list[str]:
    return [f"{p.path}={p.value(x)}" for p, x in zip(params, values, strict=True)]


def load_point(path: Path, overrides: Sequence[str], params: Sequence[Param], values: Sequence[float]) -> Scenario:
    """The scenario at one point, checked by the loader; a problem in a swept key names ``--param``."""
    try:
        return load_scenario(path, [*overrides, *overrides_at(params, values)])
    except ScenarioError as exc:
        raise ScenarioError([_relabel(problem, params) for problem in exc.problems]) from None


def _relabel(problem: Problem, params: Sequence[Param]) -> Problem:
    if problem.file == "--set" and any(problem.path.startswith(p.path) or p.path.startswith(problem.path)
                                       for p in params):
        message = problem.message
        if message.startswith(EXPECTED_TEXT):  # --set's advice to quote a text does not fit a range
            message = message.split("; ", 1)[0] + "; a range sweeps numbers, durations or dates, not text"
        return Problem(SOURCE, None, problem.path, message)
    return problem


def unitless_duration(path: str, low: float, high: float, kind: Kind, source: str) -> Problem | None:
    """A range of bare numbers over a key that holds a duration, which would be read as days and set as one fixed
    length whatever the key holds: a range of a duration is given with its units."""
    if kind != "number" or path.rsplit(".", 1)[-1] not in DURATION_KEYS:
        return None
    return Problem(source, None, path, f"a duration: give the range with its units, such as "
                                       f"{format_duration(low)}:{format_duration(high)} (days) or 1mo:12mo")


def prepare(path: Path, texts: Sequence[str], overrides: Sequence[str] = ()) -> tuple[Scenario, list[Param]]:
    """Parse and check every ``--param``: each is loaded at its low and its high end."""
    problems: list[Problem] = []
    params: list[Param] = []
    for text in texts:
        try:
            params.append(parse_param(text))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    problems += [problem for p in params if (problem := unitless_duration(p.path, p.low, p.high, p.kind, SOURCE))]
    paths = [p.path for p in params]
    problems += [Problem(SOURCE, None, path, "given more than once; give each setting one range")
                 for path in dict.fromkeys(paths) if paths.count(path) > 1]
    if problems:
        raise ScenarioError(problems)
    base = load_scenario(path, overrides)
    current = flatten(base)
    params = [typed(p, setting_value(current, p.path)) for p in params]
    for ends in ([p.low for p in params], [p.high for p in params]):
        try:
            load_point(path, overrides, params, ends)
        except ScenarioError as exc:
            # One problem a key path: the high end of a setting that cannot take either end says it again.
            problems.extend(q for q in exc.problems if (q.file, q.path) not in {(p.file, p.path) for p in problems})
    if problems:
        raise ScenarioError(problems)
    return base, params


def typed(param: Param, current: Any) -> Param:
    """``param`` read as the scenario's value ``current`` at its key path says: in whole numbers for a key that
    holds one (teams, max_rounds); a range of durations over a key that holds a distribution (not a fixed
    duration) moves the distribution's median, the spread kept, rather than replacing it with one duration."""
    whole = isinstance(current, int) and not isinstance(current, bool)
    if param.kind == "number" and (whole or current is None and param.path.rsplit(".", 1)[-1] in WHOLE_KEYS):
        return dataclasses.replace(param, integer=True)
    if param.kind == "duration" and moves_by_median(current):
        return dataclasses.replace(param, spread=current)
    return param


def sweep(
    path: Path,
    params: Sequence[Param],
    *,
    design: str = "grid",
    samples: int | None = None,
    overrides: Sequence[str] = (),
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    base: Scenario | None = None,
) -> Sweep:
    """Run the scenario in ``path`` at every point of the design, all on one seed."""
    base = base or load_scenario(path, overrides)
    common_seed = base.seed if seed is None else seed
    n = replications or base.replications
    values = design_points(params, design, samples, common_seed)
    # Every point as one design, on the same replications: what each point's own run gives. The points'
    # settings are checked by the schema; their ends were checked with every rule (prepare).
    scenario = base.with_updates(replications=n, seed=common_seed)
    settings = [dict(parse(text) for text in overrides_at(params, point)) for point in values]
    points = run_design_points(scenario, [{".".join(key): value for key, value in s.items()} for s in settings],
                               [", ".join(p.label(x) for p, x in zip(params, point, strict=True)) for point in values],
                               executor=executor or Executor(jobs=jobs), progress=progress, base=False)
    return Sweep(scenario, list(params), design, values, points)
