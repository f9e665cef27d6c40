"""Durations as experts judge them: stated quantiles fitted to a family, several experts pooled.

As in the Sheffield Elicitation Framework (SHELF), an expert states a few
quantiles of a duration (``{elicited: {p10: 3mo, p50: 8mo, p90: 2y}}``).
Each candidate family (lognormal, gamma) is fitted by least squares on its
CDF at the stated points, and the family with the smallest sum of squares is
kept. Several named experts (``{elicited: {experts: [...]}}``) are pooled
linearly: the duration follows the weighted mixture of their fitted
distributions. :meth:`Elicited.fits` reports who said what and how closely
each fit follows it.

The fitting stands on its own too: :func:`elicit` for a duration,
:func:`elicit_probability` for a chance (by a beta distribution).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import Annotated, Any, TypeAlias, Union

import numpy as np
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator
from scipy.special import betainc, betaincinv, gammainc, gammaincinv, gammaln, log_ndtr, ndtr, ndtri

from partnersim.safetext import control_characters
from partnersim.stats import Z90
from partnersim.text import suggest
from partnersim.values.durations import DAYS_PER_MONTH, DAYS_PER_YEAR, MAX_DAYS, format_duration
from partnersim.values.families import Days, Gamma, GammaParams, Lognormal, LognormalParams, _Dist
from partnersim.values.numbers import Frozen

TOLERANCE = 0.05
"""The largest gap |F(x) − p| a fitted CDF may leave at a stated quantile (x days stated for chance p).

A family whose fit misses some stated point by more than this does not
represent the judgement; when no family fits within it, the judgement is
refused and the expert is asked to look at it again.
"""
WEIGHT_TOLERANCE = 1e-6  # how far from 1 the weights of a panel may sum (rounding in what was written)
_TIE = 1e-12  # sums of squares this close count as equal: with two quantiles every family fits exactly
_QUANTILE_KEY = re.compile(r"^p(\d+(?:\.\d+)?)$")
_EXAMPLE = "such as p10, p50 and p90"

Fitted: TypeAlias = Union[Lognormal, Gamma]
Stated = tuple[tuple[float, float], ...]  # (probability, value), by probability


# --- fitting: least squares on the CDF ----------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One family fitted to stated quantiles: its parameters, the project's model of it, the misfit."""

    family: str
    params: dict[str, float]  # lognormal: mu, sigma (of log-days); gamma: shape, scale (days)
    dist: Fitted
    sse: float  # the sum over the stated points of (F(x) − p)²
    gaps: tuple[float, ...]  # F(x) − p at each stated point, by probability

    @property
    def worst(self) -> float:
        """The largest gap |F(x) − p| over the stated points."""
        return max(abs(g) for g in self.gaps)


@dataclass(frozen=True)
class Fit:
    """The family kept for stated quantiles, and every candidate family's fit."""

    stated: Stated  # (probability, days), by probability
    best: Candidate
    candidates: tuple[Candidate, ...]

    @property
    def family(self) -> str:
        return self.best.family

    @property
    def dist(self) -> Fitted:
        return self.best.dist

    @property
    def params(self) -> dict[str, float]:
        return self.best.params

    @property
    def sse(self) -> float:
        return self.best.sse

    @property
    def worst(self) -> float:
        return self.best.worst

    @property
    def within_tolerance(self) -> bool:
        return self.best.worst <= TOLERANCE

    @property
    def fitted(self) -> Stated:
        """The fitted distribution's days at each stated probability."""
        p = np.array([q for q, _ in self.stated])
        return tuple(zip(p.tolist(), self.best.dist.ppf(p).tolist(), strict=True))

    @property
    def sse_by_family(self) -> dict[str, float]:
        return {c.family: c.sse for c in self.candidates}

    def worst_point(self) -> tuple[float, float, float]:
        """``(probability, days stated, the fitted CDF there)`` where the fit misses most."""
        i = int(np.argmax(np.abs(self.best.gaps)))
        p, x = self.stated[i]
        return p, x, p + self.best.gaps[i]


