"""``sensitivity``: one setting at a time swung low and high, everything else as in the scenario.

Each factor (:mod:`partnersim.whatif.factors`) is run at its low and its high
value, all points on the scenario's seed, so each swing is paired with the
base replication by replication. A swing's effect on P(cooperation by the
horizon) therefore comes with a paired 95% interval
(:mod:`partnersim.whatif.paired`), and effects that are within noise are
marked as such. The tornado orders factors by how far their two swings move
the result apart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from partnersim.errors import Problem, ScenarioError
from partnersim.executors import Executor
from partnersim.results.summary import Results
from partnersim.scenario.labels import possessive
from partnersim.scenario.loader import load_scenario
from partnersim.scenario.overrides import parse
from partnersim.scenario.schema import Scenario
from partnersim.stats import Z95, mean_interval
from partnersim.text import join_words, percent
from partnersim.values.durations import add_days, month_label
from partnersim.whatif.factors import Factor, factors
from partnersim.whatif.paired import Change, paired_change
from partnersim.whatif.points import Point, design_points
from partnersim.whatif.sweep import range_ends

SIDES = ("low", "high")
MEASURES = ("cooperation", "p50")
MIN_DATE_SPREAD = 15  # days: a date driver must move the even-chance date by at least half a month


@dataclass(frozen=True)
class Effect:
    """What one factor's two swings do to one measure for one candidate.

    ``base``, ``low`` and ``high`` are probabilities for ``cooperation`` and
    days after the start for ``p50`` (None: not reached by the horizon, or,
    for a side that is not swung, the base value).
    """

    factor: Factor
    base: float | None
    low: float | None
    high: float | None
    changes: dict[str, Change]  # per swung side, the paired change in P(success) (cooperation only)
    horizon: float

    def _value(self, side: str) -> float | None:
        value = self.low if side == "low" else self.high
        return self.base if value is None and self.factor.overrides(side) == [] else value

    @property
    def spread(self) -> float:
        """How far apart the two swings put the measure (a date not reached counts as the horizon)."""
        values = [self.horizon if v is None else v for v in (self.base, self._value("low"), self._value("high"))]
        return max(values) - min(values)

    def swung(self) -> list[float | None]:
        """The measure at the two ends of the swing (with the scenario's own where one side is not swung): the
        range a sentence says the setting moves it over. A range that does not hold the scenario's value (a
        --range on one side of it) is quoted by its ends alone."""
        sides = [side for side in SIDES if self.factor.overrides(side)]
        values = [self.low if side == "low" else self.high for side in sides]
        return values if len(values) == 2 else [self.base, *values]

    @property
    def within_noise(self) -> bool:
        """For probabilities: no swing's paired interval excludes zero."""
        return bool(self.changes) and not any(c.distinguishable for c in self.changes.values())


@dataclass(frozen=True)
class Sensitivity:
    scenario: Scenario
    base: Point
    factors: list[Factor]
    swings: dict[tuple[str, str], Point]  # (factor path, side) → point

    @property
    def results(self) -> Results:
        return self.base.results

    @property
    def points(self) -> int:
        return 1 + len(self.swings)

    def effects(self, code: str, measure: str = "cooperation") -> list[Effect]:
        """Every factor's effect on ``measure`` for candidate ``code``, largest spread first."""
        results = self.results
        index = [c.code for c in results.candidates].index(code)
        success = results.success
        horizon = float((results.end_date - results.start).days)
        found = []
        for factor in self.factors:
            values: dict[str, float | None] = {}
            changes: dict[str, Change] = {}
            for side in SIDES:
                point = self.swings.get((factor.path, side))
                if point is None:
                    values[side] = None
                    continue
                values[side] = _measure(point.results, index, measure)
                if measure == "cooperation":
                    changes[side] = paired_change(self.base.indicator(success)[:, index],
                                                  point.indicator(success)[:, index])
            found.append(Effect(factor, _measure(results, index, measure), values["low"], values["high"],
                                changes, horizon))
        found.sort(key=lambda e: (-e.spread, e.factor.label))
        return found

    def tied(self, code: str, a: Effect, b: Effect) -> bool:
        """Whether two settings' swings move the chance of success of candidate ``code`` apart by amounts the
        simulation cannot tell apart: the 95% interval of the difference of their spreads, paired future by
        future (every run plays the same futures), holds zero."""
        index = [c.code for c in self.results.candidates].index(code)
        _, low, high = mean_interval(self._spread_rows(a, index) - self._spread_rows(b, index))
        return low <= 0.0 <= high

    def date_noise(self, code: str) -> float:
        """Days within which two settings' moves of candidate ``code``'s even-chance date cannot be told apart: a
        bound at 95% on the difference of two spreads, each a difference of two even-chance dates. A date's error
        is the chance's, √(p(1 − p)/n) at one half, over how fast the chance rises there (its slope over two
        months either side, in the scenario); the four dates are taken as independent, which they are not (every
        run plays the same futures), so the bound is wide: it says less, never more. Infinite where the chance
        does not rise through one half within the horizon."""
        results = self.results
        cdf = results.candidate(code).cdf
        crossed = np.flatnonzero(cdf >= 0.5)
        if not crossed.size:
            return math.inf
        day = int(crossed[0])
        before, after = max(day - 61, 0), min(day + 61, len(cdf) - 1)
        slope = float(cdf[after] - cdf[before]) / max(after - before, 1)
        if slope <= 0:
            return math.inf
        return Z95 * 2 * math.sqrt(0.25 / results.replications) / slope

    def _spread_rows(self, effect: Effect, index: int) -> np.ndarray:
        """Per future, success at the highest of the effect's values (the scenario's and its swings') less success
        at the lowest: their mean is the effect's spread."""
        success = self.results.success
        runs = [(effect.base, self.base)] + [(effect.low if side == "low" else effect.high, self.swings[(effect.factor.path, side)])
                                             for side in SIDES if (effect.factor.path, side) in self.swings]
        known = [(value, point) for value, point in runs if value is not None]
        top = max(known, key=lambda run: run[0])[1]
        bottom = min(known, key=lambda run: run[0])[1]
        return top.indicator(success)[:, index].astype(float) - bottom.indicator(success)[:, index].astype(float)


