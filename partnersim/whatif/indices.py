"""Global sensitivity: every setting drawn over its range at once, its effects and interactions measured.

The one-at-a-time analysis (:mod:`partnersim.whatif.sensitivity`) moves one
setting with the rest as written, so it cannot see two settings acting
together (the chance of a hold and the chance it is lifted do). Here every
setting is drawn over the range the one-at-a-time analysis swings it over, at
once, by the designs of SALib, the field's standard library for this:

- **Sobol'** (Saltelli's sampling, N base samples, N·(k + 2) points for k
  settings or groups): the *first-order* index of a setting is the share of
  the variance of the measure it explains alone; its *total* index adds every
  interaction it takes part in. One minus the sum of the first-order indices
  is the share due to interactions. The estimators are SALib's (Saltelli
  2010 for the first order, Jansen for the total, on outputs centred and
  scaled as SALib does), with one change for a simulation: each product of
  two outputs takes one factor from each half of a point's replications
  (:func:`sobol_halves`). The halves' futures are independent, so the
  simulation noise adds nothing to the products on average, and the indices
  are those of the chance itself, not of its noisy estimate; the noise
  widens their intervals instead (95%, bootstrapped over the N base samples
  as SALib does).
- **Morris** (elementary effects, r trajectories, r·(k + 1) points): μ*, the
  mean absolute change of the measure when the setting moves across its range
  (in percentage points), and σ, how much that change varies with the other
  settings (interactions or a curved effect); a screening method, much cheaper.

The points of one base sample (or one Morris trajectory) run the same
replications of the seed (common random numbers), so that their differences
are the settings' doing; each base sample has replications of its own, so
that resampling the base samples carries the simulation's noise into the
intervals. Every point runs in one design (:mod:`partnersim.designs`), and
its measure is the share of its replications in which the candidate has reached the process's success by the
horizon (and by each ``--by`` date): every candidate and measure in one pass.
The share of a point's estimated chance that is simulation noise is
measured from the two halves of its replications and reported; for Morris,
whose effects are differences of single outputs, the noise adds to μ* and
σ (μ*, a mean of absolute changes, is above zero by noise alone), so a
setting is beyond noise only where its changes on the two halves agree
(:func:`morris_effect_low`), and more replications a point sharpen both.

How a setting is drawn: a probability or a rate uniformly between its low and
high ends; a duration distribution scaled by 2^u, u uniform in [-1, 1] (from
halved to doubled, as often halved as doubled); a whole number uniformly over
the whole numbers between its ends; a ``--range`` uniformly between its ends
(numbers, durations or dates).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from partnersim.engine.model import Model
from partnersim.engine.records import Records
from partnersim.errors import PartnersimError
from partnersim.executors import Executor
from partnersim.scenario.labels import possessive
from partnersim.scenario.schema import Scenario
from partnersim.values.distributions import as_distribution, scaled
from partnersim.whatif.factors import Factor

METHODS = ("morris", "sobol")
SAMPLES = {"sobol": 1024, "morris": 20}  # Sobol': base samples N; Morris: trajectories r
REPLICATIONS = 32  # replications a point (the same for every point)
RESAMPLES = 1000  # bootstrap resamples for the intervals
LEVELS = 4  # Morris's grid levels
CONFIDENCE = 0.95
NOISY = 0.2  # replication noise above this share of the variance: the command says so, and what to raise
WITHIN_NOISE = "within noise"
# What a table's note says "within noise" means, by method.
NOISE_NOTES = {
    "sobol": f"{WITHIN_NOISE}: the total index's 95% interval includes zero: at this many samples and futures the "
             "design cannot tell the setting's effect from noise (which is not to say it has none).",
    "morris": f"{WITHIN_NOISE}: the changes the setting makes, measured on two independent halves of the futures, "
              "do not agree beyond chance (95%): at this many trajectories and futures the design cannot tell its "
              "effect from noise (which is not to say it has none; μ* itself is above zero by noise alone).",
}


@dataclass(frozen=True)
class Input:
    """A factor on the axis it is drawn along: ``low`` to ``high``, read back as a value by ``value``."""

    factor: Factor
    group: str  # the name it is counted under (its own label, or its ally's or bloc's)
    low: float
    high: float
    how: str  # "number", "whole", "scale" (log2 of the factor a distribution is scaled by), "date", "duration"
    base: Any = None  # for "scale": the distribution as written

    def value(self, x: float) -> Any:
        """The setting's value at ``x``, as a scenario document holds it."""
        if self.how == "scale":
            text = scaled(self.base, 2.0**x)  # a mapping as JSON text, or a bare duration for a fixed one
            return json.loads(text) if text.startswith("{") else text
        if self.how == "whole":
            return int(min(max(round(x), math.ceil(self.low)), math.floor(self.high)))
        if self.how in ("date", "duration"):  # a --range: as a sweep sets the same range
            from partnersim.whatif.sweep import Param

            return Param(self.factor.path, self.low, self.high, None, self.how,  # type: ignore[arg-type]
                         spread=self.factor.spread).setting(x)
        return float(x)