@dataclass(frozen=True)
class BetaFit:
    """A beta distribution fitted to stated quantiles of a chance."""

    a: float
    b: float
    stated: Stated  # (probability, chance), by probability
    fitted: Stated  # the beta's chance at each stated probability
    sse: float
    worst: float  # the largest gap |F(x) − p| over the stated points

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)

    @property
    def within_tolerance(self) -> bool:
        return self.worst <= TOLERANCE

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Chances at quantiles ``u``."""
        return np.asarray(betaincinv(self.a, self.b, np.asarray(u, dtype=float)), dtype=float)


def elicit(points: Mapping[float, float]) -> Fit:
    """The best of the candidate families for stated quantiles ``{probability: days}``.

    Each family's parameters minimise the sum over the points of
    (F(x) − p)²; the family with the smallest sum is kept, preferring those
    that miss no point by more than :data:`TOLERANCE`. Raises ``ValueError``
    for fewer than two points, a probability outside (0, 1), a value not
    above 0 days, or values that do not increase with the probability.
    """
    p, x = _points(points, "days", 0.0, MAX_DAYS)
    candidates = tuple(fit(p, x) for fit in _FITTERS.values())
    eligible = [c for c in candidates if c.worst <= TOLERANCE] or list(candidates)
    best = eligible[0]
    for candidate in eligible[1:]:
        if candidate.sse < best.sse - _TIE:
            best = candidate
    return Fit(stated=tuple(zip(p.tolist(), x.tolist(), strict=True)), best=best, candidates=candidates)


def elicit_probability(points: Mapping[float, float]) -> BetaFit:
    """A beta distribution for a chance, fitted to stated quantiles ``{probability: chance}``.

    Least squares on the beta CDF, as :func:`elicit` does for durations; the
    same checks, with every chance strictly between 0 and 1.
    """
    p, x = _points(points, "chance", 0.0, 1.0)
    m = float(np.interp(0.5, p, x))
    z = ndtri(p)
    spread = (x[-1] - x[0]) / (z[-1] - z[0])
    total = m * (1 - m) / spread**2 - 1
    sizes = ([total] if total > 0 else []) + [1.0, 4.0, 16.0, 64.0]
    starts = [np.log([max(c * m, 1e-3), max(c * (1 - m), 1e-3)]) for c in sizes]

    def gaps(theta: np.ndarray) -> np.ndarray:
        return np.asarray(betainc(math.exp(theta[0]), math.exp(theta[1]), x) - p, dtype=float)

    theta = _least_squares(gaps, starts, np.log([1e-3, 1e-3]), np.log([1e5, 1e5]))
    a, b = math.exp(theta[0]), math.exp(theta[1])
    gap = gaps(theta)
    fitted = np.asarray(betaincinv(a, b, p), dtype=float)
    return BetaFit(a=a, b=b, stated=tuple(zip(p.tolist(), x.tolist(), strict=True)),
                   fitted=tuple(zip(p.tolist(), fitted.tolist(), strict=True)),
                   sse=float(gap @ gap), worst=float(np.max(np.abs(gap))))


def _points(points: Mapping[float, float], unit: str, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    pairs = sorted((float(p), float(x)) for p, x in points.items())
    if len(pairs) < 2:
        raise ValueError(f"at least two quantiles are needed for a fit, got {len(pairs)}")
    p = np.array([q for q, _ in pairs])
    x = np.array([v for _, v in pairs])
    if not np.all((p > 0) & (p < 1)):
        raise ValueError(f"a quantile's probability must be between 0 and 1, exclusive, got {p.tolist()}")
    if not np.all((x > low) & (x < high)):
        raise ValueError(f"each stated {unit} must be above {low:g} and below {high:g}, got {x.tolist()}")
    if np.any(np.diff(x) <= 0):
        raise ValueError(f"the stated values must increase with the probability, got {x.tolist()}")
    return p, x


def _least_squares(
    gaps: Callable[[np.ndarray], np.ndarray],
    starts: Sequence[np.ndarray],
    lower: np.ndarray,
    upper: np.ndarray,
    jac: Any = "3-point",
) -> np.ndarray:
    """The parameters with the smallest sum of squares, searched from the two most promising ``starts``.

    Deterministic: the starts are ranked by their own sum of squares (the
    earlier first, on a tie), and so are the results.
    """
    from scipy.optimize import least_squares  # only where a judgement is fitted: a heavy import

    margin = 1e-9 * (upper - lower)
    inside = [np.clip(start, lower + margin, upper - margin) for start in starts]
    costs = [float(np.sum(np.nan_to_num(gaps(start), nan=1.0) ** 2)) for start in inside]
    best: Any = None
    for k in sorted(range(len(inside)), key=costs.__getitem__)[:2]:
        result = least_squares(gaps, inside[k], jac=jac, bounds=(lower, upper), method="trf",
                               xtol=1e-15, ftol=1e-15, gtol=1e-15)
        if best is None or result.cost < best.cost - _TIE:
            best = result
    return np.asarray(best.x, dtype=float)


def _candidate(family: str, params: dict[str, float], dist: Fitted, p: np.ndarray, x: np.ndarray) -> Candidate:
    gaps = _cdf(dist, x) - p
    return Candidate(family=family, params=params, dist=dist, sse=float(gaps @ gaps), gaps=tuple(gaps.tolist()))


def _fit_lognormal(p: np.ndarray, x: np.ndarray) -> Candidate:
    y, z = np.log(x), ndtri(p)
    slope = float(np.cov(z, y)[0, 1] / np.var(z, ddof=1))  # log-days against normal deviates: the start
    start = np.array([float(np.mean(y) - slope * np.mean(z)), math.log(slope)])

    def gaps(theta: np.ndarray) -> np.ndarray:
        return np.asarray(ndtr((y - theta[0]) / math.exp(theta[1])) - p, dtype=float)

    def jacobian(theta: np.ndarray) -> np.ndarray:
        sigma = math.exp(theta[1])
        w = (y - theta[0]) / sigma
        density = np.exp(-0.5 * w * w) / math.sqrt(2 * math.pi)
        return np.column_stack([-density / sigma, -density * w])

    theta = _least_squares(gaps, [start], np.array([y[0] - 50.0, math.log(1e-4)]),
                           np.array([y[-1] + 50.0, math.log(50.0)]), jac=jacobian)
    mu, sigma = float(theta[0]), math.exp(theta[1])
    dist = Lognormal(lognormal=LognormalParams(mu=mu, sigma=sigma))
    return _candidate("lognormal", {"mu": mu, "sigma": sigma}, dist, p, x)


def _fit_gamma(p: np.ndarray, x: np.ndarray) -> Candidate:
    y, z = np.log(x), ndtri(p)
    slope = float(np.cov(z, y)[0, 1] / np.var(z, ddof=1))
    middle = int(np.argmin(np.abs(p - 0.5)))
    cv2 = math.expm1(slope**2)  # the lognormal's spread, as a gamma's shape and scale
    starts = [np.array([-math.log(cv2), float(np.mean(y) - slope * np.mean(z)) + slope**2 / 2 + math.log(cv2)])]
    for shape in (0.5, 1.0, 2.0, 5.0, 20.0, 100.0):
        scale = x[middle] / float(gammaincinv(shape, p[middle]))
        starts.append(np.log([shape, scale]))

    def gaps(theta: np.ndarray) -> np.ndarray:
        return np.asarray(gammainc(math.exp(theta[0]), x / math.exp(theta[1])) - p, dtype=float)

    lower = np.array([math.log(1e-3), math.log(x[0]) - 25.0])
    upper = np.array([math.log(1e4), math.log(MAX_DAYS) - 1.0])
    theta = _least_squares(gaps, starts, lower, upper)
    shape, scale = math.exp(theta[0]), math.exp(theta[1])
    dist = Gamma(gamma=GammaParams(shape=shape, scale=scale))
    return _candidate("gamma", {"shape": shape, "scale": scale}, dist, p, x)


_FITTERS = {"lognormal": _fit_lognormal, "gamma": _fit_gamma}  # in the order that breaks a tie
FAMILIES = tuple(_FITTERS)


def _cdf(dist: Fitted, x: np.ndarray) -> np.ndarray:
    """P(duration ≤ x), accurate far in the lower tail (where 1 − sf rounds away)."""
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    if isinstance(dist, Lognormal):
        mu, sigma = dist.lognormal.log_params()
        with np.errstate(divide="ignore"):
            return np.asarray(ndtr((np.log(x) - mu) / sigma), dtype=float)
    shape, scale = dist.gamma.shape_scale()
    return np.asarray(gammainc(shape, x / scale), dtype=float)


def _log_density(dist: Fitted, x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        log_x = np.log(x)
    if isinstance(dist, Lognormal):
        mu, sigma = dist.lognormal.log_params()
        w = (log_x - mu) / sigma
        return np.asarray(-0.5 * w * w - math.log(sigma * math.sqrt(2 * math.pi)) - log_x, dtype=float)
    shape, scale = dist.gamma.shape_scale()
    return np.asarray((shape - 1) * (log_x - math.log(scale)) - x / scale - gammaln(shape) - math.log(scale),
                      dtype=float)


# --- the linear pool: a mixture, and its quantile function ----------------------------------------------


class _Mixture:
    """The weighted mixture of fitted distributions, its quantile function tabulated once for speed.

    Quantiles are found as log-days at the standard normal deviate of the
    chance (``z = Φ⁻¹(u)``), where each family here is smooth and nearly
    straight. :meth:`solve` finds them exactly; the table (:class:`_Table`)
    interpolates them, within 1e-9 relative, for the engine's millions.
    """

    def __init__(self, parts: Sequence[Fitted], weights: Sequence[float]) -> None:
        self.parts = tuple(parts)
        self.weights = tuple(weights)

    def _each(self) -> zip[tuple[Fitted, float]]:
        return zip(self.parts, self.weights, strict=True)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return sum((w * _cdf(d, x) for d, w in self._each()), np.zeros(np.shape(x)))

    def sf(self, x: np.ndarray) -> np.ndarray:
        return sum((w * d.sf(x) for d, w in self._each()), np.zeros(np.shape(x)))

    def log_density(self, x: np.ndarray) -> np.ndarray:
        terms = np.stack([math.log(w) + _log_density(d, x) for d, w in self._each()])
        return np.asarray(np.logaddexp.reduce(terms, axis=0), dtype=float)

    def slope(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        """d(log-days)/dz at deviates ``z`` whose log-days are ``y``: φ(z) / (x·f(x))."""
        with np.errstate(over="ignore", invalid="ignore"):
            return np.exp(-0.5 * z * z - 0.5 * math.log(2 * math.pi) - y - self.log_density(np.exp(y)))

    def log_days(self, z: np.ndarray) -> np.ndarray:
        """Log-days at the quantiles whose standard normal deviates are ``z`` (a flat array)."""
        if self._table is None:
            return self.solve(z)
        y, covered = self._table.interpolate(z)
        if not covered.all():
            y[~covered] = self.solve(z[~covered])
        return y

    @cached_property
    def _table(self) -> _Table | None:
        return _Table.build(self)

    def solve(self, z: np.ndarray) -> np.ndarray:
        """Log-days at deviates ``z``, exactly: Newton's method on the log of the CDF, kept in a bracket.

        Below the median the CDF is matched and above it the survival
        function, so that both tails keep their relative precision. The
        mixture's quantile lies between its parts' quantiles, which bracket it.
        """
        z = np.asarray(z, dtype=float)
        y = z.copy()  # ±inf and NaN stand for themselves: no days, never, undefined
        finite = np.isfinite(z)
        zf = z[finite]
        upper = zf > 0
        target = np.where(upper, log_ndtr(-zf), log_ndtr(zf))
        with np.errstate(divide="ignore", over="ignore"):
            ends = np.log(np.stack([np.where(upper, d.isf(ndtr(-zf)), d.ppf(ndtr(zf))) for d in self.parts]))
        lo = np.clip(ends.min(axis=0), -_LOG_EDGE, _LOG_EDGE)
        hi = np.clip(ends.max(axis=0), -_LOG_EDGE, _LOG_EDGE)
        y[finite] = self._newton(upper, target, lo, hi)
        return y

    def _newton(self, upper: np.ndarray, target: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Safeguarded Newton (as *Numerical Recipes*' rtsafe): bisect where a step leaves the bracket
        or shrinks it too slowly, as it can where the mixture's density dips between two experts."""
        sign = np.where(upper, -1.0, 1.0)  # the CDF rises with the days, the survival function falls
        y = (lo + hi) / 2
        last = hi - lo  # the step before the last
        step = last.copy()
        active = last > 0
        for _ in range(200):
            i = np.flatnonzero(active)
            if not len(i):
                break
            x = np.exp(y[i])
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                log_chance = np.log(np.where(upper[i], self.sf(x), self.cdf(x)))
                gap = sign[i] * (log_chance - target[i])  # above zero: too many days
                lo[i] = np.where(gap < 0, y[i], lo[i])
                hi[i] = np.where(gap < 0, hi[i], y[i])
                newton = gap / np.exp(y[i] + self.log_density(x) - log_chance)
                ahead = y[i] - newton
                slow = np.abs(2 * newton) > np.abs(last[i])
            bisect = ~np.isfinite(ahead) | (ahead <= lo[i]) | (ahead >= hi[i]) | slow
            last[i] = step[i]
            step[i] = np.where(bisect, (hi[i] - lo[i]) / 2, newton)
            y[i] = np.where(gap == 0, y[i], np.where(bisect, (lo[i] + hi[i]) / 2, ahead))
            active[i] = (gap != 0) & (np.abs(step[i]) > 1e-14 * np.maximum(1.0, np.abs(y[i])))
        return np.where(y <= -_LOG_EDGE, -np.inf, np.where(y >= _LOG_EDGE, np.inf, y))


