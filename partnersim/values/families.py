"""The families of duration distributions, each a frozen pydantic model that samples by its quantile function.

A family is written as a one-key mapping (``{lognormal: {median: 3w, p90:
10w}}``) or, for a fixed value, a bare duration (``3w``); values are days.
Each samples by its quantile function (``ppf``) applied to uniforms the
engine supplies, has its survival function (``sf``, ``isf``) and draws its
residual life given a time already spent (``residual``).
:mod:`partnersim.values.distributions` gathers them, with the judgements of
:mod:`partnersim.values.elicited` built on them, into the one ``Distribution``
a scenario writes.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

import numpy as np
from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    model_serializer,
    model_validator,
)

from partnersim.stats import Z90
from partnersim.values.durations import format_duration, parse_date, parse_duration
from partnersim.values.numbers import Frozen

Days = Annotated[float, BeforeValidator(parse_duration), PlainSerializer(format_duration)]
PositiveDays = Annotated[Days, Field(gt=0)]
CalendarDate = Annotated[
    dt.date, BeforeValidator(parse_date), PlainSerializer(lambda d: d.isoformat())
]


class _Dist(Frozen):
    """Shared behaviour of the duration distributions."""

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Days at quantiles ``u`` (each in the open interval 0..1)."""
        raise NotImplementedError

    def mean(self) -> float:
        """The mean in days."""
        grid = (np.arange(20_000) + 0.5) / 20_000
        return float(np.mean(self.ppf(grid)))

    def describe(self) -> str:
        """One line for a table or a report: the kind and its parameters."""
        raise NotImplementedError

    def sf(self, x: np.ndarray) -> np.ndarray:
        """The chance of more than ``x`` days (the survival function)."""
        raise NotImplementedError

    def isf(self, p: np.ndarray) -> np.ndarray:
        """Days exceeded with chance ``p``: the inverse of :meth:`sf`, exact far in the upper tail."""
        return self.ppf(1.0 - np.asarray(p, dtype=float))

    def residual(self, u: np.ndarray, elapsed: np.ndarray) -> np.ndarray:
        """Days still to come, for a draw known to exceed ``elapsed`` days, at quantiles ``u``.

        The draw is this distribution conditioned on exceeding ``elapsed``
        (its residual life): the days at which the survival function has
        fallen to ``(1 - u)`` times its value at ``elapsed``, less
        ``elapsed``. Where no draw can exceed ``elapsed`` the answer is NaN.
        """
        u = np.asarray(u, dtype=float)
        elapsed = np.broadcast_to(np.asarray(elapsed, dtype=float), u.shape)
        beyond = self.sf(elapsed)
        left = np.where(beyond > 0.0, (1.0 - u) * beyond, 0.5)  # any valid chance where none is left
        return np.where(beyond > 0.0, np.maximum(self.isf(left) - elapsed, 0.0), np.nan)


class Fixed(_Dist):
    fixed: Days

    @model_serializer
    def _bare(self) -> str:
        return format_duration(self.fixed)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.fixed)

    def sf(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=float) < self.fixed).astype(float)

    def isf(self, p: np.ndarray) -> np.ndarray:
        return np.full(np.shape(p), self.fixed)

    def mean(self) -> float:
        return self.fixed

    def describe(self) -> str:
        return format_duration(self.fixed)


class Uniform(_Dist):
    uniform: tuple[Days, Days]

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        low, high = self.uniform
        if low > high:
            raise ValueError(
                f"uniform: the low end {format_duration(low)} is above the high end "
                f"{format_duration(high)}"
            )
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        low, high = self.uniform
        return low + np.asarray(u) * (high - low)

    def sf(self, x: np.ndarray) -> np.ndarray:
        low, high = self.uniform
        x = np.asarray(x, dtype=float)
        if high == low:
            return (x < low).astype(float)
        return np.clip((high - x) / (high - low), 0.0, 1.0)

    def isf(self, p: np.ndarray) -> np.ndarray:
        low, high = self.uniform
        return high - np.asarray(p, dtype=float) * (high - low)

    def mean(self) -> float:
        return sum(self.uniform) / 2

    def describe(self) -> str:
        low, high = self.uniform
        return f"uniform {format_duration(low)}–{format_duration(high)}"