def inputs_of(scenario: Scenario, factors: Sequence[Factor], group_by: str | None = None) -> list[Input]:
    """Each factor on its axis; with ``group_by="ally"``, an ally's settings (at every stage) counted as one
    factor named after the ally, and a bloc's strength after the bloc."""

    from partnersim.whatif.factors import value_at
    from partnersim.whatif.sweep import range_ends

    found = []
    for factor in factors:
        group = _group(scenario, factor.path) if group_by == "ally" else None
        group = group or factor.label
        low, high = factor.low or factor.base, factor.high or factor.base
        if factor.role == "duration":
            dist = as_distribution(value_at(scenario, factor.path))
            found.append(Input(factor, group, -1.0 if factor.low else 0.0, 1.0 if factor.high else 0.0, "scale",
                               dist))
        elif factor.role == "count":
            found.append(Input(factor, group, float(low) - 0.5, float(high) + 0.5, "whole"))
        elif factor.role in ("probability", "rate"):
            found.append(Input(factor, group, float(low), float(high), "number"))
        else:
            a, b, kind = range_ends(factor.path, low, high)
            found.append(Input(factor, group, a, b, kind))
    return found


def _group(scenario: Scenario, path: str) -> str | None:
    """The ally or bloc a setting belongs to, by name; None for a setting of no one ally."""
    parts = path.split(".")
    roster = scenario.roster
    for i, part in enumerate(parts):
        if part == "allies" and i + 1 < len(parts) and parts[i + 1] in roster:
            return roster[parts[i + 1]]
    if parts[0] == "blocs" and len(parts) > 1 and parts[1].isdigit():
        return scenario.blocs[int(parts[1])].name
    return None


@dataclass(frozen=True)
class Measure:
    """What is analysed: the chance that a candidate has reached the success by ``day`` (days from the start)."""

    key: str  # "cooperation" (by the horizon) or "by-YYYY-MM-DD"
    day: float
    date: dt.date


def measures_of(scenario: Scenario, by: Sequence[dt.date] = ()) -> list[Measure]:
    start = scenario.start
    end = start + dt.timedelta(days=scenario.horizon_days)
    found = [Measure("cooperation", float(scenario.horizon_days), end)]
    for date in sorted(set(by)):
        if not start < date < end:
            raise PartnersimError(f"--by {date}: must fall after the start ({start}) and before the horizon ({end})")
        found.append(Measure(f"by-{date.isoformat()}", float((date - start).days), date))
    return found


class Shares:
    """A point's totals: per half of its replications, candidate and measure, the replications that reached the
    success by the measure's day. The two halves tell the simulation noise from the settings' effects."""

    def __init__(self, model: Model, days: np.ndarray, replications: int) -> None:
        self.success = model.outcomes.index(model.route.success)
        self.days = days
        self.replications = replications  # a point's; the first half of them are its first half
        self.count = np.zeros(2, dtype=np.int64)
        self.reached = np.zeros((2, len(model.candidate_codes), len(days)), dtype=np.int64)

    def add(self, records: Records) -> None:
        hit = records.outcome == self.success  # (R, C)
        reached = hit[:, :, None] & (records.end[:, :, None] <= self.days[None, None, :])
        second = (records.first + np.arange(records.count)) % self.replications >= self.replications // 2
        for k, rows in enumerate((~second, second)):
            self.reached[k] += reached[rows].sum(axis=0)
            self.count[k] += int(rows.sum())

    def merge(self, other: Shares) -> None:
        self.reached += other.reached
        self.count += other.count

    def share(self) -> np.ndarray:
        """(C, M) the share of all the point's replications that reached the success by each day."""
        return self.reached.sum(axis=0) / self.count.sum()

    def halves(self) -> np.ndarray:
        """(2, C, M) the same share in each half of them."""
        return self.reached / np.maximum(self.count, 1)[:, None, None]