_LOG_EDGE = 700.0  # log-days beyond which a quantile is 0 or never (exp overflows at 709.8)


class _Table:
    """Cubic Hermite pieces of log-days against the normal deviate, with exact slopes at their ends.

    Built from an even grid, each piece is halved until it is within
    ``ACCURACY`` of the exact quantile at its middle and rises throughout
    (Fritsch and Carlson's condition); a piece still off when narrower than
    ``NARROWEST`` (a near jump between two experts far apart) is left to the
    exact solver. Lookup goes through even buckets, so that most deviates
    find their piece in one step.
    """

    EDGE = 12.0  # deviates −12..12: chances down to 1e-33 in either tail
    STEP = 1 / 16  # the first grid
    BUCKET = 1 / 128
    ACCURACY = 1e-9  # in log-days: the relative error a piece may make
    NARROWEST = 1e-9

    def __init__(self, left: np.ndarray, right: np.ndarray, ends: np.ndarray, exact: np.ndarray) -> None:
        """Pieces ``[left, right)`` in order, ``ends`` = (y at left, y at right, slope at left, slope at right)."""
        width = right - left
        y0, y1, d0, d1 = ends[0], ends[1], ends[2] * width, ends[3] * width
        rise = y1 - y0
        with np.errstate(invalid="ignore", over="ignore"):
            coefficients = np.stack([y0, d0, 3 * rise - 2 * d0 - d1, d0 + d1 - 2 * rise])
        self.coefficients = np.where(exact, 0.0, coefficients)  # unused there: the solver answers
        self.inverse_width = 1.0 / width
        self.exact = exact
        self.left = np.append(left, right[-1])  # every piece's start, then the end of the last
        self.start = float(left[0])
        buckets = np.arange(self.start, self.left[-1] + self.BUCKET, self.BUCKET)
        self.first = np.searchsorted(self.left, buckets, side="right") - 1
        self.dense = np.searchsorted(self.left, buckets + self.BUCKET, side="right") - 1 - self.first > 1

    @classmethod
    def build(cls, mixture: _Mixture) -> _Table | None:
        """The table of ``mixture``'s quantiles; None if no two grid points have finite, rising values."""
        z = np.arange(-cls.EDGE, cls.EDGE + cls.STEP / 2, cls.STEP)
        y = mixture.solve(z)
        slope = mixture.slope(z, y)
        first, end = _longest_run(np.isfinite(y))  # a slope may be infinite: where the pool jumps a gap
        if end - first < 2:
            return None
        z, y, slope = z[first:end], y[first:end], slope[first:end]
        pending = np.stack([z[:-1], z[1:], y[:-1], y[1:], slope[:-1], slope[1:]])
        done: list[np.ndarray] = []
        exact: list[np.ndarray] = []
        while pending.shape[1]:
            z0, z1, y0, y1, d0, d1 = pending
            zm = (z0 + z1) / 2
            ym = mixture.solve(zm)
            dm = mixture.slope(zm, ym)
            h, rise = z1 - z0, y1 - y0
            middle = (y0 + y1) / 2 + h * (d0 - d1) / 8  # the cubic at its midpoint
            with np.errstate(divide="ignore", invalid="ignore"):
                rising = (rise > 0) & ((d0 * h / rise) ** 2 + (d1 * h / rise) ** 2 <= 9.0)
            good = rising & (np.abs(middle - ym) <= cls.ACCURACY)
            give_up = ~good & ((h < cls.NARROWEST) | ~np.isfinite(ym) | ~np.isfinite(dm))
            done.append(pending[:, good | give_up])
            exact.append(give_up[good | give_up])
            split = ~good & ~give_up
            halves = [np.stack([z0, zm, y0, ym, d0, dm])[:, split], np.stack([zm, z1, ym, y1, dm, d1])[:, split]]
            pending = np.concatenate(halves, axis=1)
        pieces = np.concatenate(done, axis=1)
        order = np.argsort(pieces[0], kind="stable")
        pieces = pieces[:, order]
        return cls(pieces[0], pieces[1], pieces[[2, 3, 4, 5]], np.concatenate(exact)[order])

    def interpolate(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Log-days at deviates ``z``, and where the table covers them (elsewhere a stand-in value)."""
        n = len(self.exact)
        t = (z - self.start) * (1 / self.BUCKET)
        covered = (z >= self.start) & (z < self.left[-1])  # NaN is not covered
        k = np.clip(np.where(covered, t, 0.0), 0, len(self.first) - 1).astype(np.intp)
        j = self.first[k]
        j += z >= self.left[np.minimum(j + 1, n)]
        np.minimum(j, n - 1, out=j)
        stray = covered & (self.dense[k] | (z < self.left[j]) | (z >= self.left[j + 1]))
        if stray.any():
            j[stray] = np.searchsorted(self.left, z[stray], side="right") - 1
        covered &= ~self.exact[j]
        s = (z - self.left[j]) * self.inverse_width[j]
        c0, c1, c2, c3 = self.coefficients
        return c0[j] + s * (c1[j] + s * (c2[j] + s * c3[j])), covered


def _longest_run(flags: np.ndarray) -> tuple[int, int]:
    """``(first, end)`` of the longest stretch of True in ``flags``."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.astype(np.int8), [0]))))
    starts, ends = edges[::2], edges[1::2]
    if not len(starts):
        return 0, 0
    k = int(np.argmax(ends - starts))
    return int(starts[k]), int(ends[k])


# --- the scenario's form: one expert's quantiles, or a panel of experts ------------------------------


def _one_line(value: str) -> str:
    found = control_characters(value)
    if found:
        raise ValueError(f"contains the control character {found[0]}; write plain text")
    if any(char in value for char in "\t\n\r\u2028\u2029"):
        raise ValueError("contains a line break or a tab; write one line of text")
    return value


def _not_a_flag(value: Any) -> Any:
    if isinstance(value, bool):  # YAML's true and false are not weights
        raise ValueError(f"expected a number, got {value!r}")
    return value


ExpertName = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_one_line)]
SourceText = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_one_line)]
Weight = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False), BeforeValidator(_not_a_flag)]


