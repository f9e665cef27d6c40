"""The statistics every part of partnersim shares: normal quantiles, the Wilson interval, curve crossings.

One definition each, so that a table, a chart and a briefing give the same
interval for the same count.
"""

from __future__ import annotations

import math
from typing import overload

import numpy as np

Z95 = 1.959963984540054  # standard normal quantile at 0.975: two-sided 95%
Z90 = 1.2815515655446004  # standard normal quantile at 0.9


@overload
def wilson(count: int, n: int, z: float = Z95) -> tuple[float, float]: ...


@overload
def wilson(count: np.ndarray, n: int, z: float = Z95) -> tuple[np.ndarray, np.ndarray]: ...


def wilson(count: int | np.ndarray, n: int, z: float = Z95) -> tuple[float, float] | tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval for ``count`` successes in ``n`` trials (one count, or an array of them).

    It behaves well near 0 and 1, where briefing numbers often sit; with no
    trials it is undefined (NaN).
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