@dataclass(frozen=True)
class _SharesOf:
    days: np.ndarray
    replications: int

    def __call__(self, model: Model) -> Shares:
        return Shares(model, self.days, self.replications)


class DesignValues(Sequence[dict[str, Any]]):
    """The settings of each row of a design matrix (computed where the point runs)."""

    def __init__(self, inputs: Sequence[Input], x: np.ndarray) -> None:
        self.inputs = list(inputs)
        self.x = x

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, row: int) -> dict[str, Any]:  # type: ignore[override]  # rows, not slices
        return {i.factor.path: i.value(float(v)) for i, v in zip(self.inputs, self.x[row], strict=True)}


@dataclass
class Indices:
    """One candidate's and measure's indices, one entry per factor (or group)."""

    names: list[str]
    # Sobol': first-order and total indices, each with its 95% interval's half-width
    first: np.ndarray | None = None
    first_half: np.ndarray | None = None
    total: np.ndarray | None = None
    total_half: np.ndarray | None = None
    interactions: tuple[float, float, float] | None = None  # 1 − Σ first-order, with its bootstrap interval
    # Morris: μ* (points of chance) with its half-width, and σ
    mu_star: np.ndarray | None = None
    mu_star_half: np.ndarray | None = None
    sigma: np.ndarray | None = None
    variance: float = 0.0  # of the measure over the design
    mean: float = 0.0  # of the measure over the design
    noise: float | None = None  # share of the variance that is replication noise (at most)
    # Morris: the lower end of the 95% interval of the mean product of a factor's elementary effects measured on
    # the two halves of the replications (see morris_effect_low); above zero: an effect beyond the noise
    effect_low: np.ndarray | None = None

    def above_one(self) -> np.ndarray:
        """Per factor, a Sobol' index estimated above 1, which a share of the variance cannot be: the sample is too
        small (all False for Morris)."""
        if self.first is None or self.total is None:
            return np.zeros(len(self.names), dtype=bool)
        return np.maximum(self.first, self.total) > 1.0

    def beyond_noise(self) -> np.ndarray:
        """Which factors have an effect beyond the simulation's noise: a total index above zero beyond its interval;
        for Morris, effects measured on the two halves of the replications that agree beyond chance (μ* itself is a
        mean of absolute changes, above zero by noise alone)."""
        if self.total is not None and self.total_half is not None:
            return self.total - self.total_half > 0
        if self.effect_low is not None:
            return self.effect_low > 0
        assert self.mu_star is not None and self.mu_star_half is not None  # an analysis saved before the halves
        return self.mu_star - self.mu_star_half > 0

    def mark(self, i: int) -> str:
        """What a table or a chart adds to factor ``i``'s index when its effect is not beyond the noise."""
        return "" if self.beyond_noise()[i] else f" ({WITHIN_NOISE})"

    def order(self) -> list[int]:
        """Factors, largest total index (or μ*) first."""
        key = self.total if self.total is not None else self.mu_star
        assert key is not None
        return sorted(range(len(self.names)), key=lambda i: (-float(np.nan_to_num(key[i])), self.names[i]))


@dataclass
class GlobalSensitivity:
    """What a global analysis found, per candidate and measure."""

    scenario: Scenario
    method: str
    inputs: list[Input]
    groups: list[str]  # the names indices are given for, in order
    samples: int  # Sobol' base samples N, or Morris trajectories r
    replications: int
    points: int
    measures: list[Measure]
    codes: list[str]
    names: list[str]  # the candidates' names
    phrases: list[str] = field(default_factory=list)  # each group as a sentence says it
    indices: dict[tuple[str, str], Indices] = field(default_factory=dict)
    charted: list[str] = field(default_factory=list)  # the candidates whose charts the folder holds (all: empty)
    top: int = 12  # settings shown in each chart and table

    @property
    def grouped(self) -> bool:
        return len(self.groups) < len(self.inputs)