def _quantile_keys_schema(schema: dict[str, Any]) -> None:
    """In JSON Schema the quantile keys are the ``pNN`` keys, each a duration."""
    value = schema.pop("additionalProperties", None)
    if isinstance(value, dict):
        schema["patternProperties"] = {_QUANTILE_KEY.pattern: value}
        schema["additionalProperties"] = False


def _probability(key: str) -> float:
    match = _QUANTILE_KEY.match(key)
    assert match is not None  # every extra key was checked on the way in
    return float(match[1]) / 100


def _check_keys(data: Mapping[Any, Any], fields: Sequence[str]) -> None:
    """Every key is a field or a quantile ``pNN`` (0 < NN < 100), and no quantile is stated twice."""
    seen: dict[float, str] = {}
    for key in data:
        if key in fields:
            continue
        text = str(key)
        match = _QUANTILE_KEY.match(text) if isinstance(key, str) else None
        if match is None:
            if text == "median":
                raise ValueError("unknown key 'median': write the median as p50")
            hint = suggest(text, fields)
            listing = "" if hint else f"; expected {', '.join(fields)}"
            raise ValueError(f"unknown key {text!r}{hint}{listing}, or quantiles {_EXAMPLE}")
        percent = float(match[1])
        if not 0 < percent < 100:
            raise ValueError(f"{text}: a quantile's percentage must be above 0 and below 100, got {match[1]}")
        if percent in seen:
            raise ValueError(f"{seen[percent]} and {text} state the same quantile; keep one")
        seen[percent] = text


