"""Settings whose value is itself uncertain: the ``uncertainty`` block of a scenario.

A probability such as an ally's chance of holding is rarely known; the
record or an expert gives a range. Written under ``uncertainty``, a setting
(named by its key path, as ``--set`` names it) is drawn afresh for each group
of ``per_draw`` replications, from a beta distribution (a chance) or from an
expert's quantiles (a chance or a duration, fitted as
:mod:`partnersim.values.elicited` fits them). Each draw is keyed by the group
and the key path, so two scenarios with the same block share their draws.

Running several replications on each draw is what lets a run tell apart the
two sources of spread in an outcome: how much the chance of cooperation by a
date varies between draws of the inputs (our uncertainty about them) and how
much the process varies for given inputs (:func:`partnersim.stats.between_share`).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
from pydantic import Field, field_validator, model_validator
from scipy.special import betaincinv

from partnersim.values.durations import format_duration, parse_duration
from partnersim.values.elicited import BetaFit, elicit, elicit_probability
from partnersim.values.numbers import Count, Frozen

_QUANTILE = "p"


class Beta(Frozen):
    """A chance known roughly: by the beta's two shapes ``a`` and ``b``, or by its ``mean`` and ``n``.

    ``n`` (= a + b) says how sure the judgement is: as sure as a share seen in
    ``n`` cases. Beta(1 + k, 1 + n − k) is what k events in n trials give on a
    flat prior.
    """

    a: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)] | None = None
    b: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)] | None = None
    mean: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] | None = None
    n: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _one_pair(self) -> Beta:
        shapes, moments = (self.a, self.b), (self.mean, self.n)
        if all(v is not None for v in shapes) and all(v is None for v in moments):
            return self
        if all(v is not None for v in moments) and all(v is None for v in shapes):
            return self
        raise ValueError("give a and b, or mean and n (n: how many cases the judgement is as sure as)")

    def shapes(self) -> tuple[float, float]:
        if self.a is not None and self.b is not None:
            return self.a, self.b
        assert self.mean is not None and self.n is not None
        return self.mean * self.n, (1 - self.mean) * self.n


class UncertainSetting(Frozen):
    """One setting drawn for each group of replications: its key path and what is known of its value."""

    key: Annotated[str, Field(min_length=1, max_length=200)]  # as --set names it: allies.GBR.hold.probability
    beta: Beta | None = None  # a chance
    # An expert's quantiles (p10, p50, p90, …): chances between 0 and 1, or durations.
    elicited: dict[str, Any] | None = None

    @field_validator("elicited")
    @classmethod
    def _quantiles(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            points(value)  # every check of the fit, said as the fit says it
        return value

    @model_validator(mode="after")
    def _one_law(self) -> UncertainSetting:
        if (self.beta is None) == (self.elicited is None):
            raise ValueError("give its uncertainty as beta (a chance) or as elicited quantiles (p10, p50, p90, …)")
        return self

    @property
    def chance(self) -> bool:
        """Whether the setting is a chance (drawn between 0 and 1) rather than a duration."""
        return self.beta is not None or not points(self.elicited or {})[1]

    def law(self) -> Law:
        """What a draw of this setting follows."""
        if self.beta is not None:
            return Law(*self.beta.shapes(), chance=True)
        assert self.elicited is not None
        return Law.of_points(*points(self.elicited))


class Uncertainty(Frozen):
    """The uncertain settings of a scenario, and how many replications share each draw of them."""

    per_draw: Annotated[Count, Field(ge=2, le=1_000_000)] = 100
    settings: Annotated[list[UncertainSetting], Field(min_length=1, max_length=100)]


class Law:
    """A draw's distribution: a beta for a chance, a fitted family for a duration."""

    def __init__(self, a: float = 1.0, b: float = 1.0, *, chance: bool, duration: Any = None) -> None:
        self.a, self.b, self.chance, self.duration = a, b, chance, duration

    @classmethod
    def of_points(cls, found: dict[float, float], durations: bool) -> Law:
        """The law fitted to quantiles ``{probability: value}``: a beta for chances, a family for durations."""
        if not durations:
            fit: BetaFit = elicit_probability(found)
            if not fit.within_tolerance:
                raise ValueError(f"no beta fits these quantiles within 0.05 (the closest misses by {fit.worst:.2f})")
            return cls(fit.a, fit.b, chance=True)
        duration = elicit(found)
        if not duration.within_tolerance:
            p, days, reached = duration.worst_point()
            raise ValueError(f"no family fits these quantiles within 0.05: the best ({duration.family}) puts "
                             f"p{p * 100:g} = {format_duration(days)} at p{reached:.2f}")
        return cls(chance=False, duration=duration.dist)

    def value(self, u: float) -> float:
        """The value at quantile ``u``: a chance, or days."""
        if self.chance:
            return float(betaincinv(self.a, self.b, u))
        return float(self.duration.ppf(np.array([u]))[0])

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b) if self.chance else float(self.duration.mean())


def points(quantiles: dict[str, Any]) -> tuple[dict[float, float], bool]:
    """``{probability: value}`` from ``{p10: …, p90: …}`` (chances as numbers, durations as days), and whether
    they are durations."""
    found: dict[float, float] = {}
    texts = [isinstance(v, str) for v in quantiles.values()]
    if any(texts) and not all(texts):
        raise ValueError("give every quantile as a duration (3mo) or every one as a chance (0.2), not a mix")
    durations = all(texts) and bool(texts)
    for key, value in quantiles.items():
        if not (isinstance(key, str) and key.startswith(_QUANTILE)):
            raise ValueError(f"unknown key {key!r}; quantiles are written p10, p50, p90, …")
        try:
            p = float(key[1:]) / 100
        except ValueError:
            raise ValueError(f"unknown key {key!r}; quantiles are written p10, p50, p90, …") from None
        if not 0 < p < 1:
            raise ValueError(f"{key}: a quantile is between p0 and p100")
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(f"{key}: expected a chance or a duration, got {value!r}")
        number = parse_duration(value) if isinstance(value, str) else float(value)
        if not math.isfinite(number):
            raise ValueError(f"{key}: expected a finite value, got {value!r}")
        found[p] = number
    if len(found) < 2:
        raise ValueError("give at least two quantiles, such as p10, p50 and p90")
    ordered = sorted(found.items())
    for (p0, v0), (p1, v1) in zip(ordered, ordered[1:], strict=False):
        if v1 <= v0:
            raise ValueError(f"quantiles must increase with the probability: p{p1 * 100:g} is not above p{p0 * 100:g}")
    if not durations and not all(0 < v < 1 for v in found.values()):
        raise ValueError("a chance's quantiles are between 0 and 1; write durations with their unit (3mo)")
    return found, durations