def problem_of(inputs: Sequence[Input]) -> dict[str, Any]:
    """SALib's problem: one variable per input, in groups where inputs share one."""
    names = [i.factor.path for i in inputs]
    groups = [i.group for i in inputs]
    problem: dict[str, Any] = {"num_vars": len(inputs), "names": names, "bounds": [[i.low, i.high] for i in inputs]}
    if len(set(groups)) < len(groups):
        problem["groups"] = groups
    return problem


def group_names(inputs: Sequence[Input]) -> list[str]:
    """What each index is given for, as a table names it: a setting's label, or a group's name."""
    return list(dict.fromkeys(i.group for i in inputs)) if len({i.group for i in inputs}) < len(inputs) \
        else [i.factor.label for i in inputs]


def group_phrases(inputs: Sequence[Input]) -> list[str]:
    """The same, as a sentence says it: "the chance that a hold is lifted", "Türkiye's settings"."""
    if len({i.group for i in inputs}) == len(inputs):
        return [i.factor.phrase for i in inputs]
    members: dict[str, list[Input]] = {}
    for i in inputs:
        members.setdefault(i.group, []).append(i)
    return [group[0].factor.phrase if len(group) == 1 else f"{possessive(name)} settings"
            for name, group in members.items()]


def sample(method: str, problem: dict[str, Any], samples: int, seed: int) -> np.ndarray:
    """The design matrix: Saltelli's for Sobol' (no second-order terms), Morris's trajectories."""
    require_salib()
    if method == "sobol":
        from SALib.sample import sobol

        return np.asarray(sobol.sample(problem, samples, calc_second_order=False, seed=seed))
    from SALib.sample import morris

    return np.asarray(morris.sample(problem, samples, num_levels=LEVELS, seed=seed))


def analyse(method: str, problem: dict[str, Any], x: np.ndarray, y: np.ndarray, seed: int,
            names: list[str], halves: tuple[np.ndarray, np.ndarray] | None = None) -> Indices:
    """The indices of one measure ``y`` (one value per row of ``x``); for Sobol', ``halves`` are the same measure
    from each half of the replications (without them, ``y`` twice: a function with no noise)."""
    require_salib()
    variance, mean = float(np.var(y)), float(np.mean(y))
    if variance == 0.0:  # nothing moves it: every index is zero, exactly
        zeros = np.zeros(len(names))
        if method == "sobol":
            return Indices(names, zeros, zeros, zeros, zeros, (0.0, 0.0, 0.0), variance=0.0, mean=mean)
        return Indices(names, mu_star=zeros, mu_star_half=zeros, sigma=zeros, variance=0.0, mean=mean)
    if method == "sobol":
        ya, yb = (y, y) if halves is None else halves
        first, first_half, total, total_half, interactions = sobol_halves(ya, yb, len(names), seed)
        return Indices(names, first, first_half, total, total_half, interactions, variance=variance, mean=mean)
    from SALib.analyze import morris

    found = morris.analyze(problem, x, y, num_resamples=RESAMPLES, conf_level=CONFIDENCE, num_levels=LEVELS,
                           seed=seed)
    ya, yb = (y, y) if halves is None else halves
    return Indices(names, mu_star=np.asarray(found["mu_star"]) * 100, mu_star_half=np.asarray(found["mu_star_conf"]) * 100,
                   sigma=np.asarray(found["sigma"]) * 100, variance=variance, mean=mean,
                   effect_low=morris_effect_low(problem, x, ya, yb, len(names), seed))


