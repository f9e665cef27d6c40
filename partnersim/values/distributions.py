"""Probability distributions of durations and dates, as a scenario writes them.

Every distribution is a frozen pydantic model written as a one-key mapping
(``{lognormal: {median: 3w, p90: 10w}}``) or, for a fixed value, a bare
duration (``3w``). Values are days. Each one samples by its quantile function
(``ppf``) applied to uniforms the engine supplies: one uniform per draw,
whatever the distribution's parameters. That is what lets two scenarios share
random numbers draw for draw (common random numbers) and lets the engine
sample all allies of all replications in one vectorised call.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    model_serializer,
    model_validator,
)

from partnersim.values.durations import format_duration, parse_duration
from partnersim.values.elicited import Elicited
from partnersim.values.families import (
    CalendarDate,
    Days,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    GammaParams,
    Lognormal,
    LognormalParams,
    Pert,
    PositiveDays,
    Triangular,
    TruncatedNormal,
    Uniform,
    _Dist,
)
from partnersim.values.numbers import Frozen

DURATION_KINDS: dict[str, type[_Dist]] = {
    "fixed": Fixed,
    "uniform": Uniform,
    "triangular": Triangular,
    "pert": Pert,
    "normal": TruncatedNormal,
    "lognormal": Lognormal,
    "gamma": Gamma,
    "exponential": Exponential,
    "empirical": Empirical,
    "elicited": Elicited,
}


def _kind_of(value: Any) -> str | None:
    if isinstance(value, _Dist | _DateDist):
        return next(iter(type(value).model_fields))
    if isinstance(value, dict) and len(value) == 1:
        return str(next(iter(value)))
    return None


def _wrap_scalar(value: Any) -> Any:
    """A bare duration or date stands for a fixed value."""
    if isinstance(value, (str, int, float, dt.date)) and not isinstance(value, bool):
        return {"fixed": value}
    return value


Distribution = Annotated[
    Union[
        Annotated[Fixed, Tag("fixed")],
        Annotated[Uniform, Tag("uniform")],
        Annotated[Triangular, Tag("triangular")],
        Annotated[Pert, Tag("pert")],
        Annotated[TruncatedNormal, Tag("normal")],
        Annotated[Lognormal, Tag("lognormal")],
        Annotated[Gamma, Tag("gamma")],
        Annotated[Exponential, Tag("exponential")],
        Annotated[Empirical, Tag("empirical")],
        Annotated[Elicited, Tag("elicited")],
    ],
    Discriminator(_kind_of),
    BeforeValidator(_wrap_scalar),
]
"""A duration distribution: a bare duration, or a one-key mapping naming the kind."""


class _DateDist(Frozen):
    """Shared behaviour of the date distributions (request dates)."""

    def in_days(self, start: dt.date) -> _Dist:
        """The same distribution as days after ``start`` (negative before it)."""
        raise NotImplementedError

    def earliest(self) -> dt.date:
        raise NotImplementedError

    def latest(self) -> dt.date:
        raise NotImplementedError


def _offsets(dates: tuple[dt.date, ...] | list[dt.date], start: dt.date) -> list[float]:
    return [float((d - start).days) for d in dates]


class DateFixed(_DateDist):
    fixed: CalendarDate

    @model_serializer
    def _bare(self) -> str:
        return self.fixed.isoformat()

    def in_days(self, start: dt.date) -> _Dist:
        return _Signed(values=tuple(_offsets([self.fixed], start)), kind="fixed")

    def earliest(self) -> dt.date:
        return self.fixed

    def latest(self) -> dt.date:
        return self.fixed


class DateUniform(_DateDist):
    uniform: tuple[CalendarDate, CalendarDate]

    @model_validator(mode="after")
    def _ordered(self) -> DateUniform:
        if self.uniform[0] > self.uniform[1]:
            raise ValueError(
                f"uniform: the first date {self.uniform[0]} is after the second {self.uniform[1]}"
            )
        return self

    def in_days(self, start: dt.date) -> _Dist:
        return _Signed(values=tuple(_offsets(self.uniform, start)), kind="uniform")

    def earliest(self) -> dt.date:
        return self.uniform[0]

    def latest(self) -> dt.date:
        return self.uniform[1]


class DateTriangular(_DateDist):
    triangular: tuple[CalendarDate, CalendarDate, CalendarDate]

    @model_validator(mode="after")
    def _ordered(self) -> DateTriangular:
        low, mode, high = self.triangular
        if not low <= mode <= high:
            raise ValueError(
                "triangular: expected [earliest, most likely, latest] dates in order, got "
                f"[{low}, {mode}, {high}]"
            )
        return self

    def in_days(self, start: dt.date) -> _Dist:
        return _Signed(values=tuple(_offsets(self.triangular, start)), kind="triangular")

    def earliest(self) -> dt.date:
        return self.triangular[0]

    def latest(self) -> dt.date:
        return self.triangular[2]


class DateEmpirical(_DateDist):
    empirical: Annotated[list[CalendarDate], Field(min_length=1)]

    def in_days(self, start: dt.date) -> _Dist:
        return _Signed(values=tuple(_offsets(self.empirical, start)), kind="empirical")

    def earliest(self) -> dt.date:
        return min(self.empirical)

    def latest(self) -> dt.date:
        return max(self.empirical)


class _Signed(_Dist):
    """Date distributions turned into day offsets, which may be negative."""

    values: tuple[float, ...]
    kind: Literal["fixed", "uniform", "triangular", "empirical"]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        v = self.values
        if self.kind == "fixed":
            return np.full(u.shape, v[0])
        if self.kind == "uniform":  # every day of the range alike, the last one included
            return v[0] + u * (v[1] - v[0] + 1.0)
        if self.kind == "triangular":
            shift = v[0]
            tri = Triangular(triangular=(0.0, v[1] - shift, v[2] - shift))
            return shift + tri.ppf(u)
        ordered = np.sort(np.asarray(v))
        return ordered[np.minimum((u * len(ordered)).astype(np.int64), len(ordered) - 1)]

    def describe(self) -> str:
        return f"{self.kind} {self.values}"


DATE_KINDS: dict[str, type[_DateDist]] = {
    "fixed": DateFixed,
    "uniform": DateUniform,
    "triangular": DateTriangular,
    "empirical": DateEmpirical,
}

DateDistribution = Annotated[
    Union[
        Annotated[DateFixed, Tag("fixed")],
        Annotated[DateUniform, Tag("uniform")],
        Annotated[DateTriangular, Tag("triangular")],
        Annotated[DateEmpirical, Tag("empirical")],
    ],
    Discriminator(_kind_of),
    BeforeValidator(_wrap_scalar),
]
"""A date, or a one-key mapping: uniform, triangular or empirical over dates."""

DurationDist = _Dist
DateDist = _DateDist
_DISTRIBUTION: TypeAdapter[Any] = TypeAdapter(Distribution)


def as_distribution(spec: Any) -> DurationDist:
    """The duration distribution a scenario document writes as ``spec`` (a mapping, or a bare duration)."""
    return _DISTRIBUTION.validate_python(spec)  # type: ignore[no-any-return]


def lognormal(median: str, p90: str) -> Lognormal:
    """A lognormal duration by its median and 90th percentile, written as durations (``"1mo"``)."""
    return Lognormal(lognormal=LognormalParams(median=parse_duration(median), p90=parse_duration(p90)))


def fixed(days: str) -> Fixed:
    """A fixed duration, written as a duration (``"2w"``)."""
    return Fixed(fixed=parse_duration(days))


def gamma(mean: str, cv: float) -> Gamma:
    """A gamma duration by its mean (a duration) and coefficient of variation."""
    return Gamma(gamma=GammaParams(mean=parse_duration(mean), cv=cv))


def pert(low: str, mode: str, high: str) -> Pert:
    """A PERT duration by its least, most likely and greatest values, written as durations."""
    return Pert(pert=(parse_duration(low), parse_duration(mode), parse_duration(high)))


def scaled(dist: DurationDist, factor: float) -> str:
    """The distribution with every duration multiplied by ``factor``, as ``--set`` value text (its shape kept)."""

    def d(days: float) -> str:
        return format_duration(round(days * factor, 3))

    spec: Any
    if isinstance(dist, Fixed):
        return d(dist.fixed)
    if isinstance(dist, Uniform):
        spec = {"uniform": [d(v) for v in dist.uniform]}
    elif isinstance(dist, Triangular):
        spec = {"triangular": [d(v) for v in dist.triangular]}
    elif isinstance(dist, Pert):
        spec = {"pert": [d(v) for v in dist.pert]}
    elif isinstance(dist, Empirical):
        spec = {"empirical": [d(v) for v in dist.empirical]}
    elif isinstance(dist, Exponential):
        spec = {"exponential": {"mean": d(dist.exponential.mean)}}
    elif isinstance(dist, TruncatedNormal):
        normal = dist.normal
        spec = {"normal": {"mean": d(normal.mean), "sd": d(normal.sd), "low": d(normal.low)}}
        if normal.high is not None:
            spec["normal"]["high"] = d(normal.high)
    elif isinstance(dist, Lognormal):
        lognormal = dist.lognormal
        if lognormal.median is not None and lognormal.p90 is not None:
            spec = {"lognormal": {"median": d(lognormal.median), "p90": d(lognormal.p90)}}
        else:
            mu, sigma = lognormal.log_params()
            spec = {"lognormal": {"mu": round(mu + math.log(factor), 6), "sigma": sigma}}
    elif isinstance(dist, Gamma):
        g = dist.gamma
        if g.mean is not None and g.cv is not None:
            spec = {"gamma": {"mean": d(g.mean), "cv": g.cv}}
        else:
            shape, scale = g.shape_scale()
            spec = {"gamma": {"shape": shape, "scale": d(scale)}}
    elif isinstance(dist, Elicited):  # every stated quantile scaled; the fits scale with them
        spec = dist.scaled(factor).model_dump(mode="json")
    else:  # pragma: no cover - every kind is listed above
        raise TypeError(f"cannot scale {type(dist).__name__}")
    return json.dumps(spec, ensure_ascii=False)


def median_days(dist: DurationDist) -> float:
    """The distribution's median, in days."""
    return float(np.asarray(dist.ppf(np.array([0.5])))[0])


