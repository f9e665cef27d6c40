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
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from pydantic import Field, field_validator, model_validator
from scipy.special import betainc, betaincinv

from partnersim.text import percent
from partnersim.values.durations import format_duration, parse_duration
from partnersim.values.elicited import BetaFit, elicit_probability
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
    # Judgements, as an elicited duration is written: one expert's quantiles (p10, p50, p90, …; with a
    # name and a source), or ``experts``: several, pooled linearly by weight. Chances between 0 and 1 are
    # fitted by a beta; durations by a lognormal or a gamma.
    elicited: dict[str, Any] | None = None

    @field_validator("elicited")
    @classmethod
    def _judgements(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            panel(value)  # every check of the judgements and of their fits, said as the fit says it
        return value

    @model_validator(mode="after")
    def _one_law(self) -> UncertainSetting:
        if (self.beta is None) == (self.elicited is None):
            raise ValueError("give its uncertainty as beta (a chance) or as elicited quantiles (p10, p50, p90, …)")
        return self

    @property
    def chance(self) -> bool:
        """Whether the setting is a chance (drawn between 0 and 1) rather than a duration."""
        return self.beta is not None or panel(self.elicited or {}).chance

    def law(self) -> Law:
        """What a draw of this setting follows."""
        if self.beta is not None:
            return Law(chance=True, parts=((1.0, *self.beta.shapes()),))
        assert self.elicited is not None
        return panel(self.elicited).law()


# With fewer draws of the uncertain settings than this, the split of the spread between them and the process
# is too rough to read (its standard error is at least sqrt(2 / (draws − 1)) times the share): warned about, and
# not said in findings.
FEW_DRAWS = 20


class Uncertainty(Frozen):
    """The uncertain settings of a scenario, and how many replications share each draw of them."""

    per_draw: Annotated[Count, Field(ge=2, le=1_000_000)] = 100
    settings: Annotated[list[UncertainSetting], Field(min_length=1, max_length=100)]

    def each(self, replications: int) -> int:
        """Replications a draw in a run of ``replications``: ``per_draw``, but never so many that fewer than two
        draws are made (a short trial run with ``-n`` still draws the settings more than once)."""
        return max(1, min(self.per_draw, replications // 2))


class Law:
    """A draw's distribution: a beta (or a weighted pool of betas) for a chance, a fitted duration otherwise."""

    def __init__(self, *, chance: bool, parts: tuple[tuple[float, float, float], ...] = (), duration: Any = None):
        self.chance, self.parts, self.duration = chance, parts, duration  # parts: (weight, a, b)

    def value(self, u: float) -> float:
        """The value at quantile ``u``: a chance, or days."""
        if not self.chance:  # in days, as a scenario file writes them, so that the scenario reads back the same
            return parse_duration(format_duration(float(self.duration.ppf(np.array([u]))[0])))
        if len(self.parts) == 1:
            _, a, b = self.parts[0]
            return float(betaincinv(a, b, u))
        # A pool: its distribution function is the weighted sum of the experts' betas; one draw, solved exactly.
        from scipy.optimize import brentq  # a heavy import, for pools only

        return float(brentq(lambda x: sum(w * betainc(a, b, x) for w, a, b in self.parts) - u, 0.0, 1.0,
                            xtol=1e-12))

    @property
    def mean(self) -> float:
        if self.chance:
            return sum(w * a / (a + b) for w, a, b in self.parts)
        return float(self.duration.mean())


@dataclass(frozen=True)
class Judgement:
    """One expert's quantiles of a setting, as stated and as fitted: a line of a briefing's table."""

    name: str
    source: str | None
    weight: float
    stated: tuple[tuple[float, float], ...]  # (probability, value): a chance, or days
    fitted: tuple[tuple[float, float], ...]  # the fitted law's value at the same probabilities
    describe: str  # the fitted law in words


@dataclass(frozen=True)
class Panel:
    """The judgements given for one uncertain setting, fitted."""

    chance: bool
    judgements: tuple[Judgement, ...]
    betas: tuple[tuple[float, float, float], ...]  # (weight, a, b) of each expert, for a chance
    duration: Any = None  # the elicited duration (partnersim.values.elicited.Elicited), for a duration

    def law(self) -> Law:
        return Law(chance=True, parts=self.betas) if self.chance else Law(chance=False, duration=self.duration)


def panel(value: dict[str, Any]) -> Panel:
    """The experts' judgements of ``value`` (one expert's quantiles, or ``experts``), each fitted and checked."""
    experts = value.get("experts")
    listed = experts if isinstance(experts, list) else [value]
    if experts is not None and not isinstance(experts, list):
        raise ValueError("experts: give a list of experts, each with a name, a source, a weight and quantiles")
    if not listed:
        raise ValueError("experts: the list is empty; give at least one expert")
    found = []
    for number, expert in enumerate(listed, start=1):
        if not isinstance(expert, dict):
            raise ValueError(f"experts: expert {number} is not a mapping of name, source, weight and quantiles")
        quantiles = {k: v for k, v in expert.items() if k not in ("name", "source", "weight", "experts")}
        unknown = [k for k in expert if k not in ("name", "source", "weight") and not str(k).startswith(_QUANTILE)]
        if unknown and not (unknown == ["experts"] and experts is not None):
            raise ValueError(f"unknown key {unknown[0]!r}; an expert has name, source, weight and quantiles (p10, …)")
        found.append((str(expert.get("name") or f"expert {number}"), expert.get("source"), expert.get("weight"),
                      points(quantiles)))
    names = [name for name, *_ in found]
    twice = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if twice is not None:
        raise ValueError(f"two experts are named {twice!r}; give each expert a name of their own")
    kinds = {durations for *_, (_, durations) in found}
    if len(kinds) > 1:
        raise ValueError("give every expert's quantiles as chances, or every expert's as durations, not a mix")
    weights = [w for _, _, w, _ in found]
    if any(w is not None for w in weights):
        if any(w is None for w in weights):
            raise ValueError("give a weight to every expert or to none")
        if any(isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 < w <= 1 for w in weights):
            raise ValueError("a weight is a number above 0 and at most 1")
        total = sum(float(w) for w in weights if w is not None)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"the experts' weights must sum to 1, got {total:.10g}")
    each = [float(w) if w is not None else 1.0 / len(found) for w in weights]
    durations = kinds.pop()
    if durations:
        from partnersim.values.elicited import Elicited

        dist = Elicited.model_validate({"elicited": value})
        fitted = tuple(Judgement(f.name, f.source, f.weight, f.stated, f.fitted, f"{f.family} fitted")
                       for f in dist.fits())
        return Panel(chance=False, judgements=fitted, betas=(), duration=dist)
    judgements: list[Judgement] = []
    betas: list[tuple[float, float, float]] = []
    for (name, source, _, (quantiles, _)), weight in zip(found, each, strict=True):
        fit: BetaFit = elicit_probability(quantiles)
        if not fit.within_tolerance:
            raise ValueError(f"no beta fits {name}'s quantiles within 0.05 (the closest misses by {fit.worst:.2f})")
        judgements.append(Judgement(name, source, weight, fit.stated, fit.fitted,
                                    f"beta a {fit.a:.3g}, b {fit.b:.3g}, mean {percent(fit.mean)}"))
        betas.append((weight, fit.a, fit.b))
    return Panel(chance=True, judgements=tuple(judgements), betas=tuple(betas))


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