def _check_three_point(name: str, low: float, mode: float, high: float) -> None:
    if not low <= mode <= high:
        raise ValueError(
            f"{name}: expected [low, most likely, high] in increasing order, got "
            f"[{format_duration(low)}, {format_duration(mode)}, {format_duration(high)}]"
        )


class Triangular(_Dist):
    triangular: tuple[Days, Days, Days]

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        _check_three_point("triangular", *self.triangular)
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        low, mode, high = self.triangular
        u = np.asarray(u, dtype=float)
        width = high - low
        if width == 0:
            return np.full(u.shape, low)
        split = (mode - low) / width
        left = low + np.sqrt(u * width * (mode - low))
        right = high - np.sqrt((1 - u) * width * (high - mode))
        return np.where(u < split, left, right)

    def mean(self) -> float:
        return sum(self.triangular) / 3

    def sf(self, x: np.ndarray) -> np.ndarray:
        low, mode, high = self.triangular
        x = np.clip(np.asarray(x, dtype=float), low, high)
        width = high - low
        if width == 0:
            return (np.asarray(x) < low).astype(float)
        below = (x - low) ** 2 / (width * (mode - low)) if mode > low else np.zeros(x.shape)
        above = (high - x) ** 2 / (width * (high - mode)) if high > mode else np.zeros(x.shape)
        return np.where(x <= mode, 1.0 - below, above)

    def describe(self) -> str:
        return "triangular " + "/".join(format_duration(v) for v in self.triangular)


class Pert(_Dist):
    """The PERT (beta) distribution with the usual weight 4 on the most likely value."""

    pert: tuple[Days, Days, Days]

    @model_validator(mode="after")
    def _ordered(self) -> Pert:
        _check_three_point("pert", *self.pert)
        return self

    def _shape(self) -> tuple[float, float]:
        low, mode, high = self.pert
        width = high - low
        return 1 + 4 * (mode - low) / width, 1 + 4 * (high - mode) / width

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy.special import betaincinv

        low, _, high = self.pert
        if high == low:
            return np.full(np.shape(u), low)
        alpha, beta = self._shape()
        return low + (high - low) * betaincinv(alpha, beta, np.asarray(u, dtype=float))

    def sf(self, x: np.ndarray) -> np.ndarray:
        from scipy.special import betainc

        low, _, high = self.pert
        x = np.asarray(x, dtype=float)
        if high == low:
            return (x < low).astype(float)
        alpha, beta = self._shape()
        return 1.0 - betainc(alpha, beta, np.clip((x - low) / (high - low), 0.0, 1.0))

    def mean(self) -> float:
        low, mode, high = self.pert
        return (low + 4 * mode + high) / 6

    def describe(self) -> str:
        return "PERT " + "/".join(format_duration(v) for v in self.pert)


class NormalParams(Frozen):
    mean: Days
    sd: PositiveDays
    low: Days = 0.0
    high: Days | None = None

    @model_validator(mode="after")
    def _bounds(self) -> NormalParams:
        if self.high is not None and self.high <= self.low:
            raise ValueError(
                f"normal: the upper bound {format_duration(self.high)} must be above the "
                f"lower bound {format_duration(self.low)}"
            )
        return self