def with_median(spec: Any, days: float) -> str:
    """The distribution written ``spec`` (as a scenario document holds it) with its median moved to ``days``, every
    duration in it scaled alike, so that its spread keeps its shape; as ``--set`` value text."""
    dist = as_distribution(spec)
    return scaled(dist, days / median_days(dist))


def moves_by_median(spec: Any) -> bool:
    """Whether a value the document holds is a distribution whose median a duration can stand for: not a fixed
    duration (which is set as it is), and with a median above zero."""
    if spec is None or isinstance(spec, (str, int, float, bool)) or _kind_of(spec) in (None, "fixed"):
        return False
    try:
        dist = as_distribution(spec)
    except ValueError:
        return False
    return isinstance(dist, _Dist) and median_days(dist) > 0.0


# What a scenario's schema and the engine take from here: the one Distribution, its families and the date
# distributions (the families are defined in partnersim.values.families, the judgements in .elicited).
__all__ = [
    "DATE_KINDS", "DURATION_KINDS", "CalendarDate", "DateDist", "DateDistribution", "DateEmpirical", "DateFixed",
    "DateTriangular", "DateUniform", "Days", "Distribution", "DurationDist", "Elicited", "Empirical", "Exponential",
    "Fixed", "Gamma", "GammaParams", "Lognormal", "LognormalParams", "Pert", "PositiveDays", "Triangular",
    "TruncatedNormal", "Uniform", "as_distribution", "fixed", "gamma", "lognormal", "median_days", "moves_by_median", "pert", "scaled",
    "with_median",
]