class Judgement(Frozen):
    """Quantiles as one expert stated them (the ``pNN`` keys, each a duration), and who that was."""

    model_config = ConfigDict(frozen=True, extra="allow", json_schema_extra=_quantile_keys_schema)
    __pydantic_extra__: dict[str, Days] = Field(init=False)  # type: ignore[assignment]

    name: ExpertName | None = None
    source: SourceText | None = None  # where the judgement was taken: an interview, a workshop's notes

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            _check_keys(data, list(cls.model_fields))
        return data

    def stated(self) -> list[tuple[str, float, float]]:
        """Each stated quantile as ``(key as written, probability, days)``, by probability."""
        found = [(key, _probability(key), days) for key, days in (self.__pydantic_extra__ or {}).items()]
        return sorted(found, key=lambda item: item[1])

    @cached_property
    def fit(self) -> Fit:
        """The family kept for these quantiles (computed once, on validation)."""
        return elicit({p: days for _, p, days in self.stated()})

    def _check(self) -> None:
        stated = self.stated()
        if len(stated) < 2:
            given = f" ({stated[0][0]})" if stated else ""
            raise ValueError(
                f"give at least two quantiles, {_EXAMPLE} (three or more are better), got {len(stated)}{given}"
            )
        for key, _, days in stated:
            if days <= 0:
                raise ValueError(f"{key} must be more than 0 days, got {format_duration(days)}")
        for (low_key, _, low), (key, _, days) in pairwise(stated):
            if days <= low:
                raise ValueError(
                    f"quantiles must increase with the probability: {key} ({format_duration(days)}) is not "
                    f"above {low_key} ({format_duration(low)})"
                )
        fit = self.fit
        if not fit.within_tolerance:
            p, days, reached = fit.worst_point()
            key = next(k for k, q, _ in stated if q == p)
            whose = f"{self.name}'s" if self.name else "these"
            raise ValueError(
                f"no family fits {whose} quantiles within {TOLERANCE:g}: the best ({fit.family}) puts "
                f"{key} = {format_duration(days)} at p{reached:.2f}"
            )


