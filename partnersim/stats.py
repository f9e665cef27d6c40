"""The statistics every part of partnersim shares: normal quantiles, the Wilson interval, curve crossings.

One definition each, so that a table, a chart and a briefing give the same
interval for the same count.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar, overload

import numpy as np

Z95 = 1.959963984540054  # standard normal quantile at 0.975: two-sided 95%
Z90 = 1.2815515655446004  # standard normal quantile at 0.9
T = TypeVar("T")


@overload
def wilson(count: float, n: float, z: float = Z95) -> tuple[float, float]: ...


@overload
def wilson(count: np.ndarray, n: float, z: float = Z95) -> tuple[np.ndarray, np.ndarray]: ...


def wilson(
    count: float | np.ndarray, n: float, z: float = Z95
) -> tuple[float, float] | tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval for ``count`` successes in ``n`` trials (one count, or an array of them).

    It behaves well near 0 and 1, where briefing numbers often sit; with no
    trials it is undefined (NaN). Counts need not be whole: an effective number of independent trials
    (replications divided by a design effect) gives the interval of a clustered sample.
    """
    if isinstance(count, np.ndarray):
        if n == 0:
            return np.full(count.shape, np.nan), np.full(count.shape, np.nan)
        p = count / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
        return np.maximum(0.0, centre - half), np.minimum(1.0, centre + half)
    if n == 0:
        return math.nan, math.nan
    share = count / n
    denominator = 1 + z * z / n
    middle = (share + z * z / (2 * n)) / denominator
    width = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, middle - width), min(1.0, middle + width)


def first_reaching(curve: np.ndarray, q: float) -> int | None:
    """The first index at which a rising curve (a cumulative probability by day) reaches ``q``, or None."""
    reached = np.flatnonzero(curve >= q - 1e-12)
    return int(reached[0]) if reached.size else None


def between_share(counts: np.ndarray, sizes: np.ndarray) -> tuple[float, float]:
    """How much of the spread of a yes/no outcome comes from between groups: ``(share, spread)``.

    ``counts[g]`` of ``sizes[g]`` replications of group *g* had the outcome;
    the groups differ in their draw of the uncertain inputs and share
    nothing else. The one-way random-effects analysis of variance (unequal
    group sizes) estimates the variance of the chance between groups,
    σ²_b = (MSB − MSW) / n₀, cut at 0, where MSB and MSW are the mean squares
    between and within groups and n₀ = (N − Σ n_g² / N) / (G − 1). ``share``
    is σ²_b over σ²_b + MSW, the part of the outcome's variance that comes
    from the inputs; ``spread`` is σ_b, the standard deviation of the chance
    from one draw of the inputs to another. NaN with fewer than two groups or
    with one replication a group.
    """
    n = np.asarray(sizes, dtype=float)
    k = np.asarray(counts, dtype=float)
    groups, total = len(n), float(n.sum())
    if groups < 2 or total <= groups:
        return math.nan, math.nan
    p = k / n
    mean = float(k.sum()) / total
    between = float(np.sum(n * (p - mean) ** 2)) / (groups - 1)
    within = float(np.sum(n * p * (1 - p))) / (total - groups)
    n0 = (total - float(np.sum(n * n)) / total) / (groups - 1)
    variance = max(0.0, (between - within) / n0)
    whole = variance + within
    return (variance / whole if whole > 0 else 0.0), math.sqrt(variance)


def newcombe_independent(count1: int, n1: int, count2: int, n2: int) -> tuple[float, float]:
    """95% interval for p1 − p2 from two independent samples (Newcombe 1998, method 10)."""
    p1, p2 = count1 / n1, count2 / n2
    l1, u1 = wilson(count1, n1)
    l2, u2 = wilson(count2, n2)
    diff = p1 - p2
    return diff - math.hypot(p1 - l1, u2 - p2), diff + math.hypot(u1 - p1, p2 - l2)


def mean_interval(values: np.ndarray) -> tuple[float, float, float]:
    """The mean of ``values`` with its 95% interval (normal, for the many replications of a run: the mean of
    paired differences between two runs on the same futures, say)."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    half = Z95 * float(values.std(ddof=1)) / math.sqrt(len(values)) if len(values) > 1 else math.inf
    return mean, mean - half, mean + half


def leaders(items: Sequence[T], interval: Callable[[T], tuple[float, float, float]]) -> list[T]:
    """The item whose estimate is largest in size, then every other whose 95% interval overlaps the largest's
    (the two cannot be told apart), largest first; ``interval(item)`` gives (estimate, low, high)."""
    if not items:
        return []
    ranked = sorted(items, key=lambda item: -abs(interval(item)[0]))
    _, low, high = interval(ranked[0])
    return [ranked[0]] + [item for item in ranked[1:]
                          if interval(item)[1] <= high and interval(item)[2] >= low]


MIN_CLUSTERS = 4
"""Fewer independent clusters than this (rounds of a record) give no interval worth quoting: a resample of two or
three can only repeat them."""


def cluster_weights(clusters: Sequence[str]) -> np.ndarray:
    """A weight per value such that each cluster weighs one in all: 1 / the number of values in its cluster."""
    counts = {key: list(clusters).count(key) for key in set(clusters)}
    return np.array([1.0 / counts[key] for key in clusters])


def cluster_bootstrap(values: Sequence[float], clusters: Sequence[str], *, draws: int = 2000, seed: int = 1,
                      level: float = 0.95) -> tuple[float, float, float]:
    """The mean of ``values`` with each cluster weighing the same, and its interval from resampling clusters.

    Values of one cluster (forecasts of cases that share their dates) are not independent draws: resampling
    whole clusters keeps their likeness, so the interval is not narrowed by it.
    """
    keys = sorted(set(clusters))
    means = np.array([np.mean([v for v, c in zip(values, clusters, strict=True) if c == key]) for key in keys])
    rng = np.random.default_rng(seed)
    resampled = means[rng.integers(0, len(keys), size=(draws, len(keys)))].mean(axis=1)
    low, high = np.quantile(resampled, [(1 - level) / 2, (1 + level) / 2])
    return float(means.mean()), float(low), float(high)


def pit_histogram(values: Sequence[float], bins: int = 10) -> np.ndarray:
    """How many probability integral transforms fall in each of ``bins`` equal bins of [0, 1]."""
    clipped = np.clip(np.asarray(values, dtype=float), 0.0, 1.0 - 1e-12)
    return np.bincount((clipped * bins).astype(int), minlength=bins)