def morris_effect_low(problem: dict[str, Any], x: np.ndarray, ya: np.ndarray, yb: np.ndarray, k: int, seed: int,
                      resamples: int = RESAMPLES) -> np.ndarray:
    """Per factor (or group), the lower end of the 95% interval of the mean over trajectories of the product of
    its elementary effect measured on one half of the replications and on the other.

    μ* is the mean of absolute changes, so the simulation's noise alone makes it positive, and its interval
    cannot say whether a factor does anything. The two halves of a point's replications are independent futures,
    so each half's change is the factor's effect plus a noise of its own: their product has the effect squared
    as its mean, and zero for a factor that does nothing. Its interval is bootstrapped over the trajectories,
    which are independent (each runs replications of its own). Effects are changes of the measure between the
    two points of a trajectory's step (the design's constant step left out: it scales every product alike)."""
    xs = x.reshape(-1, k + 1, x.shape[1])
    trajectories = xs.shape[0]
    groups = problem.get("groups")
    group_of = np.arange(x.shape[1]) if groups is None else np.array([list(dict.fromkeys(groups)).index(g)
                                                                      for g in groups])
    # Each step of a trajectory moves the variables of one factor (or group): the one it moves most is one of them.
    which = group_of[np.abs(np.diff(xs, axis=1)).argmax(axis=2)]  # (T, k)
    product = np.zeros((trajectories, k))
    # The direction of a step multiplies both halves' changes alike, so their product does not depend on it.
    product[np.arange(trajectories)[:, None], which] = (np.diff(ya.reshape(trajectories, k + 1), axis=1)
                                                       * np.diff(yb.reshape(trajectories, k + 1), axis=1))
    rng = np.random.default_rng(seed)
    means = product[rng.integers(0, trajectories, size=(resamples, trajectories))].mean(axis=1)  # (resamples, k)
    return np.quantile(means, (1 - CONFIDENCE) / 2, axis=0)