class Expert(Judgement):
    """One expert of a panel: who, from where, with what weight, and the quantiles stated."""

    weight: Weight | None = None  # none on every expert: all weigh alike

    @model_validator(mode="after")
    def _fits(self) -> Expert:
        self._check()
        return self


class ElicitedParams(Judgement):
    """One expert's quantiles (``p10: 3mo``, …), or ``experts``: a panel pooled linearly."""

    experts: list[Expert] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ElicitedParams:
        if self.experts is None:
            if not self.__pydantic_extra__:
                raise ValueError(f"give quantiles, {_EXAMPLE}, or a list of experts")
            self._check()
            return self
        if self.__pydantic_extra__:
            raise ValueError("give either quantiles (p10, p50, …) or a list of experts, not both")
        _check_panel(self.experts)
        return self

    def panel(self) -> list[tuple[str, Judgement, float]]:
        """Each expert as ``(name, judgement, weight)``; an unnamed one is "expert 1", "expert 2", …"""
        if self.experts is None:
            return [(self.name or "expert 1", self, 1.0)]
        n = len(self.experts)
        return [(e.name or f"expert {i}", e, 1.0 / n if e.weight is None else e.weight)
                for i, e in enumerate(self.experts, start=1)]


def _check_panel(experts: Sequence[Expert]) -> None:
    if not experts:
        raise ValueError("experts: the list is empty; give at least one expert")
    names = [e.name for e in experts if e.name is not None]
    twice = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if twice is not None:
        raise ValueError(f"two experts are named {twice!r}; give each expert a name of their own")
    unweighted = [e.name or f"expert {i}" for i, e in enumerate(experts, start=1) if e.weight is None]
    if unweighted and len(unweighted) < len(experts):
        verb = "has" if len(unweighted) == 1 else "have"
        raise ValueError(f"give a weight to every expert or to none: {', '.join(unweighted)} {verb} none")
    if not unweighted:
        total = sum(e.weight or 0.0 for e in experts)
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            raise ValueError(f"the experts' weights must sum to 1, got {total:.10g}")