def _measure(results: Results, index: int, measure: str) -> float | None:
    candidate = results.candidates[index]
    if measure == "cooperation":
        return candidate.outcomes[results.success].p
    day = candidate.dates["P50"]
    return None if day is None else float((day - results.start).days)


def sensitivity(
    path: Path,
    *,
    overrides: Sequence[str] = (),
    ranges: Sequence[str] = (),
    replications: int = 5000,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> Sensitivity:
    """Swing every factor of the scenario in ``path`` low and high, one at a time, on one seed."""
    check_ranges(path, overrides, ranges)
    scenario = load_scenario(path, overrides)
    common = scenario.seed if seed is None else seed
    scenario = scenario.with_updates(replications=replications, seed=common)
    chosen = factors(scenario, list(ranges))
    values: list[dict[str, Any]] = [{}]
    names = ["the scenario"]
    keys: list[tuple[str, str]] = []
    for factor in chosen:
        for side in SIDES:
            for text in factor.overrides(side):
                key, value = parse(text)
                values.append({".".join(key): value})
                names.append(f"{factor.label} at its {side} value ({factor.low if side == 'low' else factor.high})")
                keys.append((factor.path, side))
    # One design: every swing's replications run beside the base's, on the same random numbers.
    points = design_points(scenario, values, names, executor=executor or Executor(jobs=jobs), progress=progress)
    return Sensitivity(scenario, points[0], chosen, dict(zip(keys, points[1:], strict=True)))


def check_ranges(path: Path, overrides: Sequence[str], ranges: Sequence[str]) -> None:
    """Load the scenario at both ends of every ``--range``, so that a mistake is reported before anything runs."""
    problems: list[Problem] = []
    for text in ranges:
        key, _, spec = text.partition("=")
        ends = spec.split(":")
        if len(ends) != 2 or not key.strip():
            problems.append(Problem("--range", None, key.strip(), f"expected PATH=LOW:HIGH, got {text!r}"))
            continue
        found = len(problems)
        for end in ends:
            try:
                load_scenario(path, [*overrides, f"{key.strip()}={end.strip()}"])
            except ScenarioError as exc:
                problems += [Problem("--range", None, p.path, p.message) if p.file == "--set" else p
                             for p in exc.problems]
        if len(problems) == found:  # both ends are values of the setting: they must be in order
            problems += _order(key.strip(), ends[0].strip(), ends[1].strip())
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))


def _order(key: str, low: str, high: str) -> list[Problem]:
    """A problem when a range's LOW is not below its HIGH (ends that are not numbers, dates or durations, such as
    a distribution, are left as they are)."""
    try:
        bottom, top, _ = range_ends(key, low, high)
    except ScenarioError:
        return []
    if bottom > top:
        return [Problem("--range", None, key, f"LOW {low!r} is above HIGH {high!r}")]
    if bottom == top:
        return [Problem("--range", None, key, f"LOW and HIGH are the same ({low!r}): there is nothing to swing")]
    return []


def drivers(sens: Sensitivity, code: str, top: int = 3) -> str:
    """The top drivers in one plain sentence, for one candidate."""
    results = sens.results
    candidate = results.candidate(code)
    horizon = month_label(results.end_date)
    base = candidate.outcomes[results.success].p
    beyond = [e for e in sens.effects(code, "cooperation") if not e.within_noise and e.spread > 0]
    moving = beyond[:top]
    what = f"{possessive(candidate.name)} chance of {results.success_words} by {horizon} ({percent(base)})"
    if not moving:
        sentence = f"No single setting moves {what} by more than the simulation's noise"
    else:
        def part(e: Effect) -> str:
            return f"{e.factor.phrase} ({percent(min(_known(e)))}–{percent(max(_known(e)))})"

        sentence = f"{what} depends most on {join_words([part(e) for e in moving])}"
        # The list stops at ``top``; a setting the simulation cannot tell from the last one named is named too.
        sentence += _as_much([part(e) for e in beyond[top:] if sens.tied(code, moving[-1], e)])
    noise = sens.date_noise(code)
    dated = [e for e in sens.effects(code, "p50") if e.spread >= max(MIN_DATE_SPREAD, noise)]
    p50 = candidate.dates["P50"]
    if p50 is not None and dated:
        parts = [e.factor.phrase for e in dated[:top]]
        sentence += f"; its even-chance date ({month_label(p50)}) most on {join_words(parts)}"
        if len(dated) > top:
            sentence += _as_much([e.factor.phrase for e in dated[top:] if dated[top - 1].spread - e.spread <= noise])
    return sentence + "."


def _as_much(alike: list[str]) -> str:
    """What a drivers sentence adds for the settings tied with the last it names: two named, the rest counted."""
    if not alike:
        return ""
    shown = alike[:2] + ([f"{len(alike) - 2} more"] if len(alike) > 2 else [])
    return f", and within the simulation's noise as much on {join_words(shown)}"


def _known(e: Effect) -> list[float]:
    return [v for v in e.swung() if v is not None]


def date_of(results: Results, day: float | None) -> dt.date | None:
    return None if day is None else add_days(results.start, day)