def sobol_halves(ya: np.ndarray, yb: np.ndarray, k: int, seed: int, resamples: int = RESAMPLES
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[float, float, float]]:
    """First-order and total Sobol' indices of ``k`` factors (or groups), with the half-widths of their 95%
    intervals, and the share of interactions (1 − Σ first order) with its interval, from the outputs ``ya`` and
    ``yb`` of two independent halves of the replications of each point of Saltelli's design (rows in SALib's
    order: A, then A with each column from B, then B, for each base sample).

    SALib's estimators, with each product taking one factor from each half:
    V = cov(ya, yb) over the A and B rows, S1_i = mean(B_a·(AB_i,b − A_b)) / V,
    ST_i = ½·mean((A_a − AB_i,a)·(A_b − AB_i,b)) / V. With ``ya`` = ``yb`` they are
    SALib's to within rounding (``tests/test_indices.py``). Intervals: the base samples
    resampled ``resamples`` times, ±z·sd, as SALib gives them.
    """
    from scipy.special import ndtri

    step = k + 2
    n = len(ya) // step

    def parts(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        y = (y - y.mean()) / (y.std() or 1.0)  # centred and scaled, as SALib does
        ab = np.stack([y[j + 1 :: step] for j in range(k)], axis=1)
        return y[0::step], ab, y[step - 1 :: step]

    a_a, ab_a, b_a = parts(ya)
    a_b, ab_b, b_b = parts(yb)

    def estimate(rows: np.ndarray | slice) -> tuple[np.ndarray, np.ndarray]:
        pa, pb = np.r_[a_a[rows], b_a[rows]], np.r_[a_b[rows], b_b[rows]]
        v = np.mean(pa * pb, axis=0) - np.mean(pa, axis=0) * np.mean(pb, axis=0)
        v = np.where(v > np.finfo(float).eps, v, np.nan)  # no variance the settings explain
        first = np.mean(b_a[rows][..., None] * (ab_b[rows] - a_b[rows][..., None]), axis=0) / v[..., None]
        total = 0.5 * np.mean((a_a[rows][..., None] - ab_a[rows]) * (a_b[rows][..., None] - ab_b[rows]),
                              axis=0) / v[..., None]
        return np.nan_to_num(first), np.nan_to_num(total)

    first, total = estimate(slice(None))
    rows = np.random.default_rng(seed).integers(n, size=(n, resamples))  # each column one resample
    batches = [estimate(rows[:, at : at + 100]) for at in range(0, resamples, 100)]  # in batches: memory
    firsts, totals = np.concatenate([f for f, _ in batches]), np.concatenate([t for _, t in batches])
    z = float(ndtri(0.5 + CONFIDENCE / 2))
    share = 1.0 - firsts.sum(axis=1)
    low, high = np.quantile(share, [(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2])
    return (first, z * firsts.std(axis=0, ddof=1), total, z * totals.std(axis=0, ddof=1),
            (1.0 - float(first.sum()), float(low), float(high)))


def design_size(method: str, samples: int, factors: int) -> int:
    """The points of ``method``'s design: N·(k + 2) for Sobol' (no second-order terms), r·(k + 1) for Morris."""
    return samples * (factors + 2) if method == "sobol" else samples * (factors + 1)


def require_salib() -> None:
    """Say in one line what to install when SALib is missing."""
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise PartnersimError("global sensitivity needs SALib, which is not installed: pip install 'partnersim[gsa]'"
                              ) from None


def global_sensitivity(
    scenario: Scenario, factors: Sequence[Factor], *, method: str, samples: int | None = None,
    replications: int = REPLICATIONS, group_by: str | None = None, by: Sequence[dt.date] = (),
    executor: Executor | None = None, progress: Callable[[int], None] | None = None,
) -> GlobalSensitivity:
    """Draw every factor of ``scenario`` over its range by ``method``'s design and measure each one's share."""
    from partnersim.designs import Points, fold_points

    samples = samples or SAMPLES[method]
    inputs = inputs_of(scenario, factors, group_by)
    if not inputs:
        raise PartnersimError("no setting to vary: the scenario has none the analysis swings; add one with --range")
    problem = problem_of(inputs)
    names = group_names(inputs)
    x = sample(method, problem, samples, scenario.seed)
    measures = measures_of(scenario, by)
    days = np.array([m.day for m in measures])
    points = Points(scenario, DesignValues(inputs, x), None)
    # The points of one base sample (or one Morris trajectory) share their replications, so that the changes
    # between them are the settings' doing; each base sample has its own, so that the resampling of the base
    # samples for the intervals carries the simulation's noise too.
    block = len(names) + 2 if method == "sobol" else len(names) + 1
    totals = fold_points(points, replications, _SharesOf(days, replications), seed=scenario.seed,
                         executor=executor, progress=progress, block=block)
    shares = np.stack([t.share() for t in totals])  # (points, C, M)
    # The noise the settings' effects carry: the two halves of a point's replications differ by noise alone
    # (their futures are independent), and over the design that difference varies four times as much as the
    # noise of the whole (each half has twice its variance; the two add).
    halves = np.stack([t.halves() for t in totals])  # (points, 2, C, M)
    noise = np.var(halves[:, 0] - halves[:, 1], axis=0) / 4  # (C, M)
    codes = [c.code for c in scenario.candidates]
    found = GlobalSensitivity(scenario, method, inputs, names, samples, replications, len(x), measures, codes,
                              [c.label for c in scenario.candidates], group_phrases(inputs))
    for c, code in enumerate(codes):
        for m, measure in enumerate(measures):
            y = shares[:, c, m]
            indices = analyse(method, problem, x, y, scenario.seed, names, (halves[:, 0, c, m], halves[:, 1, c, m]))
            if indices.variance > 0:
                indices.noise = min(1.0, float(noise[c, m] / indices.variance))
            found.indices[(code, measure.key)] = indices
    return found


# ---- the folder's files ---------------------------------------------------------------------


def rows(found: GlobalSensitivity) -> list[dict[str, Any]]:
    """One row per candidate, measure and setting (or group), largest first: indices.csv."""
    table = []
    for (code, key), indices in found.indices.items():
        measure = next(m for m in found.measures if m.key == key)
        beyond = indices.beyond_noise()
        for rank, i in enumerate(indices.order(), start=1):
            row: dict[str, Any] = {"candidate": code, "measure": key, "by": measure.date.isoformat(), "rank": rank,
                                   "setting": indices.names[i]}
            if found.method == "sobol":
                assert indices.first is not None and indices.first_half is not None
                assert indices.total is not None and indices.total_half is not None
                row.update({
                    "first_order": _r(indices.first[i]), "first_low": _r(indices.first[i] - indices.first_half[i]),
                    "first_high": _r(indices.first[i] + indices.first_half[i]), "total": _r(indices.total[i]),
                    "total_low": _r(indices.total[i] - indices.total_half[i]),
                    "total_high": _r(indices.total[i] + indices.total_half[i]),
                })
            else:
                assert indices.mu_star is not None and indices.mu_star_half is not None and indices.sigma is not None
                row.update({
                    "mu_star_points": _r(indices.mu_star[i]),
                    "mu_star_low": _r(indices.mu_star[i] - indices.mu_star_half[i]),
                    "mu_star_high": _r(indices.mu_star[i] + indices.mu_star_half[i]),
                    "sigma_points": _r(indices.sigma[i]),
                })
            row.update({"beyond_noise": "yes" if beyond[i] else "no",
                        "noise_share": "" if indices.noise is None else _r(indices.noise),
                        "mean": _r(indices.mean), "variance": _r(indices.variance, 6)})
            table.append(row)
    return table


def _r(x: float, digits: int = 4) -> float | str:
    return "" if not np.isfinite(x) else round(float(x), digits)


def to_data(found: GlobalSensitivity) -> dict[str, Any]:
    """Everything the analysis found, as ``indices.json`` holds it (what a briefing is written from)."""
    import dataclasses

    def array(a: np.ndarray | None) -> list[float | None] | None:
        return None if a is None else [None if not np.isfinite(v) else float(v) for v in a]

    return {
        "scenario": found.scenario.model_dump(mode="json", exclude_none=True),
        "method": found.method, "samples": found.samples, "replications": found.replications,
        "points": found.points, "groups": found.groups, "phrases": found.phrases, "codes": found.codes,
        "names": found.names, "codes_charted": found.charted or found.codes, "top": found.top,
        "inputs": [{"factor": dataclasses.asdict(i.factor), "group": i.group, "low": i.low, "high": i.high,
                    "how": i.how} for i in found.inputs],
        "measures": [{"key": m.key, "day": m.day, "date": m.date.isoformat()} for m in found.measures],
        "indices": [{"candidate": code, "measure": key, "names": ind.names, "first": array(ind.first),
                     "first_half": array(ind.first_half), "total": array(ind.total),
                     "total_half": array(ind.total_half),
                     "interactions": None if ind.interactions is None else list(ind.interactions),
                     "mu_star": array(ind.mu_star), "mu_star_half": array(ind.mu_star_half),
                     "sigma": array(ind.sigma), "variance": ind.variance, "mean": ind.mean, "noise": ind.noise,
                     "effect_low": array(ind.effect_low)}
                    for (code, key), ind in found.indices.items()],
    }


def _three(values: list[float]) -> tuple[float, float, float]:
    share, low, high = (float(v) for v in values)
    return share, low, high


def from_data(data: dict[str, Any], scenario: Scenario) -> GlobalSensitivity:
    """The analysis ``to_data`` wrote, for a briefing."""
    def array(values: list[float | None] | None) -> np.ndarray | None:
        return None if values is None else np.array([np.nan if v is None else v for v in values], dtype=float)

    inputs = [Input(Factor(**i["factor"]), str(i["group"]), float(i["low"]), float(i["high"]), str(i["how"]))
              for i in data["inputs"]]
    measures = [Measure(str(m["key"]), float(m["day"]), dt.date.fromisoformat(m["date"])) for m in data["measures"]]
    found = GlobalSensitivity(scenario, str(data["method"]), inputs, [str(g) for g in data["groups"]],
                              int(data["samples"]), int(data["replications"]), int(data["points"]), measures,
                              [str(c) for c in data["codes"]], [str(n) for n in data["names"]],
                              [str(p) for p in data["phrases"]], charted=[str(c) for c in data["codes_charted"]],
                              top=int(data["top"]))
    for item in data["indices"]:
        interactions = item["interactions"]
        found.indices[(str(item["candidate"]), str(item["measure"]))] = Indices(
            [str(n) for n in item["names"]], array(item["first"]), array(item["first_half"]), array(item["total"]),
            array(item["total_half"]), None if interactions is None else _three(interactions),
            array(item["mu_star"]), array(item["mu_star_half"]), array(item["sigma"]), float(item["variance"]),
            float(item["mean"]), None if item["noise"] is None else float(item["noise"]),
            array(item.get("effect_low")))
    return found