@dataclass(frozen=True)
class ExpertFit:
    """Who said what, and the family that represents it: one line of a briefing's table."""

    name: str
    source: str | None
    weight: float
    family: str
    params: dict[str, float]
    describe: str  # the fitted family in words: "lognormal median 8mo, p90 2y"
    stated: Stated  # (probability, days) as the expert stated them
    fitted: Stated  # (probability, days) as the fitted family has them
    sse: float
    worst: float  # the largest gap |F(x) − p| over the stated points


def _about(days: float) -> str:
    """Days in a unit that reads easily, to three figures (``8mo``, ``2.5y``, ``10d``)."""
    for unit, size in (("y", DAYS_PER_YEAR), ("mo", DAYS_PER_MONTH), ("w", 7.0)):
        if days >= 2 * size:
            amount = days / size
            return (f"{amount:,.0f}" if amount >= 1000 else f"{amount:.3g}") + unit
    return f"{days:.3g}d"


def _family_text(fit: Fit) -> str:
    params = fit.params
    if fit.family == "lognormal":
        median, p90 = math.exp(params["mu"]), math.exp(params["mu"] + params["sigma"] * Z90)
        return f"lognormal median {_about(median)}, p90 {_about(p90)}"
    shape, scale = params["shape"], params["scale"]
    return f"gamma mean {_about(shape * scale)}, cv {1 / math.sqrt(shape):.2g}"