class TruncatedNormal(_Dist):
    """A normal distribution cut to [low, high] (low defaults to zero days)."""

    normal: NormalParams

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy.stats import truncnorm  # accurate far in the tails, where ndtr rounds to 0 or 1

        p = self.normal
        a = (p.low - p.mean) / p.sd
        b = math.inf if p.high is None else (p.high - p.mean) / p.sd
        upper = math.inf if p.high is None else p.high
        x = truncnorm.ppf(np.asarray(u, dtype=float), a, b, loc=p.mean, scale=p.sd)
        return np.clip(x, p.low, upper)

    def sf(self, x: np.ndarray) -> np.ndarray:
        from scipy.stats import truncnorm

        p = self.normal
        a = (p.low - p.mean) / p.sd
        b = math.inf if p.high is None else (p.high - p.mean) / p.sd
        return np.asarray(truncnorm.sf(np.asarray(x, dtype=float), a, b, loc=p.mean, scale=p.sd), dtype=float)

    def isf(self, q: np.ndarray) -> np.ndarray:
        from scipy.stats import truncnorm

        p = self.normal
        a = (p.low - p.mean) / p.sd
        b = math.inf if p.high is None else (p.high - p.mean) / p.sd
        upper = math.inf if p.high is None else p.high
        return np.clip(truncnorm.isf(np.asarray(q, dtype=float), a, b, loc=p.mean, scale=p.sd), p.low, upper)

    def describe(self) -> str:
        p = self.normal
        bounds = f"[{format_duration(p.low)}, {format_duration(p.high) if p.high is not None else '∞'}]"
        return f"normal mean {format_duration(p.mean)} sd {format_duration(p.sd)} cut to {bounds}"


class LognormalParams(Frozen):
    """Either ``median`` and ``p90`` (durations) or ``mu`` and ``sigma`` (of log-days)."""

    median: PositiveDays | None = None
    p90: PositiveDays | None = None
    mu: float | None = None
    sigma: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_pair(self) -> LognormalParams:
        by_quantiles = self.median is not None or self.p90 is not None
        by_moments = self.mu is not None or self.sigma is not None
        if by_quantiles and by_moments:
            raise ValueError("lognormal: give either median and p90, or mu and sigma, not both")
        if by_quantiles:
            if self.median is None or self.p90 is None:
                raise ValueError("lognormal: give both median and p90")
            if self.p90 < self.median:
                raise ValueError(
                    f"lognormal: p90 ({format_duration(self.p90)}) cannot be below the median "
                    f"({format_duration(self.median)})"
                )
        elif self.mu is None or self.sigma is None:
            raise ValueError("lognormal: give median and p90, or mu and sigma")
        return self

    def log_params(self) -> tuple[float, float]:
        """``(mu, sigma)`` of the logarithm of the duration in days."""
        if self.median is not None and self.p90 is not None:
            mu = math.log(self.median)
            return mu, (math.log(self.p90) - mu) / Z90
        assert self.mu is not None and self.sigma is not None
        return self.mu, self.sigma


class Lognormal(_Dist):
    lognormal: LognormalParams

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy.special import ndtri

        mu, sigma = self.lognormal.log_params()
        with np.errstate(over="ignore"):  # an infinite delay means "never", which the engine handles
            return np.exp(mu + sigma * ndtri(np.asarray(u, dtype=float)))

    def sf(self, x: np.ndarray) -> np.ndarray:
        from scipy.special import ndtr

        mu, sigma = self.lognormal.log_params()
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            return np.where(x > 0, ndtr(-(np.log(np.maximum(x, 1e-300)) - mu) / sigma), 1.0)

    def isf(self, p: np.ndarray) -> np.ndarray:
        from scipy.special import ndtri

        mu, sigma = self.lognormal.log_params()
        with np.errstate(over="ignore"):
            return np.exp(mu - sigma * ndtri(np.asarray(p, dtype=float)))

    def mean(self) -> float:
        mu, sigma = self.lognormal.log_params()
        return math.exp(mu + sigma**2 / 2)

    def describe(self) -> str:
        p = self.lognormal
        if p.median is not None and p.p90 is not None:
            return f"lognormal median {format_duration(p.median)}, p90 {format_duration(p.p90)}"
        return f"lognormal mu {p.mu:g}, sigma {p.sigma:g} (log-days)"


