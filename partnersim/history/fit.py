"""Fitting ally delay models to observed consent delays.

The model is the engine's own consensus behaviour (see
:mod:`partnersim.engine.consensus`): an ally deliberates for a time drawn
from the *body* distribution (gamma or lognormal, whichever fits better);
with probability ``p`` it then holds its consent for a further lognormal time
(the *hold*). An observed delay is therefore ``B`` or, for a holding ally,
``B + H``; the hold component's distribution is the convolution of the two,
computed on a quantile grid of ``B``.

Delays are whole days, so each observation ``d`` is read as "consent at some
time in ``[d − ½, d + ½)``" (``[0, ½)`` for ``d = 0``): the likelihood is
interval-censored, which handles same-day consents without inventing a
point mass or a shift. The parameters are estimated by maximum likelihood
with :func:`scipy.optimize.minimize` from several starting points. Goodness
of fit is the Kolmogorov–Smirnov distance between the empirical and the
fitted distribution of whole days, with a p-value and parameter intervals
from a parametric bootstrap (the parameters are fitted to the same points,
so the textbook KS p-value would flatter the fit).

The spread of hold lengths is fixed by default at :data:`ASSUMED_HOLD_SIGMA`
(an assumption, reported as such): the record holds too few holds to show it.
Finland's two holdouts ended 3 days apart, Sweden's 34 days apart, so a free
spread collapses onto whichever tight pair it is given and the likelihood
rewards that. Pass ``hold_sigma=None`` to estimate it when the data hold
enough holds (at least :data:`MIN_HOLDS`; more is better).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from scipy import optimize, special

from partnersim.errors import PartnersimError
from partnersim.stats import Z90

Family = Literal["gamma", "lognormal"]
FAMILIES: tuple[Family, ...] = ("gamma", "lognormal")
GRID = 32  # quantiles of the body used to convolve it with the hold
MIN_HOLDS = 3.0
ASSUMED_HOLD_SIGMA = 0.5
"""Spread (sigma of log-days) of hold lengths: a p90 about 1.9 × the median.

Assumption. For comparison, the four ratification holds of Finland and Sweden
(265, 268, 567 and 601 days) spread by about 0.4 in log-days, and the wider
record of single-ally blocks (a day to ten years) by far more.
"""
DEFAULT_LIFTED = 0.77
"""Share of holds that end in consent. Not estimable from consent dates (a veto leaves no date):
10 of the 13 single-ally holds in the record ended in consent (docs/calibration.md)."""
_SMALLEST = 1e-300
PENALTY = 1e3
_U = (np.arange(GRID) + 0.5) / GRID
_GRID_Z = special.ndtri(_U)


@dataclass(frozen=True)
class Params:
    """A body-plus-hold delay model, in days.

    The body is ``gamma`` (``a`` shape, ``b`` scale in days) or ``lognormal``
    (``a`` mu, ``b`` sigma of log-days); the hold is lognormal.
    """

    family: Family
    body_a: float
    body_b: float
    hold_p: float
    hold_mu: float
    hold_sigma: float

    def body_ppf(self, q: np.ndarray | float) -> np.ndarray:
        q = np.asarray(q, dtype=float)
        if self.family == "gamma":
            return np.asarray(special.gammaincinv(self.body_a, q) * self.body_b)
        return np.exp(self.body_a + self.body_b * special.ndtri(q))

    def body_cdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self.family == "gamma":
            return np.asarray(special.gammainc(self.body_a, np.maximum(x, 0.0) / self.body_b))
        return _lognormal_cdf(x, self.body_a, self.body_b)

    @property
    def body_median(self) -> float:
        return float(self.body_ppf(0.5))

    @property
    def body_p90(self) -> float:
        return float(self.body_ppf(0.9))

    @property
    def body_mean(self) -> float:
        if self.family == "gamma":
            return self.body_a * self.body_b
        return math.exp(self.body_a + self.body_b**2 / 2)

    @property
    def body_cv(self) -> float:
        if self.family == "gamma":
            return 1.0 / math.sqrt(self.body_a)
        return math.sqrt(math.expm1(self.body_b**2))

    @property
    def hold_median(self) -> float:
        return math.exp(self.hold_mu)

    @property
    def hold_p90(self) -> float:
        return math.exp(self.hold_mu + Z90 * self.hold_sigma)

    def cdf(self, days: np.ndarray | float) -> np.ndarray:
        """P(delay ≤ days) of the continuous model."""
        x = np.asarray(days, dtype=float)
        body = self.body_cdf(x)
        if self.hold_p <= 0:
            return body
        grid = self.body_ppf(_U)
        held = _lognormal_cdf(x[..., None] - grid, self.hold_mu, self.hold_sigma).mean(axis=-1)
        return (1.0 - self.hold_p) * body + self.hold_p * held

    def day_cdf(self, days: np.ndarray | float) -> np.ndarray:
        """P(the delay, counted in whole days, is ≤ days): the model as the data see it."""
        return self.cdf(np.floor(np.asarray(days, dtype=float)) + 0.5)

    def day_probabilities(self, days: np.ndarray) -> np.ndarray:
        """P(the delay counted in whole days equals each of ``days``)."""
        d = np.asarray(days, dtype=float)
        edges = self.cdf(np.concatenate([d + 0.5, np.maximum(d - 0.5, 0.0)]))
        return np.asarray(edges[: d.size] - edges[d.size :])

    def hold_share(self, days: np.ndarray) -> np.ndarray:
        """For each observed delay, the probability that the ally held (its responsibility)."""
        d = np.asarray(days, dtype=float)
        total = self.day_probabilities(d)
        body = (1.0 - self.hold_p) * replace(self, hold_p=0.0).day_probabilities(d)
        share = 1.0 - body / np.maximum(total, _SMALLEST)
        return np.clip(np.where(total > 0, share, 0.0), 0.0, 1.0)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Delays drawn from the model (continuous days)."""
        body = self.body_ppf(rng.random(size))
        hold = np.exp(self.hold_mu + self.hold_sigma * rng.standard_normal(size))
        return np.asarray(body + np.where(rng.random(size) < self.hold_p, hold, 0.0))