class Elicited(_Dist):
    """A duration as experts judge it (SHELF): quantiles they stated, each expert's fitted by a family.

    One expert's quantiles (``{elicited: {p10: 3mo, p50: 8mo, p90: 2y}}``)
    give the lognormal or gamma that follows them best; a panel
    (``{elicited: {experts: [...]}}``) gives the mixture of its experts'
    fitted distributions, each with its weight (alike if none is given).
    """

    elicited: ElicitedParams

    def fits(self) -> list[ExpertFit]:
        """For each expert: the family kept, its parameters, and the fitted quantiles beside the stated."""
        return [
            ExpertFit(name=name, source=judgement.source, weight=weight, family=judgement.fit.family,
                      params=dict(judgement.fit.params), describe=_family_text(judgement.fit),
                      stated=judgement.fit.stated, fitted=judgement.fit.fitted, sse=judgement.fit.sse,
                      worst=judgement.fit.worst)
            for name, judgement, weight in self.elicited.panel()
        ]

    @cached_property
    def _parts(self) -> tuple[tuple[Fitted, ...], tuple[float, ...]]:
        panel = self.elicited.panel()  # no arrays here: pydantic compares what is cached when it compares models
        return tuple(j.fit.dist for _, j, _ in panel), tuple(w for _, _, w in panel)

    @cached_property
    def _pool(self) -> _Mixture:
        parts, weights = self._parts
        return _Mixture(parts, weights)

    def _single(self) -> Fitted | None:
        parts, _ = self._parts
        return parts[0] if len(parts) == 1 else None

    def ppf(self, u: np.ndarray) -> np.ndarray:
        single = self._single()
        if single is not None:
            return single.ppf(u)
        u = np.asarray(u, dtype=float)
        return self._days(ndtri(u.ravel())).reshape(u.shape)

    def isf(self, p: np.ndarray) -> np.ndarray:
        single = self._single()
        if single is not None:
            return single.isf(p)
        p = np.asarray(p, dtype=float)
        return self._days(-ndtri(p.ravel())).reshape(p.shape)  # −Φ⁻¹(p): exact for the smallest p

    def _days(self, z: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):  # an infinite delay means "never", which the engine handles
            return np.exp(self._pool.log_days(z))

    def sf(self, x: np.ndarray) -> np.ndarray:
        single = self._single()
        return single.sf(x) if single is not None else self._pool.sf(np.asarray(x, dtype=float))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """The chance of at most ``x`` days, exact far in the lower tail."""
        return self._pool.cdf(np.asarray(x, dtype=float))

    def mean(self) -> float:
        parts, weights = self._parts
        return float(sum(w * d.mean() for d, w in zip(parts, weights, strict=True)))

    def describe(self) -> str:
        panel = self.elicited.panel()
        if len(panel) > 1:
            return f"elicited: linear pool of {len(panel)} experts"
        _, judgement, _ = panel[0]
        stated = judgement.stated()
        listing = ", ".join(f"{key} {format_duration(days)}" for key, _, days in stated)
        return f"elicited: {judgement.fit.family} fitted to {len(stated)} quantiles ({listing})"

    def scaled(self, factor: float) -> Elicited:
        """The same judgements with every stated duration multiplied by ``factor`` (for a what-if).

        The lognormal and the gamma are scale families, and no gap F(x) − p
        changes when every x is multiplied: each fit, and so the pool, keeps
        its shape on the new scale.
        """
        def judgement(j: Judgement) -> dict[str, Any]:
            fields = {k: getattr(j, k) for k in ("name", "source", "weight") if getattr(j, k, None) is not None}
            return {**fields, **{key: days * factor for key, _, days in j.stated()}}

        params = self.elicited
        if params.experts is None:
            return Elicited.model_validate({"elicited": judgement(params)})
        panel = {k: getattr(params, k) for k in ("name", "source") if getattr(params, k) is not None}
        return Elicited.model_validate({"elicited": {**panel, "experts": [judgement(e) for e in params.experts]}})