class GammaParams(Frozen):
    """Either ``mean`` and ``cv`` (coefficient of variation) or ``shape`` and ``scale``."""

    mean: PositiveDays | None = None
    cv: float | None = Field(default=None, gt=0)
    shape: float | None = Field(default=None, gt=0)
    scale: PositiveDays | None = None

    @model_validator(mode="after")
    def _one_pair(self) -> GammaParams:
        by_mean = self.mean is not None or self.cv is not None
        by_shape = self.shape is not None or self.scale is not None
        if by_mean and by_shape:
            raise ValueError("gamma: give either mean and cv, or shape and scale, not both")
        if by_mean and (self.mean is None or self.cv is None):
            raise ValueError("gamma: give both mean and cv")
        if by_shape and (self.shape is None or self.scale is None):
            raise ValueError("gamma: give both shape and scale")
        if not by_mean and not by_shape:
            raise ValueError("gamma: give mean and cv, or shape and scale")
        return self

    def shape_scale(self) -> tuple[float, float]:
        if self.shape is not None and self.scale is not None:
            return self.shape, self.scale
        assert self.mean is not None and self.cv is not None
        return 1 / self.cv**2, self.mean * self.cv**2


class Gamma(_Dist):
    gamma: GammaParams

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy.special import gammaincinv

        shape, scale = self.gamma.shape_scale()
        return scale * gammaincinv(shape, np.asarray(u, dtype=float))

    def sf(self, x: np.ndarray) -> np.ndarray:
        from scipy.special import gammaincc

        shape, scale = self.gamma.shape_scale()
        return gammaincc(shape, np.maximum(np.asarray(x, dtype=float), 0.0) / scale)

    def isf(self, p: np.ndarray) -> np.ndarray:
        from scipy.special import gammainccinv

        shape, scale = self.gamma.shape_scale()
        return scale * gammainccinv(shape, np.asarray(p, dtype=float))

    def mean(self) -> float:
        shape, scale = self.gamma.shape_scale()
        return shape * scale

    def describe(self) -> str:
        shape, scale = self.gamma.shape_scale()
        return f"gamma mean {format_duration(shape * scale)}, cv {1 / math.sqrt(shape):.2g}"


class ExponentialParams(Frozen):
    mean: PositiveDays


class Exponential(_Dist):
    exponential: ExponentialParams

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return -self.exponential.mean * np.log1p(-np.asarray(u, dtype=float))

    def sf(self, x: np.ndarray) -> np.ndarray:
        return np.exp(-np.maximum(np.asarray(x, dtype=float), 0.0) / self.exponential.mean)

    def isf(self, p: np.ndarray) -> np.ndarray:
        return -self.exponential.mean * np.log(np.asarray(p, dtype=float))

    def mean(self) -> float:
        return self.exponential.mean

    def describe(self) -> str:
        return f"exponential mean {format_duration(self.exponential.mean)}"


class Empirical(_Dist):
    """Resamples a list of observed durations, each equally likely."""

    empirical: Annotated[list[Days], Field(min_length=1)]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        values = np.sort(np.asarray(self.empirical, dtype=float))
        index = np.minimum((np.asarray(u) * len(values)).astype(np.int64), len(values) - 1)
        return values[index]

    def mean(self) -> float:
        return float(np.mean(self.empirical))

    def sf(self, x: np.ndarray) -> np.ndarray:
        values = np.sort(np.asarray(self.empirical, dtype=float))
        x = np.asarray(x, dtype=float)
        return 1.0 - np.searchsorted(values, x, side="right") / len(values)

    def residual(self, u: np.ndarray, elapsed: np.ndarray) -> np.ndarray:
        """One of the listed durations above ``elapsed``, each alike, less ``elapsed`` (NaN: none is above)."""
        values = np.sort(np.asarray(self.empirical, dtype=float))
        u = np.asarray(u, dtype=float)
        elapsed = np.broadcast_to(np.asarray(elapsed, dtype=float), u.shape)
        first = np.searchsorted(values, elapsed, side="right")  # the first value above elapsed
        left = len(values) - first
        index = np.minimum(first + (u * left).astype(np.int64), len(values) - 1)
        return np.where(left > 0, values[index] - elapsed, np.nan)

    def describe(self) -> str:
        return f"empirical ({len(self.empirical)} observations)"