def _lognormal_cdf(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    positive = x > 0
    z = (np.log(np.where(positive, x, 1.0)) - mu) / sigma
    return np.where(positive, special.ndtr(z), 0.0)


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class DelayFit:
    """A fitted delay model with its goodness of fit and its uncertainty."""

    params: Params
    days: np.ndarray = field(repr=False)  # the observations, whole days
    log_likelihood: float
    by_family: dict[str, float]  # the best log-likelihood of each body family tried
    hold_sigma_fixed: bool  # True: the hold spread was given (an assumption), not estimated
    ks: float  # Kolmogorov–Smirnov distance, whole days
    ks_p: float | None  # parametric-bootstrap p-value (None without a bootstrap)
    bootstrap: int
    intervals: dict[str, Interval]  # 90% parametric-bootstrap intervals of the reported numbers

    @property
    def n(self) -> int:
        return int(self.days.size)

    @property
    def holds(self) -> float:
        """Expected number of observed allies that held: the sum of their hold shares."""
        return float(self.params.hold_share(self.days).sum())

    def reported(self) -> dict[str, float]:
        return reported_numbers(self.params)


def reported_numbers(params: Params) -> dict[str, float]:
    """The numbers a scenario uses, by name."""
    return {
        "body_median": params.body_median,
        "body_p90": params.body_p90,
        "hold_probability": params.hold_p,
        "hold_median": params.hold_median,
        "hold_p90": params.hold_p90,
    }


def check_days(days: np.ndarray | list[float]) -> np.ndarray:
    """Observed delays as an array of whole, non-negative days; raise on anything else."""
    values = np.asarray(days, dtype=float).ravel()
    if values.size < 5:
        raise PartnersimError(f"a fit needs at least 5 delays, got {values.size}")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise PartnersimError("delays must be finite numbers of days, 0 or more")
    if np.any(values != np.round(values)):
        raise PartnersimError("delays must be whole days (the fit reads each as consent within that day)")
    if np.unique(values).size < 3:
        raise PartnersimError("a fit needs at least 3 different delays")
    return values


def ks_distance(days: np.ndarray, params: Params) -> float:
    """The largest gap between the empirical and the fitted distribution of whole days.

    Both are step functions that change only at whole days, so checking every
    whole day from 0 to the largest delay is exact.
    """
    grid = np.arange(0.0, float(days.max()) + 1.0)
    empirical = np.searchsorted(np.sort(days), grid, side="right") / days.size
    return float(np.max(np.abs(empirical - params.day_cdf(grid))))


def fit_delays(
    days: np.ndarray | list[float],
    *,
    family: Family | Literal["best"] = "best",
    bootstrap: int = 0,
    rng: np.random.Generator | None = None,
    hold_sigma: float | None = ASSUMED_HOLD_SIGMA,
    ranges: np.ndarray | None = None,
) -> DelayFit:
    """Fit the body-plus-hold model to whole-day delays by maximum likelihood.

    ``family`` is the body's distribution, or ``"best"`` for the one with the
    higher likelihood (both have two parameters). ``bootstrap`` refits to
    samples drawn from the fitted model give the KS p-value and 90% intervals
    (``rng`` makes them repeatable). ``hold_sigma`` fixes the spread of hold
    lengths (sigma of log-days); ``None`` estimates it. ``ranges`` (rows of
    ``[first, last]`` whole days) adds delays known only to lie in a range: an
    ally whose consent the record dates only to the month, or not at all but
    before the last ally's; each counts with the probability of its range.
    The goodness of fit and the bootstrap read the exact delays only.
    """
    values = check_days(days)
    spans = _check_ranges(ranges)
    families = FAMILIES if family == "best" else (family,)
    fits = {name: _maximise(values, name, hold_sigma, spans=spans) for name in families}
    chosen = max(fits, key=lambda name: fits[name][1])
    params, loglik = fits[chosen]
    distance = ks_distance(values, params)
    ks_p: float | None = None
    intervals: dict[str, Interval] = {}
    if bootstrap > 0:
        rng = rng if rng is not None else np.random.default_rng()
        ks_p, intervals = _bootstrap(values.size, params, distance, bootstrap, rng, hold_sigma)
    return DelayFit(
        params=params, days=values, log_likelihood=loglik,
        by_family={name: fit[1] for name, fit in fits.items()}, hold_sigma_fixed=hold_sigma is not None,
        ks=distance, ks_p=ks_p, bootstrap=bootstrap, intervals=intervals,
    )


# The optimiser works on unbounded-ish transforms: body (log a or mu, log b),
# logit p, log hold median, log hold sigma; bounds keep it in sensible ranges.
_BOUNDS = {
    "gamma": [(-4.0, 4.0), (-3.0, 10.0)],
    "lognormal": [(-5.0, 10.0), (-3.0, 1.7)],
}
_HOLD_BOUNDS = [(-12.0, 2.0), (0.0, 10.0), (-4.0, 1.7)]


def _unpack(theta: np.ndarray, family: Family, hold_sigma: float | None) -> Params:
    a = math.exp(theta[0]) if family == "gamma" else float(theta[0])
    sigma = hold_sigma if hold_sigma is not None else math.exp(theta[4])
    return Params(family, a, math.exp(theta[1]), float(special.expit(theta[2])), float(theta[3]), sigma)


def _check_ranges(ranges: np.ndarray | None) -> np.ndarray:
    """Ranges of whole days as an ``(n, 2)`` array, each first ≤ last and ≥ 0; raise on anything else."""
    if ranges is None:
        return np.zeros((0, 2))
    spans = np.asarray(ranges, dtype=float).reshape(-1, 2)
    if not np.all(np.isfinite(spans)) or np.any(spans < 0) or np.any(spans[:, 0] > spans[:, 1]):
        raise PartnersimError("a range of delays must be two finite numbers of days, 0 or more, first ≤ last")
    return spans


def _negative_log_likelihood(
    theta: np.ndarray, unique: np.ndarray, counts: np.ndarray, family: Family, hold_sigma: float | None,
    spans: np.ndarray,
) -> float:
    params = _unpack(theta, family, hold_sigma)
    probabilities = params.day_probabilities(unique)
    value = float(-np.dot(counts, np.log(np.maximum(probabilities, _SMALLEST))))
    if spans.size:
        inside = params.cdf(spans[:, 1] + 0.5) - params.cdf(np.maximum(spans[:, 0] - 0.5, 0.0))
        value -= float(np.sum(np.log(np.maximum(inside, _SMALLEST))))
    # A hold is the long wait the body cannot explain: its median stays above the
    # body's p90. Without this, a wide body and a hold of a few days fit equally
    # well and the hold share means nothing.
    overlap = math.log(params.body_p90) - params.hold_mu
    return value + (PENALTY * overlap**2 if overlap > 0 else 0.0)


def _starts(values: np.ndarray, family: Family) -> list[np.ndarray]:
    """Starting points: the holds guessed from the widest gap in the delays, and (almost) no holds."""
    ordered = np.sort(values)
    gaps = np.diff(np.log(ordered + 1.0))
    upper = np.arange(gaps.size) >= gaps.size // 2  # a hold component is the minority
    cut = int(np.argmax(np.where(upper, gaps, -np.inf)))
    body, held = ordered[: cut + 1], ordered[cut + 1 :]

    def body_start(part: np.ndarray) -> list[float]:
        if family == "gamma":
            mean = max(float(part.mean()), 0.5)
            shape = min(max(mean**2 / max(float(part.var()), 1e-6), 0.05), 20.0)
            return [math.log(shape), math.log(mean / shape)]
        logs = np.log(np.maximum(part, 0.5))
        return [float(np.median(logs)), math.log(max(float(np.std(logs)), 0.3))]

    starts = [np.array([*body_start(values), special.logit(0.02), math.log(float(ordered[-1]) + 1), math.log(0.5)])]
    if held.size and gaps[cut] > math.log(2.0):
        share = held.size / values.size
        hold_median = max(float(np.median(held)) - float(np.median(body)), 1.0)
        spread = max(float(np.std(np.log(held))), 0.05)
        starts.append(np.array([*body_start(body), special.logit(share), math.log(hold_median), math.log(spread)]))
    return starts


def _pack(params: Params) -> np.ndarray:
    a = math.log(params.body_a) if params.family == "gamma" else params.body_a
    return np.array([a, math.log(params.body_b), special.logit(min(max(params.hold_p, 1e-5), 0.9)),
                     params.hold_mu, math.log(params.hold_sigma)])


def _maximise(
    values: np.ndarray, family: Family, hold_sigma: float | None, start: Params | None = None,
    spans: np.ndarray | None = None,
) -> tuple[Params, float]:
    """The maximum-likelihood parameters: from ``start`` alone when given, else from several starts."""
    unique, counts = np.unique(values, return_counts=True)
    bounds = _BOUNDS[family] + _HOLD_BOUNDS
    best: optimize.OptimizeResult | None = None
    low, high = [b[0] for b in bounds], [b[1] for b in bounds]
    for theta in [_pack(start)] if start is not None else _starts(values, family):
        result = optimize.minimize(
            _negative_log_likelihood, np.clip(theta, low, high), args=(unique, counts.astype(float), family, hold_sigma, spans if spans is not None else np.zeros((0, 2))),
            method="SLSQP", bounds=bounds,
        )
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    if not np.isfinite(best.fun):
        raise PartnersimError("the delay model could not be fitted to these data")
    return _unpack(best.x, family, hold_sigma), -float(best.fun)


def _bootstrap(
    n: int, params: Params, distance: float, count: int, rng: np.random.Generator, hold_sigma: float | None
) -> tuple[float, dict[str, Interval]]:
    """KS p-value and 90% intervals from refits to samples drawn from the fitted model.

    Each refit follows the same procedure as the fit (the same body family).
    """
    exceed = 0
    numbers: dict[str, list[float]] = {key: [] for key in reported_numbers(params)}
    for _ in range(count):
        draw = np.floor(params.sample(rng, n) + 0.5)
        if np.unique(draw).size < 3:
            continue
        refit, _ = _maximise(draw, params.family, hold_sigma, start=params)
        exceed += ks_distance(draw, refit) >= distance - 1e-12
        for key, value in reported_numbers(refit).items():
            numbers[key].append(value)
    used = len(numbers["body_median"])
    p_value = (1 + exceed) / (1 + used)
    intervals = {
        key: Interval(float(np.quantile(v, 0.05)), float(np.quantile(v, 0.95))) for key, v in numbers.items() if v
    }
    return p_value, intervals


__all__ = [
    "ASSUMED_HOLD_SIGMA",
    "DEFAULT_LIFTED",
    "FAMILIES",
    "DelayFit",
    "Interval",
    "MIN_HOLDS",
    "Params",
    "check_days",
    "fit_delays",
    "ks_distance",
]
